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

import aiohttp
import discord
import discord.webhook.async_ as webhook_async
import yarl
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from discord.ext import commands

import cogs
from bot import offload, shared_events
from bot.bus import Bus
from bot.bus_factory import build_bus
from bot.clock import Clock, SystemClock
from bot.command_limits import tree_problems
from bot.direct import DirectMessages
from bot.error_handler import EntraideTree, OversizedIdButton, handle_interaction_error
from bot.gc_policy import GcPolicy
from bot.i18n import catalogs, t
from bot.in_flight import InFlight
from bot.membership import Membership
from bot.privacy import PrivacyRegistry
from bot.settings import Settings
from bot.sharding import first_launch
from bot.translator import CatalogTranslator, localise_options
from bot.ui import NO_PINGS
from db import requesters
from db.migrate import migrate
from db.shards import Shards
from db.store import Store, open_database

log = logging.getLogger(__name__)

# Entraide has no voice features; don't warn operators about missing voice libraries.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False

#: Names of discord.py's own tasks that carry an interaction or event being handled.
INFLIGHT_TASK_PREFIXES = ("CommandTree-invoker", "discord-ui-", "discord.py: ")
#: The scheduler job of the garbage collector's daily full sweep (see bot/gc_policy.py).
GC_SWEEP_JOB = "bot.gc-sweep"


class GatewayUnreachableError(Exception):
    """The first connection to the gateway failed: `url` could not be reached."""

    def __init__(self, url: str, cause: BaseException | None) -> None:
        self.url = url
        self.reason = _describe(cause)
        super().__init__(f"cannot reach the gateway at {url}: {self.reason}")


def _describe(error: BaseException | None) -> str:
    if error is None:
        return "the connection failed"
    if isinstance(error, asyncio.TimeoutError):
        return "no answer in time"
    if isinstance(error, discord.ConnectionClosed):
        return f"the connection was closed (code {error.code})"
    return str(error) or type(error).__name__


class _FirstConnectWatch(logging.Filter):
    """Hold back discord.py's reconnect traceback until a first connection succeeds.

    discord.py 2.7.1's `Client.connect` logs a failed first attempt with a traceback, then
    fails on `self.ws.sequence` (there is no websocket yet) with an AttributeError. The
    error is kept here for one clear message instead.
    """

    def __init__(self, bot: Entraide) -> None:
        super().__init__()
        self.bot = bot
        self.error: BaseException | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if (
            self.bot.ws is None
            and record.exc_info
            and str(record.msg).startswith("Attempting a reconnect")
        ):
            self.error = record.exc_info[1]
            return False
        return True


def discover_extensions() -> list[str]:
    """Every feature package under `cogs/` that has a `setup` function."""
    names = []
    for module in pkgutil.iter_modules(cogs.__path__, prefix="cogs."):
        if module.ispkg and hasattr(importlib.import_module(module.name), "setup"):
            names.append(module.name)
    return sorted(names)


#: Feature packages whose every module is imported already (tests start many bots).
_IMPORTED: set[str] = set()


def _load_before_connecting(extensions: list[str]) -> None:
    """Read the catalogs and import every module of these features (in a worker thread)."""
    catalogs()
    for name in extensions:
        if name in _IMPORTED:
            continue
        package = importlib.import_module(name)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            importlib.import_module(module.name)
        _IMPORTED.add(name)


