"""What a valid earnings entry is, and how days, weeks and periods fall in a member's zone.

Pure rules, no discord import: the cog, the CSV importer and the tests all use them, so a
value refused by `/earnings log` is refused the same way on line 812 of an imported file.
Errors are `UserError`s (or `MoneyError`s) carrying a translation key, never finished text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from bot import money
from bot.errors import UserError
from bot.i18n import Number
from bot.money import from_minor
from bot.personal_data import check_personal_data
from db.earnings.keys import fold

#: Above this many major units (100,000 dollars, euros…; scaled up for currencies worth
#: far less, see `max_amount_major`) an amount is a typo, not a task.
MAX_AMOUNT_MAJOR = 100_000
#: One entry covers at most one day of work.
MAX_MINUTES = 24 * 60
#: How far back an entry may be dated.
MAX_AGE_DAYS = 20 * 366
#: Longest custom range a summary covers.
MAX_RANGE_DAYS = 366

MAX_PLATFORM = 40
MAX_REQUESTER = 100
MAX_TITLE = 200

STATUSES: tuple[str, ...] = ("pending", "approved", "rejected", "returned")
#: Statuses whose money the member has (or expects to have).
PAID: frozenset[str] = frozenset({"pending", "approved"})
#: Work done for nothing: its time is unpaid time.
LOST: frozenset[str] = frozenset({"rejected", "returned"})
KINDS: tuple[str, ...] = ("task", "bonus", "unpaid")
#: Why time was unpaid. Members choose the first three; shifts record the last one.
UNPAID_REASONS: tuple[str, ...] = ("searching", "qualification", "other", "between_tasks")
MEMBER_UNPAID_REASONS: tuple[str, ...] = ("searching", "qualification", "other")
PERIODS: tuple[str, ...] = ("today", "week", "last_week", "month", "last_month", "year", "custom")

#: Canonical spellings of the platforms members use most, keyed by their folded form.
KNOWN_PLATFORMS: dict[str, str] = {
    "mturk": "MTurk",
    "amazon mturk": "MTurk",
    "mechanical turk": "MTurk",
    "amazon mechanical turk": "MTurk",
    "amt": "MTurk",
    "prolific": "Prolific",
    "clickworker": "Clickworker",
    "toloka": "Toloka",
    "uhrs": "UHRS",
    "appen": "Appen",
    "cloudresearch": "CloudResearch Connect",
    "connect": "CloudResearch Connect",
    "cloudresearch connect": "CloudResearch Connect",
    "remotasks": "Remotasks",
    "outlier": "Outlier",
    "dataannotation": "DataAnnotation",
    "data annotation": "DataAnnotation",
    "oneforma": "OneForma",
    "telus": "TELUS International",
    "telus international": "TELUS International",
    "microworkers": "Microworkers",
    "ysense": "ySense",
    "usertesting": "UserTesting",
    "respondent": "Respondent",
}


# -- text ----------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


#: Which common field label names an earnings field in a refusal.
_FIELD_LABELS = {"hittitle": "title", "requesterid": "requester"}


def clean_text(value: str | None, limit: int, field: str) -> str | None:
    """Member-written text as stored: one line, no control characters, within `limit`.

    Over-long text is refused rather than cut, so what is stored is what was typed.
    Mentions and markdown are kept verbatim here and neutralised on display.
    """
    if value is None:
        return None
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", value))
    text = " ".join(text.split())
    if not text:
        return None
    if len(text) > limit:
        raise UserError(f"earnings.errors.too_long_{field}", limit=limit)
    check_personal_data(text, f"common.fields.{_FIELD_LABELS.get(field, field)}")
    return text


def normalize_platform(value: str | None, *, required: bool = True) -> str | None:
    """Known platforms get one spelling (`mturk` → `MTurk`); others are kept as typed."""
    text = clean_text(value, MAX_PLATFORM, "platform")
    if text is None:
        if required:
            raise UserError("earnings.errors.platform_required")
        return None
    return KNOWN_PLATFORMS.get(fold(text), text)


def platform_suggestions(typed: str, own: list[str]) -> list[str]:
    """Autocomplete: the member's own platforms first, then the well-known ones."""
    wanted = fold(typed or "")
    seen: dict[str, str] = {}
    for name in [*own, *dict.fromkeys(KNOWN_PLATFORMS.values())]:
        if wanted in fold(name) and fold(name) not in seen:
            seen[fold(name)] = name
    return list(seen.values())[:25]


