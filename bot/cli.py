"""`python -m bot [run|sync|check|commands|backup PATH]`.

Only `run` and `sync` talk to Discord; the others work offline, without a token, so an
operator can check a configuration or back up a live database from a shell.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from pathlib import Path
from typing import Any

import aiohttp
import discord

from bot.settings import ConfigError, Settings, load_settings

log = logging.getLogger(__name__)

#: Sub-commands other modules add (name → (help, configure parser, handler)).
EXTRA_COMMANDS: dict[str, tuple[str, Any, Any]] = {}


def _fail(message: str, code: int = 2) -> int:
    print(message, file=sys.stderr)
    return code


async def _run(settings: Settings, token: str, *, sync_only: bool = False) -> int:
    """Run (or sync) the bot.

    A running bot holds the database's instance lock, so a second copy cannot start on
    the same file and `restore` knows to refuse.
    """
    if sync_only or str(settings.database_path) == ":memory:":
        return await _run_bot(settings, token, sync_only=sync_only)
    from db.ops import InstanceLock, InstanceLockedError

    try:
        lock = InstanceLock(settings.database_path).acquire()
    except InstanceLockedError as exc:
        return _fail(str(exc), 1)
    try:
        return await _run_bot(settings, token)
    finally:
        lock.release()


async def _run_bot(settings: Settings, token: str, *, sync_only: bool = False) -> int:
    from bot.bot import build_bot

    bot = build_bot(settings)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda s=sig: _on_signal(bot, s))
    try:
        async with bot:
            if sync_only:
                await bot.login(token)
                synced = await bot.tree.sync()
                print(f"Synced {len(synced)} global commands.")
                return 0
            await bot.start(token)
    except discord.LoginFailure:
        return _fail("Discord refused the token in DISCORD_TOKEN. Reset it in the portal.", 1)
    except discord.PrivilegedIntentsRequired:
        return _fail(
            "Enable the SERVER MEMBERS intent for the bot in the Discord developer portal "
            "(Bot → Privileged Gateway Intents).",
            1,
        )
    except (aiohttp.ClientConnectionError, OSError) as exc:
        where = settings.discord_api_base or "Discord (discord.com)"
        return _fail(
            f"Cannot reach {where}: {exc}. Check the network connection"
            f"{' and DISCORD_API_BASE' if settings.discord_api_base else ''}, then try again.",
            1,
        )
    return 0


def _on_signal(bot: Any, sig: signal.Signals) -> None:
    log.info("received %s, shutting down", sig.name)
    bot.spawn(bot.close(), name="shutdown")


async def build_offline_bot(settings: Settings) -> Any:
    """A fully set-up bot (cogs loaded, tree built) on a throwaway database, never logged in."""
    from bot.bot import build_bot

    bot = build_bot(settings.model_copy(update={"database_path": Path(":memory:")}))
    try:
        await bot._async_setup_hook()
        await bot.setup_hook()
    except BaseException:
        # A feature failed to load: close what was opened (the database thread would
        # otherwise keep the process alive after the error is reported).
        await bot.close()
        raise
    return bot


async def command_tree_json(bot: Any) -> list[dict[str, Any]]:
    """The payload `sync` would publish, translations included."""
    translator = bot.tree.translator
    commands = bot.tree.get_commands()
    if translator is None:
        return [cmd.to_dict(bot.tree) for cmd in commands]
    return [await cmd.get_translated_payload(bot.tree, translator) for cmd in commands]


async def _commands(settings: Settings) -> int:
    bot = await build_offline_bot(settings)
    try:
        print(json.dumps(await command_tree_json(bot), indent=2, ensure_ascii=False))
    finally:
        await bot.close()
    return 0


async def _check(settings: Settings) -> int:
    from bot.bot import discover_extensions
    from db.connection import Database
    from db.migrate import current_version, migrate

    db = await Database.open(settings.database_path, busy_timeout_ms=settings.db_busy_timeout_ms)
    try:
        applied = await migrate(db)
        version = await current_version(db)
        tables = await db.fetch_all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        configured = await db.fetch_value(
            "SELECT count(*) FROM guild_settings WHERE setup_completed_at IS NOT NULL"
        )
    finally:
        await db.close()
    print("Configuration OK")
    print(f"  token:           {'set' if settings.discord_token else 'NOT SET (needed for run)'}")
    print(f"  database:        {settings.database_path.resolve()}")
    print(f"  schema version:  {version}{f' (applied {applied})' if applied else ''}")
    print(f"  tables:          {len(tables)}")
    print(f"  servers set up:  {configured}")
    print(f"  features:        {', '.join(discover_extensions())}")
    print(f"  api base:        {settings.discord_api_base or 'Discord'}")
    print(f"  dev guild:       {settings.dev_guild_id or '-'}")
    return 0


async def _backup(settings: Settings, target: Path) -> int:
    from db.connection import Database

    if not settings.database_path.exists():
        return _fail(f"No database at {settings.database_path}.")
    if target.exists():  # noqa: ASYNC240
        return _fail(f"{target} already exists; choose a new file name.")
    db = await Database.open(settings.database_path, busy_timeout_ms=settings.db_busy_timeout_ms)
    try:
        await db.backup_to(target)
    finally:
        await db.close()
    print(f"Backed up {settings.database_path} to {target}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Run or manage Entraide.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="connect to Discord and run the bot (default)")
    sub.add_parser("sync", help="publish the slash commands to Discord, then exit")
    sub.add_parser("check", help="validate settings and migrate the database")
    sub.add_parser("commands", help="print the slash-command tree as JSON")
    backup = sub.add_parser("backup", help="online backup of the database")
    backup.add_argument("path", type=Path)
    for name, (help_text, configure, _) in EXTRA_COMMANDS.items():
        configure(sub.add_parser(name, help=help_text))
    return parser


def main(argv: list[str] | None = None) -> int:
    import bot.ops_cli  # noqa: F401 - registers the operations sub-commands

    args = build_parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings()
    except ConfigError as exc:
        return _fail(str(exc))

    from bot.logging_setup import setup_logging

    secrets = [settings.discord_token.get_secret_value()] if settings.discord_token else []
    setup_logging(settings.log_level if command in {"run", "sync"} else "WARNING", secrets)
    try:
        if command in {"run", "sync"}:
            token = settings.require_token()
            return asyncio.run(_run(settings, token, sync_only=command == "sync"))
        if command == "check":
            return asyncio.run(_check(settings))
        if command == "commands":
            return asyncio.run(_commands(settings))
        if command == "backup":
            return asyncio.run(_backup(settings, args.path))
        return asyncio.run(EXTRA_COMMANDS[command][2](settings, args))
    except ConfigError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from db.migrate import MigrationError

        if isinstance(exc, MigrationError):
            return _fail(str(exc))
        log.exception("fatal error")
        return _fail(f"Entraide stopped: {exc}", 1)
