"""`python -m bot [run|sync|check|commands|backup PATH|copy-store SOURCE TARGET|…]`.

Only `run` and `sync` talk to Discord; the others work offline, without a token, so an
operator can check a configuration or back up a live database from a shell.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import discord

from bot import copy_store_cli, ops_cli
from bot.command_limits import MAX_COMMAND_CHARS, command_size, command_tree_json, tree_problems
from bot.logging_setup import scrub
from bot.settings import ConfigError, Settings, load_settings

log = logging.getLogger(__name__)

#: The settings' secrets, once loaded: nothing printed for the operator may show them.
_SECRETS: list[str] = []

__all__ = ["command_tree_json", "main", "tree_problems"]

#: Sub-commands that hold the database's instance lock while they work (`restore` takes
#: it itself; `backup` and `stats` only read, and an online backup of a running bot is
#: what `backup` is for; `commands` never opens the database).
LOCKED_COMMANDS = frozenset({"run", "sync", "check"})


def _fail(message: str, code: int = 2) -> int:
    print(scrub(message, _SECRETS), file=sys.stderr)
    return code


#: A bot built only for its command tree (`sync`, `commands`, `check`) opens this instead
#: of the community's store, whichever backend that is.
_THROWAWAY_DATABASE = {"database_path": Path(":memory:"), "database_url": None}


@contextlib.contextmanager
def instance_lock(settings: Settings) -> Iterator[None]:
    """Hold the database's instance lock for a sub-command that must not share it.

    `run` holds it for the bot's whole life; `check` (it migrates) and `sync` (it publishes
    this checkout's commands, which a bot running older code would not answer) refuse
    while a bot runs. The lock file is found from the resolved path, so a symlink or a
    relative path to the same file is the same database. `:memory:` has nothing to lock,
    nor has PostgreSQL (processes share its server by design; migrations lock there).
    """
    if str(settings.database_path) == ":memory:" or settings.database.dialect == "postgresql":
        yield
        return
    from db.ops import InstanceLock

    with InstanceLock(settings.database_path):
        yield


async def _run(settings: Settings, token: str, *, sync_only: bool = False) -> int:
    """Run the bot, or (`sync_only`) publish its slash commands and exit.

    `sync` builds the command tree as `commands` does, on a throwaway database with no
    scheduler and no start-up catch-ups: publishing commands never touches the
    community's data.
    """
    from bot.bot import GatewayUnreachableError, build_bot

    if sync_only:
        bot = build_bot(settings.model_copy(update=_THROWAWAY_DATABASE), tree_only=True)
    else:
        bot = build_bot(settings)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda s=sig: _on_signal(bot, s))
    try:
        async with bot:
            if sync_only:
                await bot.login(token)
                problems = await tree_problems(bot)
                if problems:
                    listed = "\n".join(f"  - {problem}" for problem in problems)
                    return _fail(f"Not synced: Discord would refuse these commands:\n{listed}", 1)
                if settings.dev_guild_id:
                    guild = discord.Object(settings.dev_guild_id)
                    bot.tree.copy_global_to(guild=guild)
                    await bot.tree.sync(guild=guild)
                    print(f"Synced the commands to development server {settings.dev_guild_id}.")
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
    except discord.ConnectionClosed as exc:
        if exc.code == 4004:
            return _fail(
                "The gateway refused the token in DISCORD_TOKEN. Reset it in the portal.", 1
            )
        return _fail(
            f"The gateway closed the connection (code {exc.code}"
            f"{f': {exc.reason}' if exc.reason else ''}). Try again later.",
            1,
        )
    except GatewayUnreachableError as exc:
        hint = " and DISCORD_API_BASE" if settings.discord_api_base else ""
        return _fail(
            f"Cannot reach the gateway at {exc.url}: {exc.reason}. "
            f"Check the network connection{hint}, then try again.",
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

    bot = build_bot(settings.model_copy(update=_THROWAWAY_DATABASE), tree_only=True)
    try:
        await bot._async_setup_hook()
        await bot.setup_hook()
    except BaseException:
        # A feature failed to load: close what was opened (the database thread would
        # otherwise keep the process alive after the error is reported).
        await bot.close()
        raise
    return bot


def _largest_command(payload: list[dict[str, Any]]) -> str:
    if not payload:
        return "none"
    size, name = max((command_size(cmd), cmd["name"]) for cmd in payload)
    return f"{len(payload)} (largest: /{name}, {size:,} of {MAX_COMMAND_CHARS:,} characters)"


async def _commands(settings: Settings) -> int:
    bot = await build_offline_bot(settings)
    try:
        print(json.dumps(await command_tree_json(bot), indent=2, ensure_ascii=False))
    finally:
        await bot.close()
    return 0


async def _check(settings: Settings) -> int:
    from bot.bot import discover_extensions
    from db.migrate import current_version, migrate
    from db.store import open_database, table_names

    db = await open_database(
        settings.database,
        busy_timeout_ms=settings.db_busy_timeout_ms,
        pool_min_size=settings.db_pool_min_size,
        pool_max_size=settings.db_pool_max_size,
    )
    try:
        applied = await migrate(db)
        version = await current_version(db)
        tables = await table_names(db)
        configured = await db.fetch_value(
            "SELECT count(*) FROM guild_settings WHERE setup_completed_at IS NOT NULL"
        )
    finally:
        await db.close()
    bot = await build_offline_bot(settings)
    try:
        payload = await command_tree_json(bot)
        problems = await tree_problems(bot)
    finally:
        await bot.close()
    if problems:
        listed = "\n".join(f"  - {problem}" for problem in problems)
        return _fail(f"The slash commands break Discord's limits (sync would fail):\n{listed}", 1)
    print("Configuration OK")
    print(f"  token:           {'set' if settings.discord_token else 'NOT SET (needed for run)'}")
    print(f"  database:        {_database_line(settings)}")
    print(f"  schema version:  {version}{f' (applied {applied})' if applied else ''}")
    print(f"  tables:          {len(tables)}")
    print(f"  servers set up:  {configured}")
    print(f"  features:        {', '.join(discover_extensions())}")
    print(f"  commands:        {_largest_command(payload)}")
    print(f"  api base:        {settings.discord_api_base or 'Discord'}")
    print(f"  dev guild:       {settings.dev_guild_id or '-'}")
    print(f"  shards:          {_shards_line(settings)}")
    return 0


def _database_line(settings: Settings) -> str:
    """The backend for `check`: the SQLite file, or PostgreSQL's host/port/database."""
    url = settings.database
    if url.dialect == "sqlite":
        return f"SQLite {settings.database_path.resolve()}"
    return url.display


