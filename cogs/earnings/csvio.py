"""Earnings as CSV: Entraide's own export format, and MTurk's earnings / HIT-history files.

Pure (no discord): the cog runs `parse_import` in a worker thread, because a 5 MB file is
real CPU work. Every row is validated with the same rules as `/earnings log`; the result
carries either entries or line-numbered errors, and the caller stores nothing when there
are errors. Each entry gets a stable `uid` (the file's own id, or a hash of its content
plus how many identical rows came before it), so importing the same file twice adds
nothing the second time.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.errors import UserError
from bot.money import (
    MoneyError,
    from_minor,
    minor_digits,
    normalize_currency,
    parse_amount,
    parse_money,
)
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
from db.earnings import Entry, NewEntry

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
#: How many line errors are spelled out; the rest are counted.
SHOWN_ERRORS = 15

EXPORT_COLUMNS = (
    "uid",
    "number",
    "date",
    "kind",
    "status",
    "amount",
    "currency",
    "minutes",
    "platform",
    "requester",
    "title",
    "reason",
    "source",
)

FORMATS = ("auto", "entraide", "mturk")

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UID = re.compile(r"^[A-Za-z0-9:._-]{1,100}$")


@dataclass(frozen=True, slots=True)
class LineError:
    line: int
    key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ParsedImport:
    format: str
    entries: list[NewEntry]
    errors: list[LineError]
    rows: int

    @property
    def first(self) -> str | None:
        return min((e.work_date for e in self.entries), default=None)

    @property
    def last(self) -> str | None:
        return max((e.work_date for e in self.entries), default=None)


# -- export ---------------------------------------------------------------------------------------


def guard_cell(value: str | None) -> str:
    """Keep spreadsheets from running member text as a formula (OWASP CSV injection).

    A leading quote is added before formula characters, and before a quote already there,
    so `unguard_cell` restores exactly what the member typed.
    """
    if not value:
        return ""
    return "'" + value if value.startswith((*_FORMULA_START, "'")) else value


def unguard_cell(value: str) -> str:
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r'":
        return value[1:]
    return value


def amount_text(cents: int, currency: str) -> str:
    """Minor units as a plain decimal (`1.50`), the way the importer reads it back."""
    return f"{from_minor(cents, currency):.{minor_digits(currency)}f}"


def export_csv(entries: Iterable[Entry]) -> bytes:
    """The member's entries in Entraide's CSV format (UTF-8 with BOM, for spreadsheets)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for e in entries:
        writer.writerow(
            [
                e.uid,
                e.number,
                e.work_date,
                e.kind,
                e.status or "",
                amount_text(e.amount_cents, e.currency) if e.currency else "",
                e.currency or "",
                "" if e.minutes is None else e.minutes,
                guard_cell(e.platform),
                guard_cell(e.requester_name),
                guard_cell(e.title),
                e.reason or "",
                e.source,
            ]
        )
    return out.getvalue().encode("utf-8-sig")


# -- import -----------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise UserError("earnings.import.too_big", limit="5 MB")
    if b"\x00" in data[:65536]:
        raise UserError("earnings.import.not_text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise UserError("earnings.import.not_text") from None


def _header_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (name or "").casefold())


def _delimiter(text: str) -> str:
    """Comma, or the semicolon/tab some spreadsheets (French ones) write, from the header.

    Only the header line is looked at: csv.Sniffer guesses quote characters from the data
    and gets them wrong on ordinary titles.
    """
    header = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=lambda d: (header.count(d), d == ","))


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What the importer needs to know about the member."""

    today: date
    timezone: str
    default_currency: str
    minutes_per_task: int | None = None
    fmt: str = "auto"


def detect_format(headers: set[str]) -> str | None:
    if {"date", "kind", "amount", "currency"} <= headers:
        return "entraide"
    has_date = bool(headers & set(_MTURK_DATE))
    has_requester = bool(headers & {"requester", "requestername", "requesterid"})
    if "reward" in headers and has_requester and has_date:
        return "mturk"
    return None


def parse_import(data: bytes, options: ImportOptions) -> ParsedImport:
    """Read a whole file; entries when every row is valid, otherwise line errors."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(reader)
    except StopIteration:
        raise UserError("earnings.import.empty") from None
    except csv.Error:
        raise UserError("earnings.import.malformed", line=1) from None
    columns = [_header_key(h) for h in header]
    fmt = options.fmt if options.fmt != "auto" else detect_format(set(columns))
    if fmt is None or fmt not in ("entraide", "mturk"):
        raise UserError("earnings.import.unknown_columns")
    missing = _missing_columns(fmt, set(columns))
    if missing:
        raise UserError("earnings.import.missing_columns", columns=", ".join(missing))
    row_parser: Callable[[dict[str, str], ImportOptions], list[NewEntry]] = (
        _entraide_row if fmt == "entraide" else _mturk_row
    )
    entries: list[NewEntry] = []
    errors: list[LineError] = []
    rows = 0
    occurrences: Counter[str] = Counter()
    seen: dict[str, int] = {}
    line = 1
    try:
        for values in reader:
            start_line = line + 1
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            rows += 1
            if rows > MAX_ROWS:
                raise UserError("earnings.import.too_many_rows", limit=f"{MAX_ROWS:,}")
            if len(values) > len(columns):
                errors.append(LineError(start_line, "earnings.import.extra_cells"))
                continue
            record = dict(zip(columns, [v.strip() for v in values], strict=False))
            try:
                made = row_parser(record, options)
            except (UserError, MoneyError) as exc:
                errors.append(LineError(start_line, exc.key, dict(exc.params)))
                continue
            for made_entry in made:
                entry = made_entry
                if entry.uid is None:
                    content = _content_key(fmt, entry)
                    occurrences[content] += 1
                    entry = replace(entry, uid=f"h:{content}:{occurrences[content]}")
                elif entry.uid in seen:
                    errors.append(
                        LineError(
                            start_line, "earnings.import.duplicate_id", {"line": seen[entry.uid]}
                        )
                    )
                    continue
                seen[entry.uid] = start_line
                entries.append(entry)
    except csv.Error:
        raise UserError("earnings.import.malformed", line=reader.line_num) from None
    if rows == 0:
        raise UserError("earnings.import.empty")
    return ParsedImport(fmt, entries if not errors else [], errors, rows)


def _content_key(fmt: str, e: NewEntry) -> str:
    """What makes two rows "the same row" (status left out: it changes over time)."""
    parts = (
        fmt,
        e.kind,
        e.work_date,
        str(e.amount_cents),
        e.currency or "",
        "" if e.minutes is None else str(e.minutes),
        e.platform or "",
        (e.requester_name or "").casefold(),
        e.title or "",
        e.reason or "",
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


_REQUIRED = {
    "entraide": ("date", "kind", "amount", "currency", "minutes", "platform"),
    "mturk": ("reward",),
}


def _missing_columns(fmt: str, headers: set[str]) -> list[str]:
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
    uid = r.get("uid") or None
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
    raw_status = _header_key(_first(r, ("status", "assignmentstatus")))
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
