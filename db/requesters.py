"""The shared requester registry: identities, aliases, status and reputation.

Every server using this database shares it. A requester merged into another (an alias,
e.g. a renamed account) keeps its row with `merged_into_id` pointing at the survivor;
merges are kept flat (an alias never points at another alias), so one join resolves any
id to its survivor.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from db.connection import Database
from db.dialect import Sql
from db.models import from_row
from db.requester_identity import (
    FLAGGED,
    canonical_id,
    ids_a_name_may_be,
    ids_inside_a_name,
    may_rename,
    name_key,
    same_name,
)
from db.requester_standing import standing
from db.reviews import SCORE, SCORE_ROWS

REVIEW_KIND = "requester"


@dataclass(frozen=True, slots=True)
class Requester:
    id: int
    platform: str
    platform_requester_id: str | None
    name: str
    status: str
    status_reason: str | None = None
    merged_into_id: int | None = None
    status_source: str | None = None
    status_changed_at: int | None = None
    listed: bool = True

    @property
    def flagged(self) -> bool:
        return self.status in FLAGGED


def _requester(row: sqlite3.Row) -> Requester:
    return from_row(Requester, row)


async def _survivor(db: Database, found: Requester) -> Requester:
    if found.merged_into_id is None:
        return found
    survivor = await get(db, found.merged_into_id)
    return survivor or found


async def upsert(
    db: Database, platform: str, platform_requester_id: str | None, name: str, now: int
) -> Requester:
    """Find or create a requester in one statement; a newer name replaces the old one.

    A requester that was merged into another resolves to the survivor, so callers always
    store and show the record moderators chose to keep.
    """
    if platform_requester_id:
        platform_requester_id = canonical_id(platform, platform_requester_id)
        sql = (
            "INSERT INTO requesters (platform, platform_requester_id, name, name_key, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (platform, platform_requester_id) WHERE platform_requester_id "
            "IS NOT NULL DO UPDATE SET "
            # A name given by a member never replaces a flagged requester's name.
            "name = CASE WHEN requesters.status = 'none' THEN excluded.name "
            "ELSE requesters.name END, "
            "name_key = CASE WHEN requesters.status = 'none' THEN excluded.name_key "
            "ELSE requesters.name_key END, "
            "updated_at = excluded.updated_at RETURNING *"
        )
        params: tuple[object, ...] = (
            platform,
            platform_requester_id,
            name,
            name_key(name),
            now,
            now,
        )
    else:
        sql = (
            "INSERT INTO requesters (platform, platform_requester_id, name, name_key, "
            "created_at, updated_at) VALUES (?, NULL, ?, ?, ?, ?) "
            "ON CONFLICT (platform, name_key) WHERE platform_requester_id IS NULL "
            "DO UPDATE SET updated_at = excluded.updated_at RETURNING *"
        )
        params = (platform, name, name_key(name), now, now)
    row = await db.fetch_one(sql, params)
    assert row is not None
    return await _survivor(db, _requester(row))


async def ensure_platform_id(
    db: Database, platform: str, platform_requester_id: str, now: int
) -> Requester:
    """Find or create a requester known only by its platform id.

    An existing name is kept; a new record shows the id until someone gives a name.
    """
    platform_requester_id = canonical_id(platform, platform_requester_id)
    row = await db.fetch_one(
        "INSERT INTO requesters (platform, platform_requester_id, name, name_key, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (platform, platform_requester_id) WHERE platform_requester_id "
        "IS NOT NULL DO UPDATE SET updated_at = excluded.updated_at RETURNING *",
        (
            platform,
            platform_requester_id,
            platform_requester_id,
            name_key(platform_requester_id),
            now,
            now,
        ),
    )
    assert row is not None
    return await _survivor(db, _requester(row))


async def get(db: Database, requester_id: int) -> Requester | None:
    row = await db.fetch_one("SELECT * FROM requesters WHERE id = ?", (requester_id,))
    return None if row is None else _requester(row)


async def get_many(db: Database, requester_ids: list[int]) -> dict[int, Requester]:
    """Several requesters by id in one query (lists of reports, the audit log)."""
    ids = sorted(set(requester_ids))
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    rows = await db.fetch_all(f"SELECT * FROM requesters WHERE id IN ({marks})", ids)
    return {row["id"]: _requester(row) for row in rows}


_RESOLVED = (
    "SELECT DISTINCT s.* FROM requesters r "
    "JOIN requesters s ON s.id = COALESCE(r.merged_into_id, r.id) "
)


async def resolve(db: Database, requester_id: int) -> Requester | None:
    """The requester with this id, or the survivor it was merged into."""
    row = await db.fetch_one(_RESOLVED + "WHERE r.id = ?", (requester_id,))
    return None if row is None else _requester(row)


async def find_by_platform_id(
    db: Database, platform: str, platform_requester_id: str
) -> Requester | None:
    row = await db.fetch_one(
        _RESOLVED + "WHERE r.platform = ? AND r.platform_requester_id = ?",
        (platform, canonical_id(platform, platform_requester_id)),
    )
    return None if row is None else _requester(row)


async def find_by_id_in_name(db: Database, platform: str, name: str) -> Requester | None:
    """The record whose platform id `name` is, typed where the name goes, if any."""
    for candidate in dict.fromkeys(canonical_id(platform, c) for c in ids_a_name_may_be(name)):
        found = await find_by_platform_id(db, platform, candidate)
        if found is not None:
            return found
    return None


async def flagged_id_inside_name(db: Database, platform: str | None, name: str) -> Requester | None:
    """A flagged requester whose platform id is written inside `name`, if any.

    `platform` None (or "other": the member did not say where the task is) looks on every
    platform. One statement, whatever the name holds (`ids_inside_a_name` bounds it).
    """
    forms = ids_inside_a_name(name)
    if not forms:
        return None
    marks = ",".join("?" * len(forms))
    where = f"WHERE r.platform_requester_id IN ({marks})"
    params: tuple[str, ...] = forms
    if platform not in (None, "other"):
        where += " AND r.platform = ?"
        params = (*forms, platform)
    rows = await db.fetch_all(_RESOLVED + where, params)
    flagged = [_requester(row) for row in rows if row["status"] in FLAGGED]
    flagged.sort(key=lambda r: (r.status != "scam", r.id))
    return flagged[0] if flagged else None


async def find_by_name(
    db: Database, name: str, platform: str | None = None, limit: int = 5
) -> list[Requester]:
    """Requesters (survivors) known by `name`: their own name, an alias's, or another name.

    Names are compared by `name_key` (see `db.requester_identity`), whether or not the
    record has a platform id, and a name that is a record's platform id finds it too (a
    flagged requester's id typed where its name goes). Flagged records come first, so a
    limit never hides one.
    """
    # Up to three forms, compared at once (unused places are NULL, which matches nothing).
    ids = (*ids_a_name_may_be(name), None, None, None)[:3]
    rows = await db.fetch_all(
        "SELECT s.* FROM requesters s WHERE s.id IN ("
        "SELECT COALESCE(merged_into_id, id) FROM requesters WHERE name_key = :k "
        "AND (CAST(:platform AS TEXT) IS NULL OR platform = :platform) "
        "UNION SELECT COALESCE(merged_into_id, id) FROM requesters "
        "WHERE platform_requester_id IN (:id1, :id2, :id3) "
        "AND (CAST(:platform AS TEXT) IS NULL OR platform = :platform) "
        "UNION SELECT COALESCE(r.merged_into_id, r.id) FROM requester_names n "
        "JOIN requesters r ON r.id = n.requester_id WHERE n.name_key = :k "
        "AND (CAST(:platform AS TEXT) IS NULL OR r.platform = :platform)) "
        "ORDER BY s.status = 'scam' DESC, s.status = 'caution' DESC, s.id LIMIT :limit",
        {
            "k": name_key(name),
            "id1": ids[0],
            "id2": ids[1],
            "id3": ids[2],
            "platform": platform,
            "limit": limit,
        },
    )
    return [_requester(row) for row in rows]


async def note_name(
    db: Database, requester_id: int, name: str, *, source: str, guild_id: int | None, now: int
) -> None:
    """Remember another name a record is known by (never its shown name)."""
    await db.execute(
        "INSERT INTO requester_names (requester_id, name, name_key, source, guild_id, "
        "created_at, last_seen_at) SELECT :id, :name, :key, :source, :guild, :now, :now "
        "FROM requesters WHERE id = :id AND name_key <> :key "
        "ON CONFLICT (requester_id, name_key) DO UPDATE SET times = requester_names.times + 1, "
        "last_seen_at = excluded.last_seen_at",
        {
            "id": requester_id,
            "name": name[:200],
            "key": name_key(name),
            "source": source,
            "guild": guild_id,
            "now": now,
        },
    )


async def other_names(db: Database, requester_id: int, limit: int = 10) -> list[tuple[str, str]]:
    """(name, source) of the other names a record is known by, most recent first."""
    rows = await db.fetch_all(
        "SELECT name, source FROM requester_names WHERE requester_id = ? "
        "ORDER BY last_seen_at DESC, id DESC LIMIT ?",
        (requester_id, limit),
    )
    return [(row["name"], row["source"]) for row in rows]


async def forget_name(db: Database, requester_id: int, name: str) -> str | None:
    """Remove another name of a record (or of its aliases); the removed name, or None."""
    row = await db.fetch_one(
        "DELETE FROM requester_names WHERE name_key = ? AND requester_id IN "
        "(SELECT id FROM requesters WHERE id = ? OR merged_into_id = ?) RETURNING name",
        (name_key(name), requester_id, requester_id),
    )
    return None if row is None else str(row["name"])


async def name_given(
    db: Database, requester: Requester, name: str, *, guild_id: int | None, now: int
) -> Requester:
    """A member gave `name` with this record's platform id.

    A clean record takes the newer name (its earlier name stays known, so a name-only
    share of it still finds it). A flagged record keeps its name: the one given is kept
    as another name for moderators to see. One transaction.
    """
    if same_name(name, requester.name):
        return requester
    async with db.transaction():
        if may_rename(requester.status):
            row = await db.fetch_one(
                "UPDATE requesters SET name = ?, name_key = ?, updated_at = ? "
                "WHERE id = ? AND status = 'none' RETURNING *",
                (name, name_key(name), now, requester.id),
            )
            if row is not None:
                await note_name(
                    db, requester.id, requester.name, source="rename", guild_id=guild_id, now=now
                )
                return _requester(row)
        await note_name(db, requester.id, name, source="share", guild_id=guild_id, now=now)
    return await get(db, requester.id) or requester


REKEY_BATCH = 500

#: The new key, unless another record without a platform id holds it on the same platform
#: (`requesters_platform_name`, one record per name).
_REKEY = (
    "UPDATE requesters SET name_key = :key, key_version = 2 WHERE id = :id "
    "AND NOT (platform_requester_id IS NULL AND EXISTS (SELECT 1 FROM requesters o "
    "WHERE o.platform = requesters.platform AND o.name_key = :key "
    "AND o.platform_requester_id IS NULL AND o.id <> requesters.id))"
)


async def rekey_names(db: Database) -> int:
    """Re-compute `name_key` of rows written before the current key (migration 0009).

    Two records without a platform id whose names now fold to the same key cannot share
    it (one record per name): the later keeps its old key and the new key is recorded as
    another name of it, so a lookup by name still finds both.
    """
    done = 0
    while True:
        rows = await db.fetch_all(
            "SELECT id, name, name_key FROM requesters WHERE key_version < 2 ORDER BY id LIMIT ?",
            (REKEY_BATCH,),
        )
        if not rows:
            return done
        async with db.transaction():
            for row in rows:
                key = name_key(row["name"])
                # Checked, not caught: on PostgreSQL a failed statement would abort the
                # whole transaction.
                rekeyed = await db.execute(_REKEY, {"id": row["id"], "key": key})
                if not rekeyed:
                    await db.execute(
                        "UPDATE requesters SET key_version = 2 WHERE id = ?", (row["id"],)
                    )
                    await db.execute(
                        "INSERT INTO requester_names (requester_id, name, name_key, "
                        "source, created_at, last_seen_at) VALUES (?, ?, ?, 'rekey', 0, 0) "
                        "ON CONFLICT DO NOTHING",
                        (row["id"], row["name"][:200], key),
                    )
        done += len(rows)


async def mark_listed(db: Database, requester_id: int) -> None:
    """A set-up server stands behind this record now: offer it in suggestions."""
    await db.execute(
        "UPDATE requesters SET listed = 1 WHERE id = ? AND listed = 0", (requester_id,)
    )


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A requester matched by autocomplete, and the alias name that matched, if any."""

    requester: Requester
    matched_name: str


