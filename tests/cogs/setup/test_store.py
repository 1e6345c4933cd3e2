"""db.guild_setup on a real migrated SQLite file: saving, notices, departed servers."""

from __future__ import annotations

import pytest

from db import guild_setup, guilds, members
from db.connection import Database
from db.errors import IntegrityError

pytestmark = pytest.mark.both_backends

G = 111


async def test_save_creates_the_row_and_completes_setup_only_with_both_channels(
    db: Database,
) -> None:
    saved = await guild_setup.save(db, G, 100, {"alerts_channel_id": 1})
    assert saved.alerts_channel_id == 1 and not saved.is_set_up
    saved = await guild_setup.save(db, G, 200, {"timezone": "Europe/Paris"})
    assert saved.alerts_channel_id == 1 and not saved.is_set_up
    saved = await guild_setup.save(db, G, 300, {"mod_channel_id": 2})
    assert saved.setup_completed_at == 300
    saved = await guild_setup.save(db, G, 400, {"mod_channel_id": 3})
    assert saved.setup_completed_at == 300  # the first completion is kept


async def test_save_in_one_go_on_a_new_server(db: Database) -> None:
    saved = await guild_setup.save(
        db, G, 50, {"alerts_channel_id": 1, "mod_channel_id": 2, "locale": "fr"}
    )
    assert saved.setup_completed_at == 50 and saved.locale == "fr"
    assert await guilds.get(db, G) == saved


async def test_save_with_nothing_changed_still_records_completion(db: Database) -> None:
    await guilds.update(db, G, 1, alerts_channel_id=1, mod_channel_id=2)
    saved = await guild_setup.save(db, G, 9, {})
    assert saved.setup_completed_at == 9


async def test_save_refuses_unknown_columns_and_bad_values(db: Database) -> None:
    with pytest.raises(ValueError, match="not editable"):
        await guild_setup.save(db, G, 1, {"setup_completed_at; DROP TABLE x": 1})
    with pytest.raises(IntegrityError):
        await guild_setup.save(db, G, 1, {"min_wage_cents": 2000, "fair_wage_cents": 1000})
    assert (await guilds.get(db, G)).min_wage_cents == 725  # nothing half-written


async def test_a_changed_channel_forgets_the_notices_about_the_old_one(db: Database) -> None:
    await guild_setup.save(db, G, 1, {"alerts_channel_id": 1, "mod_channel_id": 2})
    assert await guild_setup.claim_notice(db, G, "alerts", "deleted", now=10, quiet_seconds=100)
    assert await guild_setup.claim_notice(db, G, "mod", "forbidden", now=10, quiet_seconds=100)
    await guild_setup.save(db, G, 20, {"alerts_channel_id": 5})
    assert await guild_setup.claim_notice(db, G, "alerts", "deleted", now=30, quiet_seconds=100)
    assert not await guild_setup.claim_notice(db, G, "mod", "forbidden", now=30, quiet_seconds=100)


async def test_claim_notice_once_then_on_change_or_after_the_quiet_period(db: Database) -> None:
    claim = guild_setup.claim_notice
    assert await claim(db, G, "alerts", "missing:send_messages", now=0, quiet_seconds=100)
    assert not await claim(db, G, "alerts", "missing:send_messages", now=50, quiet_seconds=100)
    assert await claim(db, G, "alerts", "forbidden", now=60, quiet_seconds=100)  # changed
    assert not await claim(db, G, "alerts", "forbidden", now=159, quiet_seconds=100)
    assert await claim(db, G, "alerts", "forbidden", now=160, quiet_seconds=100)  # a day later
    assert await claim(db, G, "digest", "forbidden", now=160, quiet_seconds=100)  # other kind
    assert await guild_setup.clear_notice(db, G, "alerts") == 1
    assert await claim(db, G, "alerts", "forbidden", now=161, quiet_seconds=100)


async def test_departed_servers_are_purged_after_the_cutoff_only(db: Database) -> None:
    for guild_id in (1, 2, 3):
        await guilds.update(db, guild_id, 0, timezone="UTC")
    await guilds.mark_left(db, 1, 100)
    await guilds.mark_left(db, 2, 500)
    await members.set_timezone(db, 42, "Europe/Paris", 0)
    await guild_setup.claim_notice(db, 1, "alerts", "deleted", now=0, quiet_seconds=1)
    assert await guild_setup.left_before(db, 200) == [1]
    assert await guild_setup.purge_guild(db, 1, 200)
    assert not await guild_setup.purge_guild(db, 2, 200)  # left after the cutoff
    assert not await guild_setup.purge_guild(db, 3, 200)  # never left
    assert (await guilds.get(db, 1)).timezone == "America/Los_Angeles"  # defaults: row gone
    assert (await guilds.get(db, 2)).timezone == "UTC"
    assert (await members.get(db, 42)).timezone == "Europe/Paris"  # members' data untouched
    assert await db.fetch_value("SELECT count(*) FROM channel_notices WHERE guild_id = 1") == 0


async def test_a_server_that_came_back_is_not_purged(db: Database) -> None:
    await guilds.update(db, 1, 0, timezone="UTC")
    await guilds.mark_left(db, 1, 100)
    assert await guild_setup.clear_left(db, 1)
    assert not await guild_setup.clear_left(db, 1)  # nothing pending any more
    assert not await guild_setup.purge_guild(db, 1, 10**9)
    assert (await guilds.get(db, 1)).left_at is None


async def test_mark_absent_as_left(db: Database) -> None:
    for guild_id in (1, 2, 3):
        await guilds.update(db, guild_id, 0, timezone="UTC")
    await guilds.mark_left(db, 3, 7)
    assert await guild_setup.mark_absent_as_left(db, [1], 99) == 1
    assert (await guilds.get(db, 2)).left_at == 99
    assert (await guilds.get(db, 1)).left_at is None
    assert (await guilds.get(db, 3)).left_at == 7  # the earlier date is kept
    assert await guild_setup.mark_absent_as_left(db, range(10_000, 50_000), 100) == 1


@pytest.mark.sqlite_only(reason="reads SQLite's query plans")
async def test_hot_queries_use_indexes(db: Database) -> None:
    plans = {
        "purge sweep": (
            "SELECT guild_id FROM guild_settings WHERE left_at IS NOT NULL AND left_at <= ? "
            "ORDER BY left_at",
            (1,),
        ),
        "notice": ("SELECT * FROM channel_notices WHERE guild_id = ? AND kind = ?", (1, "x")),
    }
    for name, (sql, params) in plans.items():
        rows = await db.fetch_all("EXPLAIN QUERY PLAN " + sql, params)
        detail = " ".join(str(r["detail"]) for r in rows)
        assert "SCAN" not in detail.replace("SCAN CONSTANT ROW", ""), (name, detail)


@pytest.mark.sqlite_only(reason="PRAGMA application_id marks a SQLite file")
async def test_migration_marks_the_file_as_entraide(db: Database) -> None:
    assert await db.fetch_value("PRAGMA application_id") == 0x456E7472
