"""A member's summary for a period: the repository's sums composed by the maths.

The database returns pre-summed records (`db.earnings.day_buckets`, `top_requesters`);
`cogs.earnings.maths.build_summary` turns them into hourly wages. This is the one place
that does both, for `/earnings summary`, the personal digest and the benchmark.
"""

from __future__ import annotations

import asyncio

from cogs.earnings.maths import Summary, build_summary
from cogs.earnings.rules import Period
from db import earnings as earnings_db
from db.connection import Database
from db.models import MANY_ROWS


async def summary(db: Database, user_id: int, period: Period, *, top: int = 10) -> Summary:
    """A member's summary for an inclusive range of their own dates (two queries)."""
    days = await earnings_db.day_buckets(db, user_id, period.start, period.end)
    requesters = (
        await earnings_db.top_requesters(db, user_id, period.start, period.end, top) if days else []
    )
    if len(days) < MANY_ROWS:
        return build_summary(period, days, requesters)
    # A year of a busy worker's log is thousands of (day, platform, currency) buckets.
    return await asyncio.to_thread(build_summary, period, days, requesters)