# -- statuses and kinds ---------------------------------------------------------------------


def normalize_status(value: str | None, default: str = "pending") -> str:
    status = (value or default).strip().casefold()
    if status not in STATUSES:
        raise UserError("earnings.errors.bad_status", status=(value or "")[:20])
    return status


def normalize_reason(value: str | None) -> str:
    reason = (value or "searching").strip().casefold()
    if reason not in UNPAID_REASONS:
        raise UserError("earnings.errors.bad_reason", reason=(value or "")[:20])
    return reason


# -- money ------------------------------------------------------------------------------------


def check_amount(cents: int, currency: str, *, allow_zero: bool = True) -> int:
    """Refuse negative, zero (when not allowed) and absurd amounts."""
    if cents < 0:
        raise UserError("earnings.errors.negative_amount")
    if cents == 0 and not allow_zero:
        raise UserError("earnings.errors.zero_amount")
    limit = max_amount_major(currency)
    if from_minor(cents, currency) > limit:
        raise UserError("earnings.errors.amount_too_large", limit=Number(limit))
    return cents


def max_amount_major(currency: str) -> int:
    """The largest amount an entry or a goal may have, in the currency's major units.

    100,000 dollar-sized units: ₫100,000 is four dollars, not a typo.
    """
    return MAX_AMOUNT_MAJOR * money.dollar_scale(currency)


def parse_money(
    text: str,
    default_currency: str,
    *,
    allow_zero: bool = True,
    explicit: str | None = None,
) -> tuple[int, str]:
    """`1.50`, `1,50 EUR`, `USD 2`, `£4.50`, `4,50 €` → (minor units, currency), validated.

    A currency symbol or code typed next to the amount names the currency; it must agree
    with `explicit` (the command's currency option) when that is given; an ambiguous
    symbol (`$`, `¥`) is read as the chosen or default currency only when it can be one.
    """
    cents, currency = money.parse_money(text, default_currency, explicit=explicit)
    return check_amount(cents, currency, allow_zero=allow_zero), currency


def check_minutes(minutes: int | None, *, allow_zero: bool = False) -> int:
    """Minutes for one entry: 1 to 1440 (0 allowed for bonuses)."""
    if minutes is None:
        raise UserError("earnings.errors.minutes_required")
    if minutes < 0 or (minutes == 0 and not allow_zero):
        raise UserError("earnings.errors.minutes_zero")
    if minutes > MAX_MINUTES:
        raise UserError("earnings.errors.minutes_too_many", limit=MAX_MINUTES)
    return minutes


# -- time zones and dates ---------------------------------------------------------------------


@cache
def _zone_names() -> tuple[str, ...]:
    names = {n for n in available_timezones() if "/" in n or n == "UTC"}
    names -= {"localtime", "Factory"}
    return tuple(sorted(names))


def normalize_timezone(value: str) -> str:
    """An IANA zone name as the database spells it (`europe/paris` → `Europe/Paris`)."""
    wanted = (value or "").strip().replace(" ", "_")
    by_fold = {n.casefold(): n for n in _zone_names()}
    name = by_fold.get(wanted.casefold())
    if name is None:
        raise UserError("earnings.errors.bad_timezone", timezone=(value or "")[:40])
    return name


def timezone_suggestions(typed: str, current: str | None = None) -> list[str]:
    """Autocomplete: prefix matches on any part of the name first, then substrings."""
    wanted = (typed or "").strip().replace(" ", "_").casefold()
    names = _zone_names()
    if not wanted:
        picks = [current] if current else []
        return [*picks, *[n for n in names if n.startswith(("Europe/", "America/"))]][:25]
    prefix = [n for n in names if any(p.startswith(wanted) for p in n.casefold().split("/"))]
    inner = [n for n in names if wanted in n.casefold() and n not in prefix]
    return [*prefix, *inner][:25]


def local_today(now: datetime, tz: str) -> date:
    """The member's calendar date at instant `now`."""
    return now.astimezone(ZoneInfo(tz)).date()


def local_date_of(instant: int, tz: str) -> date:
    return datetime.fromtimestamp(instant, UTC).astimezone(ZoneInfo(tz)).date()


