"""Entry numbers stay exact when several processes write one member's log on PostgreSQL.

An entry's number is the member's `MAX(number) + 1`. On SQLite one writer runs at a time;
on PostgreSQL two processes could read the same MAX, and the second insert would then fail
on `earnings_user_number`. Every insert of entries holds the member's numbers first
(`db.earnings.entries.hold_numbers`). Here two pools on one database (two "processes")
write concurrently, and the log must come out numbered 1..N with nothing lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from db import earnings as E
from db.postgres.database import PgDatabase
from db.url import DatabaseUrl
from tests.pg_processes import two_processes

ALICE, BOB = 101, 202
DAY = "2026-11-24"


def task(uid: str, minutes: int = 10) -> E.NewEntry:
    return E.NewEntry(
        kind="task",
        work_date=DAY,
        status="approved",
        amount_cents=150,
        currency="USD",
        minutes=minutes,
        platform="MTurk",
        requester_name="Acme",
        uid=uid,
    )


@pytest.fixture
async def processes(pg_url: DatabaseUrl) -> AsyncIterator[tuple[PgDatabase, PgDatabase]]:
    async with two_processes(pg_url) as pair:
        yield pair


async def numbers(db: PgDatabase, user_id: int) -> list[int]:
    return [e.number for e in await E.all_entries(db, user_id)]


async def rollup_entries(db: PgDatabase, user_id: int) -> int:
    value = await db.fetch_value(
        "SELECT CAST(COALESCE(SUM(entries), 0) AS BIGINT) FROM earnings_daily WHERE user_id = ?",
        (user_id,),
    )
    return int(value)


async def test_concurrent_entries_from_two_processes_are_numbered_once_each(
    processes: tuple[PgDatabase, PgDatabase],
) -> None:
    n = 40
    results = await asyncio.gather(
        *(E.add_entry(processes[i % 2], ALICE, task(f"a{i}"), 1_000 + i) for i in range(n)),
        *(E.add_entry(processes[i % 2], BOB, task(f"b{i}"), 1_000 + i) for i in range(5)),
    )
    alice = [entry.number for entry in results if entry.user_id == ALICE]
    assert sorted(alice) == list(range(1, n + 1))  # each number handed out once
    for db in processes:  # what either process reads back
        assert sorted(await numbers(db, ALICE)) == list(range(1, n + 1))
        assert sorted(await numbers(db, BOB)) == [1, 2, 3, 4, 5]
        assert await rollup_entries(db, ALICE) == n


async def test_imports_shifts_and_single_entries_share_one_numbering(
    processes: tuple[PgDatabase, PgDatabase],
) -> None:
    """Every path that inserts entries takes the same lock: none of them collide."""
    first, second = processes
    shift = await E.start_shift(first, ALICE, "MTurk", 1_000, start_day=DAY)
    assert shift is not None
    imports = [[task(f"imp{k}-{j}") for j in range(6)] for k in range(4)]
    outcomes = await asyncio.gather(
        *(E.import_entries(processes[k % 2], ALICE, rows, 2_000) for k, rows in enumerate(imports)),
        *(
            E.add_entry(processes[i % 2], ALICE, task(f"one{i}", minutes=1), 1_500)
            for i in range(12)
        ),
        E.finish_shift(
            second,
            ALICE,
            shift.id,
            1_000 + 600 * 60,
            worked_minutes=600,
            work_date=DAY,
            first_day=DAY,
            last_day=DAY,
        ),
    )
    imported = [o for o in outcomes if isinstance(o, E.ImportOutcome)]
    assert [(o.added, o.skipped) for o in imported] == [(6, 0)] * 4
    finished = outcomes[-1]
    assert isinstance(finished, E.ShiftResult) and finished.entry is not None
    total = 4 * 6 + 12 + 1
    assert sorted(await numbers(first, ALICE)) == list(range(1, total + 1))
    assert await rollup_entries(second, ALICE) == total
    # An import's rows are numbered in order, in one block no other writer interleaves with.
    for rows in imports:
        mine = [
            e.number for e in await E.all_entries(first, ALICE) if e.uid in {r.uid for r in rows}
        ]
        assert mine == list(range(mine[0], mine[0] + len(rows)))


async def test_the_same_import_sent_by_two_processes_adds_its_rows_once(
    processes: tuple[PgDatabase, PgDatabase],
) -> None:
    rows = [task(f"same{j}") for j in range(10)]
    outcomes = await asyncio.gather(
        *(E.import_entries(processes[k % 2], ALICE, rows, 3_000) for k in range(4))
    )
    assert sum(o.added for o in outcomes) == 10
    assert sum(o.skipped for o in outcomes) == 30
    assert sorted(await numbers(processes[1], ALICE)) == list(range(1, 11))
