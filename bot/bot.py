"""The `Bot` subclass and the factory that builds it, online or in tests."""

from __future__ import annotations

import asyncio
import importlib
import logging
import pkgutil
import time
from collections.abc import Coroutine
from datetime import UTC
from typing import Any

import discord
import discord.webhook.async_ as webhook_async
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from discord.ext import commands

import cogs
from bot import offload
from bot.clock import Clock, SystemClock
from bot.error_handler import EntraideTree, handle_interaction_error
from bot.i18n import t
from bot.membership import Membership
from bot.privacy import PrivacyRegistry
from bot.settings import Settings
from bot.translator import CatalogTranslator
from bot.ui import NO_PINGS
from db.connection import Database
from db.migrate import migrate

log = logging.getLogger(__name__)

# Entraide has no voice features; don't warn operators about missing voice libraries.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False

#: Names of discord.py's own tasks that carry an interaction or event being handled.
INFLIGHT_TASK_PREFIXES = ("CommandTree-invoker", "discord-ui-", "discord.py: ")


def discover_extensions() -> list[str]:
    """Every feature package under `cogs/` that has a `setup` function."""
    names = []
    for module in pkgutil.iter_modules(cogs.__path__, prefix="cogs."):
        if module.ispkg and hasattr(importlib.import_module(module.name), "setup"):
            names.append(module.name)
    return sorted(names)


class Entraide(commands.Bot):
    """The bot: owns the database connection, the scheduler and the clock."""

    db: Database

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        extensions: list[str] | None = None,
    ) -> None:
        intents = discord.Intents.default()
        intents.members = True  # member leave → subscriptions removed, join date for reports
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=EntraideTree,
            allowed_mentions=NO_PINGS,
            help_command=None,
        )
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.started_monotonic = time.monotonic()
        self.extensions_to_load = discover_extensions() if extensions is None else extensions
        self._background: set[asyncio.Task[Any]] = set()
        self._closing = False
        self._closed = asyncio.Event()
        self.privacy = PrivacyRegistry()
        #: Per-server member data, forgotten when a member leaves (even while offline).
        self.membership = Membership(self)

    # -- lifecycle -------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        self.db = await Database.open(
            self.settings.database_path, busy_timeout_ms=self.settings.db_busy_timeout_ms
        )
        applied = await migrate(self.db)
        if applied:
            log.info("database migrated to version %s", applied[-1])
        await self.tree.set_translator(CatalogTranslator())
        for name in self.extensions_to_load:
            await self.load_extension(name)
        self.scheduler.start()
        if self.settings.dev_guild_id:
            guild = discord.Object(self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
            log.info("commands synced to development guild %s", self.settings.dev_guild_id)

    async def close(self) -> None:
        """Stop taking work, finish what is in flight, then close the database last.

        Every caller waits for the whole shutdown: on SIGTERM the signal handler starts
        it, and `async with bot` (discord.py's `__aexit__`) must not return before the
        database is closed, or `asyncio.run` would cancel the close half-way and leave
        the process hanging on the database thread.
        """
        if self._closing:
            await self._closed.wait()
            return
        self._closing = True
        try:
            if self.scheduler.running:
                self.scheduler.shutdown(wait=False)
            await self.drain(grace=10)
            await super().close()
            offload.shutdown()
            if hasattr(self, "db"):
                await self.db.close()
        finally:
            self._closed.set()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def drain(self, grace: float = 10) -> None:
        """Wait for in-flight interactions and background work to finish."""
        current = asyncio.current_task()
        pending = [
            task
            for task in asyncio.all_tasks()
            if task is not current
            and not task.done()
            and (task in self._background or task.get_name().startswith(INFLIGHT_TASK_PREFIXES))
        ]
        if pending:
            await asyncio.wait(pending, timeout=grace)

    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]:
        """Run work in the background, tracked so shutdown (and tests) can wait for it."""
        task = asyncio.create_task(coro, name=f"entraide: {name}")
        self._background.add(task)
        task.add_done_callback(self._background_done)
        return task

    def _background_done(self, task: asyncio.Task[Any]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    @property
    def background_tasks(self) -> frozenset[asyncio.Task[Any]]:
        return frozenset(self._background)

    # -- message commands share the same error handling ------------------------------------

    async def on_command_error(
        self, ctx: commands.Context[Any], error: commands.CommandError
    ) -> None:
        if isinstance(error, commands.CommandNotFound):
            return
        if ctx.interaction is not None:
            await handle_interaction_error(ctx.interaction, error)
            return
        from bot.error_handler import describe_error

        message, unexpected = describe_error(error, "en")
        if unexpected:
            log.error(
                "unhandled error in %s (guild=%s user=%s)",
                ctx.command,
                ctx.guild.id if ctx.guild else None,
                ctx.author.id,
                exc_info=error,
            )
        await ctx.reply(message, allowed_mentions=NO_PINGS, mention_author=False)

    async def on_ready(self) -> None:
        log.info("ready as %s in %d servers", self.user, len(self.guilds))

    def uptime_seconds(self) -> float:
        return time.monotonic() - self.started_monotonic

    def text(self, key: str, locale: str | None, /, **params: object) -> str:
        return t(key, locale, **params)


def point_at_api(base: str | None) -> None:
    """Send REST (and so the gateway lookup) to a Discord-compatible server instead."""
    if base:
        discord.http.Route.BASE = base
        webhook_async.Route.BASE = base


def build_bot(
    settings: Settings, *, clock: Clock | None = None, extensions: list[str] | None = None
) -> Entraide:
    """Build the bot without connecting anywhere: `bot.start` or a test harness does that."""
    point_at_api(settings.discord_api_base)
    return Entraide(settings, clock=clock, extensions=extensions)
