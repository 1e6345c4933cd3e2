"""The state and helpers every phase shares (`RunBase`), so each phase module holds only its
measurement.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from bench.datagen import cache_dir
from bench.probe import LoopProbe
from bench.report import Report
from bench.runtime import BenchBot, BurstResult, ErrorCounter
from bench.sizes import Sizes
from bench.workload import ShareMaker


def _copy_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(source, target)


async def copy_db(source: Path, target: Path) -> None:
    """Copy a (large) database file without blocking the loop."""
    await asyncio.to_thread(_copy_file, source, target)


async def timed(repeats: int, make: Callable[[], Awaitable[Any]]) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        await make()
        times.append((time.perf_counter() - started) * 1000)
    return times


def has_command(bench: BenchBot, path: str) -> bool:
    try:
        bench.h._command_chain(path)
    except AssertionError:
        return False
    return True


def size_mb(path: Path) -> float:
    try:
        return path.stat().st_size / 2**20
    except OSError:
        return 0.0


def dm_count(bench: BenchBot) -> int:
    return sum(1 for s in bench.h.api.sent if s.kind == "dm")


async def alert_count(bench: BenchBot) -> int:
    return int(await bench.h.db.fetch_value("SELECT count(*) FROM task_alerts"))


class RunBase:
    """What every phase shares: the sizes, the report, the probe and the running bot."""

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