class Entraide(commands.Bot):
    """The bot: owns the database connection, the scheduler and the clock."""

    db: Store

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        extensions: list[str] | None = None,
        tree_only: bool = False,
    ) -> None:
        intents = discord.Intents.default()
        intents.members = True  # member leave → subscriptions removed, join date for reports
        # Privileged and optional: only the exports channel reads message text.
        intents.message_content = settings.message_content_intent
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=EntraideTree,
            allowed_mentions=NO_PINGS,
            help_command=None,
            **self.shard_options(settings),
        )
        self.settings = settings
        #: The shards this process runs: whose servers' jobs it schedules (db/shards.py).
        self.own_shards: Shards = settings.shards
        self.clock: Clock = clock or SystemClock()
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self.started_monotonic = time.monotonic()
        self.extensions_to_load = discover_extensions() if extensions is None else extensions
        self._background: set[asyncio.Task[Any]] = set()
        self._closing = False
        self._closed = asyncio.Event()
        self.privacy = PrivacyRegistry()
        #: Built only to read or publish the command tree (`commands`, `sync`): the
        #: scheduler never starts and no background work (start-up catch-ups) runs.
        self.tree_only = tree_only
        self.gc_policy = GcPolicy()
        #: Interactions waiting for their first answer: background work lets them go
        #: first (bot/in_flight.py).
        self.in_flight = InFlight()
        #: Per-server member data, forgotten when a member leaves (even while offline).
        self.membership = Membership(self)
        #: Every DM goes through here: one pace for the bot, DM channels asked once.
        self.direct = DirectMessages(self)
        #: What must reach every process (bot/bus.py): this process alone on SQLite,
        #: LISTEN/NOTIFY on the shared PostgreSQL store.
        store = settings.database
        self.bus: Bus = build_bus(
            store.dsn() if store.dialect == "postgresql" else None, spawn=self.spawn
        )
        self._unwire_bus = lambda: None

    @staticmethod
    def shard_options(settings: Settings) -> dict[str, Any]:
        """What discord.py's client is told about shards: nothing, for one connection."""
        return {}

    # -- lifecycle -------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        # Before the gateway connects, and in a worker thread: the catalogs (the first
        # translated string would otherwise read them in front of the first member) and
        # the features' modules (60-200 ms each to import). The loop keeps getting turns
        # at each of the interpreter's GIL switches instead of stalling for each import.
        await asyncio.to_thread(_load_before_connecting, self.extensions_to_load)
        self.db = await open_database(
            self.settings.database,
            busy_timeout_ms=self.settings.db_busy_timeout_ms,
            pool_min_size=self.settings.db_pool_min_size,
            pool_max_size=self.settings.db_pool_max_size,
        )
        applied = await migrate(self.db)
        if applied:
            log.info("database migrated to version %s", applied[-1])
        self._unwire_bus = shared_events.connect(self)
        rekeyed = await requesters.rekey_names(self.db)
        if rekeyed:
            log.info("re-keyed %s requester names", rekeyed)
        await self.tree.set_translator(CatalogTranslator())
        self.add_dynamic_items(OversizedIdButton)
        for name in self.extensions_to_load:
            await self.load_extension(name)
        if self.tree_only:
            return
        await self.bus.start()
        if self.db.dialect == "sqlite":
            self.db.start_maintenance()  # PostgreSQL's own autovacuum does this there
        # A quiet hour, after the backup (a full GC pass over the member cache takes ~0.1 s).
        self.scheduler.add_job(
            self.gc_policy.sweep,
            CronTrigger(hour=self.settings.backup_hour_utc, minute=45, timezone="UTC"),
            id=GC_SWEEP_JOB,
            replace_existing=True,
            coalesce=True,
            misfire_grace_time=3600,
        )
        self.scheduler.start()
        if self.settings.dev_guild_id:
            await self._sync_dev_guild(self.settings.dev_guild_id)
        # Last, before the gateway connects: what start-up built is frozen out of the
        # collector's full passes while the members arrive (bot/gc_policy.py).
        self.gc_policy.start()

    async def _sync_dev_guild(self, guild_id: int) -> None:
        """Publish the tree to the development server, unless Discord would refuse it.

        A refused tree is reported (every problem, once) and the bot keeps running with
        the commands the server already has, rather than stopping on Discord's 400.
        """
        problems = await tree_problems(self)
        if problems:
            log.error(
                "commands not synced to development guild %s; Discord would refuse them:\n%s",
                guild_id,
                "\n".join(f"  - {problem}" for problem in problems),
            )
            return
        guild = discord.Object(guild_id)
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)
        log.info("commands synced to development guild %s", guild_id)

    async def connect(self, *, reconnect: bool = True) -> None:
        """Connect to the gateway: the one `DISCORD_API_BASE`'s server names, if set.

        discord.py's unsharded client always opens `wss://gateway.discord.gg` and never asks
        `/gateway/bot`; a self-hosted Discord-compatible server has its own gateway, so ask
        it (after log-in, before connecting). Resuming works as discord.py does: READY's
        `resume_gateway_url` for a resume, this gateway again after an invalidated session.

        A first connection that fails stops the bot with `GatewayUnreachableError`, naming
        the URL, instead of discord.py's traceback and AttributeError.
        """
        if self.settings.discord_api_base:
            await self.use_server_gateway()
        watch = _FirstConnectWatch(self)
        client_log = logging.getLogger("discord.client")
        client_log.addFilter(watch)
        try:
            await super().connect(reconnect=reconnect)
        except AttributeError:
            if self.ws is not None or watch.error is None:
                raise
            raise GatewayUnreachableError(self.gateway_url, watch.error) from None
        except (TimeoutError, OSError, aiohttp.ClientError, discord.GatewayNotFound) as exc:
            if self.ws is not None:
                raise
            raise GatewayUnreachableError(self.gateway_url, exc) from None
        finally:
            client_log.removeFilter(watch)

    @property
    def gateway_url(self) -> str:
        """The gateway a first connection opens."""
        return str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)

    async def use_server_gateway(self) -> None:
        """Ask the REST server (`GET /gateway/bot`) where its gateway is, and connect there."""
        try:
            _shards, url, _limits = await self.http.get_bot_gateway()
        except discord.GatewayNotFound as exc:
            where = f"{self.settings.discord_api_base}/gateway/bot"
            raise GatewayUnreachableError(where, exc.__cause__ or exc) from None
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        log.info("gateway of %s: %s", self.settings.discord_api_base, url)

    async def add_cog(self, cog: commands.Cog, /, **kwargs: Any) -> None:
        """Add a feature's cog, its options named and described from its catalogs.

        The feature is the package under `cogs/` the cog lives in; see
        `bot.translator.localise_options` for the keys.
        """
        package = type(cog).__module__.split(".")
        feature = package[1] if package[0] == "cogs" and len(package) > 1 else package[0]
        localise_options(feature, cog.walk_app_commands())
        await super().add_cog(cog, **kwargs)

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
            await self.bus.stop()
            self._unwire_bus()
            if hasattr(self, "db"):
                await self.db.close()
            self.gc_policy.close()
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

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        if event_name == "interaction":
            # Noted before any handler runs, so work that yields to members sees it.
            self.in_flight.arrived(args[0])
        super().dispatch(event_name, *args, **kwargs)

    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str) -> asyncio.Task[Any]:
        """Run work in the background, tracked so shutdown (and tests) can wait for it."""
        task = asyncio.create_task(coro, name=f"entraide: {name}")
        if self.tree_only:
            # Cancelled before its first step: none of the coroutine's body runs.
            task.cancel()
            return task
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
        log.info(
            "ready as %s in %d servers (%s)",
            self.user,
            len(self.guilds),
            self.own_shards.describe(),
        )
        self.gc_policy.cache_loaded()

    # A server's members arrived (GUILD_CREATE and its chunks): freeze them out of the GC.
    async def on_guild_available(self, guild: discord.Guild) -> None:
        self.gc_policy.cache_loaded()

    async def on_guild_join(self, guild: discord.Guild) -> None:
        self.gc_policy.cache_loaded()

    def uptime_seconds(self) -> float:
        return time.monotonic() - self.started_monotonic

    def text(self, key: str, locale: str | None, /, **params: object) -> str:
        return t(key, locale, **params)


