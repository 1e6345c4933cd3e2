"""Scam reports about requesters, the moderators' queue and the notes appended to them.

The reporter's id is stored for moderators and for the reporter's own export; no query
here feeds member-facing text with it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from db.connection import Database
from db.cross_process import serialised
from db.dialect import Sql
from db.models import from_row


class ReportRefusedError(Exception):
    """A report the limits do not allow: `reason` is `open_exists` or `daily_limit`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Report:
    id: int
    guild_id: int
    requester_id: int
    reporter_id: int | None
    category: str
    description: str
    evidence: tuple[str, ...]
    attachment_url: str | None
    attachment_name: str | None
    new_member: bool
    state: str
    info_requested_at: int | None
    closed_by: int | None
    closed_reason: str | None
    closed_at: int | None
    card_channel_id: int | None
    card_message_id: int | None
    created_at: int
    updated_at: int

    @property
    def is_open(self) -> bool:
        return self.state == "open"


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    report_id: int
    kind: str  # question | answer
    author_id: int | None
    body: str
    created_at: int


@dataclass(frozen=True, slots=True)
class RequesterReportCounts:
    open: int = 0
    confirmed: int = 0
    dismissed: int = 0


def _report(row: sqlite3.Row) -> Report:
    return from_row(
        Report,
        row,
        evidence=tuple(json.loads(row["evidence"])),
        new_member=bool(row["new_member"]),
    )


def _note(row: sqlite3.Row) -> Note:
    return Note(
        row["id"], row["report_id"], row["kind"], row["author_id"], row["body"], row["created_at"]
    )


async def create(
    db: Database,
    *,
    guild_id: int,
    requester_id: int,
    reporter_id: int,
    category: str,
    description: str,
    evidence: Iterable[str],
    attachment_url: str | None,
    attachment_name: str | None,
    new_member: bool,
    now: int,
    since: int,
    daily_limit: int,
) -> Report:
    """File a report in one statement that also enforces the limits.

    Refused (`ReportRefusedError`) when the member already has an open report about this
    requester, or filed `daily_limit` reports in this server since `since`.
    """
    params = {
        "guild": guild_id,
        "requester": requester_id,
        "reporter": reporter_id,
        "category": category,
        "description": description,
        "evidence": json.dumps(list(evidence)),
        "url": attachment_url,
        "file": attachment_name,
        "new": int(new_member),
        "now": now,
        "since": since,
        "limit": daily_limit,
    }
    # Across processes the checks and the insert must not interleave (`db.cross_process`):
    # both limits are the reporter's, so one lock per reporter covers them.
    async with serialised(db, [f"reports per reporter:{reporter_id}"]):
        row = await db.fetch_one(
            "INSERT INTO reports (guild_id, requester_id, reporter_id, category, description, "
            "evidence, attachment_url, attachment_name, new_member, created_at, updated_at) "
            "SELECT :guild, :requester, :reporter, :category, :description, :evidence, :url, "
            ":file, :new, :now, :now "
            "WHERE NOT EXISTS (SELECT 1 FROM reports WHERE reporter_id = :reporter "
            "AND requester_id = :requester AND state = 'open') "
            "AND (SELECT COUNT(*) FROM reports WHERE reporter_id = :reporter "
            "AND guild_id = :guild AND created_at > :since) < :limit "
            "RETURNING *",
            params,
        )
    if row is not None:
        return _report(row)
    open_exists = await db.fetch_value(
        "SELECT EXISTS (SELECT 1 FROM reports WHERE reporter_id = ? AND requester_id = ? "
        "AND state = 'open')",
        (reporter_id, requester_id),
    )
    raise ReportRefusedError("open_exists" if open_exists else "daily_limit")


async def get(db: Database, report_id: int) -> Report | None:
    row = await db.fetch_one("SELECT * FROM reports WHERE id = ?", (report_id,))
    return None if row is None else _report(row)


async def notes(db: Database, report_id: int) -> list[Note]:
    rows = await db.fetch_all(
        "SELECT * FROM report_notes WHERE report_id = ? ORDER BY id", (report_id,)
    )
    return [_note(row) for row in rows]


async def set_card(
    db: Database, report_id: int, channel_id: int | None, message_id: int | None
) -> None:
    """Remember where the moderators' card is (None when it could not be posted)."""
    await db.execute(
        "UPDATE reports SET card_channel_id = ?, card_message_id = ? WHERE id = ?",
        (channel_id, message_id, report_id),
    )