def _shards_line(settings: Settings) -> str:
    """Which shards `run` connects ("shards 0, 1 of 4"), with a warning if need be.

    The warning: only some shards run here, so another process runs the rest, and a
    SQLite store cannot be shared with it.
    """
    if not settings.sharded:
        return "unsharded (one connection)"
    shards = settings.shards
    line = shards.describe()
    if not shards.is_whole and not _shared_store(settings):
        line += (
            "\n  WARNING: SHARD_IDS runs only some of the shards, but the store is a SQLite "
            "file, which one process holds at a time (the instance lock): the other shards' "
            "process cannot open it. Use PostgreSQL for several processes, or run every "
            "shard here (leave SHARD_IDS empty)."
        )
    return line


def _shared_store(settings: Settings) -> bool:
    """Whether several processes can open this store at once (PostgreSQL, not SQLite)."""
    return settings.database.dialect == "postgresql"


async def _backup(settings: Settings, target: Path) -> int:
    from db.connection import Database

    if settings.database.dialect == "postgresql":
        return _fail(ops_cli.PG_BACKUP_HINT)
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
    for name, (help_text, configure, _) in ops_cli.COMMANDS.items():
        configure(sub.add_parser(name, help=help_text))
    copy_store_cli.configure(sub.add_parser("copy-store", help=copy_store_cli.HELP))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    if command == "copy-store":  # both stores are on the command line: no settings needed
        return copy_store_cli.run(args)
    try:
        settings = load_settings()
    except ConfigError as exc:
        return _fail(str(exc))

    from bot.logging_setup import setup_logging

    secrets = settings.secrets()
    _SECRETS[:] = secrets
    setup_logging(settings.log_level if command in {"run", "sync"} else "WARNING", secrets)
    try:
        token = settings.require_token() if command in {"run", "sync"} else ""
        with instance_lock(settings) if command in LOCKED_COMMANDS else contextlib.nullcontext():
            if command in {"run", "sync"}:
                return asyncio.run(_run(settings, token, sync_only=command == "sync"))
            if command == "check":
                return asyncio.run(_check(settings))
            if command == "commands":
                return asyncio.run(_commands(settings))
            if command == "backup":
                return asyncio.run(_backup(settings, args.path))
            return asyncio.run(ops_cli.COMMANDS[command][2](settings, args))
    except ConfigError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from db.errors import DatabaseBusyError, DatabaseConfigError
        from db.migrate import MigrationError
        from db.ops import InstanceLockedError

        if isinstance(exc, DatabaseBusyError):
            return _fail(
                f"python -m bot {command}: the database did not answer ({exc}). Check "
                f"DATABASE_URL ({settings.database.display}) and that the server is running.",
                1,
            )
        if isinstance(exc, DatabaseConfigError):
            return _fail(f"python -m bot {command}: {exc}")
        if isinstance(exc, InstanceLockedError):
            return _fail(f"python -m bot {command}: {exc}", 1)
        if isinstance(exc, MigrationError):
            return _fail(str(exc))
        log.exception("fatal error")
        return _fail(f"Entraide stopped: {exc}", 1)
