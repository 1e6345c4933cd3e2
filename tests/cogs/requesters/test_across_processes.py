"""The requesters' limits and upserts stay exact when several processes share PostgreSQL.

Each "process" is a `PgDatabase` pool of its own on one database: READ COMMITTED lets two
statements on different connections both pass a "count, then insert" check unless the
limit's key is locked first (`db.cross_process`). Every test fires many attempts at once,
split across the two pools, and then reads the rows. The upsert tests run on both
backends: many coroutines writing the same key must leave exactly one row.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from db import platforms, reports, requesters, reviews
from db.connection import Database
from db.platforms import AddRefusedError
from db.postgres.database import PgDatabase
from db.reports import ReportRefusedError
from db.reviews import ReviewRefusedError
from db.url import DatabaseUrl
from tests.cogs.requesters.helpers import file_report

NOW = 1_790_000_000
DAY = 86_400
SCORES = {"pay": 4, "fast": 4, "fair": 4, "communication": 4}
ATTEMPTS = 24


@pytest.fixture
async def two_processes(pg_url: DatabaseUrl) -> AsyncIterator[tuple[PgDatabase, PgDatabase]]:
    """Two independent pools on one PostgreSQL database, as two bot processes hold."""
    first = await PgDatabase.open(pg_url, min_size=4, max_size=8)
    second = await PgDatabase.open(pg_url, min_size=4, max_size=8)
    yield first, second
    await first.close()
    await second.close()


async def _race(
    stores: tuple[PgDatabase, PgDatabase],
    attempt: Callable[[PgDatabase, int], Awaitable[Any]],
    refused: type[Exception],
) -> int:
    """Run `ATTEMPTS` attempts at once, alternating stores; how many were refused."""
    results = await asyncio.gather(
        *(attempt(stores[i % 2], i) for i in range(ATTEMPTS)), return_exceptions=True
    )
    unexpected = [r for r in results if isinstance(r, BaseException) and not isinstance(r, refused)]
    assert not unexpected, unexpected
    return sum(isinstance(r, refused) for r in results)


async def test_the_daily_review_limit_holds_across_processes(
    two_processes: tuple[PgDatabase, PgDatabase],
) -> None:
    first = two_processes[0]
    subjects = [
        await requesters.upsert(first, "mturk", None, f"Lab {i}", NOW) for i in range(ATTEMPTS)
    ]

    async def review(db: PgDatabase, i: int) -> reviews.Review:
        return await reviews.save(
            db,
            "requester",
            subjects[i].id,
            author_id=7,
            guild_id=1,
            scores=SCORES,
            experience="none",
            body=None,
            now=NOW,
            since=NOW - DAY,
            daily_limit=3,
        )

    assert await _race(two_processes, review, ReviewRefusedError) == ATTEMPTS - 3
    assert await first.fetch_value("SELECT COUNT(*) FROM reviews WHERE author_id = 7") == 3


async def test_the_daily_report_limit_holds_across_processes(
    two_processes: tuple[PgDatabase, PgDatabase],
) -> None:
    first = two_processes[0]
    targets = [
        await requesters.upsert(first, "mturk", None, f"Lab {i}", NOW) for i in range(ATTEMPTS)
    ]

    async def report(db: PgDatabase, i: int) -> reports.Report:
        return await file_report(db, targets[i].id, 5)

    assert await _race(two_processes, report, ReportRefusedError) == ATTEMPTS - 3
    assert await first.fetch_value("SELECT COUNT(*) FROM reports WHERE reporter_id = 5") == 3


async def test_one_open_report_per_requester_holds_across_processes(
    two_processes: tuple[PgDatabase, PgDatabase],
) -> None:
    first = two_processes[0]
    acme = await requesters.upsert(first, "mturk", None, "Acme", NOW)

    async def report(db: PgDatabase, i: int) -> reports.Report:
        # From two servers, so the daily limit (per server) is not what stops them.
        return await file_report(db, acme.id, 5, guild_id=1 + i % 2, daily_limit=ATTEMPTS)

    assert await _race(two_processes, report, ReportRefusedError) == ATTEMPTS - 1
    assert await first.fetch_value("SELECT COUNT(*) FROM reports WHERE state = 'open'") == 1


async def test_the_platform_limit_per_server_holds_across_processes(
    two_processes: tuple[PgDatabase, PgDatabase],
) -> None:
    first = two_processes[0]

    async def add(db: PgDatabase, i: int) -> platforms.Platform:
        async with db.transaction():
            return await platforms.add_to_server(db, 9, f"site{i}", f"Site {i}", NOW, limit=2)

    assert await _race(two_processes, add, AddRefusedError) == ATTEMPTS - 2
    assert await first.fetch_value("SELECT COUNT(*) FROM platform_servers WHERE guild_id = 9") == 2


# -- many writers of one key: exactly one row (both backends) -------------------------------


async def test_concurrent_upserts_of_one_requester_make_one_record(store: Database) -> None:
    found = await asyncio.gather(
        *(
            requesters.upsert(store, "mturk", "A1B2C3D4E5F6G7", f"Acme {i % 3}", NOW + i)
            for i in range(ATTEMPTS)
        ),
        *(requesters.upsert(store, "mturk", None, "Zeta Lab", NOW) for _ in range(ATTEMPTS)),
    )
    assert len({r.id for r in found[:ATTEMPTS]}) == 1
    assert len({r.id for r in found[ATTEMPTS:]}) == 1
    assert await store.fetch_value("SELECT COUNT(*) FROM requesters") == 2


async def test_concurrent_sightings_of_another_name_count_each_one(store: Database) -> None:
    acme = await requesters.upsert(store, "mturk", "A1B2C3D4E5F6G7", "Acme", NOW)
    await asyncio.gather(
        *(
            requesters.note_name(store, acme.id, "Acme Old", source="share", guild_id=1, now=NOW)
            for _ in range(ATTEMPTS)
        )
    )
    rows = await store.fetch_all("SELECT name, times FROM requester_names")
    assert [(r["name"], r["times"]) for r in rows] == [("Acme Old", ATTEMPTS)]
