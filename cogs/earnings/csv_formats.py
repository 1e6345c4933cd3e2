"""The files the importer understands, one row at a time: Entraide's own, and MTurk's.

Each format is a set of required columns and a row parser that turns one CSV record
(keys already folded by `header_key`) into validated `NewEntry`s with the same rules as
`/earnings log`. Reading the file, line numbers and duplicate detection are `csvio`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import UserError
from bot.money import normalize_currency, parse_amount, parse_money
from cogs.earnings.csv_export import unguard_cell
from cogs.earnings.rules import (
    KINDS,
    MAX_MINUTES,
    MAX_REQUESTER,
    MAX_TITLE,
    check_amount,
    check_minutes,
    check_work_date,
    clean_text,
    normalize_platform,
    normalize_reason,
    normalize_status,
    parse_day,
)
from db.earnings import NewEntry

_UID = re.compile(r"^[A-Za-z0-9:._-]{1,100}$")


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What the importer needs to know about the member."""

    today: date
    timezone: str
    default_currency: str
    minutes_per_task: int | None = None
    fmt: str = "auto"


def header_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (name or "").casefold())


def detect_format(headers: set[str]) -> str | None:
    if {"date", "kind", "amount", "currency"} <= headers:
        return "entraide"
    has_date = bool(headers & set(_MTURK_DATE))
    has_requester = bool(headers & {"requester", "requestername", "requesterid"})
    if "reward" in headers and has_requester and has_date:
        return "mturk"
    return None


_REQUIRED = {
    "entraide": ("date", "kind", "amount", "currency", "minutes", "platform"),
    "mturk": ("reward",),
}


def missing_columns(fmt: str, headers: set[str]) -> list[str]:
    missing = [c for c in _REQUIRED[fmt] if c not in headers]
    if fmt == "mturk":
        if not headers & set(_MTURK_DATE):
            missing.append("Date/SubmitTime")
        if not headers & {"status", "assignmentstatus"}:
            missing.append("Status")
    elif "status" not in headers:
        missing.append("status")
    return missing


# -- Entraide's own format ----------------------------------------------------------------------


def _int_cell(value: str, key: str) -> int | None:
    if not value:
        return None
    if not re.fullmatch(r"-?\d{1,7}", value):
        raise UserError(key, text=value[:20])
    return int(value)


def _entraide_row(r: dict[str, str], o: ImportOptions) -> list[NewEntry]:
    kind = r.get("kind", "").casefold()
    if kind not in KINDS:
        raise UserError("earnings.import.bad_kind", kind=kind[:20])
    day = parse_day(r.get("date", ""))
    if day is None:
        raise UserError("earnings.errors.bad_date", text=r.get("date", "")[:20])
    check_work_date(day, o.today)
    uid = unguard_cell(r.get("uid", "")) or None
    if uid is not None and not _UID.match(uid):
        raise UserError("earnings.import.bad_uid")
    minutes = _int_cell(r.get("minutes", ""), "earnings.import.bad_minutes")
    platform_text = unguard_cell(r.get("platform", ""))
    requester = clean_text(unguard_cell(r.get("requester", "")), MAX_REQUESTER, "requester")
    title = clean_text(unguard_cell(r.get("title", "")), MAX_TITLE, "title")
    if kind == "unpaid":
        if r.get("status") or (r.get("amount") and parse_money(r["amount"], "USD")[0] != 0):
            raise UserError("earnings.import.unpaid_with_money")
        return [
            NewEntry(
                kind="unpaid",
                work_date=day.isoformat(),
                minutes=check_minutes(minutes),
                platform=normalize_platform(platform_text, required=False),
                reason=normalize_reason(r.get("reason") or None),
                source="import",
                uid=uid,
            )
        ]
    currency = normalize_currency(r.get("currency", ""))
    cents = check_amount(
        parse_amount(r.get("amount", ""), currency), currency, allow_zero=kind == "task"
    )
    if kind == "bonus":
        minutes = check_minutes(minutes or 0, allow_zero=True)
    elif minutes is None:
        minutes = o.minutes_per_task
    else:
        minutes = check_minutes(minutes)
    return [
        NewEntry(
            kind=kind,
            work_date=day.isoformat(),
            status=normalize_status(r.get("status", ""), default=""),
            amount_cents=cents,
            currency=currency,
            minutes=minutes,
            platform=normalize_platform(platform_text),
            requester_name=requester,
            title=title,
            source="import",
            uid=uid,
        )
    ]


# -- MTurk ------------------------------------------------------------------------------------

#: Date columns, most precise first.
_MTURK_DATE = (
    "submittime",
    "submitted",
    "submitteddate",
    "date",
    "submitdate",
    "hitdate",
    "completiondate",
    "accepttime",
    "approvaltime",
)

_MTURK_STATUS = {
    "approved": "approved",
    "paid": "approved",
    "accepted": "approved",
    "rejected": "rejected",
    "pending": "pending",
    "pendingapproval": "pending",
    "submitted": "pending",
    "pendingpayment": "pending",
    "returned": "returned",
    "abandoned": "returned",
    "expired": "returned",
}

_ZONES = {
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "PT": "America/Los_Angeles",
    "UTC": "UTC",
    "GMT": "UTC",
    "Z": "UTC",
}


