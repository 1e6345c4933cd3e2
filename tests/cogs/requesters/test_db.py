"""The repositories on a real migrated SQLite file: reviews, reports, audit, registry."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cogs.requesters import reviewing, service
from db import audit, reports, requesters, reviews
from db.connection import Database
from db.reports import ReportRefusedError
from tests.cogs.requesters.helpers import file_report as _report

pytestmark = pytest.mark.both_backends

NOW = 1_790_000_000
DAY = 86_400
SCORES = {"pay": 4, "fast": 4, "fair": 4, "communication": 4}


async def _review(
    db: Database,
    requester_id: int,
    author_id: int,
    *,
    guild_id: int = 1,
    scores: dict[str, int] = SCORES,
    experience: str = "none",
    body: str | None = None,
    now: int = NOW,
) -> reviews.Review:
    """Save `author_id`'s review of a requester (Acme-style defaults: no text, now)."""
    return await reviews.save(
        db,
        "requester",
        requester_id,
        author_id=author_id,
        guild_id=guild_id,
        scores=scores,
        experience=experience,
        body=body,
        now=now,
    )


async def test_saving_again_edits_and_keeps_history(db: Database) -> None:
    acme = await requesters.upsert(db, "mturk", None, "Acme", NOW)
    first = await _review(db, acme.id, 7, experience="1-5", body="ok")
    assert not first.edited and first.revision == 1
    # the same member edits it from another server
    edit: dict[str, Any] = {
        "guild_id": 2,
        "scores": {**SCORES, "pay": 1},
        "experience": "6-20",
        "body": "they cut pay",
    }
    second = await _review(db, acme.id, 7, **edit, now=NOW + 60)
    assert second.id == first.id and second.edited and second.revision == 2
    # edited from another server: the review keeps its origin (#12.20)
    assert second.scores["pay"] == 1 and second.guild_id == 1
    history = await reviews.history(db, first.id)
    assert [(h.scores["pay"], h.body, h.written_at, h.replaced_at) for h in history] == [
        (4, "ok", NOW, NOW + 60)
    ]
    # The same content again is not a new version of it.
    await _review(db, acme.id, 7, **edit, now=NOW + 120)
    assert len(await reviews.history(db, first.id)) == 1


async def test_summary_excludes_hidden_reviews_and_has_a_recent_window(db: Database) -> None:
    acme = await requesters.upsert(db, "mturk", None, "Acme", NOW)
    for author, pay, at in ((1, 5, NOW - 200 * DAY), (2, 3, NOW - DAY), (3, 1, NOW)):
        await _review(db, acme.id, author, scores={**SCORES, "pay": pay}, now=at)
    summary = await reviews.summary(db, "requester", acme.id, NOW - 90 * DAY)
    assert summary.review_count == 3 and summary.recent_count == 2
    assert summary.mean("pay") == pytest.approx(3.0)
    assert summary.criteria["pay"].recent_mean == pytest.approx(2.0)
    hidden = (await reviews.recent(db, "requester", acme.id, limit=1))[0]
    for flagger, moderator in ((10, False), (11, True)):
        await reviews.flag(
            db,
            hidden.id,
            flagger,
            1,
            by_moderator=moderator,
            reason=None,
            now=NOW,
            hide_rule=reviewing.is_hidden,
        )
    summary = await reviews.summary(db, "requester", acme.id, NOW - 90 * DAY)
    assert summary.review_count == 2 and summary.mean("pay") == pytest.approx(4.0)
    rep = await requesters.reputation(db, acme.id)
    assert rep.review_count == 2 and rep.pay == pytest.approx(4.0) and rep.standing == "good"
    moderators_view = await reviews.recent(db, "requester", acme.id, hidden=True)
    assert [r.id for r in moderators_view] == [hidden.id]
    assert moderators_view[0].flags == 2 and moderators_view[0].moderator_flags == 1


async def test_flags_count_once_per_member_and_follow_the_rule(db: Database) -> None:
    acme = await requesters.upsert(db, "mturk", None, "Acme", NOW)
    review = await _review(db, acme.id, 1, body="x")

    async def flag(who: int, moderator: bool) -> reviews.FlagResult:
        return await reviews.flag(
            db,
            review.id,
            who,
            1,
            by_moderator=moderator,
            reason="rude",
            now=NOW,
            hide_rule=reviewing.is_hidden,
        )

    assert (await flag(2, True)).hidden is False
    again = await flag(2, True)
    assert not again.added and again.flags == 1
    third = await flag(3, False)
    assert third.added and third.hidden and third.changed
    result = await reviews.get(db, review.id)
    assert result is not None and result.hidden and result.flags == 2
    # Erasing the moderator's data removes their flag: the review shows again.
    await reviews.erase_author(db, 2, reviewing.is_hidden, NOW)
    result = await reviews.get(db, review.id)
    assert result is not None and not result.hidden and result.flags == 1