async def close(
    db: Database,
    report_id: int,
    *,
    guild_id: int,
    state: str,
    moderator_id: int,
    reason: str,
    now: int,
) -> Report | None:
    """Confirm or dismiss an open report of this server; None if it is not open here."""
    row = await db.fetch_one(
        "UPDATE reports SET state = ?, closed_by = ?, closed_reason = ?, closed_at = ?, "
        "info_requested_at = NULL, updated_at = ? "
        "WHERE id = ? AND guild_id = ? AND state = 'open' RETURNING *",
        (state, moderator_id, reason, now, now, report_id, guild_id),
    )
    return None if row is None else _report(row)


async def reopen(db: Database, report_id: int, guild_id: int, now: int) -> Report | None:
    """Put a closed report of this server back in the queue; None if it is not closed."""
    row = await db.fetch_one(
        "UPDATE reports SET state = 'open', closed_by = NULL, closed_reason = NULL, "
        "closed_at = NULL, updated_at = ? "
        "WHERE id = ? AND guild_id = ? AND state != 'open' RETURNING *",
        (now, report_id, guild_id),
    )
    return None if row is None else _report(row)


async def mark_info_requested(
    db: Database, report_id: int, guild_id: int, now: int
) -> Report | None:
    row = await db.fetch_one(
        "UPDATE reports SET info_requested_at = ?, updated_at = ? "
        "WHERE id = ? AND guild_id = ? AND state = 'open' RETURNING *",
        (now, now, report_id, guild_id),
    )
    return None if row is None else _report(row)


async def answer_received(
    db: Database, report_id: int, reporter_id: int, now: int
) -> Report | None:
    """The reporter answered: clear the pending question; None unless it is theirs and open."""
    row = await db.fetch_one(
        "UPDATE reports SET info_requested_at = NULL, updated_at = ? "
        "WHERE id = ? AND reporter_id = ? AND state = 'open' RETURNING *",
        (now, report_id, reporter_id),
    )
    return None if row is None else _report(row)


async def add_note(
    db: Database, report_id: int, *, kind: str, author_id: int | None, body: str, now: int
) -> Note:
    row = await db.fetch_one(
        "INSERT INTO report_notes (report_id, kind, author_id, body, created_at) "
        "VALUES (?, ?, ?, ?, ?) RETURNING *",
        (report_id, kind, author_id, body, now),
    )
    assert row is not None
    return _note(row)


async def confirmed_counts(db: Database, requester_id: int, since: int = 0) -> dict[str, int]:
    """Confirmed reports about a requester by category, closed at or after `since`."""
    rows = await db.fetch_all(
        "SELECT category, COUNT(*) AS n FROM reports WHERE requester_id = ? "
        "AND state = 'confirmed' AND closed_at >= ? GROUP BY category",
        (requester_id, since),
    )
    return {row["category"]: row["n"] for row in rows}


async def confirmed_counts_elsewhere(
    db: Database, requester_id: int, guild_id: int
) -> dict[str, int]:
    """Confirmed reports about a requester by category, confirmed in other servers."""
    rows = await db.fetch_all(
        "SELECT category, COUNT(*) AS n FROM reports WHERE requester_id = ? "
        "AND state = 'confirmed' AND guild_id <> ? GROUP BY category",
        (requester_id, guild_id),
    )
    return {row["category"]: row["n"] for row in rows}


async def counts_for_requester(db: Database, requester_id: int) -> RequesterReportCounts:
    rows = await db.fetch_all(
        "SELECT state, COUNT(*) AS n FROM reports WHERE requester_id = ? GROUP BY state",
        (requester_id,),
    )
    found = {row["state"]: row["n"] for row in rows}
    return RequesterReportCounts(
        found.get("open", 0), found.get("confirmed", 0), found.get("dismissed", 0)
    )


async def open_for_guild(db: Database, guild_id: int, limit: int = 25) -> list[Report]:
    rows = await db.fetch_all(
        "SELECT * FROM reports WHERE guild_id = ? AND state = 'open' ORDER BY id LIMIT ?",
        (guild_id, limit),
    )
    return [_report(row) for row in rows]


async def count_open_for_guild(db: Database, guild_id: int) -> int:
    return int(
        await db.fetch_value(
            "SELECT COUNT(*) FROM reports WHERE guild_id = ? AND state = 'open'", (guild_id,)
        )
    )


