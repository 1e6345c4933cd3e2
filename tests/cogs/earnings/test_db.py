"""The earnings repository on a real, migrated store (SQLite, and PostgreSQL when asked)."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cogs.earnings.community import community_hourly
from cogs.earnings.rules import Period
from cogs.earnings.summary import summary as member_summary
from db import earnings as E
from db.connection import Database
from db.earnings import summaries
from db.errors import IntegrityError
from db.migrate import migrate

#: Each test runs on SQLite and on PostgreSQL (tests/README.md, "PostgreSQL").
pytestmark = pytest.mark.both_backends

ALICE, BOB = 101, 202
WEEK = Period("week", date(2026, 11, 23), date(2026, 11, 29))


def task(day: str = "2026-11-24", **changes: object) -> E.NewEntry:
    base = E.NewEntry(
        kind="task",
        work_date=day,
        status="approved",
        amount_cents=150,
        currency="USD",
        minutes=10,
        platform="MTurk",
        requester_name="Acme",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


async def test_each_member_numbers_their_own_entries(db: Database) -> None:
    a1 = await E.add_entry(db, ALICE, task(), 1)
    b1 = await E.add_entry(db, BOB, task(), 2)
    a2 = await E.add_entry(db, ALICE, task(), 3)
    assert (a1.number, b1.number, a2.number) == (1, 1, 2)
    assert a1.requester_key == "acme"


async def test_one_member_never_reaches_another_members_entries(db: Database) -> None:
    await E.add_entry(db, ALICE, task(), 1)
    assert await E.entry_by_number(db, BOB, 1) is None
    assert await E.set_status(db, BOB, 1, "rejected", 2) is None
    assert await E.delete_entry(db, BOB, 1) is None
    assert await E.set_status_many(db, BOB, [1], "rejected", 2) == 0
    assert await E.recent_entries(db, BOB) == []
    assert await E.own_requesters(db, BOB, "ac") == []
    still = await E.entry_by_number(db, ALICE, 1)
    assert still is not None and still.status == "approved"


async def test_status_changes_only_for_paid_kinds(db: Database) -> None:
    await E.add_entry(
        db,
        ALICE,
        E.NewEntry(kind="unpaid", work_date="2026-11-24", minutes=5, reason="searching"),
        1,
    )
    assert await E.set_status(db, ALICE, 1, "approved", 2) is None


async def test_constraints_refuse_inconsistent_rows(db: Database) -> None:
    with pytest.raises(IntegrityError):
        await E.add_entry(db, ALICE, task(amount_cents=-1), 1)
    with pytest.raises(IntegrityError):
        await E.add_entry(db, ALICE, task(minutes=1441), 1)
    with pytest.raises(IntegrityError):
        await E.add_entry(db, ALICE, task(work_date="26/11/2026"), 1)
    with pytest.raises(IntegrityError):
        await E.add_entry(
            db,
            ALICE,
            E.NewEntry(
                kind="unpaid", work_date="2026-11-24", minutes=5, amount_cents=3, reason="other"
            ),
            1,
        )
    assert await E.all_entries(db, ALICE) == []


async def test_summary_reads_rollup_and_requesters(db: Database) -> None:
    await E.add_entry(db, ALICE, task(amount_cents=600, minutes=40), 1)
    await E.add_entry(
        db,
        ALICE,
        task(status="rejected", amount_cents=200, minutes=20, requester_name="Bad Labs"),
        1,
    )
    await E.add_entry(
        db,
        ALICE,
        E.NewEntry(kind="unpaid", work_date="2026-11-25", minutes=30, reason="searching"),
        1,
    )
    await E.add_entry(db, ALICE, task(day="2026-11-10", amount_cents=9999), 1)  # outside the week
    await E.add_entry(db, BOB, task(amount_cents=5000), 1)  # someone else
    summary = await member_summary(db, ALICE, WEEK)
    (usd,) = summary.currencies
    assert (usd.approved, usd.rejected, usd.paid_hourly, usd.effective_hourly) == (
        600,
        200,
        900,
        400,
    )
    assert [(r.label, r.earned, r.lost_count) for r in summary.requesters] == [
        ("Acme", 600, 0),
        ("Bad Labs", 0, 1),
    ]


async def test_import_is_idempotent_and_numbers_without_gaps(db: Database) -> None:
    rows = [task(uid=f"mturk:A{n}") for n in range(5)]
    first = await E.import_entries(db, ALICE, rows, 1)
    again = await E.import_entries(db, ALICE, [*rows, task(uid="mturk:A9")], 2)
    assert (first.added, first.skipped) == (5, 0)
    assert (again.added, again.skipped) == (1, 5)
    assert [e.number for e in await E.all_entries(db, ALICE)] == [1, 2, 3, 4, 5, 6]


async def test_import_failure_leaves_nothing(db: Database) -> None:
    rows = [task(uid="ok1"), task(uid="bad", minutes=5000)]
    with pytest.raises(IntegrityError):
        await E.import_entries(db, ALICE, rows, 1)
    assert await E.all_entries(db, ALICE) == []
    assert await db.fetch_value("SELECT COUNT(*) FROM earnings_daily") == 0


async def test_pending_list_and_bulk_update(db: Database) -> None:
    for n in range(30):
        await E.add_entry(db, ALICE, task(status="pending", title=f"t{n}"), n)
    entries, total = await E.pending_entries(db, ALICE)
    assert total == 30 and len(entries) == 25 and entries[0].number == 1
    assert await E.set_status_many(db, ALICE, [1, 2, 3], "approved", 99) == 3
    _, total = await E.pending_entries(db, ALICE)
    assert total == 27


async def test_community_hourly_floor_and_opt_in(db: Database) -> None:
    guild = 7
    for uid in range(1, 7):
        await E.add_entry(db, uid, task(amount_cents=100 * uid, minutes=10), 1)
    for uid in range(1, 5):
        await E.set_sharing(db, guild, uid, True, 1)
    assert await community_hourly(db, guild, WEEK.start, WEEK.end) == []
    await E.set_sharing(db, guild, 5, True, 1)
    (stats,) = await community_hourly(db, guild, WEEK.start, WEEK.end)
    assert stats.members == 5 and stats.median_cents == 1800  # member 6 did not opt in
    assert await community_hourly(db, 8, WEEK.start, WEEK.end) == []
    assert len(await community_hourly(db, None, WEEK.start, WEEK.end)) == 1
    assert await E.set_sharing(db, guild, 5, False, 2)
    assert await community_hourly(db, guild, WEEK.start, WEEK.end) == []


async def test_shift_gap_recorded_in_one_transaction(db: Database) -> None:
    shift = await E.start_shift(db, ALICE, "MTurk", 1_000, start_day="2026-11-24")
    assert shift is not None
    assert (
        await E.start_shift(db, ALICE, None, 1_100, start_day="2026-11-24") is None
    )  # one at a time
    await E.add_entry(db, ALICE, task(minutes=25), 1_500)
    await E.add_entry(db, ALICE, task(minutes=500), 500)  # logged before the shift
    result = await E.finish_shift(
        db,
        ALICE,
        shift.id,
        4_600,
        worked_minutes=60,
        work_date="2026-11-24",
        first_day="2026-11-24",
        last_day="2026-11-24",
    )
    assert result is not None and result.logged_minutes == 25
    assert result.entry is not None and result.entry.minutes == 35
    assert result.entry.reason == "between_tasks" and result.entry.platform == "MTurk"
    assert result.shift.entry_number == result.entry.number and result.shift.gap_minutes == 35
    assert await E.open_shift(db, ALICE) is None
    assert (
        await E.finish_shift(
            db,
            ALICE,
            shift.id,
            5_000,
            worked_minutes=1,
            work_date="2026-11-24",
            first_day="2026-11-24",
            last_day="2026-11-24",
        )
        is None
    )


async def test_erase_member_removes_everything_of_theirs_only(db: Database) -> None:
    await E.add_entry(db, ALICE, task(), 1)
    await E.add_entry(db, BOB, task(), 1)
    await E.set_goal(db, ALICE, 2000, "USD", 1)
    await E.set_sharing(db, 7, ALICE, True, 1)
    await E.start_shift(db, ALICE, None, 1, start_day="1970-01-01")
    exported = await E.export_member(db, ALICE)
    assert len(exported["entries"]) == 1 and exported["settings"]["daily_goal_minor"] == 2000
    assert exported["community_sharing"] == [{"guild_id": "7", "since_at": 1}]
    assert await E.erase_member(db, ALICE) == 4
    for table in ("earnings", "earnings_daily", "earnings_prefs", "earnings_sharing", "shifts"):
        assert (
            await db.fetch_value(f"SELECT COUNT(*) FROM {table} WHERE user_id = ?", (ALICE,)) == 0
        )
    assert len(await E.all_entries(db, BOB)) == 1


async def test_context_falls_back_to_server_defaults(db: Database) -> None:
    ctx = await E.context(db, ALICE, 5)
    assert (ctx.timezone, ctx.wage, ctx.goal, ctx.sharing) == (
        "America/Los_Angeles",
        (725, "USD"),
        None,
        False,
    )
    await E.set_wage(db, ALICE, 1165, "EUR", 1)
    ctx = await E.context(db, ALICE, None)
    assert ctx.wage == (1165, "EUR") and ctx.currency == "EUR"


HOT_PATHS = {
    "days": (summaries._DAYS, {"u": 1, "s": "2026-11-01", "e": "2026-11-30"}),
    "requesters": (
        summaries._REQUESTERS,
        {"u": 1, "s": "2026-11-01", "e": "2026-11-30", "top": 10},
    ),
    "pending": (
        "SELECT * FROM earnings WHERE user_id = :u AND status = 'pending' ORDER BY number LIMIT 25",
        {"u": 1},
    ),
    "status": (
        "UPDATE earnings SET status = 'approved' WHERE user_id = :u AND number = 3",
        {"u": 1},
    ),
    "recent": ("SELECT * FROM earnings WHERE user_id = :u ORDER BY number DESC LIMIT 25", {"u": 1}),
}


@pytest.mark.sqlite_only(reason="reads SQLite's query plans (EXPLAIN QUERY PLAN)")
@pytest.mark.parametrize("name", sorted(HOT_PATHS))
async def test_hot_paths_use_an_index(db: Database, name: str) -> None:
    sql, params = HOT_PATHS[name]
    plan = " | ".join(r["detail"] for r in await db.fetch_all("EXPLAIN QUERY PLAN " + sql, params))
    assert "SEARCH" in plan, plan
    assert "SCAN earnings" not in plan and "SCAN earnings_daily" not in plan, plan


# -- the rollup stays exact whatever happens to the entries -----------------------------------

operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("add"),
            st.sampled_from(["task", "bonus", "unpaid"]),
            st.sampled_from(["2026-11-23", "2026-11-24"]),
            st.sampled_from(["pending", "approved", "rejected", "returned"]),
            st.integers(0, 5000),
            st.one_of(st.none(), st.integers(1, 120)),
            st.sampled_from(["USD", "GBP"]),
            st.sampled_from(["MTurk", "Prolific"]),
        ),
        st.tuples(st.just("status"), st.integers(1, 12), st.sampled_from(["approved", "rejected"])),
        st.tuples(st.just("delete"), st.integers(1, 12)),
    ),
    max_size=25,
)

DIRECT = """
SELECT work_date, COALESCE(currency, ''), COALESCE(platform, ''), kind,
       COALESCE(status, reason, ''), COUNT(*), SUM(amount_cents), SUM(COALESCE(minutes, 0)),
       SUM(CASE WHEN minutes IS NULL THEN 0 ELSE amount_cents END), SUM(minutes IS NULL)
