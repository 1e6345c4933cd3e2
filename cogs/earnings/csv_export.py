"""Writing a member's entries as CSV, in the format the importer reads back.

The writer and the reader share `guard_cell`/`unguard_cell` (spreadsheet formula guards)
and `amount_text`, so an export imported again gives the same entries.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from bot.money import from_minor, minor_digits
from db.earnings import Entry

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

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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
    """The member's entries in Entraide's CSV format (UTF-8 with BOM, for spreadsheets).

    Every text cell goes through `guard_cell`, not only the ones a member types: a file's
    own ids come back in `uid` from an import (`-A1` is a formula to a spreadsheet).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for e in entries:
        writer.writerow(
            [
                guard_cell(cell) if isinstance(cell, str) else cell
                for cell in (
                    e.uid,
                    e.number,
                    e.work_date,
                    e.kind,
                    e.status or "",
                    amount_text(e.amount_cents, e.currency) if e.currency else "",
                    e.currency or "",
                    "" if e.minutes is None else e.minutes,
                    e.platform,
                    e.requester_name,
                    e.title,
                    e.reason or "",
                    e.source,
                )
            ]
        )
    return out.getvalue().encode("utf-8-sig")
