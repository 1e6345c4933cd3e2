"""The benchmark run: build the store, start the bot, measure, print the table and JSON.

Each phase writes its figures and table rows into the report; a phase whose feature is
missing says so and leaves its figures null rather than inventing them. The loop probe
runs from the bot's start to the last phase, so `max_loop_block_ms` covers the whole run.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gc
import json
import logging
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench import roles, world
from bench.datagen import NOW, cache_dir, ensure_store
from bench.probe import GcWatch, LoopProbe, rss_mb
from bench.runtime import BenchBot, BurstResult, ErrorCounter, percentile
from bench.sizes import FULL, QUICK, Sizes, describe
from bench.sqltrace import SqlRecorder, open_raw, replay, table_counts
from bench.workload import ShareMaker, clickers
from bot.offload import run_cpu

#: The JSON line's keys, in order (exactly the issue's list).
KEYS = (
    "share_per_s",
    "share_p50_ms",
    "share_p99_ms",
    "api_alert_per_s",
    "api_lookup_per_s",
    "click_per_s",
    "click_p99_ms",
    "dispatch_only_per_s",
    "share_vs_dispatch",
    "store_share_per_s",
    "raw_sqlite_share_per_s",
    "store_vs_raw",
    "digest_ms",
    "summary_ms",
    "chart_ms",
    "max_loop_block_ms",
    "rss_mb",
    "steady_p99_ms",
    "steady_max_ms",
    "fanout_last_notified_s",
    "fanout_role_notified_s",
    "startup_max_block_ms",
)

#: Probe phases that make up start-up (reported apart from `max_loop_block_ms`).
START_BEFORE_GATEWAY = "start-up, before the gateway"
START_CONNECTED = "start-up, gateway connected"
STARTUP_PHASES = (START_BEFORE_GATEWAY, START_CONNECTED)


@dataclass
class Row:
    label: str
    value: str
    baseline: str = ""
    target: str = ""
    verdict: str = ""


@dataclass
class Report:
    figures: dict[str, float | None] = field(default_factory=lambda: dict.fromkeys(KEYS))
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def row(self, *args: Any, **kwargs: Any) -> None:
        self.rows.append(Row(*args, **kwargs))


def _fmt(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}"


def _verdict(ok: bool | None) -> str:
    return "" if ok is None else ("ok" if ok else "MISSED")


def _copy_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(source, target)


async def _copy(source: Path, target: Path) -> None:
    """Copy a (large) database file without blocking the loop."""
    await asyncio.to_thread(_copy_file, source, target)


async def _timed(repeats: int, make: Callable[[], Awaitable[Any]]) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        await make()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _has(bench: BenchBot, path: str) -> bool:
    try:
        bench.h._command_chain(path)
    except AssertionError:
        return False
    return True


#: Phases `--profile` can name.
PHASES = (
    "dispatch",
    "share-burst",
    "share-alone",
    "share-steady",
    "api",
    "clicks",
    "digest",
    "summary",
    "store",
    "mixed",
)


class Run:
    def __init__(
        self,
        sizes: Sizes,
        seed: int,
        folder: Path,
        profile: str | None = None,
        legacy: bool = False,
    ) -> None:
        self.legacy = legacy
        self.profile = profile
        self.profile_output: Path | None = None
        self.sizes = sizes
        self.seed = seed
        self.folder = folder
        self.report = Report()
        self.probe = LoopProbe()
        self.errors = ErrorCounter()
        self.shares = ShareMaker(seed, sizes.members)
        self.store: Path | None = None
        self.bench: BenchBot | None = None

    # -- phases ----------------------------------------------------------------------------

    async def build_store(self) -> None:
        started = time.perf_counter()
        store, cached = await asyncio.to_thread(ensure_store, self.sizes, self.seed)
        self.store = store
        size = store.stat().st_size / 1024 / 1024
        counts = await asyncio.to_thread(_counts, store)
        how = "cached" if cached else f"generated in {time.perf_counter() - started:.0f} s"
        print(f"store: {store} ({size:,.0f} MiB, {how}, seed {self.seed})")
        print(
            "  "
            + ", ".join(
                f"{name} {count:,}"
                for name, count in sorted(counts.items())
                if count and "_fts" not in name
            )
        )

    async def start_bot(self) -> None:
        assert self.store is not None
        probe = self.probe

        def connected() -> None:
            probe.switch(START_CONNECTED)

        with self.probe.during(START_BEFORE_GATEWAY):
            await _copy(self.store, self.folder / "bot" / "entraide.db")
            # The personal API on a free loopback port, limits out of the way of the load.
            self.bench = await BenchBot.start(
                self.folder / "bot",
                on_gateway=connected,
                legacy=self.legacy,
                api_port=0,
                api_rate_per_minute=10_000,
                members=self.sizes.members,
            )
            # The members arrive (with the gateway, in GUILD_CREATE and its chunks); then
            # discord.py announces the server as available, which the GC policy waits for.
            await self.bench.guild_loaded()
        startup = self.probe.max_block_ms_except(
            *(k for k in self.probe.by_phase if k not in STARTUP_PHASES)
        )
        self.report.figures["startup_max_block_ms"] = round(startup, 1)
        connected_ms = self.probe.by_phase.get(START_CONNECTED, 0.0) * 1000
        before_ms = self.probe.by_phase.get(START_BEFORE_GATEWAY, 0.0) * 1000
        self.report.row(
            "startup_max_block_ms",
            _fmt(startup, 1),
            f"before gateway {before_ms:.0f}",
            "",
        )
        self.report.row(
            "  after the gateway connected",
            f"{connected_ms:.0f} ms worst stall (target < 50; includes discord.py parsing "
            f"{self.sizes.members:,} members); GC: {gc.get_freeze_count():,} objects frozen",
        )
        from bench.dispatch import DispatchOnly

        await self.bench.h.bot.add_cog(DispatchOnly(self.bench.h.bot, world.ALERTS))
        await self.bench.h.settle()
        gc.collect()
        await asyncio.sleep(0.5)  # idle: background catch-up done, nothing in flight
        rss = rss_mb()
        self.report.figures["rss_mb"] = round(rss, 1)
        self.report.row("rss_mb (loaded, idle)", _fmt(rss, 1), "", "< 150", _verdict(rss < 150))

    async def dispatch_only(self) -> None:
        bench = self._bench()
        with self.probe.paused():
            shares = self.shares.burst(self.sizes.burst, self.sizes.duplicate_share)
            payloads = [bench.slash_payload("bench share", s.user, **s.options) for s in shares]
        with self.measured("dispatch", "dispatch-only burst"):
            result = await bench.burst(payloads)
        self._check(result, "dispatch-only")
        self.report.figures["dispatch_only_per_s"] = round(result.per_second)
        self.report.row("dispatch_only_per_s", _fmt(result.per_second))

    async def share_burst(self) -> None:
        bench = self._bench()
        if not _has(bench, "task share"):
            self.report.notes.append("share burst: /task share not found")
            return
        with self.probe.paused():
            shares = self.shares.burst(self.sizes.burst, self.sizes.duplicate_share)
            payloads = [bench.slash_payload("task share", s.user, **s.options) for s in shares]
        recorder = SqlRecorder.attach(bench.h.db)
        recorder.recording = False
        before = await _alert_count(bench)
        dms_before = _dm_count(bench)
        with self.measured("share-burst", "share burst"):
            result = await bench.burst(payloads)
        recorder.detach()
        self._check(result, "share burst")
        created = await _alert_count(bench) - before
        dms = _dm_count(bench) - dms_before
        fresh = sum(1 for s in shares if not s.duplicate)
        if created != fresh:
            self.report.notes.append(f"share burst: {fresh} new tasks gave {created} alerts")
        per_s = result.per_second
        dispatch = self.report.figures["dispatch_only_per_s"]
        ratio = per_s / dispatch if dispatch else None
        self.report.figures["share_per_s"] = round(per_s)
        self.report.figures["share_vs_dispatch"] = None if ratio is None else round(ratio, 2)
        self.report.row(
            "share_per_s (burst)",
            _fmt(per_s),
            f"dispatch-only {_fmt(dispatch)}",
            ">= 2,000",
            _verdict(per_s >= 2000),
        )
        self.report.row(
            "share_vs_dispatch", _fmt(ratio, 2), "", ">= 0.5", _verdict(ratio and ratio >= 0.5)
        )
        self.report.row(
            "  burst detail",
            f"{len(shares):,} shares ({fresh:,} new, {len(shares) - fresh:,} re-shares) → "
            f"{created:,} alerts, {dms:,} subscriber DMs; "
            f"{recorder.hops / len(shares):.1f} db hops/share (fan-out included); "
            f"all background work done after {result.settled - result.started:.2f} s",
        )

    async def share_without_fan_out(self) -> None:
        """Diagnostic: the same burst with the `alert_posted` listeners detached.

        Not one of the issue's figures: it splits the share path's own cost from the
        subscription fan-out it triggers, so a miss can be charged to the right feature.
        """
        bench = self._bench()
        if not _has(bench, "task share"):
            return
        bot = bench.h.bot
        with self.probe.paused():
            shares = self.shares.burst(self.sizes.burst, self.sizes.duplicate_share)
            payloads = [bench.slash_payload("task share", s.user, **s.options) for s in shares]
        listeners = bot.extra_events.pop("on_alert_posted", [])
        try:
            with self.measured("share-alone", "share burst, fan-out off"):
                result = await bench.burst(payloads)
        finally:
            if listeners:
                bot.extra_events["on_alert_posted"] = listeners
        self._check(result, "share burst without fan-out")
        with self.probe.paused():
            latencies = result.latencies_ms()
        self.report.row(
            "  share_per_s, fan-out off",
            f"{result.per_second:,.0f}/s, p99 {percentile(latencies, 99):,.0f} ms "
            "(diagnostic: the share path alone, subscribers not told)",
        )

    async def share_steady(self) -> None:
        bench = self._bench()
        if not _has(bench, "task share"):
            return
        count = int(self.sizes.steady_rate * self.sizes.steady_seconds)
        with self.probe.paused():
            shares = self.shares.burst(count, self.sizes.duplicate_share)
            payloads = [bench.slash_payload("task share", s.user, **s.options) for s in shares]
        with self.measured("share-steady", "steady shares"):
            result = await bench.steady(payloads, self.sizes.steady_rate)
        self._check(result, "steady shares")
        with self.probe.paused():
            latencies = result.latencies_ms()
            acks = result.latencies_ms(first_response=True)
        p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
        late = sum(1 for a in acks if a > 3000)
        self.report.figures["share_p50_ms"] = round(p50, 1)
        self.report.figures["share_p99_ms"] = round(p99, 1)
        self.report.row(
            f"share_p50_ms ({self.sizes.steady_rate}/s for {self.sizes.steady_seconds:g} s)",
            _fmt(p50, 1),
        )
        self.report.row(
            "share_p99_ms",
            _fmt(p99, 1),
            f"max {_fmt(latencies[-1], 1)}",
            "< 50",
            _verdict(p99 < 50),
        )
        self.report.row(
            "  first response (defer) p99",
            f"{percentile(acks, 99):,.1f} ms; {late} of {len(acks)} past Discord's 3 s limit",
        )

    async def steady_mixed(self) -> None:
        """A busy evening: shares plus clicks, `/earnings log`, `/requester info` and
        autocomplete, each interaction fed at its own instant; latency per kind.
        """
        bench = self._bench()
        h = bench.h
        sizes = self.sizes
        if not _has(bench, "task share"):
            self.report.notes.append("steady mixed load: /task share not found")
            return
        seconds = sizes.mixed_seconds
        with self.probe.paused():
            rng = random.Random(self.seed * 1000 + 14)
            names = [
                row[0]
                for row in await h.db.fetch_all("SELECT name FROM requesters ORDER BY id LIMIT 500")
            ]
            targets = []
            for sent in h.in_channel(world.ALERTS)[-60:]:
                live = next(
                    (b["custom_id"] for b in sent.buttons if "tasks:live:" in b["custom_id"]),
                    None,
                )
                if live and sent.message_id in h.api.messages:
                    targets.append((h.api.messages[sent.message_id], live))
            timed: list[tuple[float, str, dict[str, Any]]] = []
            shares = self.shares.burst(int(sizes.mixed_share_rate * seconds), sizes.duplicate_share)
            for n, share in enumerate(shares):
                payload = bench.slash_payload("task share", share.user, **share.options)
                timed.append((n / sizes.mixed_share_rate, "share", payload))
            kinds = ["earnings log", "requester info", "autocomplete"]
            if targets:
                kinds.append("click")
            for n in range(int(sizes.mixed_other_rate * seconds)):
                at = n / sizes.mixed_other_rate
                user = world.member(rng.randrange(sizes.members))
                kind = kinds[n % len(kinds)]
                if kind == "click":
                    message, live = rng.choice(targets)
                    custom_id = live if rng.random() < 0.9 else live.replace(":live:", ":gone:")
                    payload = bench.click_payload(message, custom_id, user)
                elif kind == "earnings log":
                    payload = bench.slash_payload(
                        "earnings log",
                        user,
                        amount=f"{rng.uniform(0.2, 20):.2f}",
                        minutes=rng.randint(1, 60),
                        platform=rng.choice(("mturk", "prolific")),
                    )
                elif kind == "requester info":
                    payload = bench.slash_payload(
                        "requester info", user, requester=rng.choice(names or ["Nobody"])
                    )
                else:
                    prefix = rng.choice(names or ["Lab"])[: rng.randint(1, 4)]
                    payload = bench.autocomplete_payload(
                        "requester info", "requester", user, requester=prefix
                    )
                timed.append((at, kind, payload))
            timed.sort(key=lambda item: item[0])
            kind_of = {int(pl["id"]): kind for _, kind, pl in timed}
        db = h.db
        stats = getattr(db, "housekeeping", None)
        before = dataclasses.asdict(stats) if stats is not None else None
        wal = Path(str(db.path) + "-wal")
        stalls_before = self.probe.over_50.get("steady mixed", 0)
        with GcWatch() as gcw, self.measured("mixed", "steady mixed"):
            result = await bench.schedule([(at, pl) for at, _, pl in timed])
        self._check(result, "steady mixed load")
        with self.probe.paused():
            by_kind: dict[str, list[float]] = {}
            for iid in result.ids:
                latency = bench.answers.latency(iid)
                if latency is not None:
                    by_kind.setdefault(kind_of[iid], []).append(latency * 1000)
        every = sorted(v for values in by_kind.values() for v in values)
        p99 = percentile(every, 99)
        worst = every[-1] if every else float("nan")
        self.report.figures["steady_p99_ms"] = round(p99, 1)
        self.report.figures["steady_max_ms"] = round(worst, 1)
        label = (
            f"steady_p99_ms ({sizes.mixed_share_rate:g} shares/s + "
            f"{sizes.mixed_other_rate:g} others/s, {seconds:g} s)"
        )
        self.report.row(
            label, _fmt(p99, 1), f"p50 {_fmt(percentile(every, 50), 1)}", "< 50", _verdict(p99 < 50)
        )
        self.report.row("steady_max_ms", _fmt(worst, 1), "", "< 250", _verdict(worst < 250))
        for kind in sorted(by_kind):
            values = sorted(by_kind[kind])
            self.report.row(
                f"  {kind}",
                f"{len(values):,} answered: p50 {percentile(values, 50):.1f}, "
                f"p99 {percentile(values, 99):.1f}, max {values[-1]:.1f} ms",
            )
        block = self.probe.by_phase.get("steady mixed", 0.0) * 1000
        over = self.probe.over_50.get("steady mixed", 0) - stalls_before
        self.report.row(
            "  loop during the window",
            f"worst stall {block:.0f} ms, {over} stalls over 50 ms; GC {gcw.describe()}",
        )
        if stats is not None and before is not None and db.checkpointer is not None:
            after = dataclasses.asdict(stats)
            self.report.row(
                "  housekeeping in the window",
                f"{after['checkpoints'] - before['checkpoints']} background checkpoints "
                f"({after['checkpoint_frames'] - before['checkpoint_frames']:,} frames, "
                f"longest {after['checkpoint_seconds_max'] * 1000:.0f} ms, off the loop), "
                f"{after['checkpoint_busy'] - before['checkpoint_busy']} incomplete; "
                f"{after['fts_merges'] - before['fts_merges']} FTS merge steps "
                f"(longest {after['fts_merge_seconds_max'] * 1000:.1f} ms); "
                f"WAL now {_size_mb(wal):.1f} MiB, largest {after['wal_bytes_max'] / 2**20:.1f}",
            )
        else:
            self.report.row(
                "  housekeeping in the window",
                "SQLite's automatic checkpoints and FTS5 automerge run inside members' "
                f"commits (not counted); WAL now {_size_mb(wal):.1f} MiB",
            )

    async def fan_out(self) -> None:
        """From a share to the last matching subscriber's DM, at Discord's pace; and to
        the one message that mentions a notification role as many members hold.
        """
        bench = self._bench()
        h = bench.h
        outbox = getattr(h.bot.get_cog("AlertsCog"), "outbox", None)
        if outbox is None or not _has(bench, "task share"):
            self.report.notes.append("fan-out: no alert outbox")
            return
        await h.settle()
        role: roles.RoleWatch | None = None
        if h.bot.get_cog("RolesCog") is not None:
            with self.probe.paused():
                role = await roles.register(bench, self.sizes.subscriptions)
        else:
            self.report.notes.append("fan-out: no notification roles (cogs.roles)")
        delivered: dict[int, list[float]] = {}
        note = outbox._note

        def timed_note(letter: Any, outcome: str) -> None:
            if outcome != "failed":
                delivered.setdefault(letter.out.alert.id, []).append(time.perf_counter())
            note(letter, outcome)

        outbox._note = timed_note
        results: list[tuple[int, float]] = []
        by_role: list[float | None] = []
        try:
            with self.probe.during("fan-out"):
                for share in self.shares.burst(self.sizes.fanout_shares, 0.0):
                    with self.probe.paused():
                        payload = bench.slash_payload("task share", share.user, **share.options)
                    iid = int(payload["id"])
                    waiter = bench._waiters([iid])[0]
                    fed = time.perf_counter()
                    bench.feed(payload, fed)
                    await waiter
                    await h.settle()  # the outbox sends at its real pace here
                    alert_id = await h.db.fetch_value("SELECT max(id) FROM task_alerts")
                    times = delivered.get(int(alert_id), [])
                    results.append((len(times), max(times) - fed if times else 0.0))
                    if role is not None:
                        by_role.append(role.first_after(fed))
        finally:
            del outbox._note
            if role is not None:
                await role.close()
        worst = max(r[1] for r in results)
        self.report.figures["fanout_last_notified_s"] = round(worst, 2)
        self.report.row(
            "fanout_last_notified_s",
            _fmt(worst, 2),
            f"{self.sizes.subscriptions:,} subscriptions",
            "< 2",
            _verdict(worst < 2),
        )
        self.report.row(
            "  fan-out detail",
            "; ".join(f"{n} members notified, last after {s:.2f} s" for n, s in results)
            + f" (DMs at {outbox.rate:g}/s)",
        )
        if role is None:
            return
        posted = [r for r in by_role if r is not None]
        worst_role = max(posted) if len(posted) == len(by_role) else None
        if worst_role is None:
            self.report.notes.append("fan-out: a share's role mention was never posted")
        self.report.figures["fanout_role_notified_s"] = (
            None if worst_role is None else round(worst_role, 3)
        )
        self.report.row(
            "fanout_role_notified_s",
            _fmt(worst_role, 3),
            f"{role.holders:,} members hold the role",
            "< 2",
            _verdict(None if worst_role is None else worst_role < 2),
        )
        self.report.row(
            "  role detail",
            "; ".join("never" if r is None else f"{r * 1000:.0f} ms" for r in by_role)
            + " from the share to the one message mentioning the role (every holder told)",
        )

    async def click_burst(self) -> None:
        bench = self._bench()
        if not _has(bench, "task share"):
            self.report.notes.append("click burst: no alerts to click on")
            return
        h = bench.h
        hot = self.shares.burst(1, 0.0)[0]
        await h.slash("task share", user=hot.user, **hot.options)
        posted = h.in_channel(world.ALERTS)[-1]
        message = h.api.messages[posted.message_id]
        live = next(
            b["custom_id"] for b in posted.buttons if b["custom_id"].startswith("tasks:live:")
        )
        gone = live.replace(":live:", ":gone:")
        people = clickers(self.sizes.clicks, offset=self.sizes.members // 2)
        split = int(len(people) * 0.9)  # a rush of "still live", then it runs out
        with self.probe.paused():
            payloads = [
                bench.click_payload(message, live if n < split else gone, person)
                for n, person in enumerate(people)
            ]
        with self.measured("clicks", "click burst"):
            result = await bench.burst(payloads)
        self._check(result, "click burst")
        with self.probe.paused():
            latencies = result.latencies_ms()
        p99 = percentile(latencies, 99)
        self.report.figures["click_per_s"] = round(result.per_second)
        self.report.figures["click_p99_ms"] = round(p99, 1)
        self.report.row("click_per_s (burst, one alert)", _fmt(result.per_second))
        self.report.row("click_p99_ms", _fmt(p99, 1), f"p50 {_fmt(percentile(latencies, 50), 1)}")
        with self.probe.paused():
            deferred = sum(1 for a in result.answers() if a.kind == "deferred_update")
        self.report.row(
            "  click detail",
            f"{deferred:,} of {len(payloads):,} answered by a deferred update (their redraw "
            f"coalesced into the edit in flight); alert redrawn, all done after "
            f"{result.settled - result.started:.2f} s",
        )

    async def store_vs_raw(self) -> None:
        assert self.store is not None
        try:
            from cogs.tasks import rules as task_rules
            from db import tasks as tasks_db
        except ImportError:
            self.report.notes.append("store share: db.tasks not found")
            return
        from db.connection import Database

        store_path = self.folder / "store" / "entraide.db"
        raw_path = self.folder / "raw" / "entraide.db"
        store_path.parent.mkdir(parents=True, exist_ok=True)
        raw_path.parent.mkdir(parents=True, exist_ok=True)
        with self.probe.during("copies"):
            await _copy(self.store, store_path)
            await _copy(self.store, raw_path)
        with self.probe.paused():
            shares = self.shares.burst(self.sizes.store_ops, self.sizes.duplicate_share)
            alerts = [_new_alert(task_rules, tasks_db, s) for s in shares]
        expires = NOW + 7200
        database = await Database.open(store_path)
        recorder = SqlRecorder.attach(database)
        try:
            with self.measured("store", "store shares"):
                started = time.perf_counter()
                await asyncio.gather(
                    *(tasks_db.share(database, a, now=NOW, expires_at=expires) for a in alerts)
                )
                store_seconds = time.perf_counter() - started
            statements = list(recorder.statements)
            hops = recorder.hops
        finally:
            recorder.detach()
            await database.close()
        conn = await asyncio.to_thread(open_raw, raw_path)
        try:
            with self.probe.during("raw sqlite replay"):
                raw_seconds = await asyncio.to_thread(replay, conn, statements)
        finally:
            await asyncio.to_thread(conn.close)
        same = await asyncio.to_thread(_same_alerts, store_path, raw_path)
        if not same:
            self.report.notes.append("raw replay did not reproduce the store's rows!")
        store_per_s = len(alerts) / store_seconds
        raw_per_s = len(alerts) / raw_seconds
        ratio = store_per_s / raw_per_s
        self.report.figures["store_share_per_s"] = round(store_per_s)
        self.report.figures["raw_sqlite_share_per_s"] = round(raw_per_s)
        self.report.figures["store_vs_raw"] = round(ratio, 2)
        self.report.row(
            "store_share_per_s",
            _fmt(store_per_s),
            f"raw sqlite3 {_fmt(raw_per_s)}",
            "",
        )
        self.report.row("store_vs_raw", _fmt(ratio, 2), "", ">= 0.33", _verdict(ratio >= 0.33))
        queries = [s for s in statements if s.kind in ("execute", "executemany")]
        self.report.row(
            "  store detail",
            f"{len(alerts):,} concurrent calls, {hops / len(alerts):.1f} hops and "
            f"{len(queries) / len(alerts):.1f} statements per share, replay identical: {same}",
        )

    async def digest(self) -> None:
        bench = self._bench()
        try:
            from cogs.digests.compose import compose_server_digest
            from cogs.digests.render import render_server
        except ImportError:
            self.report.notes.append("digest: cogs.digests not found")
            return
        from datetime import UTC, datetime

        end = datetime.fromtimestamp(NOW, UTC)
        timings: dict[str, list[float]] = {}
        for name, days in (("daily", 1), ("weekly", 7)):
            window = (end - timedelta(days=days), end)

            async def compose(window: Any = window) -> None:
                content = await compose_server_digest(bench.h.bot, world.GUILD_ID, window)
                render_server(content, "en")

            with self.measured("digest", f"digest {name}"):
                await compose()  # warm the page cache, as a live bot's would be
                timings[name] = await _timed(self.sizes.repeats, compose)
        worst = max(statistics.median(v) for v in timings.values())
        self.report.figures["digest_ms"] = round(worst, 1)
        self.report.row(
            "digest_ms (compose + render)",
            _fmt(worst, 1),
            ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in timings.items()),
            "< 50",
            _verdict(worst < 50),
        )

    async def api_load(self) -> None:
        """`api_alert_per_s` and `api_lookup_per_s`, over loopback with a real client."""
        from bench import api

        bench = self._bench()
        cog = bench.h.bot.get_cog("Intake")
        server = getattr(cog, "server", None)
        if server is None or not server.port:
            self.report.notes.append("api: the personal API is not available")
            return
        base = f"http://127.0.0.1:{server.port}"
        with self.probe.paused():
            now = int(bench.h.clock.now().timestamp())
            tokens = await api.make_tokens(
                bench.h.db, bench.h.world.guild_id, self.sizes.members, now
            )
            ids = await api.requester_ids(bench.h.db)
        with self.measured("api", "api alerts"):
            posted = await api.alerts(base, tokens, self.sizes.burst, start=0)
            await bench.h.settle()
        with self.measured("api", "api lookups"):
            looked = await api.lookups(base, tokens, ids, max(50, self.sizes.burst // 5))
        for what, figures, ok in (
            ("api alerts", posted, {200, 201}),
            ("api lookups", looked, {200}),
        ):
            bad = {code: n for code, n in figures.statuses.items() if code not in ok}
            if bad:
                self.report.notes.append(f"{what}: unexpected statuses {bad}")
        self.report.figures["api_alert_per_s"] = round(posted.per_s)
        self.report.figures["api_lookup_per_s"] = round(looked.per_s)
        self.report.row(
            "api_alert_per_s (HIT JSON)",
            _fmt(posted.per_s),
            f"{posted.requests:,} posts, {api.CONCURRENCY} in flight, p99 {posted.p99_ms:.0f} ms",
        )
        self.report.row(
            "api_lookup_per_s (100 ids)",
            _fmt(looked.per_s),
            f"{looked.requests:,} requests, p99 {looked.p99_ms:.0f} ms",
        )

    async def summary_and_chart(self) -> None:
        bench = self._bench()
        try:
            from cogs.earnings import chart as charts
            from cogs.earnings.report_commands import chart_text
            from cogs.earnings.rules import Period
            from cogs.earnings.summary import summary as member_summary
        except ImportError:
            self.report.notes.append("summary/chart: cogs.earnings not found")
            return
        member = world.summary_member().id
        today = date.fromtimestamp(NOW)
        month = Period("month", today.replace(day=1), today)
        db = bench.h.db

        async def summarise() -> Any:
            return await member_summary(db, member, month)

        with self.measured("summary", "summary"):
            result = await summarise()
            times = await _timed(self.sizes.repeats, summarise)
        entries = await db.fetch_value("SELECT count(*) FROM earnings WHERE user_id = ?", (member,))
        summary_ms = statistics.median(times)
        self.report.figures["summary_ms"] = round(summary_ms, 1)
        self.report.row(
            "summary_ms (one month)",
            _fmt(summary_ms, 1),
            f"member with {entries:,} entries",
            "< 20",
            _verdict(summary_ms < 20),
        )
        currency = result.currencies[0].currency if result.currencies else "USD"
        spec = charts.chart_spec(result, currency, 725, chart_text("en", currency, month))

        async def draw() -> bytes:
            # The bot's own path: the chart worker process (bot/offload.py).
            return await run_cpu(charts.render_png, spec)

        with self.probe.during("chart"):
            cold = await _timed(1, draw)
            warm = await _timed(self.sizes.repeats, draw)
        chart_ms = statistics.median(warm)
        self.report.figures["chart_ms"] = round(chart_ms, 1)
        self.report.row(
            "chart_ms (render, worker process)", _fmt(chart_ms, 1), f"first {cold[0]:.0f} (import)"
        )

    # -- helpers ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def measured(self, phase: str, label: str) -> Iterator[None]:
        """Charge loop stalls to `label`; profile the phase if `--profile` named it."""
        with self.probe.during(label):
            if self.profile != phase:
                yield
                return
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005, async_mode="disabled")
            bench = self.bench

            def answered() -> None:
                # The measured window ends at the last answer; the outbox's drain at full
                # speed afterwards is the benchmark's tidying, not the member's wait.
                if profiler.is_running:
                    profiler.stop()

            if bench is not None:
                bench.on_answered = answered
            profiler.start()
            try:
                yield
            finally:
                if bench is not None:
                    bench.on_answered = None
                if profiler.is_running:
                    profiler.stop()
                out = cache_dir() / f"profile-{phase}.txt"
                out.write_text(profiler.output_text(unicode=True, show_all=False))
                profiler.write_html(out.with_suffix(".html"))
                self.profile_output = out

    def _bench(self) -> BenchBot:
        assert self.bench is not None
        return self.bench

    def _check(self, result: BurstResult, what: str) -> None:
        """Say so when interactions failed: a fast run of apologies proves nothing."""
        with self.probe.paused():
            apologies = result.apologies()
            unanswered = len(result.ids) - len(result.bot.answers.answered.keys() & set(result.ids))
        if apologies:
            self.report.notes.append(f"{what}: {apologies} interactions got the apology")
        if unanswered:
            self.report.notes.append(f"{what}: {unanswered} interactions never answered")

    async def close(self) -> None:
        if self.bench is not None:
            await self.bench.stop()


def _size_mb(path: Path) -> float:
    try:
        return path.stat().st_size / 2**20
    except OSError:
        return 0.0


def _dm_count(bench: BenchBot) -> int:
    return sum(1 for s in bench.h.api.sent if s.kind == "dm")


async def _alert_count(bench: BenchBot) -> int:
    return int(await bench.h.db.fetch_value("SELECT count(*) FROM task_alerts"))


def _counts(path: Path) -> dict[str, int]:
    conn = open_raw(path)
    try:
        return dict(table_counts(conn))
    finally:
        conn.close()


def _same_alerts(a: Path, b: Path) -> bool:
    sql = (
        "SELECT count(*), max(id), sum(seen_count), total(length(seen_by)), "
        "sum(expires_at) FROM task_alerts"
    )
    results = []
    for path in (a, b):
        conn = open_raw(path)
        try:
            results.append(tuple(conn.execute(sql).fetchone()))
        finally:
            conn.close()
    return results[0] == results[1]


def _new_alert(task_rules: Any, tasks_db: Any, share: Any) -> Any:
    """The repository's input for a share, built by the same rules the command uses."""
    options = share.options
    draft = task_rules.build_share(
        task_rules.ShareInput(
            link=options.get("link"),
            title=options.get("title"),
            requester=options.get("requester"),
            reward=options["reward"],
            minutes=options["minutes"],
        ),
        default_currency="USD",
    )
    return tasks_db.NewAlert(
        guild_id=world.GUILD_ID,
        platform=draft.platform,
        task_key=draft.task_key,
        title=draft.title,
        reward_cents=draft.reward_cents,
        currency=draft.currency,
        minutes=draft.minutes,
        hourly_cents=draft.hourly_cents,
        sharer_id=share.user.id,
        platform_task_id=draft.platform_task_id,
        requester_name=draft.requester_name,
        link=draft.link,
    )