async def search(db: Database, text: str, limit: int = 25) -> list[SearchHit]:
    """Prefix search on names and platform ids, index-backed, for autocomplete."""
    key = name_key(text)
    if not key:
        rows = await db.fetch_all(
            "SELECT s.*, s.name AS matched FROM requesters s WHERE s.merged_into_id IS NULL "
            "AND s.listed = 1 ORDER BY s.updated_at DESC LIMIT ?",
            (limit,),
        )
    else:
        top = "\U0010ffff"
        raw = text.strip()
        branch = (
            "SELECT * FROM (SELECT id, name AS matched, merged_into_id FROM requesters "
            "WHERE {col} >= {lo} AND {col} < {lo} || :top ORDER BY {col} LIMIT :limit)"
        )
        union = " UNION ALL ".join(
            [
                branch.format(col="name_key", lo=":k"),
                branch.format(col="platform_requester_id", lo=":u"),
                branch.format(col="platform_requester_id", lo=":l"),
            ]
        )
        rows = await db.fetch_all(
            f"SELECT s.*, m.matched FROM ({union}) m "
            "JOIN requesters s ON s.id = COALESCE(m.merged_into_id, m.id) "
            "WHERE s.listed = 1 ORDER BY s.name_key",
            {"k": key, "u": raw.upper(), "l": raw.lower(), "top": top, "limit": limit},
        )
    hits: dict[int, SearchHit] = {}
    for row in rows:
        found = _requester(row)
        if found.id not in hits:
            hits[found.id] = SearchHit(found, row["matched"])
    return list(hits.values())[:limit]


