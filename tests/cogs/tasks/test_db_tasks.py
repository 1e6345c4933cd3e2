"""The task alert repository: atomic share upsert, medians in SQL, index-backed hot paths."""

from __future__ import annotations

import asyncio
import random

import pytest

from cogs.tasks import rules
from db import requesters
from db import tasks as tasks_db
from db.connection import Database
from db.tasks import NewAlert, SearchFilters

pytestmark = pytest.mark.both_backends


def new(key: str = "mturk:id:X", *, guild: int = 1, sharer: int = 10, **kw: object) -> NewAlert:
    values: dict[str, object] = {
        "guild_id": guild,
        "platform": "mturk",
        "task_key": key,
        "title": "Rate images",
        "reward_cents": 150,
        "currency": "USD",
        "minutes": 6,
        "hourly_cents": 1500,
        "sharer_id": sharer,
    }
    values.update(kw)
    return NewAlert(**values)  # type: ignore[arg-type]


async def test_share_is_one_atomic_decision(db: Database) -> None:
    results = await asyncio.gather(
        *(tasks_db.share(db, new(sharer=i), now=100, expires_at=200) for i in range(20))
    )
    assert sum(r.created for r in results) == 1
    (alert_id,) = {r.alert.id for r in results}  # on PostgreSQL not always 1: see below
    alert = await tasks_db.get_alert(db, alert_id)
    assert alert is not None and alert.seen_count == 20
    assert len(alert.seen_by) == tasks_db.SEEN_BY_KEEP  # only the last few are named
    if db.dialect == "sqlite":  # one connection: the bumps run in the order they were made
        assert alert.seen_by == tuple(range(15, 20))
    else:  # a pool: any share may create it (and losers still draw sequence numbers),
        # and the bumps run in whatever order they reach the row; each is named once
        assert len(set(alert.seen_by)) == tasks_db.SEEN_BY_KEEP
        assert set(alert.seen_by) <= set(range(20)) - {alert.sharer_id}


async def test_the_same_task_in_two_servers_is_two_alerts(db: Database) -> None:
    a = await tasks_db.share(db, new(guild=1), now=100, expires_at=200)
    b = await tasks_db.share(db, new(guild=2), now=100, expires_at=200)
    assert a.created and b.created and a.alert.id != b.alert.id


async def test_a_bump_extends_but_never_shortens_the_expiry(db: Database) -> None:
    await tasks_db.share(db, new(), now=100, expires_at=1000)
    bumped = await tasks_db.share(db, new(sharer=11), now=150, expires_at=900)
    assert bumped.alert.expires_at == 1000
    bumped = await tasks_db.share(db, new(sharer=12), now=500, expires_at=1400)
    assert bumped.alert.expires_at == 1400


async def test_ended_alerts_free_the_key(db: Database) -> None:
    first = await tasks_db.share(db, new(), now=100, expires_at=200)
    assert await tasks_db.expire_due(db, 199) == []
    (expired,) = await tasks_db.expire_due(db, 200)
    assert expired.id == first.alert.id and expired.state == "expired"
    again = await tasks_db.share(db, new(), now=300, expires_at=400)
    assert again.created and again.alert.id != first.alert.id


async def test_votes_on_ended_alerts_are_not_recorded(db: Database) -> None:
    created = await tasks_db.share(db, new(), now=100, expires_at=200)
    alert_id = created.alert.id
    args = {"guild_id": 1, "now": 101, "extend_to": 300, "gone_needed": 2, "moderator": False}
    assert (await tasks_db.vote(db, alert_id, 1, "gone", **args)).state == "live"  # type: ignore[union-attr]
    ended = await tasks_db.vote(db, alert_id, 2, "gone", **args)
    assert ended is not None and ended.state == "gone" and ended.ended_by == 2
    assert await tasks_db.vote(db, alert_id, 3, "live", **args) is None
    assert await db.fetch_value("SELECT count(*) FROM task_votes") == 2
    with pytest.raises(ValueError, match="unknown vote"):
        await tasks_db.vote(db, alert_id, 3, "maybe", **args)