def print_report(report: Report, sizes: Sizes, probe: LoopProbe, errors: ErrorCounter) -> None:
    rows = report.rows
    width = max(len(r.label) for r in rows) if rows else 20
    print()
    print(f"{'figure':<{width}}  {'value':>10}  {'beside':<28}  {'target':<9}  verdict")
    print("-" * (width + 64))
    for r in rows:
        if r.label.startswith("  "):
            print(f"{r.label:<{width}}  {r.value}")
            continue
        print(f"{r.label:<{width}}  {r.value:>10}  {r.baseline:<28}  {r.target:<9}  {r.verdict}")
    block = probe.max_block_ms_except(*STARTUP_PHASES)
    worst = sorted(
        ((k, v) for k, v in probe.by_phase.items() if k not in STARTUP_PHASES),
        key=lambda kv: -kv[1],
    )[:3]
    print(
        f"{'max_loop_block_ms (in service)':<{width}}  {block:>10.1f}  "
        f"{'worst: ' + ', '.join(f'{k} {v * 1000:.0f}' for k, v in worst):<28}  "
        f"{'< 50':<9}  {_verdict(block < 50)}"
    )
    for stall in probe.stalls[:5]:
        print(f"  stall {stall.seconds * 1000:.0f} ms in {stall.phase}: {stall.where() or '?'}")
    print("-" * (width + 64))
    print(f"sizes {describe(sizes)}")
    if errors.count:
        print(f"errors logged during the run: {errors.count}")
        for sample in errors.samples:
            print(f"  {sample}")
    for note in report.notes:
        print(f"note: {note}")


