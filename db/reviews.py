"""Reviews of any subject (requesters now, platforms later), their history and flags.

A subject is `(kind, id)`; its scores are a JSON object of criterion → 1..5, so the same
table and queries serve every kind. Rules (which criteria, when flags hide a review) are
the caller's (`cogs/requesters/reviewing.py`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field

import aiosqlite

from db.connection import Database
from db.cross_process import serialised
from db.dialect import Sql
from db.models import from_row
from db.postgres.cursor import PgTransaction

HideRule = Callable[[int, int], bool]

#: One row per criterion of each review `r` (`je.key`, `je.value`), for the averages here,
#: in `db.requesters.reputation` and in `db.platforms.scores`.
SCORE_ROWS = Sql(
    "json_each(r.scores) je",
    postgresql="jsonb_each_text(r.scores::jsonb) AS je(key, value)",
)
#: A criterion's score as a number to average (PostgreSQL reads it as text).
SCORE = "CAST(je.value AS DOUBLE PRECISION)"


class ReviewRefusedError(Exception):
    """A new review the daily limit does not allow (editing one's own review always is)."""


@dataclass(frozen=True, slots=True)
class Review:
    id: int
    subject_kind: str
    subject_id: int
    author_id: int
    guild_id: int
    scores: Mapping[str, int]
    experience: str | None
    body: str | None
    revision: int
    hidden_at: int | None
    created_at: int
    updated_at: int
    flags: int = 0
    moderator_flags: int = 0

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def edited(self) -> bool:
        return self.revision > 1


@dataclass(frozen=True, slots=True)
class Revision:
    """An earlier version of a review."""

    scores: Mapping[str, int]
    experience: str | None
    body: str | None
    written_at: int
    replaced_at: int


@dataclass(frozen=True, slots=True)
class CriterionScore:
    mean: float | None
    count: int
    recent_mean: float | None
    recent_count: int


@dataclass(frozen=True, slots=True)
class Summary:
    """Averages over visible reviews: all time, and since a cut-off (e.g. 90 days)."""

    review_count: int = 0
    recent_count: int = 0
    criteria: Mapping[str, CriterionScore] = field(default_factory=dict)

    def mean(self, criterion: str) -> float | None:
        score = self.criteria.get(criterion)
        return None if score is None else score.mean


@dataclass(frozen=True, slots=True)
class FlagResult:
    added: bool
    flags: int
    moderator_flags: int
    hidden: bool
    changed: bool  # whether the review's visibility changed


def _review(row: sqlite3.Row) -> Review:
    """A review; `flags` and `moderator_flags` (0 when absent) come from the richer reads."""
    keys = row.keys()
    moderator_flags = (row["moderator_flags"] or 0) if "moderator_flags" in keys else 0
    return from_row(Review, row, scores=json.loads(row["scores"]), moderator_flags=moderator_flags)


async def save(
    db: Database,
    kind: str,
    subject_id: int,
    *,
    author_id: int,
    guild_id: int,
    scores: Mapping[str, int],
    experience: str | None,
    body: str | None,
    now: int,
    since: int | None = None,
    daily_limit: int | None = None,
) -> Review:
    """Write a member's review of a subject, or edit theirs (the trigger keeps history).

    With `daily_limit`, a *new* review is refused (`ReviewRefusedError`) once the member
    wrote that many new reviews in this server since `since`; checked in the statement
    that writes. Editing one's own review is always allowed.

    The review keeps the server it was first written from (`guild_id`): editing it from
    another server does not move it.
    """
    params = {
        "kind": kind,
        "subject": subject_id,
        "author": author_id,
        "guild": guild_id,
        "scores": json.dumps(dict(scores), sort_keys=True),
        "experience": experience,
        "body": body,
        "now": now,
        "since": since if since is not None else now,
        "limit": daily_limit,
    }
    # Across processes the count and the insert must not interleave (`db.cross_process`).
    limit = nullcontext() if daily_limit is None else serialised(db, [f"{_PER_DAY}:{author_id}"])
    async with limit:
        row = await db.fetch_one(_SAVE, params)
    if row is None:
        raise ReviewRefusedError
    return _review(row)


#: The daily limit is counted per author and server; the lock is per author (`save`).
_PER_DAY = "reviews per day"

_SAVE = (
    "INSERT INTO reviews (subject_kind, subject_id, author_id, guild_id, scores, "
    "experience, body, created_at, updated_at) "
    "SELECT :kind, :subject, :author, :guild, :scores, :experience, :body, :now, :now "
    "WHERE CAST(:limit AS BIGINT) IS NULL OR EXISTS (SELECT 1 FROM reviews "
    "WHERE subject_kind = :kind AND subject_id = :subject AND author_id = :author) "
    "OR (SELECT COUNT(*) FROM reviews WHERE author_id = :author AND guild_id = :guild "
    "AND created_at > :since) < :limit "
    "ON CONFLICT (subject_kind, subject_id, author_id) DO UPDATE SET "
    "scores = excluded.scores, experience = excluded.experience, body = excluded.body, "
    "revision = reviews.revision + 1, "
    "updated_at = excluded.updated_at RETURNING *"
)


_WITH_FLAGS = (
    "SELECT r.*, (SELECT COUNT(*) FROM review_flags f WHERE f.review_id = r.id) AS flags, "
    "(SELECT CAST(SUM(by_moderator) AS BIGINT) FROM review_flags f WHERE f.review_id = r.id) "
    "AS moderator_flags FROM reviews r "
)


async def get(db: Database, review_id: int) -> Review | None:
    row = await db.fetch_one(_WITH_FLAGS + "WHERE r.id = ?", (review_id,))
    return None if row is None else _review(row)


async def history(db: Database, review_id: int) -> list[Revision]:
    rows = await db.fetch_all(
        "SELECT * FROM review_history WHERE review_id = ? ORDER BY id", (review_id,)
    )
    return [
        Revision(
            json.loads(r["scores"]), r["experience"], r["body"], r["written_at"], r["replaced_at"]
        )
        for r in rows
    ]


async def summary(db: Database, kind: str, subject_id: int, since: int) -> Summary:
    """Per-criterion averages of the visible reviews, all time and since `since`."""
    rows = await db.fetch_all(
        f"SELECT je.key AS criterion, AVG({SCORE}) AS mean, COUNT(*) AS n, "
        f"AVG(CASE WHEN r.updated_at >= :since THEN {SCORE} END) AS recent_mean, "
        "COUNT(CASE WHEN r.updated_at >= :since THEN 1 END) AS recent_n "
        "FROM reviews r, "
        + SCORE_ROWS
        + " WHERE r.subject_kind = :kind AND r.subject_id = :id AND r.hidden_at IS NULL "
        "GROUP BY je.key",
        {"kind": kind, "id": subject_id, "since": since},
    )
    return summary_from_rows(rows)


def summary_from_rows(rows: list[sqlite3.Row]) -> Summary:
    """Build a `Summary` from per-criterion rows.

    Every review scores every criterion of its kind, so the largest count is the number
    of reviews.
    """
    criteria = {
        row["criterion"]: CriterionScore(
            row["mean"], row["n"], row["recent_mean"], row["recent_n"] or 0
        )
        for row in rows
        if row["criterion"] is not None
    }
    return Summary(
        review_count=max((c.count for c in criteria.values()), default=0),
        recent_count=max((c.recent_count for c in criteria.values()), default=0),
        criteria=criteria,
    )


async def recent(
    db: Database, kind: str, subject_id: int, *, limit: int = 3, hidden: bool = False
) -> list[Review]:
    """The newest visible reviews (or the hidden ones, for moderators)."""
    condition = "r.hidden_at IS NOT NULL" if hidden else "r.hidden_at IS NULL"
    rows = await db.fetch_all(
        _WITH_FLAGS + f"WHERE r.subject_kind = ? AND r.subject_id = ? AND {condition} "
        "ORDER BY r.updated_at DESC, r.id DESC LIMIT ?",
        (kind, subject_id, limit),
    )
    return [_review(row) for row in rows]


async def has_flagged(db: Database, review_id: int, flagger_id: int) -> bool:
    """Whether this member already flagged this review (a flag counts once)."""
    found = await db.fetch_value(
        "SELECT 1 FROM review_flags WHERE review_id = ? AND flagger_id = ?",
        (review_id, flagger_id),
    )
    return found is not None


async def page(
    db: Database, kind: str, subject_id: int, *, offset: int, limit: int
) -> tuple[list[Review], int]:
    """One page of a subject's visible reviews, newest first, and how many there are."""
    total = await db.fetch_value(
        "SELECT COUNT(*) FROM reviews WHERE subject_kind = ? AND subject_id = ? "
        "AND hidden_at IS NULL",
        (kind, subject_id),
    )
    rows = await db.fetch_all(
        _WITH_FLAGS + "WHERE r.subject_kind = ? AND r.subject_id = ? AND r.hidden_at IS NULL "
        "ORDER BY r.updated_at DESC, r.id DESC LIMIT ? OFFSET ?",
        (kind, subject_id, limit, max(0, offset)),
    )
    return [_review(row) for row in rows], int(total or 0)


async def flag(
    db: Database,
    review_id: int,
    flagger_id: int,
    guild_id: int,
    *,
    by_moderator: bool,
    reason: str | None,
    now: int,
    hide_rule: HideRule,
) -> FlagResult:
    """Record one member's flag (once per member), then hide or show the review.

    Both happen in one transaction, as `hide_rule(flags, moderator_flags)` says.
    """
    async with db.transaction() as tx:
        cursor = await tx.execute(
            "INSERT INTO review_flags (review_id, flagger_id, guild_id, by_moderator, reason, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (review_id, flagger_id, guild_id, int(by_moderator), reason, now),
        )
        added = cursor.rowcount > 0
        await cursor.close()
        return await _apply_hide_rule(tx, review_id, hide_rule, now, added)


async def _apply_hide_rule(
    tx: aiosqlite.Connection | PgTransaction,
    review_id: int,
    hide_rule: HideRule,
    now: int,
    added: bool,
) -> FlagResult:
    # Moderators' flags count once a moderator of the server the review was written in
    # flagged it, or moderators of two servers did: the reviews are every server's, and
    # one server's moderator (with one more account) must not hide its members' reviews
    # everywhere, lifting the caution low scores put on a requester.
    async with tx.execute(
        "SELECT COUNT(f.flagger_id) AS flags, "
        "CASE WHEN COALESCE(SUM(CASE WHEN f.guild_id = r.guild_id THEN f.by_moderator "
        "ELSE 0 END), 0) > 0 "
        "OR COUNT(DISTINCT CASE WHEN f.by_moderator = 1 THEN f.guild_id END) > 1 "
        "THEN CAST(COALESCE(SUM(f.by_moderator), 0) AS BIGINT) ELSE 0 END AS mods, "
        "r.hidden_at FROM reviews r LEFT JOIN review_flags f ON f.review_id = r.id "
        "WHERE r.id = ? GROUP BY r.id",
        (review_id,),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        return FlagResult(added, 0, 0, hidden=False, changed=False)
    hidden = hide_rule(row["flags"], row["mods"])
    changed = hidden != (row["hidden_at"] is not None)
    if changed:
        await tx.execute(
            "UPDATE reviews SET hidden_at = ? WHERE id = ?", (now if hidden else None, review_id)
        )
    return FlagResult(added, row["flags"], row["mods"], hidden, changed)


async def move_subject(db: Database, kind: str, from_id: int, to_id: int, now: int) -> int:
    """Give `from_id`'s reviews to `to_id` (merging duplicate records of one subject).

    Must run inside `db.transaction()`. A member who reviewed both keeps the review of the
    surviving record; the other one becomes part of its history, so nothing is lost.
    """
    assert db.in_transaction, "move_subject must run inside a transaction"
    await db.execute(
        "INSERT INTO review_history (review_id, scores, experience, body, written_at, "
        "replaced_at) SELECT keep.id, old.scores, old.experience, old.body, old.updated_at, ? "
        "FROM reviews old JOIN reviews keep ON keep.subject_kind = old.subject_kind "
        "AND keep.subject_id = ? AND keep.author_id = old.author_id "
        "WHERE old.subject_kind = ? AND old.subject_id = ?",
        (now, to_id, kind, from_id),
    )
    await db.execute(
        "DELETE FROM reviews WHERE subject_kind = ? AND subject_id = ? AND author_id IN "
        "(SELECT author_id FROM reviews WHERE subject_kind = ? AND subject_id = ?)",
        (kind, from_id, kind, to_id),
    )
    return await db.execute(
        "UPDATE reviews SET subject_id = ? WHERE subject_kind = ? AND subject_id = ?",
        (to_id, kind, from_id),
    )


# -- a member's own data (privacy export / erase) -----------------------------------------

#: A member's reviews, each with its earlier versions (oldest first) as a JSON list.
_EXPORT = Sql(
    "SELECT r.*, (SELECT json_group_array(json_object('scores', json(h.scores), "
    "'experience', h.experience, 'body', h.body, 'written_at', h.written_at, "
    "'replaced_at', h.replaced_at)) FROM (SELECT * FROM review_history "
    "WHERE review_id = r.id ORDER BY id) h) AS history FROM reviews r "
    "WHERE r.author_id = ? ORDER BY r.id",
    postgresql="SELECT r.*, (SELECT json_agg(json_build_object('scores', h.scores::json, "
    "'experience', h.experience, 'body', h.body, 'written_at', h.written_at, "
    "'replaced_at', h.replaced_at) ORDER BY h.id) FROM review_history h "
    "WHERE h.review_id = r.id) AS history FROM reviews r WHERE r.author_id = ? ORDER BY r.id",
)


async def export_author(db: Database, author_id: int) -> dict[str, list[dict[str, object]]]:
    reviews = await db.fetch_all(_EXPORT, (author_id,))
    flags = await db.fetch_all(
        "SELECT review_id, guild_id, reason, created_at FROM review_flags "
        "WHERE flagger_id = ? ORDER BY created_at",
        (author_id,),
    )
    return {
        "reviews": [
            {
                "id": r["id"],
                "subject_kind": r["subject_kind"],
                "subject_id": r["subject_id"],
                "server_id": r["guild_id"],
                "scores": json.loads(r["scores"]),
                "experience": r["experience"],
                "text": r["body"],
                "written_at": r["created_at"],
                "updated_at": r["updated_at"],
                "hidden": r["hidden_at"] is not None,
                "earlier_versions": json.loads(r["history"] or "[]"),
            }
            for r in reviews
        ],
        "flags": [dict(f) for f in flags],
    }


async def erase_author(db: Database, author_id: int, hide_rule: HideRule, now: int) -> int:
    """Delete a member's reviews (history and flags included) and their flags.

    Reviews the member had flagged are re-checked: without that flag they may show again.
    """
    async with db.transaction() as tx:
        async with tx.execute(
            "SELECT review_id FROM review_flags WHERE flagger_id = ?", (author_id,)
        ) as cursor:
            flagged = [row[0] for row in await cursor.fetchall()]
        cursor = await tx.execute("DELETE FROM review_flags WHERE flagger_id = ?", (author_id,))
        changed = cursor.rowcount
        await cursor.close()
        cursor = await tx.execute("DELETE FROM reviews WHERE author_id = ?", (author_id,))
        changed += cursor.rowcount
        await cursor.close()
        for review_id in flagged:
            await _apply_hide_rule(tx, review_id, hide_rule, now, added=False)
    return changed
