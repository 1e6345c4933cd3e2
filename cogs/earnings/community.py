"""The community statistics members see: snapshots that a before/after pair cannot invert.

Exact statistics recomputed on every call give a member's own rate away: "median $9.00,
5 members" then "$9.50, 6 members" after one member opts in is 2 × 9.50 − 9.00. What
`/earnings community`, `/platform info`/`compare` and the server digest show is therefore
built here, one way for all of them:

1. **Membership is fixed per week.** Only members who opted in before the start of the
   current week (Monday 00:00 UTC) count, so an opt-in changes nothing until the next
   Monday, when it is mixed with a whole week of everyone's new work.
2. **Data is fixed per day.** Only work dated before today (UTC) counts, and the figures
   are computed once per server, window and day, then reused until the day ends: an
   opt-out, a departure or an erasure counts from the next day's snapshot, together with
   everyone's work of that day.
3. **Figures are coarse.** Medians and quartiles are rounded to the nearest 0.50 of the
   currency, and the number of members is a band (5–9, 10–24, …), never an exact count.
4. **The k-anonymity floor stays**: a platform with fewer than five contributors shows
   nothing.

See docs/earnings.md ("Community statistics") for what this protects and what it does not.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from datetime import UTC, date, datetime, time, timedelta

from cogs.earnings.stats import PlatformHourly, community_rows, publish
from db import earnings as earnings_db
from db.connection import Database
from db.models import built

#: Snapshots kept in memory per database (one per server, window and day asked for).
_KEEP = 512
_Key = tuple[int | None, date, date, date]
_snapshots: weakref.WeakKeyDictionary[Database, OrderedDict[_Key, list[PlatformHourly]]] = (
    weakref.WeakKeyDictionary()
)


async def community_hourly(
    db: Database,
    guild_id: int | None,
    start: date,
    end: date,
    *,
    members_before: int | None = None,
    dates_before: date | None = None,
) -> list[PlatformHourly]:
    """Exact quartiles of effective hourly by platform among members who opted in.

    `guild_id` limits it to members sharing with that server (None: every server).
    `start` and `end` are inclusive dates. Only (platform, currency) groups with at least
    `stats.K_ANONYMITY` contributing members are returned. These are exact figures: what
    is shown to members goes through `snapshot`, which fixes `members_before` (only
    members who opted in before that instant count) and `dates_before` (only work dated
    before that day counts) and coarsens the result.
    """
    if dates_before is not None:
        end = min(end, date.fromordinal(dates_before.toordinal() - 1))
    groups = await earnings_db.community_groups(
        db, guild_id, start, end, members_before=members_before
    )
    # A big server's 90 days are tens of thousands of groups: worked out in a thread.
    return await built(community_rows, groups)


def snapshot_bounds(now: datetime) -> tuple[int, date]:
    """(members opted in before this epoch count, work dated before this day counts)."""
    today = now.astimezone(UTC).date()
    week_start = today - timedelta(days=today.weekday())
    members_before = int(datetime.combine(week_start, time(0), UTC).timestamp())
    return members_before, today


async def snapshot(
    db: Database, guild_id: int | None, start: date, end: date, now: datetime
) -> list[PlatformHourly]:
    """The published community hourly of a server for a window of work dates."""
    members_before, today = snapshot_bounds(now)
    kept = _snapshots.setdefault(db, OrderedDict())
    key = (guild_id, start, end, today)
    found = kept.get(key)
    if found is not None:
        kept.move_to_end(key)
        return found
    exact = await community_hourly(
        db, guild_id, start, end, members_before=members_before, dates_before=today
    )
    published = publish(exact)
    kept[key] = published
    while len(kept) > _KEEP:
        kept.popitem(last=False)
    return published
