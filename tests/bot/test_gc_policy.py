"""The garbage-collector policy (bot/gc_policy.py): freezing never lets memory grow unbounded.

These are not timing tests: they count tracked objects. The policy freezes the heap
after the member cache loads and after any full pass over budget; what must hold is that
garbage made after a freeze is still collected, that frozen cycles which die later are
reclaimed by the daily sweep, and that closing the bot hands everything back.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator

import pytest

from bot.bot import GC_SWEEP_JOB
from bot.gc_policy import FULL_COLLECT_MAX_OBJECTS, GcPolicy
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


class Node:
    """A small object in a reference cycle: only the cyclic collector can free it."""

    def __init__(self) -> None:
        self.me = self
        self.payload = [self]


def _tracked() -> int:
    """Every object the collector tracks, frozen or not."""
    return len(gc.get_objects()) + gc.get_freeze_count()


def _churn(rounds: int, size: int) -> None:
    for _ in range(rounds):
        batch = [Node() for _ in range(size)]
        del batch


@pytest.fixture
def policy() -> Iterator[GcPolicy]:
    made = GcPolicy(delay=0)
    yield made
    made.close()
    gc.unfreeze()


async def _frozen_by(policy: GcPolicy) -> None:
    policy.cache_loaded()
    await asyncio.sleep(0.01)
    assert policy.freezes == 1
    assert gc.get_freeze_count() > 0


async def test_cyclic_garbage_made_after_the_freeze_is_still_collected(policy: GcPolicy) -> None:
    policy.budget_ms = 1e9  # only the start-up freeze here
    await _frozen_by(policy)
    gc.collect()
    before = _tracked()
    frozen = gc.get_freeze_count()
    for _ in range(5):
        _churn(rounds=20, size=5_000)  # 100,000 dead cycles per round
        gc.collect()
        assert _tracked() - before < 2_000
    assert gc.get_freeze_count() == frozen  # nothing churned ended up frozen
    assert sum(gc.get_count()) < 2_000


async def test_a_long_full_pass_freezes_only_survivors(policy: GcPolicy) -> None:
    policy.budget_ms = 0.0  # every full pass is "over budget"
    await _frozen_by(policy)
    keep = [Node() for _ in range(10_000)]
    dead = Node()
    probe = weakref.ref(dead)
    del dead
    gc.collect()
    assert policy.pass_freezes >= 1
    assert probe() is None  # the dead cycle was collected, not frozen
    frozen = gc.get_freeze_count()
    assert frozen >= len(keep)
    # Churn: 100,000 tracked objects die in cycles. A pass-freeze can only catch what is
    # alive at that instant (part of one batch), never the churn's volume...
    _churn(rounds=10, size=5_000)
    gc.collect()
    assert gc.get_freeze_count() - frozen < 20_000
    # ...and the daily sweep gives even that back: what stays frozen is what is alive.
    policy.sweep()
    assert gc.get_freeze_count() - frozen < 2_000
    assert len(keep) == 10_000


async def test_the_daily_sweep_reclaims_cycles_that_died_frozen(policy: GcPolicy) -> None:
    policy.budget_ms = 1e9
    cycles = [Node() for _ in range(20_000)]
    probe = weakref.ref(cycles[0])
    await _frozen_by(policy)  # the cycles are alive, so they are frozen with the heap
    del cycles
    gc.collect()
    assert probe() is not None  # frozen: the collector no longer looks at them
    frozen = gc.get_freeze_count()
    policy.sweep()
    assert probe() is None
    assert gc.get_freeze_count() < frozen - 20_000 * 2 + 1_000
    assert policy.sweeps == 1


async def test_repeated_freeze_and_churn_stays_bounded(policy: GcPolicy) -> None:
    """Many GUILD_CREATE bursts and churn in between: the frozen set does not pile up."""
    policy.budget_ms = 1e9
    await _frozen_by(policy)
    gc.collect()
    baseline = _tracked()
    for n in range(10):
        _churn(rounds=5, size=2_000)
        policy.freeze()
        assert policy.freezes == n + 2
    gc.collect()
    assert _tracked() - baseline < 5_000


async def test_the_bot_freezes_after_the_guild_loads_and_unfreezes_on_close(
    harness: Harness,
) -> None:
    policy = harness.bot.gc_policy
    assert harness.bot.scheduler.get_job(GC_SWEEP_JOB) is not None
    policy.delay = 0
    before = policy.freezes
    harness.bot.dispatch("guild_available", harness.guild)
    await harness.settle()
    await asyncio.sleep(0.05)
    assert policy.freezes == before + 1
    assert gc.get_freeze_count() > 0
    await harness.bot.close()
    assert gc.get_freeze_count() == 0


async def test_a_freeze_after_a_bulk_load_walks_only_the_young_and_the_sweep_cleans_up(
    policy: GcPolicy,
) -> None:
    """A freshly loaded cache is not walked by a full pass before it is frozen."""
    policy.budget_ms = 1e9
    await _frozen_by(policy)
    cache = [Node() for _ in range(FULL_COLLECT_MAX_OBJECTS)]  # 2 tracked objects each
    dead = Node()
    probe = weakref.ref(dead)
    gc.collect()  # everything alive now sits in the oldest generation, not frozen
    del dead
    policy.freeze()
    assert probe() is not None  # frozen with the cache: no full pass walked it
    assert gc.get_freeze_count() >= 2 * len(cache)
    policy.sweep()
    assert probe() is None
    assert len(cache) == FULL_COLLECT_MAX_OBJECTS


async def test_the_bot_freezes_what_start_up_built_before_the_gateway(harness: Harness) -> None:
    policy = harness.bot.gc_policy
    # setup_hook froze once; the freeze after the server's arrival waits for a quiet spell.
    assert policy.freezes == 1
    assert gc.get_freeze_count() > 0
