"""A digest period is claimed exactly once when several processes fire it on PostgreSQL.

`db.digests.claim` is one `INSERT … ON CONFLICT DO NOTHING RETURNING id` on the ledger's
unique key: PostgreSQL makes a second inserter of the same key wait for the first and then
do nothing, whichever process it runs in. Two pools on one database stand for two bot
processes firing the same minute's digest (a restart, a catch-up, two shard groups).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from db import digests
from db.postgres.database import PgDatabase
from db.url import DatabaseUrl
from tests.pg_processes import two_processes

GUILD_ID = 1_300_000_000_000_000_000
DUE = 1_780_000_000


def key(period: str = "2026-11-24", owner: int = GUILD_ID) -> digests.RunKey:
    return digests.RunKey(digests.GUILD, owner, "daily", period, DUE)


@pytest.fixture
async def processes(pg_url: DatabaseUrl) -> AsyncIterator[tuple[PgDatabase, PgDatabase]]:
    async with two_processes(pg_url) as pair:
        yield pair


async def ledger_rows(db: PgDatabase) -> list[tuple[str, str, str]]:
    rows = await db.fetch_all(
        "SELECT period_key, cadence, status FROM digest_runs ORDER BY period_key, cadence"
    )
    return [tuple(row) for row in rows]


async def test_two_processes_claiming_one_period_get_one_claim(
    processes: tuple[PgDatabase, PgDatabase],
) -> None:
    claims = await asyncio.gather(
        *(digests.claim(processes[i % 2], key(), DUE + i) for i in range(30))
    )
    won = [run_id for run_id in claims if run_id is not None]
    assert len(won) == 1 and isinstance(won[0], int)
    for db in processes:
        assert await ledger_rows(db) == [("2026-11-24", "daily", "claimed")]


async def test_a_claim_and_a_skip_of_the_same_period_record_one_of_them(
    processes: tuple[PgDatabase, PgDatabase],
) -> None:
    """A late catch-up (skip) racing the scheduled send (claim): one record, never both."""
    first, second = processes
    outcomes = await asyncio.gather(
        *(digests.claim(first, key(), DUE) for _ in range(10)),
        *(digests.record_skipped(second, key(), DUE, "late") for _ in range(10)),
    )
    claimed = [o for o in outcomes[:10] if o is not None]
    skipped = [o for o in outcomes[10:] if o]
    assert len(claimed) + len(skipped) == 1
    rows = await ledger_rows(first)
    assert len(rows) == 1 and rows[0][2] in {"claimed", "skipped"}
    assert rows[0][2] == ("claimed" if claimed else "skipped")


async def test_each_period_and_cadence_is_claimed_once_across_processes(
    processes: tuple[PgDatabase, PgDatabase],
) -> None:
    periods = [f"2026-11-{day:02d}" for day in range(20, 27)]
    keys = [key(p) for p in periods] + [
        digests.RunKey(digests.GUILD, GUILD_ID, "weekly", "2026-W48", DUE)
    ]
    claims = await asyncio.gather(
        *(digests.claim(processes[i % 2], k, DUE) for i in range(4) for k in keys)
    )
    assert sum(run_id is not None for run_id in claims) == len(keys)
    rows = await ledger_rows(processes[1])
    assert len(rows) == len(keys) and {status for *_, status in rows} == {"claimed"}
    # The winner finishes its run; a later fire of the same period still finds it taken.
    first_period = [claims[i * len(keys)] for i in range(4)]  # every fire of keys[0]
    (run_id,) = [r for r in first_period if r is not None]
    await digests.finish(processes[0], run_id, "sent", DUE + 60, channel_id=1, message_id=2)
    assert await digests.claim(processes[1], keys[0], DUE + 120) is None
