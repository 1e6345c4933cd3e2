"""Pure rules for digests: when one is due, what it covers.

Also what input is valid (times of day, zones, days of the week, sections). How a long
digest is cut to Discord's limits is in `cogs.digests.layout`.

No discord import (directly or indirectly): the scheduler's decisions and the splitting
are property-tested on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.errors import UserError

#: A bot that was down at the scheduled time still sends the missed digest at start-up
#: when it is less late than this; later than that, the period is recorded as skipped
#: (a "daily" digest arriving in the evening helps no one and would cover a stale day).
CATCH_UP_GRACE = timedelta(hours=3)

DEFAULT_TIMEZONE = "America/Los_Angeles"  # the MTurk day
DEFAULT_HOUR = 8
DEFAULT_MINUTE = 0

WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)


class Cadence(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"


class Section(StrEnum):
    """The parts of a server digest a moderator can turn on or off, in display order."""

    BEST_TASKS = "best_tasks"
    STATS = "stats"
    REQUESTERS = "requesters"
    REPORTS = "reports"
    WAGES = "wages"
    THANKS = "thanks"


ALL_SECTIONS: tuple[Section, ...] = tuple(Section)


# -- schedules and periods ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Schedule:
    """A time of day in a zone, every day or on one weekday."""

    cadence: Cadence
    hour: int = DEFAULT_HOUR
    minute: int = DEFAULT_MINUTE
    timezone: str = DEFAULT_TIMEZONE
    weekday: int = 0  # 0 = Monday; only used by weekly schedules

    def __post_init__(self) -> None:
        if not (0 <= self.hour <= 23 and 0 <= self.minute <= 59 and 0 <= self.weekday <= 6):
            msg = f"invalid schedule {self}"
            raise ValueError(msg)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def step_days(self) -> int:
        return 7 if self.cadence is Cadence.WEEKLY else 1


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One scheduled send: which period it is, when it is due, what window it covers.

    The window runs from the previous occurrence to this one, so consecutive digests
    cover time without gaps or overlaps whatever the clocks did in between (a daily
    window is 23 or 25 hours long on daylight-saving days).
    """

    cadence: Cadence
    local_date: date
    period_key: str
    due_at: datetime  # UTC
    window_start: datetime  # UTC, inclusive
    window_end: datetime  # UTC, exclusive (== due_at)


def period_key(cadence: Cadence, local_date: date) -> str:
    """`2026-11-26` for a daily digest, the ISO week `2026-W48` for a weekly one."""
    if cadence is Cadence.WEEKLY:
        year, week, _ = local_date.isocalendar()
        return f"{year}-W{week:02d}"
    return local_date.isoformat()


def due_instant(schedule: Schedule, local_date: date) -> datetime:
    """The UTC instant of the scheduled time on `local_date` in the schedule's zone.

    A time that does not exist that day (02:30 when clocks jump from 02:00 to 03:00)
    is sent as many minutes after the jump (03:30); a time that happens twice (01:30
    when clocks fall back) is sent the first time. Either way, exactly once that day.
    """
    local = datetime.combine(local_date, time(schedule.hour, schedule.minute), schedule.zone)
    return local.astimezone(UTC)


def _occurrence(schedule: Schedule, local_date: date) -> Occurrence:
    due = due_instant(schedule, local_date)
    start = due_instant(schedule, local_date - timedelta(days=schedule.step_days))
    return Occurrence(
        cadence=schedule.cadence,
        local_date=local_date,
        period_key=period_key(schedule.cadence, local_date),
        due_at=due,
        window_start=start,
        window_end=due,
    )


def latest_occurrence(schedule: Schedule, now: datetime) -> Occurrence:
    """The most recent occurrence due at or before `now`."""
    local_day = now.astimezone(schedule.zone).date()
    if schedule.cadence is Cadence.WEEKLY:
        local_day -= timedelta(days=(local_day.weekday() - schedule.weekday) % 7)
    occurrence = _occurrence(schedule, local_day)
    if occurrence.due_at > now:
        occurrence = _occurrence(schedule, local_day - timedelta(days=schedule.step_days))
    return occurrence


def next_occurrence(schedule: Schedule, now: datetime) -> Occurrence:
    """The first occurrence due strictly after `now` (what /digest preview announces)."""
    latest = latest_occurrence(schedule, now)
    return _occurrence(schedule, latest.local_date + timedelta(days=schedule.step_days))


