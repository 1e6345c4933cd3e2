"""The subscriptions repository on a real SQLite file: limits, the cap, the fan-out query
(checked against the pure rules), its query plans, and privacy."""

from __future__ import annotations

import asyncio
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cogs.alerts import notify, render, rules
from db import subscriptions
from db.connection import Database
from db.subscriptions import AlertQuery, NewSubscription
from db.subscriptions.records import subscription_of
from tests.cogs.alerts.helpers import stored

pytestmark = pytest.mark.both_backends

GUILD = 10
NOW = 1_800_000_000


def new(**overrides: object) -> NewSubscription:
    filters = rules.Filters(**overrides)  # type: ignore[arg-type]
    return stored(filters)


async def test_add_stores_and_reads_back(db: Database) -> None:
    stored = await subscriptions.add(
        db,
        GUILD,
        1,
        new(platform="mturk", min_hourly_cents=900, currency="USD", keywords=("audio",)),
        NOW,
        limit=10,
    )
    assert isinstance(stored, subscriptions.Subscription)
    assert (stored.platform, stored.min_hourly_cents, stored.currency) == ("mturk", 900, "USD")
    assert stored.keywords == ("audio",) and stored.no_warned is False
    assert await subscriptions.for_member(db, GUILD, 1) == [stored]
    assert await subscriptions.get(db, stored.id) == stored


async def test_duplicate_and_limit_are_told_apart(db: Database) -> None:
    await subscriptions.add(db, GUILD, 1, new(platform="mturk"), NOW, limit=2)
    assert await subscriptions.add(db, GUILD, 1, new(platform="mturk"), NOW, limit=2) == "duplicate"
    await subscriptions.add(db, GUILD, 1, new(platform="appen"), NOW, limit=2)
    assert await subscriptions.add(db, GUILD, 1, new(platform="uhrs"), NOW, limit=2) == "limit"
    # the same filters in another server, or for another member, are separate
    assert not isinstance(
        await subscriptions.add(db, GUILD + 1, 1, new(platform="uhrs"), NOW, limit=2), str
    )
    assert not isinstance(
        await subscriptions.add(db, GUILD, 2, new(platform="mturk"), NOW, limit=2), str
    )


async def test_the_limit_holds_under_concurrent_adds(db: Database) -> None:
    platforms = list(rules.PLATFORMS)
    results = await asyncio.gather(
        *(
            subscriptions.add(db, GUILD, 1, new(platform=p, keywords=(f"k{i}",)), NOW, limit=10)
            for i in range(5)
            for p in platforms[:3]
        )
    )
    stored = [r for r in results if not isinstance(r, str)]
    assert len(stored) == 10 and results.count("limit") == 5
    assert len(await subscriptions.for_member(db, GUILD, 1)) == 10


async def test_remove_only_touches_the_members_own_rows(db: Database) -> None:
    mine = await subscriptions.add(db, GUILD, 1, new(), NOW, limit=10)
    assert not isinstance(mine, str)
    assert await subscriptions.remove(db, 2, mine.id) is None  # someone else's
    assert await subscriptions.remove(db, 1, 999_999) is None  # unknown id
    assert await subscriptions.remove(db, 1, mine.id) == mine
    assert await subscriptions.for_member(db, GUILD, 1) == []


async def test_admit_enforces_the_cap_per_member_and_is_idempotent(db: Database) -> None:
    window = rules.window_start(NOW)
    first = await subscriptions.admit(db, GUILD, 1, [1, 2], now=NOW, since=window, cap=2)
    assert first == {1, 2}
    again = await subscriptions.admit(db, GUILD, 1, [1, 2], now=NOW, since=window, cap=2)
    assert again == set()  # same alert: never twice
    second = await subscriptions.admit(db, GUILD, 2, [1], now=NOW, since=window, cap=2)
    assert second == {1}
    third = await subscriptions.admit(db, GUILD, 3, [1, 2], now=NOW, since=window, cap=2)
    assert third == {2}  # member 1 is at the cap
    later = NOW + 3600
    freed = await subscriptions.admit(
        db, GUILD, 4, [1], now=later, since=rules.window_start(later), cap=2
    )
    assert freed == {1}
    assert await subscriptions.admit(db, GUILD, 5, [3], now=NOW, since=window, cap=0) == set()
    # the counts are per server
    assert await subscriptions.admit(db, GUILD + 1, 3, [1], now=NOW, since=window, cap=1) == {1}


