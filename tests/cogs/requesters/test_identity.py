"""Requester identity rules: what a name resolves to, and the keys the database stores."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogs.requesters.identity import Known, match_name, match_name_with_new_id
from db import requesters
from db.connection import Database
from db.migrate import migrate

pytestmark = pytest.mark.both_backends


@given(st.lists(st.tuples(st.integers(1, 50), st.sampled_from(["none", "caution", "scam"]))))
def test_a_flagged_record_always_wins_and_the_worst_one(records: list[tuple[int, str]]) -> None:
    found = [Known(rid, status) for rid, status in records]
    match = match_name(found)
    statuses = dict(records)  # later duplicates of an id win
    known = [Known(rid, status) for rid, status in statuses.items()]
    flagged = [k for k in known if k.flagged]
    if flagged:
        assert match.kind == "flagged" and match.record is not None
        worst = "scam" if any(k.status == "scam" for k in flagged) else "caution"
        assert match.record.status == worst
    elif not known:
        assert match.kind == "none"
    elif len(known) == 1:
        assert match.kind == "one"
    else:
        assert match.kind == "several" and match.record is None


def test_a_new_id_only_inherits_a_flag_from_a_record_without_an_id() -> None:
    with_id = Known(1, "scam", "A1B2C3D4E5F6G7")
    without_id = Known(2, "caution", None)
    assert match_name_with_new_id([with_id]).kind == "none"
    assert match_name_with_new_id([with_id, without_id]).record == without_id
    assert match_name_with_new_id([Known(3, "none", None)]).kind == "none"


# -- the stored keys: re-keyed after the migration, listed records ---------------------------


async def test_rows_from_before_the_migration_are_rekeyed(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "old.db")
    try:
        await migrate(db, target=8)
        old_key = "acmé research"  # the old key: case-folded, accents kept
        await db.execute(
            "INSERT INTO requesters (platform, name, name_key, created_at, updated_at) "
            "VALUES ('mturk', 'Acmé Research', ?, 0, 0), "
            "('mturk', 'Acme Research', 'acme research', 0, 0)",
            (old_key,),
        )
        await migrate(db)
        assert await requesters.rekey_names(db) == 2
        assert await requesters.rekey_names(db) == 0  # once only
        found = await requesters.find_by_name(db, "ACME research", "mturk")
        assert sorted(r.name for r in found) == ["Acme Research", "Acmé Research"]
    finally:
        await db.close()


async def test_names_keyed_before_the_wider_fold_are_rekeyed(tmp_path: Path) -> None:
    """Migration 0014: small capitals, Hangul fillers and Cherokee letters fold now, so
    a record keyed before (its key kept them) is found by the plain name after a restart.
    """
    db = await Database.open(tmp_path / "old.db")
    try:
        await migrate(db, target=13)
        await db.execute(
            "INSERT INTO requesters (platform, platform_requester_id, name, name_key, "
            "created_at, updated_at, status) VALUES "
            "('mturk', 'A9Z8Y7X6W5V4U3', 'ᴀᴄᴍᴇ Research', 'aᴄᴍeresearch', 0, 0, 'scam')"
        )
        assert await requesters.find_by_name(db, "Acme Research", "mturk") == []
        await migrate(db)
        assert await requesters.rekey_names(db) == 1
        [found] = await requesters.find_by_name(db, "Acme Research", "mturk")
        assert found.status == "scam" and found.name == "ᴀᴄᴍᴇ Research"
    finally:
        await db.close()


async def test_junk_from_unconfigured_servers_is_unlisted_by_the_migration(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "old.db")
    try:
        await migrate(db, target=8)
        await db.execute(
            "INSERT INTO guild_settings (guild_id, setup_completed_at, created_at, updated_at) "
            "VALUES (1, 5, 0, 0), (2, NULL, 0, 0)"
        )
        for rid, name in ((1, "Kept"), (2, "Junk"), (3, "Unreviewed")):
            await db.execute(
                "INSERT INTO requesters (id, platform, name, name_key, created_at, updated_at) "
                "VALUES (?, 'mturk', ?, ?, 0, 0)",
                (rid, name, name.lower()),
            )
        await db.execute(
            "INSERT INTO reviews (subject_kind, subject_id, author_id, guild_id, scores, "
            "created_at, updated_at) VALUES ('requester', 1, 10, 1, '{}', 0, 0), "
            "('requester', 2, 11, 2, '{}', 0, 0)"
        )
        await migrate(db)
        listed = {r["name"]: r["listed"] for r in await db.fetch_all("SELECT * FROM requesters")}
        assert listed == {"Kept": 1, "Junk": 0, "Unreviewed": 1}
        hits = [hit.requester.name for hit in await requesters.search(db, "")]
        assert "Junk" not in hits and "Kept" in hits
    finally:
        await db.close()


async def test_no_write_path_renames_a_flagged_requester(db: Database) -> None:
    """upsert (reviews, reports, shares racing a creation) and name_given keep its name."""
    scam = await requesters.upsert(db, "mturk", "A1B2C3D4E5F6G7", "Acme Research", 1)
    await requesters.set_status(db, scam.id, status="scam", reason="x", source="moderator", now=2)
    again = await requesters.upsert(db, "mturk", "A1B2C3D4E5F6G7", "Nice New Name", 3)
    assert again.name == "Acme Research"
    flagged = await requesters.get(db, scam.id)
    assert flagged is not None
    kept = await requesters.name_given(db, flagged, "Other Name", guild_id=1, now=4)
    assert kept.name == "Acme Research"
    assert await requesters.other_names(db, scam.id) == [("Other Name", "share")]
    # A clean record takes a newer name and keeps the old one known.
    clean = await requesters.upsert(db, "mturk", "A9B9C9D9E9F9G9", "Old Name", 5)
    renamed = await requesters.name_given(db, clean, "New Name", guild_id=1, now=6)
    assert renamed.name == "New Name"
    assert [r.id for r in await requesters.find_by_name(db, "old  name")] == [clean.id]


async def test_rekeying_keeps_one_record_per_name_without_failing_the_batch(db: Database) -> None:
    """A clash on `requesters_platform_name` is checked, not caught: on PostgreSQL a
    failed statement would abort the whole batch's transaction."""
    await db.execute(
        "INSERT INTO requesters (platform, platform_requester_id, name, name_key, "
        "key_version, created_at, updated_at) VALUES "
        "('mturk', NULL, 'Acmé Research', 'acmé research', 1, 0, 0), "
        "('mturk', NULL, 'Acme Research', 'acme research', 1, 0, 0), "
        "('mturk', 'A1B2C3D4E5F6G7', 'ACME research', 'ACME research', 1, 0, 0)"
    )
    assert await requesters.rekey_names(db) == 3
    assert await requesters.rekey_names(db) == 0
    rows = await db.fetch_all("SELECT name_key, key_version FROM requesters ORDER BY id")
    # The second keeps its old key (the first took the new one); a record with a platform
    # id may share it.
    assert [tuple(r) for r in rows] == [
        ("acmeresearch", 2),
        ("acme research", 2),
        ("acmeresearch", 2),
    ]
    names = await db.fetch_all("SELECT name, name_key, source FROM requester_names")
    assert [tuple(r) for r in names] == [("Acme Research", "acmeresearch", "rekey")]
    found = await requesters.find_by_name(db, "ACME research", "mturk")
    assert sorted(r.name for r in found) == ["ACME research", "Acme Research", "Acmé Research"]