class ShardedEntraide(Entraide, commands.AutoShardedBot):
    """The same bot as an `AutoShardedBot`: SHARD_COUNT set, one connection per shard.

    With the shard count known, discord.py connects every shard to `DEFAULT_GATEWAY`,
    which `Entraide.connect` has set from `DISCORD_API_BASE`'s `/gateway/bot` already.
    """

    @staticmethod
    def shard_options(settings: Settings) -> dict[str, Any]:
        shards = settings.shards
        return {"shard_count": shards.count, "shard_ids": list(shards.ids)}

    async def launch_shards(self) -> None:
        """Connect this process's shards, or stop with one line naming the gateway.

        A shard that cannot connect at start-up stops the bot (see bot/sharding.py).
        """
        error = await first_launch(super().launch_shards())
        if error is not None:
            raise GatewayUnreachableError(self.gateway_url, error)


def point_at_api(base: str | None) -> None:
    """Send REST (and so the gateway lookup) to a Discord-compatible server instead."""
    if base:
        discord.http.Route.BASE = base
        webhook_async.Route.BASE = base


def build_bot(
    settings: Settings,
    *,
    clock: Clock | None = None,
    extensions: list[str] | None = None,
    tree_only: bool = False,
) -> Entraide:
    """Build the bot without connecting anywhere: `bot.start` or a test harness does that."""
    point_at_api(settings.discord_api_base)
    if tree_only or not settings.sharded:
        # The command tree is the same whatever the shards: `sync` stays one step.
        unsharded = settings.model_copy(update={"shard_count": None, "shard_ids": None})
        return Entraide(unsharded, clock=clock, extensions=extensions, tree_only=tree_only)
    return ShardedEntraide(settings, clock=clock, extensions=extensions)