async def aliases(db: Database, requester_id: int) -> list[Requester]:
    rows = await db.fetch_all(
        "SELECT * FROM requesters WHERE merged_into_id = ? ORDER BY id", (requester_id,)
    )
    return [_requester(row) for row in rows]


async def set_status(
    db: Database,
    requester_id: int,
    *,
    status: str,
    reason: str | None,
    source: str | None,
    now: int,
) -> Requester:
    row = await db.fetch_one(
        "UPDATE requesters SET status = ?, status_reason = ?, status_source = ?, "
        "status_changed_at = ?, updated_at = ? WHERE id = ? RETURNING *",
        (status, reason, source, now, now, requester_id),
    )
    assert row is not None
    return _requester(row)


async def merge_records(db: Database, alias_id: int, survivor_id: int, now: int) -> list[str]:
    """Make `alias_id` an alias of `survivor_id` and move what pointed at it.

    Must run inside `db.transaction()` (the caller also records the audit entry and the
    survivor's new status there). Reviews and reports are moved by their modules; any
    other table that refers to requesters (task alerts, earnings…) is re-pointed here,
    found from the schema so features added later follow merges too. Returns the names of
    the tables re-pointed this way.
    """
    assert db.in_transaction, "merge_records must run inside a transaction"
    from db import reports, reviews

    await db.execute(
        "UPDATE requesters SET merged_into_id = ?, updated_at = ? "
        "WHERE id = ? OR merged_into_id = ?",
        (survivor_id, now, alias_id, alias_id),
    )
    await reviews.move_subject(db, REVIEW_KIND, alias_id, survivor_id, now)
    await reports.move_requester(db, alias_id, survivor_id)
    references = await db.fetch_all(_REFERENCES)
    moved: list[str] = []
    for ref in references:
        await db.execute(
            _repoint(ref["tbl"], ref["col"], json.loads(ref["uniques"] or "[]")),
            {"to": survivor_id, "from": alias_id},
        )
        moved.append(ref["tbl"])
    return moved