def parse_when(text: str, tz: str) -> tuple[date, datetime | None]:
    """A date, or a timestamp converted to the member's zone, from common MTurk spellings.

    Returns the member's date and, when the text had a time and a zone, the instant.
    Times without a zone are taken at face value.
    """
    value = " ".join((text or "").split())
    day = parse_day(value)
    if day is not None:
        return day, None
    # ISO 8601 with a time (2024-05-01T12:34:56Z, 2024-05-01 12:34:56+02:00)
    iso = value.replace("Z", "+00:00") if value.endswith("Z") else value
    try:
        stamp = datetime.fromisoformat(iso)
    except ValueError:
        stamp = None
    if stamp is not None:
        return _local(stamp, tz)
    # Java's Date.toString(), which MTurk's older exports used: Tue May 01 12:34:56 PDT 2024
    match = re.fullmatch(r"\w{3} (\w{3}) (\d{1,2}) (\d{2}:\d{2}:\d{2}) ([A-Z]{1,5}) (\d{4})", value)
    if match:
        month, dd, hms, zone, year = match.groups()
        try:
            naive = datetime.strptime(f"{year} {month} {dd} {hms}", "%Y %b %d %H:%M:%S")  # noqa: DTZ007
        except ValueError:
            naive = None
        if naive is not None:
            if zone in _ZONES:
                return _local(naive.replace(tzinfo=ZoneInfo(_ZONES[zone])), tz)
            return naive.date(), None
    for fmt in ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M"):
        try:
            return datetime.strptime(value, fmt).date(), None  # noqa: DTZ007
        except ValueError:
            continue
    for fmt in ("%m/%d/%Y", "%m/%d/%y", "%b %d, %Y", "%B %d, %Y", "%d %b %Y"):
        try:
            return datetime.strptime(value, fmt).date(), None  # noqa: DTZ007
        except ValueError:
            continue
    raise UserError("earnings.errors.bad_date", text=value[:30])


def _local(stamp: datetime, tz: str) -> tuple[date, datetime | None]:
    if stamp.tzinfo is None:
        return stamp.date(), None
    instant = stamp.astimezone(UTC)
    return instant.astimezone(ZoneInfo(tz)).date(), instant


def _first(r: dict[str, str], names: Iterable[str]) -> str:
    for name in names:
        if r.get(name):
            return r[name]
    return ""


def _money_cell(text: str, currency: str | None) -> tuple[int, str]:
    """A reward cell (`$0.50`, `0.50 USD`, `£0.80`); MTurk pays in dollars by default."""
    cleaned = re.sub(r"(?i)^\s*us\b|\bus\s*$", "", text).strip()
    return parse_money(cleaned, "USD", explicit=currency)


def _mturk_minutes(r: dict[str, str], o: ImportOptions) -> int | None:
    seconds = _first(r, ("worktimeinseconds", "worktimeseconds", "timespentseconds"))
    if seconds:
        if not re.fullmatch(r"\d{1,7}", seconds):
            raise UserError("earnings.import.bad_minutes", text=seconds[:20])
        return check_minutes(max(1, -(-int(seconds) // 60)))
    minutes = _first(r, ("minutes", "worktimeminutes", "timespent"))
    if minutes:
        value = _int_cell(minutes, "earnings.import.bad_minutes")
        return check_minutes(value)
    accepted, submitted = r.get("accepttime", ""), r.get("submittime", "")
    if accepted and submitted:
        _, start = parse_when(accepted, o.timezone)
        _, end = parse_when(submitted, o.timezone)
        if start is not None and end is not None and end >= start:
            elapsed = end - start
            if elapsed <= timedelta(minutes=MAX_MINUTES):
                return max(1, -(-int(elapsed.total_seconds()) // 60))
    return o.minutes_per_task


def _mturk_row(r: dict[str, str], o: ImportOptions) -> list[NewEntry]:
    day, _ = parse_when(_first(r, _MTURK_DATE), o.timezone)
    check_work_date(day, o.today)
    cents, currency = _money_cell(r.get("reward", ""), r.get("currency") or None)
    cents = check_amount(cents, currency)
    raw_status = header_key(_first(r, ("status", "assignmentstatus")))
    status = _MTURK_STATUS.get(raw_status)
    if status is None:
        raise UserError("earnings.errors.bad_status", status=raw_status[:20] or "—")
    requester = clean_text(
        unguard_cell(_first(r, ("requestername", "requester"))), MAX_REQUESTER, "requester"
    ) or clean_text(r.get("requesterid"), MAX_REQUESTER, "requester")
    title = clean_text(unguard_cell(_first(r, ("title", "hittitle"))), MAX_TITLE, "title")
    ident = _first(r, ("assignmentid", "hitid"))
    uid = f"mturk:{ident}" if ident and _UID.match(f"mturk:{ident}") else None
    entries = [
        NewEntry(
            kind="task",
            work_date=day.isoformat(),
            status=status,
            amount_cents=cents,
            currency=currency,
            minutes=_mturk_minutes(r, o),
            platform="MTurk",
            requester_name=requester,
            title=title,
            source="import",
            uid=uid,
        )
    ]
    bonus_text = r.get("bonus", "")
    if bonus_text:
        bonus = check_amount(_money_cell(bonus_text, currency)[0], currency)
        if bonus > 0:
            entries.append(
                NewEntry(
                    kind="bonus",
                    work_date=day.isoformat(),
                    status="approved",
                    amount_cents=bonus,
                    currency=currency,
                    minutes=0,
                    platform="MTurk",
                    requester_name=requester,
                    title=title,
                    source="import",
                    uid=f"{uid}:bonus" if uid else None,
                )
            )
    return entries


#: How each format's rows become entries.
ROW_PARSERS: dict[str, Callable[[dict[str, str], ImportOptions], list[NewEntry]]] = {
    "entraide": _entraide_row,
    "mturk": _mturk_row,
}