FROM earnings WHERE user_id = ? GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
"""
ROLLUP = """
SELECT work_date, currency, platform, kind, state, entries, amount_cents, minutes,
       timed_amount_cents, untimed
FROM earnings_daily WHERE user_id = ? ORDER BY 1, 2, 3, 4, 5
"""


async def _replay(path: Path, ops: list[tuple[object, ...]]) -> None:
    db = await Database.open(path)
    try:
        await migrate(db)
        for op in ops:
            if op[0] == "add":
                _, kind, day, status, amount, minutes, currency, platform = op
                if kind == "unpaid":
                    new = E.NewEntry(
                        kind="unpaid",
                        work_date=day,
                        minutes=minutes or 5,
                        reason="searching",
                        platform=platform,
                    )  # type: ignore[arg-type]
                else:
                    new = task(
                        day,
                        kind=kind,
                        status=status,
                        amount_cents=amount,
                        minutes=minutes if kind == "task" else 0,
                        currency=currency,
                        platform=platform,
                    )
                await E.add_entry(db, ALICE, new, 1)
            elif op[0] == "status":
                await E.set_status(db, ALICE, op[1], op[2], 2)  # type: ignore[arg-type]
            else:
                await E.delete_entry(db, ALICE, op[1])  # type: ignore[arg-type]
        direct = [tuple(r) for r in await db.fetch_all(DIRECT, (ALICE,))]
        rollup = [tuple(r) for r in await db.fetch_all(ROLLUP, (ALICE,))]
        assert rollup == direct
    finally:
        await db.close()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
def test_rollup_always_equals_the_entries(tmp_path: Path, ops: list[tuple[object, ...]]) -> None:
    path = tmp_path / f"rollup-{abs(hash(tuple(ops)))}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    asyncio.run(_replay(path, ops))


_FORMER_COMMUNITY_SQL = (
    "SELECT d.user_id, d.currency, d.platform, d.kind, d.state, "
    "CAST(SUM(d.entries) AS BIGINT), CAST(SUM(d.amount_cents) AS BIGINT), "
    "CAST(SUM(d.minutes) AS BIGINT), CAST(SUM(d.timed_amount_cents) AS BIGINT), "
    "CAST(SUM(d.untimed) AS BIGINT) FROM (SELECT user_id FROM earnings_sharing WHERE guild_id = :g) AS s "
    "JOIN earnings_daily d ON d.user_id = s.user_id AND d.work_date BETWEEN :s AND :e "
    "GROUP BY d.user_id, d.currency, d.platform, d.kind, d.state"
)


@pytest.mark.parametrize("seed", range(6))
async def test_community_hourly_equals_the_former_per_bucket_computation(
    db: Database, seed: int
) -> None:
    """The per-member SQL sums give what every bucket through exact fractions gave."""
    import random

    from tests.cogs.earnings.test_maths import _reference_community

    rng = random.Random(seed)
    guild = 70 + seed
    for uid in range(1_000, 1_000 + rng.randint(5, 25)):
        await E.set_sharing(db, guild, uid, True, 1)
        for _ in range(rng.randint(0, 8)):
            day = f"2026-11-{rng.randint(20, 30):02d}"
            platform = rng.choice(["MTurk", "Prolific", "Toloka", None])
            if rng.random() < 0.25:
                entry = E.NewEntry(
                    kind="unpaid",
                    work_date=day,
                    minutes=rng.randint(1, 600),
                    platform=platform,
                    reason=rng.choice(["searching", "other"]),
                )
            else:
                entry = task(
                    day,
                    kind=rng.choice(["task", "task", "bonus"]),
                    status=rng.choice(["approved", "pending", "rejected", "returned"]),
                    amount_cents=rng.randint(0, 50_000),
                    currency=rng.choice(["USD", "USD", "GBP"]),
                    minutes=rng.choice([None, rng.randint(1, 900)]),
                    platform=platform or "Appen",
                )
            await E.add_entry(db, uid, entry, 1)
    params = {"g": guild, "s": WEEK.start.isoformat(), "e": WEEK.end.isoformat()}
    rows = await db.fetch_all(_FORMER_COMMUNITY_SQL, params)
    expected = _reference_community([E.Bucket(str(r[0]), *tuple(r)[1:]) for r in rows])
    assert await community_hourly(db, guild, WEEK.start, WEEK.end) == expected