async def test_concurrent_fan_outs_cannot_exceed_the_cap(db: Database) -> None:
    window = rules.window_start(NOW)
    results = await asyncio.gather(
        *(
            subscriptions.admit(db, GUILD, alert_id, [1], now=NOW, since=window, cap=3)
            for alert_id in range(10)
        )
    )
    assert sum(len(r) for r in results) == 3


async def test_release_and_sent_times_and_prune(db: Database) -> None:
    window = rules.window_start(NOW)
    await subscriptions.admit(db, GUILD, 1, [1], now=NOW - 100, since=window, cap=5)
    await subscriptions.admit(db, GUILD, 2, [1], now=NOW, since=window, cap=5)
    assert await subscriptions.sent_times(db, GUILD, 1, window) == [NOW - 100, NOW]
    await subscriptions.release(db, GUILD, 1, 2)
    assert await subscriptions.sent_times(db, GUILD, 1, window) == [NOW - 100]
    assert await subscriptions.prune_log(db, NOW) == 1
    assert await subscriptions.sent_times(db, GUILD, 1, 0) == []


async def test_forget_member_removes_everything_of_that_server_only(db: Database) -> None:
    await subscriptions.add(db, GUILD, 1, new(), NOW, limit=10)
    await subscriptions.add(db, GUILD + 1, 1, new(), NOW, limit=10)
    await subscriptions.admit(db, GUILD, 1, [1], now=NOW, since=0, cap=5)
    await subscriptions.set_thread(db, GUILD, 1, parent_id=5, thread_id=6, now=NOW)
    assert await subscriptions.forget_member(db, GUILD, 1) == 1
    assert await subscriptions.for_member(db, GUILD, 1) == []
    assert await subscriptions.get_thread(db, GUILD, 1) is None
    assert await subscriptions.sent_times(db, GUILD, 1, 0) == []
    assert len(await subscriptions.for_member(db, GUILD + 1, 1)) == 1


async def test_forget_members_in_one_go(db: Database) -> None:
    for user in (1, 2, 3):
        await subscriptions.add(db, GUILD, user, new(), NOW, limit=10)
    assert await subscriptions.forget_members(db, GUILD, [1, 3, 3]) == 2
    assert await subscriptions.forget_members(db, GUILD, []) == 0
    assert [len(await subscriptions.for_member(db, GUILD, u)) for u in (1, 2, 3)] == [0, 1, 0]


async def test_threads_are_remembered_and_replaced(db: Database) -> None:
    await subscriptions.set_thread(db, GUILD, 1, parent_id=5, thread_id=6, now=NOW)
    await subscriptions.set_thread(db, GUILD, 1, parent_id=7, thread_id=8, now=NOW + 1)
    record = await subscriptions.get_thread(db, GUILD, 1)
    assert record is not None and (record.parent_id, record.thread_id) == (7, 8)
    await subscriptions.drop_thread(db, GUILD, 1, 6)  # a stale id does nothing
    assert await subscriptions.get_thread(db, GUILD, 1) is not None
    await subscriptions.drop_thread(db, GUILD, 1, 8)
    assert await subscriptions.get_thread(db, GUILD, 1) is None


