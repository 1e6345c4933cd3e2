"""Reading an earnings CSV file: decoding, rows, line-numbered errors and stable uids.

Pure (no discord): the cog runs `parse_import` in a worker thread, because a 5 MB file is
real CPU work. Every row is validated with the same rules as `/earnings log`; the result
carries either entries or line-numbered errors, and the caller stores nothing when there
are errors. Each entry gets a stable `uid` (the file's own id, or a hash of its content
plus how many identical rows came before it), so importing the same file twice adds
nothing the second time. The formats themselves are `csv_formats`; writing is
`csv_export`.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from bot.errors import UserError
from bot.money import MoneyError
from cogs.earnings.csv_formats import (
    ROW_PARSERS,
    ImportOptions,
    detect_format,
    header_key,
    missing_columns,
)
from db.earnings import NewEntry

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
#: How many line errors are spelled out; the rest are counted.
SHOWN_ERRORS = 15

FORMATS = ("auto", "entraide", "mturk")


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


def _decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise UserError("earnings.import.too_big", limit="5 MB")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" (UTF-16 with a byte-order mark, tab-separated)
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise UserError("earnings.import.not_text") from None
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


def _delimiter(text: str) -> str:
    """Comma, or the semicolon/tab some spreadsheets (French ones) write, from the header.

    Only the header line is looked at: csv.Sniffer guesses quote characters from the data
    and gets them wrong on ordinary titles.
    """
    header = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=lambda d: (header.count(d), d == ","))


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
    columns = [header_key(h) for h in header]
    fmt = options.fmt if options.fmt != "auto" else detect_format(set(columns))
    if fmt is None or fmt not in ("entraide", "mturk"):
        raise UserError("earnings.import.unknown_columns")
    missing = missing_columns(fmt, set(columns))
    if missing:
        raise UserError("earnings.import.missing_columns", columns=", ".join(missing))
    row_parser = ROW_PARSERS[fmt]
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