#: Every other table and column that refers to a requester: declared foreign keys, and any
#: `requester_id` column. On PostgreSQL, also each unique index holding that column (as
#: the list of its other columns), which `_repoint` must not break; SQLite's
#: `UPDATE OR IGNORE` skips those rows by itself.
_REFERENCES = Sql(
    'SELECT m.name AS tbl, f."from" AS col, NULL AS uniques FROM sqlite_master m '
    "JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table' "
    "AND f.\"table\" = 'requesters' AND m.name NOT IN ('requesters', 'reports') "
    "UNION SELECT m.name, c.name, NULL FROM sqlite_master m "
    "JOIN pragma_table_info(m.name) c WHERE m.type = 'table' AND c.name = 'requester_id' "
    "AND m.name NOT IN ('requesters', 'reports') ORDER BY 1, 2",
    postgresql="WITH refs AS (SELECT c.conrelid AS rel, a.attnum, a.attname AS col "
    "FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid "
    "AND a.attnum = ANY (c.conkey) WHERE c.contype = 'f' "
    "AND c.confrelid = 'requesters'::regclass "
    "UNION SELECT a.attrelid, a.attnum, a.attname FROM pg_attribute a "
    "JOIN pg_class t ON t.oid = a.attrelid WHERE t.relkind = 'r' "
    "AND t.relnamespace = current_schema()::regnamespace "
    "AND a.attname = 'requester_id' AND NOT a.attisdropped) "
    "SELECT t.relname::text AS tbl, r.col::text AS col, "
    "(SELECT json_agg(COALESCE((SELECT json_agg(k.attname ORDER BY k.attnum) "
    "FROM pg_attribute k WHERE k.attrelid = i.indrelid "
    "AND k.attnum = ANY (i.indkey::int2[]) AND k.attnum <> r.attnum), '[]')) "
    "FROM pg_index i WHERE i.indrelid = r.rel AND i.indisunique "
    "AND r.attnum = ANY (i.indkey::int2[])) AS uniques "
    "FROM refs r JOIN pg_class t ON t.oid = r.rel "
    "WHERE t.relname NOT IN ('requesters', 'reports') ORDER BY 1, 2",
)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _repoint(table: str, column: str, uniques: list[list[str]]) -> Sql:
    """Move `table.column` from `:from` to `:to`, leaving rows that would break a unique key.

    Those rows stay with the alias (nothing is lost; the alias still resolves to the
    survivor). SQLite says it with `UPDATE OR IGNORE`; PostgreSQL has no such clause, so
    each unique index holding the column becomes a `NOT EXISTS` of the row it would
    collide with (a partial index is treated as whole: a row is kept back rather than the
    merge failing).
    """
    t, c = _quoted(table), _quoted(column)
    guard = "".join(
        f" AND NOT EXISTS (SELECT 1 FROM {t} o WHERE o.{c} = :to"
        + "".join(f" AND o.{_quoted(k)} = {t}.{_quoted(k)}" for k in keys)
        + ")"
        for keys in uniques
    )
    return Sql(
        f"UPDATE OR IGNORE {t} SET {c} = :to WHERE {c} = :from",
        postgresql=f"UPDATE {t} SET {c} = :to WHERE {c} = :from{guard}",
    )


