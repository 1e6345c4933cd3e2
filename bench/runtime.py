"""The benchmarked bot: the test harness's real bot and fake Discord, on a copy of the store.

Everything the member-facing figures measure goes through the same path as the tests:
`ConnectionState.parse_interaction_create` (discord.py's gateway dispatch) in, the fake
HTTP layer out. Only the driving differs: payloads are built in advance and fed without
waiting for each other, and the fake notes when each interaction got its answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bench import world
from bench.members import ChunkedMembers
from bench.servers import server_world
from bot.clock import ManualClock
from bot.i18n import t
from tests.harness import payloads as p
from tests.harness.driver import DEFAULT_NOW, Harness, test_settings
from tests.harness.fake_discord import Sent

#: What counts as the member having their answer (a slash command's deferral does not).
#: A click may be answered by a deferred update: its redraw is coalesced into the edit of
#: the alert already in flight (cogs/tasks/service/redraw.py), which the member then sees.
ANSWER_KINDS = frozenset(
    {"response", "update", "deferred_update", "followup", "modal", "autocomplete", "edit"}
)


class ErrorCounter(logging.Handler):
    """Counts (and keeps a few of) the ERROR records logged during the run."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0
        self.samples: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        if len(self.samples) < 5:
            text = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                text += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
            self.samples.append(f"{record.name}: {text}"[:300])