def work_dates(occurrence: Occurrence) -> tuple[date, date]:
    """The whole local days a digest reports earnings for: those before its send date.

    Earnings are dated by day in the member's own zone, not by instant, so the digest
    sent on the 26th reports the 25th (a weekly one, the seven days before).
    """
    step = 7 if occurrence.cadence is Cadence.WEEKLY else 1
    return occurrence.local_date - timedelta(days=step), occurrence.local_date - timedelta(days=1)


class Decision(StrEnum):
    SEND = "send"  # due and not too late: claim the period and send it
    SKIP = "skip"  # missed by more than the grace: record it as skipped
    NOT_DUE = "not_due"  # the schedule did not exist yet when this occurrence was due


def decide(occurrence: Occurrence, now: datetime, since: datetime) -> Decision:
    """What to do about the latest occurrence, on a scheduled fire or at start-up."""
    if occurrence.due_at < since:
        return Decision.NOT_DUE
    if now - occurrence.due_at > CATCH_UP_GRACE:
        return Decision.SKIP
    return Decision.SEND


# -- input validation ------------------------------------------------------------------------

_TIME = re.compile(
    r"^\s*(?P<h>\d{1,2})(?:\s*(?:[:h.]\s*(?P<m>\d{2})?))?\s*(?P<ampm>[ap]\.?\s*m\.?)?\s*$",
    re.IGNORECASE | re.ASCII,
)


def parse_time_of_day(text: str) -> tuple[int, int]:
    """`08:00`, `8`, `8:30`, `8h30`, `20h`, `8pm`, `8:30 a.m.` → (hour, minute).

    Both the English and the French ways of writing a time are accepted, because the
    member's client does not tell us which one they will type.
    """
    match = _TIME.match(text or "")
    if not match:
        raise UserError("digests.errors.bad_time", text=(text or "")[:20])
    hour = int(match["h"])
    minute = int(match["m"] or 0)
    ampm = (match["ampm"] or "").lower().replace(".", "").replace(" ", "")
    if ampm:
        if not 1 <= hour <= 12:
            raise UserError("digests.errors.bad_time", text=text[:20])
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise UserError("digests.errors.bad_time", text=text[:20])
    return hour, minute


def format_time_of_day(hour: int, minute: int) -> str:
    return f"{hour:02d}:{minute:02d}"


@cache
def known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


@cache
def _zones_by_folded_name() -> dict[str, str]:
    return {zone.casefold(): zone for zone in known_timezones()}


def normalize_timezone(text: str) -> str:
    """Validate an IANA zone name, forgiving case and spaces (`europe/paris`, `New York`).

    Raises `UserError` for anything else, so a typo is never stored and scheduled.
    """
    value = "_".join((text or "").strip().split())
    found = _zones_by_folded_name().get(value.casefold())
    if found is None:
        matches = [z for z in known_timezones() if z.casefold().endswith("/" + value.casefold())]
        found = sorted(matches)[0] if len(matches) == 1 else None
    if found is None:
        raise UserError("digests.errors.bad_timezone", text=(text or "")[:40])
    try:
        ZoneInfo(found)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError("digests.errors.bad_timezone", text=(text or "")[:40]) from None
    return found


def usable_timezone(name: str | None) -> str:
    """A stored zone if it still loads, else the default.

    A zone renamed or removed from the system's database must not stop a server's
    digest, or crash its scheduling.
    """
    if name:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return DEFAULT_TIMEZONE
        return name
    return DEFAULT_TIMEZONE


def timezone_suggestions(text: str, limit: int = 25) -> list[str]:
    """Zones for autocomplete: those containing what was typed, shortest first."""
    needle = "_".join((text or "").strip().split()).casefold()
    zones = [z for z in known_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))]
    if needle:
        zones = [z for z in zones if needle in z.casefold()]
    zones.sort(key=lambda z: (not z.casefold().startswith(needle), len(z), z))
    return zones[:limit]


def validate_weekday(value: int) -> int:
    """discord.py does not re-check `choices`; a forged value must not reach the database."""
    if not isinstance(value, int) or not 0 <= value <= 6:
        raise UserError("digests.errors.bad_weekday")
    return value


def validate_cadences(daily: bool, weekly: bool) -> None:
    if not daily and not weekly:
        raise UserError("digests.errors.no_cadence")


def parse_section(value: str) -> Section:
    try:
        return Section(value)
    except ValueError:
        raise UserError("digests.errors.bad_section", text=str(value)[:30]) from None


def parse_cadence_choice(value: str) -> Cadence | None:
    """The member's `/digest me` choice: daily, weekly, or off (None)."""
    if value == "off":
        return None
    try:
        return Cadence(value)
    except ValueError:
        raise UserError("digests.errors.bad_cadence", text=str(value)[:20]) from None