async def move_requester(db: Database, from_id: int, to_id: int) -> int:
    """Re-point reports at a merged requester's survivor (inside a transaction)."""
    assert db.in_transaction, "move_requester must run inside a transaction"
    return await db.execute(
        "UPDATE reports SET requester_id = ? WHERE requester_id = ?", (to_id, from_id)
    )


# -- a member's own data (privacy export / erase) -----------------------------------------


#: A member's reports, each with its notes (oldest first) as a JSON list.
_EXPORT = Sql(
    "SELECT r.*, q.name AS requester_name, q.platform, "
    "(SELECT json_group_array(json_object('kind', n.kind, 'text', n.body, "
    "'at', n.created_at)) FROM (SELECT * FROM report_notes WHERE report_id = r.id "
    "ORDER BY id) n) AS notes "
    "FROM reports r JOIN requesters q ON q.id = r.requester_id "
    "WHERE r.reporter_id = ? ORDER BY r.id",
    postgresql="SELECT r.*, q.name AS requester_name, q.platform, "
    "(SELECT json_agg(json_build_object('kind', n.kind, 'text', n.body, "
    "'at', n.created_at) ORDER BY n.id) FROM report_notes n WHERE n.report_id = r.id) "
    "AS notes FROM reports r JOIN requesters q ON q.id = r.requester_id "
    "WHERE r.reporter_id = ? ORDER BY r.id",
)


async def export_reporter(db: Database, user_id: int) -> list[dict[str, object]]:
    """The member's own reports with everything in them, moderators' names left out."""
    rows = await db.fetch_all(_EXPORT, (user_id,))
    return [
        {
            "number": row["id"],
            "server_id": row["guild_id"],
            "requester": row["requester_name"],
            "platform": row["platform"],
            "category": row["category"],
            "description": row["description"],
            "evidence": json.loads(row["evidence"]),
            "attachment": row["attachment_name"],
            "state": row["state"],
            "filed_at": row["created_at"],
            "closed_at": row["closed_at"],
            "notes": json.loads(row["notes"] or "[]"),
        }
        for row in rows
    ]


async def export_moderated(db: Database, user_id: int) -> dict[str, list[dict[str, object]]]:
    """What a member did on reports: the ones they closed, every note they wrote.

    (Questions asked as a moderator, answers as a reporter.)
    """
    closed = await db.fetch_all(
        "SELECT id, guild_id, state, closed_reason, closed_at FROM reports "
        "WHERE closed_by = ? ORDER BY id",
        (user_id,),
    )
    notes = await db.fetch_all(
        "SELECT report_id, kind, body, created_at FROM report_notes "
        "WHERE author_id = ? ORDER BY id",
        (user_id,),
    )
    return {
        "reports_closed": [
            {
                "number": row["id"],
                "server_id": row["guild_id"],
                "outcome": row["state"],
                "reason": row["closed_reason"],
                "closed_at": row["closed_at"],
            }
            for row in closed
        ],
        "notes_written": [
            {
                "report": row["report_id"],
                "kind": row["kind"],
                "text": row["body"],
                "at": row["created_at"],
            }
            for row in notes
        ],
    }


async def confirmed_elsewhere(db: Database, requester_id: int, guild_id: int) -> bool:
    """Whether another server confirmed a report about this requester (record as is)."""
    value = await db.fetch_value(
        "SELECT COUNT(*) FROM reports WHERE requester_id = ? AND state = 'confirmed' "
        "AND guild_id <> ?",
        (requester_id, guild_id),
    )
    return bool(value)


async def involving(db: Database, user_id: int) -> list[int]:
    """Reports whose card names the member: as reporter, as closer, as a note's author."""
    rows = await db.fetch_all(
        "SELECT id FROM reports WHERE reporter_id = :u OR closed_by = :u "
        "UNION SELECT report_id FROM report_notes WHERE author_id = :u ORDER BY 1",
        {"u": user_id},
    )
    return [int(row[0]) for row in rows]


async def anonymise_reporter(db: Database, user_id: int) -> int:
    """Forget the member in every report: as reporter, as closer, as author of a note.

    The records stay whole otherwise (moderators keep their queue and history).
    """
    changed = 0
    async with db.transaction() as tx:
        for sql in (
            "UPDATE reports SET reporter_id = NULL WHERE reporter_id = ?",
            "UPDATE reports SET closed_by = NULL WHERE closed_by = ?",
            "UPDATE report_notes SET author_id = NULL WHERE author_id = ?",
        ):
            cursor = await tx.execute(sql, (user_id,))
            changed += max(cursor.rowcount, 0)
            await cursor.close()
    return changed