async def main_async(
    quick: bool, seed: int, profile: str | None = None, legacy: bool = False
) -> dict[str, float | None]:
    sizes = QUICK if quick else FULL
    print(f"Entraide benchmark — {describe(sizes)}")
    if legacy:
        print("LEGACY housekeeping (the baseline): SQLite's automatic checkpoints, FTS5")
        print("automerge inside commits, no GC freeze")
    load_before = os.getloadavg()[0]
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    run_errors = ErrorCounter()
    logging.getLogger().addHandler(run_errors)
    with tempfile.TemporaryDirectory(prefix="entraide-bench-") as tmp:
        run = Run(sizes, seed, Path(tmp), profile, legacy)
        run.errors = run_errors
        await run.build_store()
        run.probe.start()
        try:
            await run.start_bot()
            await run.fan_out()  # first: later bursts use up subscribers' hourly DM caps
            await run.dispatch_only()
            await run.share_burst()
            await run.share_without_fan_out()
            await run.share_steady()
            await run.steady_mixed()
            await run.api_load()
            await run.click_burst()
            await run.digest()
            await run.summary_and_chart()
            await run.store_vs_raw()
        finally:
            await run.close()
            await run.probe.stop()
    in_service = run.probe.max_block_ms_except(*STARTUP_PHASES)
    run.report.figures["max_loop_block_ms"] = round(in_service, 1)
    print_report(run.report, sizes, run.probe, run_errors)
    cores = os.cpu_count() or 1
    load_after = os.getloadavg()[0]
    print(
        f"machine: {cores} cores, load average {load_before:.2f} before and {load_after:.2f} "
        "after the run (other processes competing for the cores skew every figure)"
    )
    if run.profile_output is not None:
        print(f"profile of {profile}: {run.profile_output} (and .html)")
    figures = run.report.figures
    print(json.dumps({key: figures[key] for key in KEYS}))
    return figures
