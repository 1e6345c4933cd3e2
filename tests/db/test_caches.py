"""`db.caches`: a write forgets the cached copy here and announces it; a remote forget
does not announce again (or two processes would echo each other forever)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from db import caches, guild_setup, guilds, notify_roles
from db.alert_filters import AlertFilters
from db.connection import Database

ANY = AlertFilters(None, None, None, None, (), None, no_warned=False)


def _listen(db: Database) -> list[tuple[str, int | None]]:
    heard: list[tuple[str, int | None]] = []
    caches.on_change(db, lambda name, key: heard.append((name, key)))
    return heard


async def test_the_caches_are_registered_by_name() -> None:
    assert {"guild_settings", "notify_roles"} <= set(caches.names())


async def test_settings_writes_are_announced_after_they_are_stored(db: Database) -> None:
    heard = _listen(db)
    await guilds.update(db, 5, 100, currency="EUR")
    await guild_setup.save(db, 6, 100, {"currency": "CAD"})
    await guilds.mark_left(db, 5, 200)
    await guild_setup.clear_left(db, 5)
    await guild_setup.clear_left(db, 5)  # nothing changed: nothing announced
    assert heard == [("guild_settings", g) for g in (5, 6, 5, 5)]


async def test_a_remote_forget_drops_the_copy_without_announcing(db: Database) -> None:
    assert (await guilds.get(db, 5)).currency == "USD"  # cached
    await db.execute(
        "INSERT INTO guild_settings (guild_id, created_at, updated_at, currency) "
        "VALUES (5, 0, 0, 'EUR')"
    )  # another process wrote it: this one's copy is stale
    assert (await guilds.get(db, 5)).currency == "USD"
    heard = _listen(db)
    assert caches.forget(db, "guild_settings", 5)
    assert (await guilds.get(db, 5)).currency == "EUR"
    assert heard == []
    assert not caches.forget(db, "no such cache", 5)


async def test_forget_all_drops_every_cache(db: Database) -> None:
    await notify_roles.add(db, 5, 1, ANY, 0, limit=5)
    assert [r.role_id for r in await notify_roles.for_guild(db, 5)] == [1]
    await db.execute(
        "INSERT INTO notify_roles (guild_id, role_id, keywords, no_warned, created_at) "
        "VALUES (5, 2, '[]', 0, 0)"
    )
    await db.execute("UPDATE guild_settings SET currency = 'EUR' WHERE guild_id = 5")
    await guilds.update(db, 5, 0, currency="GBP")
    assert (await guilds.get(db, 5)).currency == "GBP"  # cached
    await db.execute("UPDATE guild_settings SET currency = 'JPY' WHERE guild_id = 5")
    assert (await guilds.get(db, 5)).currency == "GBP"
    assert [r.role_id for r in await notify_roles.for_guild(db, 5)] == [1]
    caches.forget_all(db)
    assert (await guilds.get(db, 5)).currency == "JPY"
    assert [r.role_id for r in await notify_roles.for_guild(db, 5)] == [1, 2]


async def test_role_changes_are_announced_and_a_stopped_listener_hears_nothing(
    db: Database,
) -> None:
    heard = _listen(db)
    await notify_roles.add(db, 5, 1, ANY, 0, limit=5)
    await notify_roles.remove(db, 5, 1)
    await notify_roles.purge_guild(db, 5)
    assert heard == [("notify_roles", 5)] * 3
    stop = caches.on_change(db, lambda *_: heard.append(("late", None)))
    stop()
    await notify_roles.add(db, 5, 2, ANY, 0, limit=5)
    assert heard == [("notify_roles", 5)] * 4


async def test_a_burst_at_a_cold_cache_reads_once(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seven hundred alerts of one server asking at once: one read, everyone answered."""
    await guilds.update(db, 5, 100, currency="EUR")
    caches.forget_all(db)
    reads: list[str] = []
    fetch_all = db.fetch_all

    async def counted(sql: str, params: Any = ()) -> Any:
        reads.append(sql.split("FROM ")[1].split()[0])
        return await fetch_all(sql, params)

    monkeypatch.setattr(db, "fetch_all", counted)
    settings = await asyncio.gather(*(guilds.get(db, 5) for _ in range(100)))
    roles = await asyncio.gather(*(notify_roles.for_guild(db, 5) for _ in range(100)))
    assert {s.currency for s in settings} == {"EUR"} and roles == [[]] * 100
    assert reads == ["guild_settings", "notify_roles"]


async def test_single_flight_hands_out_the_loaders_error_and_survives_its_cancellation() -> None:
    flights = caches.SingleFlight()
    started = asyncio.Event()
    loads = 0

    async def failing() -> int:
        started.set()
        await asyncio.sleep(0.01)
        raise ValueError("store unreachable")

    first = asyncio.create_task(flights.run("k", failing))
    await started.wait()
    second = asyncio.create_task(flights.run("k", failing))
    results = await asyncio.gather(first, second, return_exceptions=True)
    assert all(isinstance(r, ValueError) for r in results)

    async def slow() -> int:
        nonlocal loads
        loads += 1
        await asyncio.sleep(0.05)
        return loads

    started.clear()
    loader = asyncio.create_task(flights.run("k", slow))
    await asyncio.sleep(0.01)
    waiter = asyncio.create_task(flights.run("k", slow))
    await asyncio.sleep(0.01)
    loader.cancel()
    assert await asyncio.wait_for(waiter, timeout=2) == 2  # it loaded for itself
