"""The earnings repository gives the same records on SQLite and PostgreSQL, on random logs.

Where the two differ the bugs hide in plain sight: PostgreSQL sums BIGINTs as NUMERIC
(`Decimal` in Python, which compares equal to the `int` SQLite gives, and then breaks the
integer maths), gives comparisons as `bool`, sorts NULLs last, and may return groups in
any order. So the same random log is written to both stores and every read is compared
with the *types* of its values, not only their values.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cogs.earnings.community import community_hourly
from cogs.earnings.rules import Period
from cogs.earnings.summary import summary as member_summary
from db import earnings as E
from db.connection import Database
from db.earnings import summaries
from db.migrate import migrate
from db.postgres.database import PgDatabase
from db.store import Store
from db.url import DatabaseUrl
from tests.pg_processes import typed

PERIOD = Period("week", date(2026, 11, 23), date(2026, 11, 29))
DAYS = [f"2026-11-{d:02d}" for d in range(21, 31)]  # some outside the period
NAMES = ["Acme", "ACME ", "Élan", "elan", "Zeta Labs", "ab", "Ab Corp", None]

#: Every example writes members and a server no earlier example used, so both stores are
#: opened once per test and examples never see each other's rows.
_ids = itertools.count(1)

entry_ops = st.one_of(
    st.tuples(
        st.just("add"),
        st.sampled_from(["task", "task", "bonus", "unpaid"]),
        st.sampled_from(DAYS),
        st.sampled_from(["pending", "approved", "rejected", "returned"]),
        # Up to 20 million dollars an entry: sums pass 2**31, as BIGINT must hold.
        st.integers(0, 2_000_000_000),
        st.one_of(st.none(), st.integers(1, 1440)),
        st.sampled_from(["USD", "GBP", "EUR"]),
        st.sampled_from(["MTurk", "Prolific", "mturk", None]),
        st.sampled_from(NAMES),
    ),
    st.tuples(st.just("status"), st.integers(1, 10), st.sampled_from(["approved", "rejected"])),
    st.tuples(st.just("bulk"), st.lists(st.integers(1, 10), max_size=4), st.just("pending")),
    st.tuples(st.just("delete"), st.integers(1, 10)),
)
member_logs = st.lists(st.lists(entry_ops, max_size=10), min_size=5, max_size=7)


def _new_entry(op: tuple[Any, ...], uid: str) -> E.NewEntry:
    _, kind, day, status, amount, minutes, currency, platform, name = op
    if kind == "unpaid":
        return E.NewEntry(
            kind="unpaid",
            work_date=day,
            minutes=minutes or 30,
            platform=platform,
            reason="searching",
            uid=uid,
        )
    return E.NewEntry(
        kind=kind,
        work_date=day,
        status=status,
        amount_cents=amount,
        currency=currency,
        minutes=minutes,
        platform=platform or "Appen",
        requester_name=name,
        uid=uid,
    )


async def _write(db: Store, users: list[int], guild: int, logs: list[list[Any]]) -> None:
    for user_id, log in zip(users, logs, strict=True):
        await E.set_sharing(db, guild, user_id, True, 1)
        for n, op in enumerate(log):
            if op[0] == "add":
                await E.add_entry(db, user_id, _new_entry(op, f"u{n}"), 1_000 + n)
            elif op[0] == "status":
                await E.set_status(db, user_id, op[1], op[2], 2_000 + n)
            elif op[0] == "bulk":
                await E.set_status_many(db, user_id, op[1], op[2], 2_000 + n)
            else:
                await E.delete_entry(db, user_id, op[1])


async def _reads(db: Store, users: list[int], guild: int) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for user_id in users:
        found[f"{user_id}"] = {
            "entries": await E.all_entries(db, user_id),
            "buckets": await summaries.day_buckets(db, user_id, PERIOD.start, PERIOD.end),
            "top": await summaries.top_requesters(db, user_id, PERIOD.start, PERIOD.end, top=3),
            "summary": await member_summary(db, user_id, PERIOD, top=3),
            "own": [await E.own_requesters(db, user_id, t, limit=3) for t in ("", "a", "él")],
            "recent": await E.recent_entries(db, user_id, 4, typed="1"),
            "pending": await E.pending_entries(db, user_id, 3),
            "platforms": await E.own_platforms(db, user_id, 3),
            "minutes": await E.logged_minutes(
                db, user_id, 0, 10**6, first_day=DAYS[0], last_day=DAYS[-1]
            ),
            "earned": [
                await summaries.day_earned(db, user_id, date.fromisoformat(d), c)
                for d in DAYS[2:5]
                for c in ("USD", "GBP")
            ],
            "count": await E.entry_count(db, user_id),
            "export": await E.export_member(db, user_id),
        }
    found["groups"] = await E.community_groups(db, guild, PERIOD.start, PERIOD.end)
    found["everywhere"] = [
        g for g in await E.community_groups(db, None, PERIOD.start, PERIOD.end) if g[0] in users
    ]
    found["hourly"] = await community_hourly(db, guild, PERIOD.start, PERIOD.end)
    return found


async def _compare(sqlite_path: Path, pg_url: DatabaseUrl, logs: list[list[Any]]) -> None:
    lite = await Database.open(sqlite_path)
    post = await PgDatabase.open(pg_url, min_size=1, max_size=2)
    try:
        await migrate(lite)
        base = next(_ids) * 100
        users, guild = [base + k for k in range(len(logs))], base
        await _write(lite, users, guild, logs)
        await _write(post, users, guild, logs)
        expected, got = await _reads(lite, users, guild), await _reads(post, users, guild)
        for name, value in expected.items():
            parts = value.items() if isinstance(value, dict) else [(None, value)]
            for part, wanted in parts:
                found = got[name] if part is None else got[name][part]
                assert typed(found) == typed(wanted), (name, part, found, wanted)
    finally:
        await lite.close()
        await post.close()


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(logs=member_logs)
def test_both_stores_give_the_same_records(
    tmp_path: Path, pg_url: DatabaseUrl, logs: list[list[Any]]
) -> None:
    asyncio.run(_compare(tmp_path / "parity.db", pg_url, logs))


@pytest.mark.both_backends
async def test_a_requester_key_without_a_name_sorts_where_sqlite_sorts_it(db: Database) -> None:
    """NULL names sort first on both stores (PostgreSQL would put them last), so the
    autocomplete's LIMIT keeps the same rows whichever store answers."""
    columns = (
        "user_id, number, uid, kind, status, amount_cents, currency, minutes, platform, "
        "requester_name, requester_key, work_date, source, created_at, updated_at"
    )
    for number, name, key in ((1, "Acme", "acme"), (2, None, "anon"), (3, "Able", "able")):
        await db.execute(
            f"INSERT INTO earnings ({columns}) VALUES "
            "(?, ?, ?, 'task', 'approved', 100, 'USD', 5, 'MTurk', ?, ?, '2026-11-24', "
            "'manual', 1, 1)",
            (7, number, f"n{number}", name, key),
        )
    # The nameless key takes the first place, and a name without text is never offered.
    assert await E.own_requesters(db, 7, "a", limit=2) == ["Able"]
    assert await E.own_requesters(db, 7, "a", limit=3) == ["Able", "Acme"]