@dataclass
class AnswerClock:
    """When each interaction was fed and when its member saw an answer."""

    fed: dict[int, float] = field(default_factory=dict)
    answered: dict[int, float] = field(default_factory=dict)
    acknowledged: dict[int, float] = field(default_factory=dict)  # first response, deferrals too
    waiters: dict[int, asyncio.Future[float]] = field(default_factory=dict)

    def note_fed(self, interaction_id: int, at: float | None = None) -> None:
        self.fed[interaction_id] = time.perf_counter() if at is None else at

    def note_sent(self, sent: Sent) -> None:
        iid = sent.interaction_id
        if iid is None or iid in self.answered:
            return
        now = time.perf_counter()
        self.acknowledged.setdefault(iid, now)
        if sent.kind not in ANSWER_KINDS:
            return
        self.answered[iid] = now
        waiter = self.waiters.pop(iid, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(now)

    def latency(self, interaction_id: int, *, first_response: bool = False) -> float | None:
        """Fed → answer (or → first response of any kind, Discord's 3-second rule)."""
        done = self.acknowledged if first_response else self.answered
        if interaction_id not in done or interaction_id not in self.fed:
            return None
        return done[interaction_id] - self.fed[interaction_id]


class BenchBot:
    """A started harness plus the instruments the scenarios need."""

    def __init__(
        self,
        harness: Harness,
        monkeypatch: pytest.MonkeyPatch,
        folder: Path,
        chunked: ChunkedMembers,
    ) -> None:
        self.h = harness
        self.monkeypatch = monkeypatch
        self.folder = folder
        self.chunked = chunked
        self.answers = AnswerClock()
        #: Called once the last answer of a burst is in, before the outbox is drained:
        #: `--profile` stops there, so its report is the measured window alone.
        self.on_answered: Callable[[], None] | None = None
        self._wrap_fake()

    @classmethod
    async def start(
        cls,
        folder: Path,
        *,
        on_gateway: Callable[[], None] | None = None,
        bookkeeping: Callable[[], AbstractContextManager[None]] = contextlib.nullcontext,
        legacy: bool = False,
        members: int = 0,
        database_url: str | None = None,
        server: int = 0,
        **settings: Any,
    ) -> BenchBot:
        """Start the bot on `folder/entraide.db` (already in place).

        `on_gateway` is called when the first GUILD_CREATE arrives (the gateway is
        connected; `setup_hook` is done); `bookkeeping` wraps the benchmark's own work of
        building the server's payloads (a loop probe's `paused`). `legacy` runs the
        database housekeeping and the garbage collector as they were before issue 14, for
        a baseline in the same run. The community's `members` arrive as Discord sends a
        large server's members (bench/members.py): the bot forgets per-server data of
        anyone missing once the list is complete. `database_url` puts the store on that
        PostgreSQL database instead (already filled); `server` is the store's server the
        bot serves (`bench.servers.server_world`), as one shard of several would.
        """
        monkeypatch = pytest.MonkeyPatch()
        monkeypatch.delenv("DISCORD_TOKEN", raising=False)
        chunked = ChunkedMembers(monkeypatch, on_gateway=on_gateway, bookkeeping=bookkeeping)
        build_payload = Harness._guild_payload

        def guild_payload(harness: Harness, *args: Any, **kwargs: Any) -> dict[str, Any]:
            with bookkeeping():
                return build_payload(harness, *args, **kwargs)

        monkeypatch.setattr(Harness, "_guild_payload", guild_payload)
        if legacy:
            _legacy(monkeypatch)
        clock = ManualClock(DEFAULT_NOW)
        with bookkeeping():
            people = [world.member(n) for n in range(members)]
        bot_settings = test_settings(folder, **settings)
        if database_url is not None:
            bot_settings = bot_settings.model_copy(update={"database_url": database_url})
        harness = await Harness.start(
            bot_settings,
            clock,
            monkeypatch,
            world=server_world(server),
            extra_members=people,
        )
        return cls(harness, monkeypatch, folder, chunked)

    async def guild_loaded(self) -> None:
        """Wait for discord.py to have every member and announce the server, then the freeze."""
        bot = self.h.bot
        frozen = bot.gc_policy.freezes
        await asyncio.wait_for(self.chunked.loaded.wait(), timeout=60)
        await self.h.settle()
        if bot.gc_policy.enabled:
            await asyncio.sleep(bot.gc_policy.delay + 0.2)  # the policy's quiet spell
            if bot.gc_policy.freezes == frozen:
                logging.getLogger(__name__).error("the GC policy did not freeze the heap")

    async def stop(self) -> None:
        try:
            await self.h.stop()
        finally:
            self.monkeypatch.undo()

    def _wrap_fake(self) -> None:
        """Note the moment each answer reaches the fake (its `sent` list grows)."""
        api = self.h.api
        clock = self.answers
        webhook = api._webhook

        async def timed_webhook(route: Any, **kwargs: Any) -> Any:
            before = len(api.sent)
            try:
                return await webhook(route, **kwargs)
            finally:
                for sent in api.sent[before:]:
                    clock.note_sent(sent)

        api._webhook = timed_webhook  # type: ignore[method-assign]

    # -- payloads ------------------------------------------------------------------------

    def slash_payload(
        self, path: str, user: p.FakeUser, *, locale: str = "en-US", **options: Any
    ) -> dict[str, Any]:
        data = self.h._command_data(path, options)
        return self.h._interaction(2, data, user, None, locale)

    def autocomplete_payload(
        self,
        path: str,
        focused: str,
        user: p.FakeUser,
        *,
        locale: str = "en-US",
        **options: Any,
    ) -> dict[str, Any]:
        data = self.h._command_data(path, options, focused)
        return self.h._interaction(4, data, user, None, locale)

    def click_payload(
        self, message: dict[str, Any], custom_id: str, user: p.FakeUser, locale: str = "en-US"
    ) -> dict[str, Any]:
        channel_id = int(message["channel_id"])
        data = {"custom_id": custom_id, "component_type": 2}
        payload = self.h._interaction(3, data, user, channel_id, locale, message=message)
        self.h.api.component_messages[payload["token"]] = int(message["id"])
        return payload

    # -- feeding -------------------------------------------------------------------------

    def feed(self, payload: dict[str, Any], arrived: float | None = None) -> None:
        """Hand one payload to discord.py; latency counts from `arrived` if given."""
        self.answers.note_fed(int(payload["id"]), arrived)
        self.h.bot._connection.parse_interaction_create(payload)

    async def burst(self, payloads: Sequence[dict[str, Any]]) -> BurstResult:
        """Feed every payload as fast as a gateway would (one per loop turn), then wait.

        A gateway hands discord.py one event per websocket read, so the loop gets a turn
        between interactions; feeding all of them in one synchronous loop would instead
        measure one giant loop iteration of our own making.
        """
        ids = [int(pl["id"]) for pl in payloads]
        waiters = self._waiters(ids)
        started = time.perf_counter()
        for payload in payloads:
            self.feed(payload)
            await asyncio.sleep(0)
        return await self._finish(ids, waiters, started)

    async def steady(self, payloads: Sequence[dict[str, Any]], rate: float) -> BurstResult:
        """Feed payloads at `rate` per second on the loop's clock, each at its own instant.

        Latency counts from the instant a payload was due, not from when the loop got
        round to it: an interaction that waited behind a stalled loop waited for real.
        """
        return await self.schedule([(n / rate, payload) for n, payload in enumerate(payloads)])

    async def schedule(self, timed: Sequence[tuple[float, dict[str, Any]]]) -> BurstResult:
        """Feed each payload `offset` seconds after the start, on the loop's clock.

        Like `steady`, latency counts from the instant a payload was due.
        """
        loop = asyncio.get_running_loop()
        ids = [int(pl["id"]) for _, pl in timed]
        waiters = self._waiters(ids)
        start_at = loop.time() + 0.01
        offset = time.perf_counter() - loop.time()
        for at, payload in timed:
            due = start_at + at
            loop.call_at(due, self.feed, payload, due + offset)
        started = time.perf_counter() + max(0.0, start_at - loop.time())
        return await self._finish(ids, waiters, started)

    async def _finish(
        self, ids: list[int], waiters: list[asyncio.Future[float]], started: float
    ) -> BurstResult:
        """Wait for every answer, then let the background work drain, outside the figures.

        The burst ends when the last member got their answer (the time the fake Discord
        received it), not when this coroutine next ran: background work woken by that
        answer (a fan-out, a redraw) may take the loop first, and is not a member's wait.
        """
        arrivals = await asyncio.wait_for(asyncio.gather(*waiters), timeout=600)
        answered = max(arrivals, default=time.perf_counter())
        if self.on_answered is not None:
            self.on_answered()
        await self._drain_after_measuring()
        settled = time.perf_counter()
        return BurstResult(self, ids, started, answered, settled)

    async def _drain_after_measuring(self) -> None:
        """Let background work finish once the figures are taken.

        The alert-DM outbox sends at Discord's pace (tens per second), so a burst leaves
        minutes of DMs behind it. They are part of the burst's CPU while it runs; once the
        answers are recorded, the outbox may empty at full speed so the next phase starts
        from a quiet bot instead of waiting on a rate meant for the real Discord.
        """
        outbox = getattr(self.h.bot.get_cog("AlertsCog"), "outbox", None)
        paced = getattr(outbox, "rate", None)
        if outbox is not None and paced is not None:
            outbox.rate = 1e6
        try:
            await self.h.settle()
        finally:
            if outbox is not None and paced is not None:
                outbox.rate = paced

    def _waiters(self, ids: list[int]) -> list[asyncio.Future[float]]:
        loop = asyncio.get_running_loop()
        futures = []
        for iid in ids:
            future: asyncio.Future[float] = loop.create_future()
            self.answers.waiters[iid] = future
            futures.append(future)
        return futures

    def replies(self, interaction_id: int) -> list[Sent]:
        return self.h.api.for_interaction(interaction_id)


@dataclass
class BurstResult:
    bot: BenchBot
    ids: list[int]
    started: float
    answered: float
    settled: float

    @property
    def per_second(self) -> float:
        return len(self.ids) / (self.answered - self.started)

    def latencies_ms(self, *, first_response: bool = False) -> list[float]:
        values = [self.bot.answers.latency(i, first_response=first_response) for i in self.ids]
        return sorted(v * 1000 for v in values if v is not None)

    def answers(self) -> list[Sent]:
        """The first answer each interaction of this burst got (one pass over the fake)."""
        wanted = set(self.ids)
        first: dict[int, Sent] = {}
        for sent in self.bot.h.api.sent:
            iid = sent.interaction_id
            if iid in wanted and iid not in first and sent.kind in ANSWER_KINDS:
                first[iid] = sent
        return list(first.values())

    def apologies(self) -> int:
        """Answers that were the global handler's "something went wrong"."""
        apology = t("common.errors.unexpected", "en")
        return sum(1 for s in self.answers() if s.content == apology)


def _legacy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Housekeeping as shipped before issue 14: the baseline `--legacy` measures."""
    from bot import bot as bot_module
    from bot.gc_policy import GcPolicy
    from db.connection import Database

    opened = Database.open.__func__  # type: ignore[attr-defined]

    async def open_legacy(cls: type[Database], path: Any, **kwargs: Any) -> Database:
        db = await opened(cls, path, **kwargs)
        if db.checkpointer is not None:
            await asyncio.to_thread(db.checkpointer.stop)
            db.checkpointer = None
        await db.execute("PRAGMA wal_autocheckpoint = 1000")  # SQLite's default
        db.group_commit = False
        return db

    monkeypatch.setattr(Database, "open", classmethod(open_legacy))
    monkeypatch.setattr(Database, "start_maintenance", lambda self, *a: None)
    monkeypatch.setattr(bot_module, "GcPolicy", lambda: GcPolicy(enabled=False))


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), math.ceil(q / 100 * len(sorted_values))))
    return sorted_values[rank - 1]
