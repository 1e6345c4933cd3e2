"""On PostgreSQL, autocomplete's prefix ranges stay index scans (the SQLite twin reads
`EXPLAIN QUERY PLAN` in test_db.py).

The ranges compare by code point: `name_key` is `COLLATE "C"`, and `platform_requester_id`
relies on the database's `C.UTF-8` collation (docs/postgresql.md); a `COLLATE` in the
query would make its index unusable. Tables this small are read whole by the planner, so
sequential scans are priced out for the `EXPLAIN`: what is left is whether an index *can*
serve the range.
"""

from __future__ import annotations

from db import requesters
from db.dialect import text_for
from db.postgres.database import PgDatabase
from db.url import DatabaseUrl

NOW = 1_790_000_000


async def test_autocomplete_ranges_use_indexes(pg_url: DatabaseUrl) -> None:
    db = await PgDatabase.open(pg_url, min_size=1, max_size=1)
    try:
        await requesters.upsert(db, "mturk", "A1B2C3D4E5F6G7", "Acme Research", NOW)
        captured: list[tuple[str, object]] = []
        fetch_all = db.fetch_all

        async def recording(sql: str, params: object = ()) -> list[object]:
            captured.append((sql, params))
            return await fetch_all(sql, params)  # type: ignore[arg-type]

        db.fetch_all = recording  # type: ignore[method-assign]
        assert [h.requester.name for h in await requesters.search(db, "a1b2")] == ["Acme Research"]
        db.fetch_all = fetch_all  # type: ignore[method-assign]
        ((sql, params),) = captured
        async with db.transaction() as tx:
            await tx.execute("SET LOCAL enable_seqscan = off")
            plan = "\n".join(
                row[0]
                for row in await tx.execute_fetchall(
                    "EXPLAIN " + text_for(sql, "postgresql"), params
                )
            )
        assert "requesters_name_key" in plan
        assert "requesters_platform_id_any" in plan
        assert "Seq Scan on requesters" not in plan
    finally:
        await db.close()
