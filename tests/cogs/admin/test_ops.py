"""The daily backup and departed servers, by calling the jobs after moving the clock."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from cogs.admin.ops import BACKUP_JOB, PURGE_JOB, OperationsCog
from cogs.admin.rules import backup_due, parse_problem, purge_cutoff
from db import guilds, members, ops
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


def cog(h: Harness) -> OperationsCog:
    # Not isinstance: discord.py re-imports an extension's modules for each bot.
    found = h.bot.get_cog("OperationsCog")
    assert found is not None
    return found  # type: ignore[return-value]


def rows(path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def file_backups(h: Harness) -> int:
    """One catch-up backup on SQLite; none on PostgreSQL, whose backup is pg_dump's job."""
    return 1 if h.db.dialect == "sqlite" else 0


async def test_jobs_are_scheduled_from_settings(harness: Harness) -> None:
    jobs = {job.id: job for job in harness.bot.scheduler.get_jobs()}
    assert str(jobs[BACKUP_JOB].trigger) == "cron[hour='4', minute='0']"
    assert str(jobs[PURGE_JOB].trigger) == "cron[hour='4', minute='30']"


@pytest.mark.sqlite_only(reason="the daily backup copies a SQLite file (pg_dump on PostgreSQL)")
async def test_daily_backup_copies_the_live_database_and_keeps_the_newest(
    configured: Harness,
) -> None:
    h = configured
    settings = h.bot.settings
    await members.set_timezone(h.db, 7, "Europe/Paris", 0)
    made = []
    for day in range(settings.backup_keep + 3):
        h.clock.set(datetime(2026, 12, 1, 4, tzinfo=UTC) + timedelta(days=day))
        made.append(await cog(h).daily_backup())
    kept = ops.list_backups(settings.backup_dir)
    assert kept == made[-settings.backup_keep :]
    assert kept[-1].name == "entraide-20261210T040000Z.db"
    # A real, complete, self-contained copy (no -wal needed), taken while the bot runs.
    newest = kept[-1]
    assert rows(newest, "PRAGMA quick_check") == [("ok",)]
    assert rows(newest, "SELECT timezone FROM members WHERE user_id = 7") == [("Europe/Paris",)]
    assert rows(newest, "PRAGMA journal_mode") == [("delete",)]
    assert not list(settings.backup_dir.glob("*.partial"))
    # The bot kept working during and after the copy.
    assert (await guilds.get(h.db, h.world.guild_id)).is_set_up


@pytest.mark.sqlite_only(reason="the daily backup copies a SQLite file (pg_dump on PostgreSQL)")
async def test_backup_leaves_other_files_alone(configured: Harness) -> None:
    h = configured
    folder = h.bot.settings.backup_dir
    folder.mkdir(parents=True, exist_ok=True)
    mine = folder / "before-migration.db"
    mine.write_bytes(b"operator's own copy")
    for day in range(10):
        h.clock.set(datetime(2026, 12, 1, 4, tzinfo=UTC) + timedelta(days=day))
        await cog(h).run_backup()
    assert mine.exists()
    assert len(ops.list_backups(folder)) == h.bot.settings.backup_keep


@pytest.mark.sqlite_only(reason="the daily backup copies a SQLite file (pg_dump on PostgreSQL)")
async def test_a_failed_backup_is_logged_not_raised(configured: Harness, caplog) -> None:
    h = configured
    folder = h.bot.settings.backup_dir
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("a file where the folder should be")
    assert await cog(h).run_backup() is None
    assert "daily backup" in caplog.text


async def test_no_file_backup_on_postgresql(configured: Harness, monkeypatch, caplog) -> None:
    h = configured
    monkeypatch.setattr(h.bot.db, "dialect", "postgresql")  # pg_dump's job there
    assert await cog(h).run_backup() is None
    assert ops.list_backups(h.bot.settings.backup_dir) == []
    assert "backup" not in caplog.text