@dataclass(frozen=True, slots=True)
class Reputation:
    """What an alert shows about its requester.

    `standing` is one of: no_data, good, caution, scam (see `db.requester_standing`).
    Averages are over visible reviews (hidden ones excluded), 1–5, or None without reviews.
    `status_reason` is the moderator's reason when a moderator set the status; a status
    that follows from confirmed reports has none, and `confirmed` (category → count of
    confirmed reports, e.g. {"harvesting": 1}) says why, in any reader's language
    (`cogs.requesters.cards.category_label`).
    """

    requester_id: int
    standing: str
    review_count: int = 0
    pay: float | None = None
    fast: float | None = None
    fair: float | None = None
    communication: float | None = None
    status_reason: str | None = None
    confirmed: dict[str, int] = field(default_factory=dict)


#: The survivor's status, its per-criterion averages (one row each; one row of NULLs
#: without reviews) and its confirmed reports by category as a JSON object.
_REPUTATION = (
    "WITH target AS (SELECT COALESCE(merged_into_id, id) AS id FROM requesters "
    "WHERE id = :id), "
    f"agg AS (SELECT je.key AS criterion, AVG({SCORE}) AS mean, COUNT(*) AS n "
    "FROM reviews r, " + SCORE_ROWS + " WHERE r.subject_kind = :kind "
    "AND r.subject_id = (SELECT id FROM target) AND r.hidden_at IS NULL GROUP BY je.key) "
    "SELECT q.status, q.status_reason, agg.criterion, agg.mean, agg.n, (SELECT "
    + Sql("json_group_object(category, n)", postgresql="json_object_agg(category, n)")
    + " FROM (SELECT category, COUNT(*) AS n "
    "FROM reports WHERE requester_id = q.id AND state = 'confirmed' GROUP BY category)) "
    "AS confirmed FROM requesters q JOIN target ON q.id = target.id LEFT JOIN agg ON true"
)


async def reputation(db: Database, requester_id: int) -> Reputation:
    """The requester's standing for display on alerts, in one query.

    Aliases resolve to their survivor; hidden reviews do not count.
    """
    rows = await db.fetch_all(_REPUTATION, {"id": requester_id, "kind": REVIEW_KIND})
    if not rows:
        return Reputation(requester_id, "no_data")
    status = rows[0]["status"]
    means = {
        row["criterion"]: round(row["mean"], 2) for row in rows if row["criterion"] is not None
    }
    count = max((row["n"] or 0 for row in rows), default=0)
    return Reputation(
        requester_id,
        standing(status, count, means),
        review_count=count,
        pay=means.get("pay"),
        fast=means.get("fast"),
        fair=means.get("fair"),
        communication=means.get("communication"),
        status_reason=rows[0]["status_reason"] if status != "none" else None,
        confirmed=json.loads(rows[0]["confirmed"] or "{}"),
    )
