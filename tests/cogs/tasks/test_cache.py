"""The requester/reputation cache: staleness, size, single-flight loads, invalidation."""

from __future__ import annotations

import asyncio

import pytest

from cogs.tasks import cache as cache_module
from cogs.tasks.cache import TtlCache


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [1000.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: now[0])
    return now


def test_entries_go_stale(clock: list[float]) -> None:
    cache: TtlCache[str, int] = TtlCache(60, 10)
    cache.put("a", 1)
    clock[0] += 59
    assert cache.get("a") == 1
    clock[0] += 2
    assert cache.get("a") is None


def test_least_recently_used_entries_leave_first(clock: list[float]) -> None:
    cache: TtlCache[str, int] = TtlCache(60, 2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)


async def test_concurrent_misses_share_one_load(clock: list[float]) -> None:
    cache: TtlCache[str, int] = TtlCache(60, 10)
    calls = 0
    gate = asyncio.Event()

    async def load() -> int:
        nonlocal calls
        calls += 1
        await gate.wait()
        return 42

    waiting = [asyncio.create_task(cache.get_or_load("k", load)) for _ in range(50)]
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*waiting) == [42] * 50
    assert calls == 1
    assert await cache.get_or_load("k", load) == 42 and calls == 1


async def test_a_failed_load_fails_its_waiters_and_is_not_kept(clock: list[float]) -> None:
    cache: TtlCache[str, int] = TtlCache(60, 10)
    gate = asyncio.Event()

    async def boom() -> int:
        await gate.wait()
        raise RuntimeError("database gone")

    first = asyncio.create_task(cache.get_or_load("k", boom))
    second = asyncio.create_task(cache.get_or_load("k", boom))
    await asyncio.sleep(0)
    gate.set()
    results = await asyncio.gather(first, second, return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)

    async def fine() -> int:
        return 7

    assert await cache.get_or_load("k", fine) == 7


async def test_clearing_during_a_load_keeps_the_stale_value_out(clock: list[float]) -> None:
    cache: TtlCache[str, int] = TtlCache(60, 10)
    gate = asyncio.Event()

    async def slow() -> int:
        await gate.wait()
        return 1

    task = asyncio.create_task(cache.get_or_load("k", slow))
    await asyncio.sleep(0)
    cache.clear()  # e.g. a requester's status changed meanwhile
    gate.set()
    assert await task == 1
    assert cache.get("k") is None