async def test_a_vote_is_one_statement_scoped_to_the_voters_server(db: Database) -> None:
    from bench.sqltrace import SqlRecorder

    alert_id = (await tasks_db.share(db, new(guild=1), now=100, expires_at=200)).alert.id
    args = {"now": 101, "extend_to": 300, "gone_needed": 3, "moderator": False}
    if db.dialect == "sqlite":  # SqlRecorder traces SQLite's connection
        recorder = SqlRecorder.attach(db)
        try:
            voted = await tasks_db.vote(db, alert_id, 7, "live", guild_id=1, **args)
        finally:
            recorder.detach()
        assert [s.kind for s in recorder.statements] == ["execute"]
    else:  # PostgreSQL: the alert's lock, then the same one statement (db.cross_process)
        voted = await tasks_db.vote(db, alert_id, 7, "live", guild_id=1, **args)
    assert voted is not None and voted.live_votes == 1 and voted.expires_at == 300
    # A forged button from another server: nothing stored, not even the vote.
    assert await tasks_db.vote(db, alert_id, 8, "gone", guild_id=2, **args) is None
    votes = await db.fetch_all("SELECT user_id, kind FROM task_votes ORDER BY user_id")
    assert [tuple(v) for v in votes] == [(7, "live")]
    # A member who changes their mind is counted once, under their new opinion.
    changed = await tasks_db.vote(db, alert_id, 7, "gone", guild_id=1, **args)
    assert changed is not None and (changed.live_votes, changed.gone_votes) == (0, 1)
    assert await db.fetch_value("SELECT kind FROM task_votes WHERE user_id = 7") == "gone"


async def test_concurrent_votes_are_each_counted_once(db: Database) -> None:
    alert_id = (await tasks_db.share(db, new(), now=100, expires_at=200)).alert.id
    args = {"guild_id": 1, "now": 101, "extend_to": 300, "gone_needed": 1000}
    await asyncio.gather(
        *(
            tasks_db.vote(
                db, alert_id, user, "live" if user % 3 else "gone", moderator=False, **args
            )
            for user in range(60)
        )
    )
    alert = await tasks_db.get_alert(db, alert_id)
    assert alert is not None and (alert.live_votes, alert.gone_votes) == (40, 20)


async def test_crowd_median_in_sql_matches_the_rule(db: Database) -> None:
    rng = random.Random(20261126)
    for case in range(25):
        created = await tasks_db.share(db, new(f"k{case}"), now=100, expires_at=200)
        minutes = [rng.randint(1, 1440) for _ in range(rng.randint(1, 9))]
        alert = None
        for user, m in enumerate(minutes):
            alert = await tasks_db.report_done(
                db,
                created.alert.id,
                user,
                guild_id=1,
                minutes=m,
                hourly_cents=rules.hourly_cents(150, m),
                rating=None,
                now=100,
            )
        assert alert is not None
        expected = rules.median_cents([rules.hourly_cents(150, m) for m in minutes])
        assert alert.crowd_hourly_cents == expected, minutes
        assert alert.done_count == len(minutes)


async def test_removed_alerts_take_no_reports_or_warnings(db: Database) -> None:
    created = await tasks_db.share(db, new(), now=100, expires_at=200)
    removed = await tasks_db.end_alert(
        db, created.alert.id, "removed", guild_id=1, by=5, now=150, reason="spam"
    )
    assert removed is not None and removed.removed_reason == "spam"
    assert (
        await tasks_db.end_alert(db, created.alert.id, "removed", guild_id=1, by=5, now=150) is None
    )
    assert (
        await tasks_db.report_done(
            db, created.alert.id, 1, guild_id=1, minutes=5, hourly_cents=1, rating=None, now=160
        )
        is None
    )
    assert (
        await tasks_db.set_warning(db, created.alert.id, "hate", guild_id=1, by=1, confirmed=True)
        is None
    )
    with pytest.raises(ValueError, match="end state"):
        await tasks_db.end_alert(db, created.alert.id, "live", guild_id=1, by=None, now=1)