async def test_privacy_export_and_erase(db: Database) -> None:
    await subscriptions.add(db, GUILD, 1, new(keywords=("étude",), requester="acme"), NOW, limit=10)
    await subscriptions.add(db, GUILD, 2, new(), NOW, limit=10)
    await subscriptions.admit(db, GUILD, 1, [1, 2], now=NOW, since=0, cap=5)
    await subscriptions.set_thread(db, GUILD, 1, parent_id=5, thread_id=6, now=NOW)
    exported = await subscriptions.export_member(db, 1)
    assert exported["subscriptions"][0]["keywords"] == ["étude"]
    assert exported["subscriptions"][0]["requester"] == "acme"
    assert exported["alert_messages_sent"] == [{"guild_id": GUILD, "alert_id": 1, "sent_at": NOW}]
    assert exported["fallback_threads"][0]["thread_id"] == 6
    json.dumps(exported)  # serialisable as it is
    assert await subscriptions.erase_member(db, 1) == 3
    assert await subscriptions.export_member(db, 1) == {
        "subscriptions": [],
        "alert_messages_sent": [],
        "fallback_threads": [],
    }
    assert len(await subscriptions.for_member(db, GUILD, 2)) == 1  # others untouched


async def test_requester_suggestions_by_prefix(db: Database) -> None:
    from db import requesters

    await requesters.upsert(db, "mturk", "A1B2C3", "Acme Research", NOW)
    await requesters.upsert(db, "prolific", None, "Academic Lab", NOW)
    await requesters.upsert(db, "mturk", None, "Zeta", NOW)
    names = [row["name"] for row in await subscriptions.requester_suggestions(db, "ac")]
    assert names == ["Academic Lab", "Acme Research"]
    assert len(await subscriptions.requester_suggestions(db, "")) == 3


# -- the fan-out query ---------------------------------------------------------------------


def plan(rows: list[object]) -> str:
    return " | ".join(str(tuple(r)[-1]) for r in rows)  # type: ignore[arg-type]


@pytest.mark.sqlite_only(reason="reads SQLite's EXPLAIN QUERY PLAN")
async def test_hot_paths_use_indexes(db: Database) -> None:
    candidates_plan = plan(
        await db.fetch_all(
            "EXPLAIN QUERY PLAN SELECT id FROM alert_subscriptions "
            "WHERE guild_id = 1 AND platform IN ('', 'mturk') GROUP BY +user_id"
        )
    )
    assert "USING INDEX alert_subscriptions_fanout" in candidates_plan
    checks = {
        "SELECT count(*) FROM alert_dm_log WHERE guild_id = 1 AND user_id = 2 AND sent_at > 3": (
            "alert_dm_log"
        ),
        "SELECT * FROM alert_subscriptions WHERE guild_id = 1 AND user_id = 2 ORDER BY id": (
            "alert_subscriptions"
        ),
        "DELETE FROM alert_subscriptions WHERE user_id = 2": "alert_subscriptions",
        "DELETE FROM alert_dm_log WHERE sent_at < 5": "alert_dm_log",
        "DELETE FROM alert_dm_log WHERE user_id = 5": "alert_dm_log",
        "SELECT * FROM alert_threads WHERE guild_id = 1 AND user_id = 2": "alert_threads",
        "DELETE FROM alert_threads WHERE user_id = 2": "alert_threads",
        "DELETE FROM alert_subscriptions WHERE guild_id = 1 "
        "AND user_id IN (SELECT value FROM json_each('[1,2]'))": "alert_subscriptions",
        "DELETE FROM alert_dm_log WHERE guild_id = 1 "
        "AND user_id IN (SELECT value FROM json_each('[1,2]'))": "alert_dm_log",
    }
    for sql, table in checks.items():
        text = plan(await db.fetch_all("EXPLAIN QUERY PLAN " + sql))
        assert f"SCAN {table}" not in text, (sql, text)
        assert "USING" in text, (sql, text)


