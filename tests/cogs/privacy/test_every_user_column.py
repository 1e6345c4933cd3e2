"""Every column of the migrated schema that stores a member's id is exported and erased.

The schema is read (sqlite_master and PRAGMA table_info, or information_schema), not listed by hand: a column whose
name says it holds a user id must be claimed by a registered privacy section
(`bot.privacy`), or be listed below as not a user id, with the reason. Then one row per
claimed column is seeded with Alice's id, and:

- `/privacy export` changes when that column stops naming her (her data from each column
  reaches the export), and
- after `/privacy delete`, no claimed column names her any more (the row is gone or
  anonymised), while Bob's rows are left alone.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from db import tasks
from db.tasks import NewAlert
from tests.harness.driver import Harness

#: Names that look like they hold a user id.
USER_ID_NAME = re.compile(
    r"(user|member|author|reporter|actor|sharer|flagger|owner|moderator|voter|creator)"
    r"|_by$|^by_"
)

#: Columns whose name matches but that hold no user id.
NOT_A_USER_ID = {
    "guild_settings.new_member_days": "a number of days",
    "reports.new_member": "a 0/1 flag: the reporter was new to the server",
    "review_flags.by_moderator": "a 0/1 flag: the flagger was a moderator",
}

#: Columns kept in step by triggers with another claimed column: changing them alone does
#: not change the export, because the export reads the source they are derived from.
DERIVED_FROM = {
    "earnings_daily.user_id": "earnings.user_id",  # per-day sums of the entries
    "task_alerts.last_seen_by": "task_sightings.user_id",  # the trigger writes a sighting
    "task_alerts.last_vote_by": "task_votes.user_id",  # the trigger writes the vote
    "task_alerts.seen_by": "task_sightings.user_id",  # the last few re-sharers
}

#: JSON columns holding a list of user ids.
JSON_LISTS = {"task_alerts.seen_by"}


async def table_columns(h: Harness) -> list[tuple[str, str]]:
    """(table, column) of every table of the store, full-text tables left out."""
    if h.db.dialect == "postgresql":
        rows = await h.db.fetch_all(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t USING (table_schema, table_name) "
            "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'"
        )
        return [(t, c) for t, c in rows if "_fts" not in t]
    tables = await h.db.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT GLOB 'sqlite_*' "
        "AND name NOT GLOB '*_fts*'"
    )
    found = []
    for (table,) in tables:
        for column in await h.db.fetch_all(f"PRAGMA table_info({table})"):
            found.append((table, column["name"]))
    return found


async def user_columns(h: Harness) -> set[str]:
    return {f"{t}.{c}" for t, c in await table_columns(h) if USER_ID_NAME.search(c)}


@pytest.mark.both_backends
async def test_every_user_id_column_is_claimed_by_a_privacy_section(harness: Harness) -> None:
    h = harness
    columns = await user_columns(h)
    claimed = set(h.bot.privacy.columns)
    unclassified = columns - claimed - set(NOT_A_USER_ID)
    assert not unclassified, (
        f"columns that look like they store a user id but no privacy section claims: "
        f"{sorted(unclassified)} — register them with bot.privacy (export and erase them) "
        f"or list them in NOT_A_USER_ID with the reason"
    )
    assert not claimed - columns, f"claimed columns missing from the schema: {claimed - columns}"
    assert not claimed & set(NOT_A_USER_ID)
    assert "audit_log.actor_id" in claimed and "reports.closed_by" in claimed


async def names(h: Harness, column: str, user_id: int) -> int:
    table, name = column.split(".")
    if column in JSON_LISTS:
        sql = (
            f"SELECT count(*) FROM {table} WHERE EXISTS "
            f"(SELECT 1 FROM json_each({table}.{name}) WHERE value = ?)"
        )
    else:
        sql = f"SELECT count(*) FROM {table} WHERE {name} = ?"
    return int(await h.db.fetch_value(sql, (user_id,)))


async def seed(h: Harness, user: int, other: int) -> None:
    """One row (at least) naming `user` in every claimed column; `other` gets some too."""
    db, g, now = h.db, h.world.guild_id, int(h.clock.now().timestamp())
    # members, earnings (the triggers fill earnings_daily), settings, sharing: real commands
    for who in (h.alice, h.bob):
        await h.slash("earnings log", user=who, amount="1.50", minutes=10, platform="MTurk")
    await h.slash("earnings settings", user=h.alice, timezone="Europe/Paris")
    await h.slash("earnings goal", user=h.alice, amount="20")
    await h.slash("earnings share on", user=h.alice)
    await db.execute(
        "INSERT INTO shifts (user_id, platform, started_at, ended_at, worked_minutes) "
        "VALUES (?, 'mturk', ?, ?, 30)",
        (user, now - 3600, now - 1800),
    )

    # tasks: Bob shares, Alice re-shares (sighting, seen_by, last_seen_by), votes, reports
    def alert(sharer: int, key: str) -> NewAlert:
        return NewAlert(
            guild_id=g,
            platform="mturk",
            task_key=key,
            title=f"Task {key}",
            reward_cents=100,
            currency="USD",
            minutes=5,
            hourly_cents=1200,
            sharer_id=sharer,
        )

    bobs = (await tasks.share(db, alert(other, "k1"), now=now, expires_at=now + 3600)).alert
    await tasks.share(db, alert(user, "k1"), now=now + 1, expires_at=now + 3600)
    mine = (await tasks.share(db, alert(user, "k2"), now=now, expires_at=now + 3600)).alert
    ended = (await tasks.share(db, alert(other, "k3"), now=now, expires_at=now + 3600)).alert
    await tasks.end_alert(db, ended.id, "gone", by=user, now=now, guild_id=g)
    await db.execute(
        "UPDATE task_alerts SET warning_pending = 'violence', warning_proposed_by = ?, "
        "warning_confirmed_by = ? WHERE id = ?",
        (user, user, bobs.id),
    )
    for who in (other, user):  # the member votes last: the alert names her as its last voter
        await tasks.vote(
            db,
            mine.id,
            who,
            "live",
            guild_id=g,
            now=now,
            extend_to=now + 3600,
            gone_needed=3,
            moderator=False,
        )
    for who in (user, other):
        await db.execute(
            "INSERT INTO task_reports (alert_id, user_id, minutes, hourly_cents, reported_at) "
            "VALUES (?, ?, 6, 1000, ?)",
            (bobs.id, who, now),
        )

    # intake: a personal API token each, and an exports-channel message each
    for who in (user, other):
        await db.execute(
            "INSERT INTO api_tokens (guild_id, user_id, token_hash, prefix, created_at) "
            "VALUES (?, ?, ?, 'ent_', ?)",
            (g, who, f"hash-{who}", now),
        )
        await db.execute(
            "INSERT INTO export_messages (message_id, guild_id, channel_id, author_id, alert_id, "
            "created, posted_at) VALUES (?, ?, ?, ?, ?, 1, ?)",
            (who + 7, g, h.world.alerts, who, mine.id, now),
        )

    # requesters: a review with a flag, a report with notes, closed by Alice as moderator
    requester = await db.fetch_value(
        "INSERT INTO requesters (platform, name, name_key, created_at, updated_at) "
        "VALUES ('mturk', 'Acme', 'acme', ?, ?) RETURNING id",
        (now, now),
    )
    for who in (user, other):
        await db.execute(
            "INSERT INTO reviews (subject_kind, subject_id, author_id, guild_id, scores, body, "
            "created_at, updated_at) VALUES ('requester', ?, ?, ?, '{\"pay\": 4}', 'ok', ?, ?)",
            (requester, who, g, now, now),
        )
    bob_review = await db.fetch_value("SELECT id FROM reviews WHERE author_id = ?", (other,))
    await db.execute(
        "INSERT INTO review_flags (review_id, flagger_id, guild_id, by_moderator, created_at) "
        "VALUES (?, ?, ?, 0, ?)",
        (bob_review, user, g, now),
    )
    for reporter, closer in ((user, other), (other, user)):
        report = await db.fetch_value(
            "INSERT INTO reports (guild_id, requester_id, reporter_id, category, description, "
            "state, closed_by, closed_at, created_at, updated_at) "
            "VALUES (?, ?, ?, 'non_payment', 'never paid', 'dismissed', ?, ?, ?, ?) "
            "RETURNING id",
            (g, requester, reporter, closer, now, now, now),
        )
        await db.execute(
            "INSERT INTO report_notes (report_id, kind, author_id, body, created_at) "
            "VALUES (?, 'question', ?, 'which task?', ?), (?, 'answer', ?, 'the survey', ?)",
            (report, closer, now, report, reporter, now),
        )
        for actor, action in ((closer, "report_dismiss"), (reporter, "report_answer")):
            await db.execute(
                "INSERT INTO audit_log (guild_id, actor_id, action, target_kind, target_id, "
                "created_at) VALUES (?, ?, ?, 'report', ?, ?)",
                (g, actor, action, report, now),
            )

    # alerts: a subscription, a DM sent, a fallback thread
    await db.execute(
        "INSERT INTO alert_subscriptions (guild_id, user_id, keywords, signature, created_at) "
        "VALUES (?, ?, '[]', 'sig', ?)",
        (g, user, now),
    )
    await db.execute(
        "INSERT INTO alert_dm_log (guild_id, user_id, alert_id, sent_at) VALUES (?, ?, ?, ?)",
        (g, user, mine.id, now),
    )
    await db.execute(
        "INSERT INTO alert_threads (guild_id, user_id, parent_id, thread_id, created_at) "
        "VALUES (?, ?, ?, 777, ?)",
        (g, user, h.world.alerts, now),
    )

    # digests: a personal digest and one sent
    await db.execute(
        "INSERT INTO digest_members (user_id, cadence, schedule_since, created_at, updated_at) "
        "VALUES (?, 'daily', ?, ?, ?)",
        (user, now, now, now),
    )
    await db.execute(
        "INSERT INTO digest_runs (scope, owner_id, cadence, period_key, due_at, status, "
        "claimed_at) VALUES ('member', ?, 'daily', '2026-11-26', ?, 'sent', ?)",
        (user, now, now),
    )


async def export(h: Harness, user_id: int) -> str:
    sections: dict[str, Any] = {}
    for section in h.bot.privacy.sections:
        sections[section.name] = await section.export(h.db, user_id)
    return json.dumps(sections, sort_keys=True, default=str)


async def reassign(h: Harness, column: str, user_id: int, to: int) -> None:
    table, name = column.split(".")
    if column in JSON_LISTS:
        await h.db.execute(
            f"UPDATE {table} SET {name} = replace({name}, ?, ?)", (str(user_id), str(to))
        )
    else:
        await h.db.execute(f"UPDATE {table} SET {name} = ? WHERE {name} = ?", (to, user_id))


async def test_export_and_delete_reach_every_user_id_column(harness: Harness) -> None:
    h = harness
    alice, bob, nobody = h.alice.id, h.bob.id, 4242
    await seed(h, alice, bob)
    claimed = sorted(h.bot.privacy.columns)
    empty = [c for c in claimed if await names(h, c, alice) == 0]
    assert not empty, f"the seed does not cover {empty}: add a row naming the member"

    # The export reads each column: moving that column's rows to someone else changes it.
    full = await export(h, alice)
    for column in claimed:
        source = DERIVED_FROM.get(column, column)
        await reassign(h, source, alice, nobody)
        assert await export(h, alice) != full, f"/privacy export ignores {source}"
        await reassign(h, source, nobody, alice)
        assert await export(h, alice) == full

    # /privacy delete, as the member does it
    ask = await h.slash("privacy delete", user=h.alice)
    done = await h.click(ask, "Erase everything", user=h.alice)
    await h.settle()
    assert done[-1].embed["title"] == "Your data is erased"
    assert "could not" not in json.dumps(done[-1].embed)
    left = {c: n for c in claimed if (n := await names(h, c, alice))}
    assert not left, f"/privacy delete left the member in {left}"
    # ... and an export now has nothing that names her
    after = json.loads(await export(h, alice))
    assert after["requesters"]["moderation"] == []
    assert after["requesters"]["reports_closed"] == []
    assert after["requesters"]["notes_written"] == []
    assert after["tasks"]["alerts_ended"] == []

    # Bob's own rows are untouched
    assert await names(h, "reviews.author_id", bob) == 1
    assert await names(h, "reports.reporter_id", bob) == 1
    assert await names(h, "audit_log.actor_id", bob) == 2
    assert await names(h, "task_votes.user_id", bob) == 1
    assert await names(h, "task_alerts.sharer_id", bob) == 2


async def test_mod_log_no_longer_names_an_erased_reporter(configured: Harness) -> None:
    """#12.6: the reporter's answer to "Ask for more" is an audit entry; erasure reaches it."""
    from tests.cogs.requesters.helpers import act, cards, report

    h = configured
    await report(h, h.alice, "Gamma")
    card = cards(h)[-1]
    await act(h, card, "Ask for more", "Which task?")
    (dm,) = [d for d in h.dms_to(h.alice) if d.buttons]
    opened = await h.click(dm, "Answer", user=h.alice)
    await h.submit_modal(opened[-1], {"answer": "The survey of Nov 26"}, user=h.alice)
    before = await h.slash("mod log", user=h.mod)
    assert f"<@{h.alice.id}>" in json.dumps(before.embed)

    ask = await h.slash("privacy delete", user=h.alice)
    await h.click(ask, "Erase everything", user=h.alice)
    await h.settle()
    after = await h.slash("mod log", user=h.mod)
    text = json.dumps(after.embed, ensure_ascii=False)
    assert str(h.alice.id) not in text
    assert "a member who erased their data" in text
    assert (
        await h.db.fetch_value("SELECT count(*) FROM audit_log WHERE actor_id = ?", (h.alice.id,))
        == 0
    )
    # The moderator who asked is still named for their own act.
    assert (
        await h.db.fetch_value("SELECT count(*) FROM audit_log WHERE actor_id = ?", (h.mod.id,))
        == 1
    )
    h.api.assert_never_pinged()