async def test_report_limits_are_enforced_in_the_insert(db: Database) -> None:
    acme = await requesters.upsert(db, "mturk", None, "Acme", NOW)
    beta = await requesters.upsert(db, "mturk", None, "Beta", NOW)
    first = await _report(db, acme.id, 5)
    with pytest.raises(ReportRefusedError) as refused:
        await _report(db, acme.id, 5)
    assert refused.value.reason == "open_exists"
    await _report(db, beta.id, 5)
    gamma = await requesters.upsert(db, "mturk", None, "Gamma", NOW)
    await _report(db, gamma.id, 5)
    delta = await requesters.upsert(db, "mturk", None, "Delta", NOW)
    with pytest.raises(ReportRefusedError) as refused:
        await _report(db, delta.id, 5)
    assert refused.value.reason == "daily_limit"
    # Another server's limit is its own; a day later the member may report again.
    await _report(db, delta.id, 5, guild_id=2)
    await reports.close(
        db, first.id, guild_id=1, state="dismissed", moderator_id=9, reason="no", now=NOW
    )
    await _report(db, acme.id, 5, now=NOW + DAY + 1, since=NOW + 1)
    assert await reports.count_open_for_guild(db, 1) == 3


async def test_merge_moves_everything_and_keeps_the_worse_status(db: Database) -> None:
    old = await requesters.upsert(db, "mturk", "A1B2C3D4E5F6G7", "Acme Old", NOW)
    new = await requesters.upsert(db, "mturk", "A9Z8Y7X6W5V4U3", "Acme", NOW)
    older = await requesters.upsert(db, "mturk", None, "Acme Older", NOW)
    async with db.transaction():
        await requesters.merge_records(db, older.id, old.id, NOW)
    await service.set_status(
        db, old.id, guild_id=1, moderator_id=9, status="scam", reason="phishing", now=NOW
    )
    both = await _review(db, old.id, 1, scores={**SCORES, "pay": 1}, body="old account")
    await _review(db, new.id, 1, body="new account", now=NOW + 1)
    only_old = await _review(db, old.id, 2)
    filed = await _report(db, old.id, 3)
    await db.execute(
        "INSERT INTO task_alerts (guild_id, platform, task_key, title, requester_id, "
        "reward_cents, currency, minutes, hourly_cents, sharer_id, created_at, last_seen_at, "
        "expires_at) VALUES (1, 'mturk', 'k', 'A task', ?, 100, 'USD', 6, 1000, 3, ?, ?, ?)",
        (old.id, NOW, NOW, NOW + 3600),
    )
    outcome = await service.merge(
        db, old.id, new.id, guild_id=1, moderator_id=9, reason="renamed", now=NOW
    )
    assert outcome.survivor.status == "scam" and outcome.status_changed
    assert "task_alerts" in outcome.tables
    assert {a.id for a in await requesters.aliases(db, new.id)} == {old.id, older.id}
    assert (await requesters.resolve(db, older.id)).id == new.id  # type: ignore[union-attr]
    kept = await reviews.recent(db, "requester", new.id, limit=10)
    assert sorted(r.author_id for r in kept) == [1, 2]
    assert {r.body for r in kept} == {"new account", None}
    assert [
        h.body
        for h in await reviews.history(db, kept[0].id if kept[0].author_id == 1 else kept[1].id)
    ] == ["old account"]
    assert (await reviews.get(db, only_old.id)).subject_id == new.id  # type: ignore[union-attr]
    assert await reviews.get(db, both.id) is None
    assert (await reports.get(db, filed.id)).requester_id == new.id  # type: ignore[union-attr]
    assert await db.fetch_value("SELECT requester_id FROM task_alerts") == new.id
    rep = await requesters.reputation(db, old.id)
    assert rep.standing == "scam" and rep.review_count == 2
    entries = await audit.page(db, 1)
    assert entries[0].action == "requester_merge" and entries[0].reason == "renamed"
    # Sharing under the old platform id now lands on the survivor.
    again = await requesters.upsert(db, "mturk", "A1B2C3D4E5F6G7", "Acme Old", NOW)
    assert again.id == new.id