@pytest.mark.sqlite_only(reason="reads SQLite's EXPLAIN QUERY PLAN")
async def test_the_real_candidates_query_uses_the_fanout_index(db: Database) -> None:
    """EXPLAIN the exact statement `candidates` runs, with its parameters."""
    captured: list[tuple[str, object]] = []
    original = db.fetch_all

    async def spy(sql: str, params: object = ()) -> list[object]:
        captured.append((sql, params))
        return await original(sql, params)  # type: ignore[arg-type]

    db.fetch_all = spy  # type: ignore[method-assign]
    query = AlertQuery(GUILD, "mturk", 1, False, "USD", 100, 1000, "some title", "", "")
    await subscriptions.candidates(db, query)
    db.fetch_all = original  # type: ignore[method-assign]
    sql, params = captured[0]
    text = plan(await db.fetch_all("EXPLAIN QUERY PLAN " + sql, params))  # type: ignore[arg-type]
    assert "SEARCH alert_subscriptions USING INDEX alert_subscriptions_fanout" in text, text
    assert "SCAN alert_subscriptions" not in text


SUB = st.builds(
    rules.Filters,
    platform=st.sampled_from([None, "mturk", "prolific"]),
    min_hourly_cents=st.none(),
    keywords=st.lists(st.sampled_from(["audio", "survey", "tran", "psy", "etude"]), max_size=2).map(
        lambda ks: tuple(dict.fromkeys(ks))
    ),
    requester=st.sampled_from([None, "acme", "a1b2c3", "lab"]),
    no_warned=st.booleans(),
)
MONEY = st.one_of(
    st.none(),
    st.tuples(
        st.sampled_from(["USD", "GBP"]),
        st.one_of(st.none(), st.integers(1, 3000)),
        st.one_of(st.none(), st.integers(1, 500)),
    ),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    subs=st.lists(st.tuples(st.integers(1, 8), SUB, MONEY), max_size=25),
    platform=st.sampled_from(["mturk", "prolific"]),
    title=st.sampled_from(["Audio transcription", "Étude psychologie", "Survey: acme", "x"]),
    requester=st.sampled_from([None, "ACME Research", "Big Lab"]),
    requester_id=st.sampled_from([None, "A1B2C3"]),
    currency=st.sampled_from(["USD", "GBP"]),
    reward=st.integers(1, 600),
    hourly=st.integers(0, 4000),
    warning=st.sampled_from([None, "violence"]),
    sharer=st.integers(1, 8),
)
async def test_the_query_agrees_with_the_rules(
    db: Database,
    subs: list[tuple[int, rules.Filters, tuple[str, int | None, int | None] | None]],
    platform: str,
    title: str,
    requester: str | None,
    requester_id: str | None,
    currency: str,
    reward: int,
    hourly: int,
    warning: str | None,
    sharer: int,
) -> None:
    await db.execute("DELETE FROM alert_subscriptions")
    for user, filters, money in subs:
        if money is not None and (money[1] is not None or money[2] is not None):
            filters = rules.Filters(
                platform=filters.platform,
                min_hourly_cents=money[1],
                min_reward_cents=money[2],
                currency=money[0],
                keywords=filters.keywords,
                requester=filters.requester,
                no_warned=filters.no_warned,
            )
        await subscriptions.add(
            db,
            GUILD,
            user,
            NewSubscription(
                filters.platform,
                filters.min_hourly_cents,
                filters.min_reward_cents,
                filters.currency,
                filters.keywords,
                filters.requester,
                filters.no_warned,
                "en",
                filters.signature(),
            ),
            NOW,
            limit=100,
        )
    facts = rules.AlertFacts(
        alert_id=1,
        guild_id=GUILD,
        platform=platform,
        title=title,
        reward_cents=reward,
        currency=currency,
        hourly_cents=hourly,
        sharer_id=sharer,
        requester_name=requester,
        requester_platform_id=requester_id,
        warning=warning,
    )
    everything = await db.fetch_all("SELECT * FROM alert_subscriptions")
    expected = rules.recipients(
        [
            rules.Candidate(s.id, s.user_id, render.filters_of(s))
            for s in map(subscription_of, everything)
        ],
        facts,
        lambda _user: True,
    )
    found = await subscriptions.candidates(db, notify.query_of(facts))
    assert {s.user_id: s.id for s in found} == expected