def shift_entry_dates(
    started_at: int, ended_at: int, start_day: date, tz: str
) -> tuple[date, date]:
    """The first and last dates the entries logged during a shift can carry.

    An entry is dated in the zone in force when it was logged: the one the shift started
    in (whose date was then `start_day`) or, after a change, the member's zone now (`tz`),
    whose date at the start may be a day before. No entry is dated after its own today
    and no zone is a day ahead of UTC, so the day after the end's UTC date closes the
    range. Entries logged during the shift but dated before it started (catching up on
    past days, an import) are not time spent in it and stay out.
    """
    first = min(start_day, local_date_of(started_at, tz))
    last = datetime.fromtimestamp(max(started_at, ended_at), UTC).date() + timedelta(days=1)
    return first, last


def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day as UTC instants (23 or 25 hours around DST)."""
    zone = ZoneInfo(tz)
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    following = day + timedelta(days=1)
    end = datetime(following.year, following.month, following.day, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def week_of(day: date) -> tuple[date, date]:
    """Monday to Sunday (ISO weeks) around `day`."""
    monday = day - timedelta(days=day.weekday())
    return monday, monday + timedelta(days=6)


_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_TODAY_WORDS = frozenset({"today", "aujourd'hui", "aujourdhui", "auj"})
_YESTERDAY_WORDS = frozenset({"yesterday", "hier"})


def parse_day(text: str) -> date | None:
    """`YYYY-MM-DD` → date, or None when it is not one."""
    match = _DATE.match(text or "")
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def parse_work_date(text: str | None, today: date) -> date:
    """The date an entry is for: default today; never in the future, nor decades ago."""
    if text is None or not text.strip():
        return today
    word = text.strip().casefold()
    if word in _TODAY_WORDS:
        return today
    if word in _YESTERDAY_WORDS:
        return today - timedelta(days=1)
    day = parse_day(text)
    if day is None:
        raise UserError("earnings.errors.bad_date", text=text.strip()[:20])
    return check_work_date(day, today)


def check_work_date(day: date, today: date) -> date:
    if day > today:
        raise UserError("earnings.errors.future_date", date=day.isoformat())
    if (today - day).days > MAX_AGE_DAYS:
        raise UserError("earnings.errors.date_too_old", date=day.isoformat())
    return day


def recent_days(today: date, count: int = 8) -> list[date]:
    return [today - timedelta(days=n) for n in range(count)]


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive range of the member's calendar dates."""

    name: str
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]


def period_range(
    name: str | None, today: date, start: str | None = None, end: str | None = None
) -> Period:
    """Resolve a named period (or a custom start/end) against the member's today.

    Named periods run up to today: there is nothing to count in the future.
    """
    if start or end:
        name = "custom"
    name = (name or "week").strip().casefold()
    if name not in PERIODS:
        raise UserError("earnings.errors.bad_period", period=name[:20])
    if name == "today":
        return Period(name, today, today)
    if name == "week":
        return Period(name, week_of(today)[0], today)
    if name == "last_week":
        monday, sunday = week_of(today - timedelta(days=7))
        return Period(name, monday, sunday)
    if name == "month":
        return Period(name, today.replace(day=1), today)
    if name == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return Period(name, last.replace(day=1), last)
    if name == "year":
        return Period(name, today.replace(month=1, day=1), today)
    first = parse_day(start or "") if start else None
    last = parse_day(end or "") if end else today
    if first is None:
        raise UserError("earnings.errors.bad_date", text=(start or "")[:20])
    if last is None:
        raise UserError("earnings.errors.bad_date", text=(end or "")[:20])
    if first > today:
        raise UserError("earnings.errors.future_date", date=first.isoformat())
    if first > last:
        raise UserError("earnings.errors.range_reversed")
    last = min(last, today)
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise UserError("earnings.errors.range_too_long", days=MAX_RANGE_DAYS)
    return Period(name, first, last)


def shift_span_minutes(started_at: int, ended_at: int) -> int:
    """Whole minutes between two UTC instants, rounded to the nearest minute.

    Computed on instants, never on wall-clock times, so a shift across a DST change
    counts the hours really worked.
    """
    return max(0, (ended_at - started_at + 30) // 60)
