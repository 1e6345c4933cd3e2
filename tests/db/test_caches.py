"""`db.caches`: a write forgets the cached copy here and announces it; a remote forget
does not announce again (or two processes would echo each other forever)."""

from __future__ import annotations

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
