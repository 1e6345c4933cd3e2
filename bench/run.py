"""The benchmark run: build the store, start the bot, measure, print the table and JSON.

Each phase writes its figures and table rows into the report; a phase whose feature is
missing says so and leaves its figures null rather than inventing them. The loop probe
runs from the bot's start to the last phase, so `max_loop_block_ms` covers the whole run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import json
import logging
import os
import tempfile
import time
from pathlib import Path

from bench import world
from bench.datagen import ensure_store
from bench.members import CHUNK_SIZE
from bench.phases.base import copy_db
from bench.phases.fanout import FanOut
from bench.phases.mixed import MixedLoad
from bench.phases.postgres import PostgresPhases
from bench.phases.reads import ReadPhases
from bench.phases.shares import SharePhases
from bench.phases.store import StorePhases
from bench.probe import GcWatch, rss_mb
from bench.report import (
    KEYS,
    START_BEFORE_GATEWAY,
    START_CONNECTED,
    STARTUP_PHASES,
    fmt,
    print_report,
    verdict,
)
from bench.runtime import BenchBot, ErrorCounter
from bench.sizes import FULL, QUICK, describe
from bench.sqltrace import open_raw, table_counts

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


class Run(SharePhases, MixedLoad, FanOut, StorePhases, ReadPhases, PostgresPhases):
    """The whole run: the store, the bot, then each phase in `main_async`'s order; then the
    share phases on PostgreSQL, with the SQLite bot stopped and its loop probe off."""

    async def build_store(self) -> None:
        started = time.perf_counter()
        # The load's rates are not the store's: `--mixed-share-rate` reuses the cached store.
        store_sizes = {QUICK.name: QUICK, FULL.name: FULL}.get(self.sizes.name, self.sizes)
        store, cached = await asyncio.to_thread(ensure_store, store_sizes, self.seed)
        self.store = store
        size = store.stat().st_size / 1024 / 1024
        counts = await asyncio.to_thread(row_counts, store)
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
        gc_watch = GcWatch()

        def connected() -> None:
            probe.switch(START_CONNECTED)
            gc_watch.reset()  # count the collector's passes from here

        with self.probe.during(START_BEFORE_GATEWAY), gc_watch:
            await copy_db(self.store, self.folder / "bot" / "entraide.db")
            # The personal API on a free loopback port, limits out of the way of the load.
            self.bench = await BenchBot.start(
                self.folder / "bot",
                on_gateway=connected,
                bookkeeping=probe.paused,
                legacy=self.legacy,
                api_port=0,
                api_rate_per_minute=10_000,
                members=self.sizes.members,
            )
            # The members arrive (a large server's GUILD_CREATE, then discord.py asks for
            # them in chunks); then discord.py announces the server as available, which the
            # GC policy waits for.
            await self.bench.guild_loaded()
        startup = self.probe.max_block_ms_except(
            *(k for k in self.probe.by_phase if k not in STARTUP_PHASES)
        )
        self.report.figures["startup_max_block_ms"] = round(startup, 1)
        connected_ms = self.probe.by_phase.get(START_CONNECTED, 0.0) * 1000
        before_ms = self.probe.by_phase.get(START_BEFORE_GATEWAY, 0.0) * 1000
        self.report.row(
            "startup_max_block_ms",
            fmt(startup, 1),
            f"before gateway {before_ms:.0f}",
            "",
        )
        self.report.row(
            "startup, after the gateway",
            fmt(connected_ms, 1),
            f"{probe.over_50.get(START_CONNECTED, 0)} stalls over 50 ms",
            "< 50",
            verdict(connected_ms < 50),
        )
        self.report.row(
            "  after the gateway, detail",
            f"{self.sizes.members:,} members in GUILD_MEMBERS_CHUNKs of {CHUNK_SIZE:,} "
            f"(discord.py parsing them is most of it); GC {gc_watch.describe()}; "
            f"{gc.get_freeze_count():,} objects frozen",
        )
        from bench.dispatch import DispatchOnly

        await self.bench.h.bot.add_cog(DispatchOnly(self.bench.h.bot, world.ALERTS))
        await self.bench.h.settle()
        gc.collect()
        await asyncio.sleep(0.5)  # idle: background catch-up done, nothing in flight
        rss = rss_mb()
        self.report.figures["rss_mb"] = round(rss, 1)
        self.report.row("rss_mb (loaded, idle)", fmt(rss, 1), "", "< 150", verdict(rss < 150))


def row_counts(path: Path) -> dict[str, int]:
    conn = open_raw(path)
    try:
        return dict(table_counts(conn))
    finally:
        conn.close()


async def main_async(
    quick: bool,
    seed: int,
    profile: str | None = None,
    legacy: bool = False,
    mixed_share_rate: float | None = None,
) -> dict[str, float | None]:
    sizes = QUICK if quick else FULL
    if mixed_share_rate is not None:
        sizes = dataclasses.replace(sizes, mixed_share_rate=mixed_share_rate)
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
        await run.postgres_phases()
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
