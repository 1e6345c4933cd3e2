"""Instruments that watch the process rather than one operation: loop stalls and memory."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = str(Path(__file__).resolve().parent.parent)


@dataclass
class Stall:
    """One stall of the event loop, with where the loop thread was while it lasted."""

    seconds: float
    phase: str
    stack: list[str] = field(default_factory=list)

    def where(self, depth: int = 4) -> str:
        """The innermost frames from our own code (or any code, failing that)."""
        ours = [line for line in self.stack if REPO in line and "/bench/" not in line]
        frames = ours[-depth:] or self.stack[-depth:]
        return " < ".join(reversed([f.replace(REPO + "/", "") for f in frames]))


class LoopProbe:
    """A task that asks to wake every millisecond and records how late it wakes.

    Lateness is the time the event loop spent on something else without yielding: a
    blocking call, a long synchronous computation, a worker thread holding the GIL, or
    too much work queued in one loop iteration. Every interaction and gateway event waits
    behind such a stall, so the worst one over the whole run is the figure that matters
    (`max_loop_block_ms`). Each stall is charged to the phase running at the time, and a
    watchdog thread samples the loop thread's stack while a stall lasts, to say where.
    """

    def __init__(self, interval: float = 0.001, watch_after: float = 0.02) -> None:
        self.interval = interval
        self.watch_after = watch_after
        self.max_block = 0.0
        self.by_phase: dict[str, float] = {}
        #: Stalls over 50 ms, counted per phase.
        self.over_50: dict[str, int] = {}
        self.phase = "idle"
        self.samples = 0
        self.stalls: list[Stall] = []
        self._paused = 0
        self._task: asyncio.Task[None] | None = None
        self._last_tick = time.perf_counter()
        self._expected = self._last_tick
        self._current_stack: list[str] = []
        self._watching = False
        self._watchdog: threading.Thread | None = None
        self._loop_thread = threading.get_ident()

    def start(self) -> None:
        self._loop_thread = threading.get_ident()
        self._last_tick = time.perf_counter()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="bench: loop probe")
        self._watching = True
        self._watchdog = threading.Thread(target=self._watch, name="bench: watchdog", daemon=True)
        self._watchdog.start()

    async def stop(self) -> None:
        self._watching = False
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._watchdog is not None:
            self._watchdog.join(timeout=1)

    @contextlib.contextmanager
    def during(self, phase: str) -> Iterator[None]:
        previous, self.phase = self.phase, phase
        try:
            yield
        finally:
            self.phase = previous

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """Don't count the benchmark's own bookkeeping (building payloads, reading results).

        The bot never does this work; charging its stalls to the bot would be wrong. A
        stall already under way is recorded up to here; the probe's clock restarts when
        the bookkeeping ends.
        """
        if not self._paused:
            self._cut()
        self._paused += 1
        try:
            yield
        finally:
            self._paused -= 1
            if not self._paused:
                self._restart()

    def switch(self, phase: str) -> None:
        """Change phase from synchronous code, in the middle of a loop iteration.

        The stall so far goes to the old phase; the rest of it to the new one (the code
        that called `switch`, e.g. parsing GUILD_CREATE, may hold the loop a while yet).
        """
        if not self._paused:
            self._cut()
        self.phase = phase

    def _cut(self) -> None:
        """Record the stall under way so far, and measure what follows from now."""
        late = time.perf_counter() - self._expected
        if late > 0:
            self._record(late)
        self._restart()

    def _restart(self) -> None:
        now = time.perf_counter()
        self._expected = max(self._expected, now)
        self._last_tick = now  # the watchdog samples the stack again for what follows
        self._current_stack = []

    def _record(self, late: float) -> None:
        self.samples += 1
        if late > self.by_phase.get(self.phase, 0.0):
            self.by_phase[self.phase] = late
        self.max_block = max(self.max_block, late)
        if late > 0.05:
            self.over_50[self.phase] = self.over_50.get(self.phase, 0) + 1
        if late > self.watch_after:
            self.stalls.append(Stall(late, self.phase, self._current_stack))
            self.stalls.sort(key=lambda s: -s.seconds)
            del self.stalls[10:]

    def _watch(self) -> None:
        """Sample the loop thread's stack once per stall, after `watch_after` seconds."""
        sampled_for = -1.0
        while self._watching:
            time.sleep(0.002)
            tick = self._last_tick
            if time.perf_counter() - tick > self.watch_after and sampled_for != tick:
                frame = sys._current_frames().get(self._loop_thread)
                if frame is not None:
                    self._current_stack = [
                        f"{f.filename}:{f.lineno} {f.name}" for f in traceback.extract_stack(frame)
                    ]
                sampled_for = tick

    async def _run(self) -> None:
        interval = self.interval
        while True:
            self._expected = time.perf_counter() + interval
            self._current_stack = []
            await asyncio.sleep(interval)
            now = time.perf_counter()
            self._last_tick = now
            if self._paused:
                continue
            self._record(now - self._expected)  # `_cut` may have moved `_expected` on

    @property
    def max_block_ms(self) -> float:
        return self.max_block * 1000

    def max_block_ms_except(self, *phases: str) -> float:
        """The worst stall outside the named phases (start-up is reported on its own)."""
        values = [v for k, v in self.by_phase.items() if k not in phases]
        return max(values, default=0.0) * 1000


class GcWatch:
    """Times every pass of the cyclic garbage collector, per generation (`gc.callbacks`).

    A full (generation 2) pass walks every tracked object not frozen, with the GIL held:
    the loop waits for all of it. This is the evidence behind bot/gc_policy.py.
    """

    def __init__(self) -> None:
        self._started: float | None = None
        self.reset()

    def reset(self) -> None:
        """Count from now on (a pass under way is still timed)."""
        self.passes = [0, 0, 0]
        self.worst_ms = [0.0, 0.0, 0.0]
        self.total_ms = [0.0, 0.0, 0.0]

    def __enter__(self) -> GcWatch:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        if self._started is None:
            return
        ms = (time.perf_counter() - self._started) * 1000
        self._started = None
        gen = info.get("generation", 0)
        self.passes[gen] += 1
        self.total_ms[gen] += ms
        self.worst_ms[gen] = max(self.worst_ms[gen], ms)

    def describe(self) -> str:
        return ", ".join(
            f"gen{g} {self.passes[g]} passes (worst {self.worst_ms[g]:.1f} ms)" for g in range(3)
        )


def rss_mb() -> float:
    """Resident memory of this process (VmRSS), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")