async def test_discard_only_forgets_unposted_alerts(db: Database) -> None:
    created = await tasks_db.share(db, new(), now=100, expires_at=200)
    await tasks_db.set_message(db, created.alert.id, channel_id=5, message_id=6, is_forum=False)
    assert not await tasks_db.discard(db, created.alert.id)
    other = await tasks_db.share(db, new("other"), now=100, expires_at=200)
    assert await tasks_db.discard(db, other.alert.id)
    assert await tasks_db.get_alert(db, other.alert.id) is None
    assert await tasks_db.search(db, SearchFilters(guild_id=1, match='"rate"*')) == [
        await tasks_db.get_alert(db, created.alert.id)
    ]


async def test_removed_alerts_are_never_found_nor_counted(db: Database) -> None:
    """Members read what search finds, so a removed alert is left out and takes no place."""
    acme = await requesters.upsert(db, "mturk", "A1B2C3D4E5F6G7", "Acme", 0)
    kept = await tasks_db.share(db, new("k1", requester_id=acme.id), now=100, expires_at=200)
    gone = await tasks_db.share(
        db, new("k2", requester_id=acme.id, warning="hate"), now=110, expires_at=200
    )
    await tasks_db.end_alert(db, gone.alert.id, "removed", guild_id=1, by=5, now=150)
    for filters in (
        SearchFilters(guild_id=1, match='"rate"*'),
        SearchFilters(guild_id=1, requester_ids=(acme.id,)),
        SearchFilters(guild_id=1, platform="mturk"),
    ):
        found = await tasks_db.search(db, filters, limit=1)
        assert [a.id for a in found] == [kept.alert.id], filters
    assert await tasks_db.warned_alert_stats(db, acme.id) == (0, 1)


async def _plan(db: Database, sql: str, params: object) -> str:
    rows = await db.fetch_all("EXPLAIN QUERY PLAN " + sql, params)  # type: ignore[arg-type]
    return "\n".join(r["detail"] for r in rows)


HOT_PATHS: list[tuple[str, str, object]] = [
    (
        "expire",
        "SELECT id FROM task_alerts WHERE state = 'live' AND expires_at <= ? ORDER BY expires_at LIMIT 100",
        (1,),
    ),
    ("by message", "SELECT * FROM task_alerts WHERE message_id = ?", (1,)),
    (
        "warned stats",
        "SELECT count(warning), count(*) FROM task_alerts "
        "WHERE requester_id = ? AND state != 'removed'",
        (1,),
    ),
    ("sharer", "SELECT id FROM task_alerts WHERE sharer_id = ?", (1,)),
    (
        "live key",
        "SELECT id FROM task_alerts WHERE guild_id = ? AND task_key = ? AND state = 'live'",
        (1, "k"),
    ),
    ("recent", "SELECT * FROM task_alerts WHERE guild_id = ? ORDER BY id DESC LIMIT 100", (1,)),
    (
        "task history",  # a share carries the warning of the task's last alert
        "SELECT warning FROM task_alerts WHERE guild_id = ? AND task_key = ? "
        "ORDER BY id DESC LIMIT 1",
        (1, "k"),
    ),
    (
        "warning people",
        "SELECT id FROM task_alerts WHERE warning_proposed_by = ? UNION SELECT id FROM task_alerts WHERE warning_confirmed_by = ?",
        (1, 1),
    ),
    ("votes", "SELECT count(*) FROM task_votes WHERE alert_id = ? AND kind = 'gone'", (1,)),
    (
        "reports",
        "SELECT hourly_cents FROM task_reports WHERE alert_id = ? ORDER BY hourly_cents",
        (1,),
    ),
    ("member votes", "SELECT alert_id FROM task_votes WHERE user_id = ?", (1,)),
    ("member reports", "SELECT alert_id FROM task_reports WHERE user_id = ?", (1,)),
    ("member sightings", "SELECT alert_id FROM task_sightings WHERE user_id = ?", (1,)),
    (
        "live for requester",
        "SELECT * FROM task_alerts WHERE state = 'live' AND requester_id = ?",
        (1,),
    ),
]