async def test_guild_removal_keeps_the_configuration_30_days_then_purges_it(
    configured: Harness,
) -> None:
    h = configured
    await members.set_timezone(h.db, h.alice.id, "Europe/Paris", 0)
    purged_events: list[int] = []

    async def on_guild_config_purged(guild_id: int) -> None:
        purged_events.append(guild_id)

    h.bot.add_listener(on_guild_config_purged)
    await h.gateway("GUILD_DELETE", {"id": str(h.world.guild_id)})  # kicked
    left = await guilds.get(h.db, h.world.guild_id)
    assert left.left_at == int(h.clock.now().timestamp())
    assert left.is_set_up  # still there

    h.clock.advance(days=29)
    assert await cog(h).purge_departed_guilds() == []
    assert (await guilds.get(h.db, h.world.guild_id)).is_set_up

    h.clock.advance(days=1, seconds=1)
    assert await cog(h).purge_departed_guilds() == [h.world.guild_id]
    await h.settle()
    assert purged_events == [h.world.guild_id]
    gone = await guilds.get(h.db, h.world.guild_id)
    assert not gone.is_set_up and gone.alerts_channel_id is None
    assert (await members.get(h.db, h.alice.id)).timezone == "Europe/Paris"


async def test_rejoining_cancels_the_purge(configured: Harness) -> None:
    h = configured
    await h.gateway("GUILD_DELETE", {"id": str(h.world.guild_id)})
    h.clock.advance(days=10)
    await h.gateway("GUILD_CREATE", h._guild_payload("en-US"))
    assert (await guilds.get(h.db, h.world.guild_id)).left_at is None
    h.clock.advance(days=60)
    assert await cog(h).purge_departed_guilds() == []
    assert (await guilds.get(h.db, h.world.guild_id)).is_set_up


async def test_a_stale_left_mark_on_a_present_server_is_cleared_not_purged(
    configured: Harness,
) -> None:
    h = configured
    await guilds.mark_left(h.db, h.world.guild_id, 0)  # e.g. written by an older run
    assert await cog(h).purge_departed_guilds() == []
    assert (await guilds.get(h.db, h.world.guild_id)).left_at is None


async def test_catch_up_after_downtime(configured: Harness) -> None:
    h = configured
    absent = 987654321
    await guilds.update(h.db, absent, 0, timezone="UTC")  # the bot was removed while offline
    await cog(h).catch_up()
    await h.settle()
    assert (await guilds.get(h.db, absent)).left_at == int(h.clock.now().timestamp())
    assert (await guilds.get(h.db, h.world.guild_id)).left_at is None
    assert len(ops.list_backups(h.bot.settings.backup_dir)) == file_backups(h)  # made now
    h.clock.advance(hours=2)
    await cog(h).catch_up()
    await h.settle()
    assert len(ops.list_backups(h.bot.settings.backup_dir)) == file_backups(h)  # recent enough


async def test_on_ready_catches_up_once_per_process(configured: Harness) -> None:
    h = configured
    await cog(h).on_ready()
    await h.settle()
    h.clock.advance(days=3)
    await cog(h).on_ready()  # a reconnect with a new session: nothing to catch up twice
    await h.settle()
    assert len(ops.list_backups(h.bot.settings.backup_dir)) == file_backups(h)


def test_operation_rules() -> None:
    now = datetime(2026, 3, 31, 4, tzinfo=UTC)
    assert purge_cutoff(now) == int(datetime(2026, 3, 1, 4, tzinfo=UTC).timestamp())
    assert backup_due(None, now)
    assert not backup_due(now - timedelta(hours=24), now)
    assert backup_due(now - timedelta(hours=25), now)
    assert parse_problem("missing:send_messages,embed_links") == (
        "missing",
        ("send_messages", "embed_links"),
    )
    assert parse_problem("deleted") == ("deleted", ())
    assert parse_problem("forbidden") == ("forbidden", ())
    assert parse_problem("something new") == ("forbidden", ())
    assert parse_problem("missing:") == ("missing", ())