async def test_merging_leaves_a_name_both_records_have_with_the_alias(db: Database) -> None:
    """SQLite's `UPDATE OR IGNORE`; on PostgreSQL the unique index read from the catalog."""
    old = await requesters.upsert(db, "mturk", None, "Acme Old", NOW)
    new = await requesters.upsert(db, "mturk", "A9Z8Y7X6W5V4U3", "Acme", NOW)
    for record, name in ((old, "Acme Research"), (new, "Acme Research"), (old, "Acme Lab")):
        await requesters.note_name(db, record.id, name, source="share", guild_id=1, now=NOW)
    async with db.transaction():
        moved = await requesters.merge_records(db, old.id, new.id, NOW)
    assert moved == sorted(moved) and "requester_names" in moved and "task_alerts" in moved
    rows = await db.fetch_all(
        "SELECT requester_id, name FROM requester_names ORDER BY requester_id, name"
    )
    assert [tuple(r) for r in rows] == [
        (old.id, "Acme Research"),
        (new.id, "Acme Lab"),
        (new.id, "Acme Research"),
    ]


async def test_search_finds_names_ids_and_aliases(db: Database) -> None:
    acme = await requesters.upsert(db, "mturk", "A1B2C3D4E5F6G7", "Acme Research", NOW)
    await requesters.upsert(db, "prolific", None, "Academic Lab", NOW)
    old = await requesters.upsert(db, "mturk", None, "Zeta Old", NOW)
    async with db.transaction():
        await requesters.merge_records(db, old.id, acme.id, NOW)
    names = [h.requester.name for h in await requesters.search(db, "ac")]
    assert names == ["Academic Lab", "Acme Research"]
    assert [h.requester.id for h in await requesters.search(db, "a1b2")] == [acme.id]
    hits = await requesters.search(db, "zeta")
    assert [(h.requester.id, h.matched_name) for h in hits] == [(acme.id, "Zeta Old")]
    assert len(await requesters.search(db, "")) == 2  # aliases are not offered twice


async def test_reputation_reports_confirmed_categories(db: Database) -> None:
    acme = await requesters.upsert(db, "mturk", None, "Acme", NOW)
    assert (await requesters.reputation(db, acme.id)).standing == "no_data"
    assert (await requesters.reputation(db, 999)).standing == "no_data"
    filed = await _report(db, acme.id, 5, category="harvesting")
    outcome = await service.close_report(
        db, filed.id, guild_id=1, moderator_id=9, state="confirmed", reason="seen it", now=NOW
    )
    assert outcome.status_changed and outcome.requester.status == "scam"
    rep = await requesters.reputation(db, acme.id)
    assert rep.standing == "scam" and rep.confirmed == {"harvesting": 1}
    assert rep.status_reason is None  # the confirmed categories are the reason


# -- query plans -------------------------------------------------------------------------


@pytest.mark.sqlite_only(reason="reads SQLite's EXPLAIN QUERY PLAN")
async def test_hot_paths_use_indexes(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    acme = await requesters.upsert(db, "mturk", "A1B2C3D4E5F6G7", "Acme", NOW)
    captured: list[tuple[str, Any]] = []
    original = Database.fetch_all

    async def recording(self: Database, sql: str, params: Any = ()) -> Any:
        captured.append((sql, params))
        return await original(self, sql, params)

    monkeypatch.setattr(Database, "fetch_all", recording)
    await requesters.reputation(db, acme.id)
    await requesters.search(db, "ac")
    await requesters.search(db, "")
    await requesters.find_by_name(db, "acme", "mturk")
    await requesters.find_by_platform_id(db, "mturk", "A1B2C3D4E5F6G7")
    await requesters.aliases(db, acme.id)
    await reviews.summary(db, "requester", acme.id, NOW)
    await reviews.recent(db, "requester", acme.id)
    await reports.confirmed_counts(db, acme.id)
    await reports.counts_for_requester(db, acme.id)
    await reports.open_for_guild(db, 1)
    with pytest.raises(ReportRefusedError):
        await _report(db, acme.id, 5, daily_limit=0)
    await audit.page(db, 1, before_id=100, actor_id=9)
    await audit.count(db, 1)
    monkeypatch.undo()
    assert len(captured) >= 14
    for sql, params in captured:
        plan = await db.fetch_all("EXPLAIN QUERY PLAN " + sql, params)
        details = [row["detail"] for row in plan]
        assert any("USING" in d for d in details), (sql, details)
        for detail in details:
            if not detail.startswith("SCAN "):
                continue
            derived = re.match(r"SCAN (\(subquery-\d+\)|target|agg|CONSTANT ROW|je )", detail)
            assert derived or "USING" in detail, (sql, details)