@pytest.mark.sqlite_only(reason="reads SQLite's EXPLAIN QUERY PLAN")
@pytest.mark.parametrize(("name", "sql", "params"), HOT_PATHS, ids=[p[0] for p in HOT_PATHS])
async def test_hot_paths_use_an_index(db: Database, name: str, sql: str, params: object) -> None:
    plan = await _plan(db, sql, params)
    assert "SEARCH" in plan, plan
    assert "SCAN task_alerts" not in plan and "SCAN task_votes" not in plan, plan
    if name in ("recent", "expire", "reports", "task history"):
        assert "TEMP B-TREE" not in plan, plan
    if name == "task history":  # not every alert the server ever had
        assert "task_alerts_task_key" in plan, plan


@pytest.mark.sqlite_only(reason="reads SQLite's EXPLAIN QUERY PLAN (FTS5, INDEXED BY)")
async def test_search_queries_use_their_indexes(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, object]] = []
    original = db.fetch_all

    async def spy(sql: str, params: object = ()) -> list:  # type: ignore[type-arg]
        seen.append((sql, params))
        return await original(sql, params)  # type: ignore[arg-type]

    monkeypatch.setattr(db, "fetch_all", spy)
    await tasks_db.search(db, SearchFilters(guild_id=1, match='"rate"*', platform="mturk"))
    await tasks_db.search(db, SearchFilters(guild_id=1, requester_ids=(1, 2)))
    await tasks_db.search(
        db, SearchFilters(guild_id=1, platform="appen", min_hourly_cents=5, currency="USD")
    )
    monkeypatch.setattr(db, "fetch_all", original)
    plans = [await _plan(db, sql, params) for sql, params in seen]
    assert "VIRTUAL TABLE" in plans[0] and "SEARCH a USING INTEGER PRIMARY KEY" in plans[0]
    assert "INDEX task_alerts_requester" in plans[1]
    assert "SEARCH task_alerts USING INDEX task_alerts_guild" in plans[2]
    assert not any("SCAN task_alerts " in p or p.endswith("SCAN task_alerts") for p in plans)


async def test_bumps_keep_the_search_index_right(db: Database) -> None:
    """Only a real change of the title or the requester name rewrites the search entry.

    A plain bump leaves it as it was (found by its title, once); a bump that fills in the
    requester name the first share lacked makes the alert findable by that name.
    """

    async def found(words: str) -> list[int]:
        filters = SearchFilters(guild_id=1, match=rules.fts_query(words))
        return [a.id for a in await tasks_db.search(db, filters)]

    first = await tasks_db.share(db, new(), now=100, expires_at=1000)
    for sharer in (11, 12):
        await tasks_db.share(db, new(sharer=sharer), now=110, expires_at=1000)
    assert await found("rate images") == [first.alert.id]
    assert await found("northwind") == []
    await tasks_db.share(
        db, new(sharer=13, requester_name="Northwind Lab"), now=120, expires_at=1000
    )
    assert await found("northwind") == [first.alert.id]
    assert await found("rate images") == [first.alert.id]
    if db.dialect == "sqlite":  # a plain bump writes the alert and its sighting, nothing more
        before = await db.fetch_value("SELECT total_changes()")
        await tasks_db.share(db, new(sharer=14), now=130, expires_at=1000)
        assert await db.fetch_value("SELECT total_changes()") - before == 2
