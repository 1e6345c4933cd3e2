"""How the bot uses Python's cyclic garbage collector (docs/benchmark.md, "Garbage collector").

A bot with the members intent holds every member of every server in its cache: 20,000
members are a few hundred thousand tracked objects that live as long as the process.
CPython's collector walks *all* tracked objects of the oldest generation in each full
pass, with the GIL held, so every member's interaction waited 100-185 ms whenever a pass
came round, with no Python frame on the stack to show for it.

The policy:

* Before the gateway connects (the end of `setup_hook`): freeze what start-up built
  (modules, catalogs, the command tree), after collecting only the young generations,
  and start timing full passes. While the members then arrive (GUILD_CREATE and its
  GUILD_MEMBERS_CHUNKs), a full pass walks only the members cached since the last
  freeze, and one over budget freezes its survivors (below), so loading 20,000 members
  never stalls the loop for a pass over all of them.
* Once the cache is loaded (READY, and each GUILD_CREATE / chunking burst, which discord.py
  announces as `guild_available` or `guild_join`), and after a short quiet spell so a
  burst of servers gives one freeze: collect, then `gc.freeze()` everything that
  survived. Frozen objects are never walked again, so full passes only visit what was
  allocated since, and stay short. The freeze itself is a constant-time list splice.
  The collection before it is a full one only when the oldest generation holds few
  objects not frozen yet (`FULL_COLLECT_MAX_OBJECTS`, counted in a couple of ms); after
  a bulk load it holds the freshly cached members, and a full pass would walk them all
  (the 50-150 ms stall after the gateway connected), so then only the young generations
  are collected and whatever garbage sat in the oldest one is frozen with the cache,
  once, until the daily sweep.
* In service, whatever the process keeps (caches, new members) slowly refills the oldest
  generation, and CPython's full passes grow with it. So a full pass that took longer
  than `FULL_PASS_BUDGET_MS` freezes its survivors on the spot (a `gc.callbacks` hook):
  right after a full pass, every tracked object is reachable, so that freeze holds back no
  garbage at all, and the next full passes start small again. A long pass is paid once
  per set of survivors, not every time the collector comes round.
* Objects frozen that later become cyclic garbage are not collected until unfrozen; so a
  daily sweep (at a quiet hour, beside the backup) unfreezes, runs one full collection
  and freezes again. What the freeze can hold back is therefore at most one day of
  cycles that died among long-lived objects; memory does not grow without bound.
* Young-generation thresholds are left at CPython's defaults: their passes cost a fraction
  of a millisecond and are not what stalled the loop.
* Closing the bot unfreezes (a test process starts many bots; nothing stays frozen).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time

log = logging.getLogger(__name__)

#: Wait this long after the last "cache loaded" event before freezing, so a burst of
#: GUILD_CREATEs (one per server at start-up) gives one freeze, not one per server.
FREEZE_DELAY_S = 1.0
#: A full pass longer than this freezes its survivors (see the module docstring).
FULL_PASS_BUDGET_MS = 10.0
#: A freeze collects fully first only while the oldest generation holds at most this many
#: objects not frozen yet (a full pass over them takes about 10 ms).
FULL_COLLECT_MAX_OBJECTS = 50_000


def _reset_accounting() -> None:
    """A full pass over what is left unfrozen (next to nothing, so it is quick).

    CPython runs a full pass only once the objects promoted since the last one reach a
    quarter of the survivors that pass counted, and a freeze does not change that count:
    right after freezing a million objects, the next full pass would wait for 250,000 new
    ones and walk them all in one go. A pass now records the survivors as the few left,
    so later passes come sooner and stay short.
    """
    gc.collect()


class GcPolicy:
    """Freezes the long-lived heap after the cache is loaded; a daily full sweep."""

    def __init__(
        self,
        *,
        enabled: bool = True,
        delay: float = FREEZE_DELAY_S,
        budget_ms: float = FULL_PASS_BUDGET_MS,
    ) -> None:
        self.enabled = enabled
        self.delay = delay
        self.budget_ms = budget_ms
        self.freezes = 0
        self.sweeps = 0
        self.pass_freezes = 0  # freezes right after a full pass over budget
        self._pass_started: float | None = None
        self._watching = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self.last_freeze_ms = 0.0
        self.last_sweep_ms = 0.0
        self._pending: asyncio.TimerHandle | None = None
        self._frozen = False

    def start(self) -> None:
        """Before the gateway connects: freeze what start-up built, time every full pass."""
        if not self.enabled:
            return
        self._watch()
        self.freeze()

    def cache_loaded(self) -> None:
        """The member cache just grew in bulk: freeze once things are quiet again."""
        if not self.enabled:
            return
        self._watch()
        if self._pending is not None:
            self._pending.cancel()
        loop = asyncio.get_running_loop()
        self._pending = loop.call_later(self.delay, self.freeze)

    def _watch(self) -> None:
        if not self._watching:
            gc.callbacks.append(self._on_gc)
            self._watching = True
            self._loop = asyncio.get_running_loop()

    def freeze(self) -> None:
        """Collect, move every surviving object out of the collector's way, reset its count."""
        self._pending = None
        if not self.enabled:
            return
        started = time.perf_counter()
        full = self.freezes > 0 and len(gc.get_objects(generation=2)) <= FULL_COLLECT_MAX_OBJECTS
        gc.collect(2 if full else 1)
        gc.freeze()
        _reset_accounting()
        self._frozen = True
        self.freezes += 1
        self.last_freeze_ms = (time.perf_counter() - started) * 1000
        log.debug("gc: froze %d objects in %.1f ms", gc.get_freeze_count(), self.last_freeze_ms)

    def sweep(self) -> None:
        """The daily full pass: collect cycles that died among frozen objects, freeze again."""
        if not self.enabled:
            return
        started = time.perf_counter()
        gc.unfreeze()
        found = gc.collect()
        gc.freeze()
        _reset_accounting()
        self._frozen = True
        self.sweeps += 1
        self.last_sweep_ms = (time.perf_counter() - started) * 1000
        log.info(
            "gc: daily sweep collected %d objects, %d frozen, %.0f ms",
            found,
            gc.get_freeze_count(),
            self.last_sweep_ms,
        )

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        """Time full passes; freeze the survivors of one that went over budget."""
        if info.get("generation") != 2:  # the oldest generation
            return
        if phase == "start":
            self._pass_started = time.perf_counter()
            return
        started, self._pass_started = self._pass_started, None
        if started is None or not self.enabled:
            return
        if (time.perf_counter() - started) * 1000 > self.budget_ms:
            # Every tracked object just survived a full pass: none of them is garbage.
            gc.freeze()
            self._frozen = True
            self.pass_freezes += 1
            # Not from inside the collector (it would not run): on the loop, next turn.
            if self._loop is not None and not self._loop.is_closed():
                self._loop.call_soon_threadsafe(_reset_accounting)

    def close(self) -> None:
        """Stop: cancel a pending freeze and hand the frozen heap back to the collector."""
        if self._watching:
            with contextlib.suppress(ValueError):
                gc.callbacks.remove(self._on_gc)
            self._watching = False
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        if self._frozen:
            gc.unfreeze()
            self._frozen = False
