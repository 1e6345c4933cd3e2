"""Task alerts: shares, duplicate bumps, freshness votes, reports, warnings, expiry.

Hot paths are single statements: a share is one `INSERT … ON CONFLICT … RETURNING`
(new alert or bump, decided atomically by the partial unique index on live alerts), and a
click is one upsert of the member's vote plus one `UPDATE … RETURNING` that recomputes
the alert's counters from index-backed sub-queries.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from db.connection import Database

LIVE = "live"
ENDED_STATES = frozenset({"gone", "expired", "removed"})
WARNING_CATEGORIES = ("violence", "sexual", "hate", "self_harm", "other")
#: How many recent re-sharers an alert remembers by name ("also seen by …").
SEEN_BY_KEEP = 5
#: How far back (in a server's alerts) a search without words or requester looks.
RECENT_WINDOW = 5000


@dataclass(frozen=True, slots=True)
class Alert:
    """One shared task as the community sees it (the `alert_posted` payload)."""

    id: int
    guild_id: int
    platform: str
    title: str
    requester_id: int | None
    requester_name: str | None
    reward_cents: int
    currency: str
    minutes: int
    hourly_cents: int
    link: str | None
    countries: frozenset[str]
    qualifications: frozenset[str]
    warning: str | None
    sharer_id: int | None
    channel_id: int | None
    message_id: int | None
    jump_url: str | None
    state: str
    created_at: int
    task_key: str = ""
    platform_task_id: str | None = None
    platform_requester_id: str | None = None
    available: int | None = None
    notes: str | None = None
    anonymous: bool = False
    warning_pending: str | None = None
    warning_proposed_by: int | None = None
    warning_confirmed_by: int | None = None
    is_forum: bool = False
    seen_count: int = 1
    seen_by: tuple[int, ...] = field(default_factory=tuple)
    live_votes: int = 0
    gone_votes: int = 0
    done_count: int = 0
    good_count: int = 0
    bad_count: int = 0
    crowd_hourly_cents: int | None = None
    last_seen_at: int = 0
    last_confirmed_at: int | None = None
    expires_at: int = 0
    ended_at: int | None = None
    ended_by: int | None = None
    removed_reason: str | None = None

    @property
    def is_live(self) -> bool:
        return self.state == LIVE


@dataclass(frozen=True, slots=True)
class NewAlert:
    """What a validated share stores (built by `cogs.tasks.rules`)."""

    guild_id: int
    platform: str
    task_key: str
    title: str
    reward_cents: int
    currency: str
    minutes: int
    hourly_cents: int
    sharer_id: int
    platform_task_id: str | None = None
    requester_id: int | None = None
    requester_name: str | None = None
    platform_requester_id: str | None = None
    link: str | None = None
    countries: frozenset[str] = frozenset()
    qualifications: frozenset[str] = frozenset()
    available: int | None = None
    notes: str | None = None
    anonymous: bool = False
    warning: str | None = None


@dataclass(frozen=True, slots=True)
class ShareResult:
    alert: Alert
    created: bool  # False: the task was already live and this share bumped it


def jump_url(guild_id: int, channel_id: int | None, message_id: int | None) -> str | None:
    if channel_id is None or message_id is None:
        return None
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def _alert(row: sqlite3.Row) -> Alert:
    countries = row["countries"]
    return Alert(
        id=row["id"],
        guild_id=row["guild_id"],
        platform=row["platform"],
        title=row["title"],
        requester_id=row["requester_id"],
        requester_name=row["requester_name"],
        reward_cents=row["reward_cents"],
        currency=row["currency"],
        minutes=row["minutes"],
        hourly_cents=row["hourly_cents"],
        link=row["link"],
        countries=frozenset(countries.split(",")) if countries else frozenset(),
        qualifications=frozenset(json.loads(row["qualifications"] or "[]")),
        warning=row["warning"],
        sharer_id=row["sharer_id"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        jump_url=jump_url(row["guild_id"], row["channel_id"], row["message_id"]),
        state=row["state"],
        created_at=row["created_at"],
        task_key=row["task_key"],
        platform_task_id=row["platform_task_id"],
        platform_requester_id=row["platform_requester_id"],
        available=row["available"],
        notes=row["notes"],
        anonymous=bool(row["anonymous"]),
        warning_pending=row["warning_pending"],
        warning_proposed_by=row["warning_proposed_by"],
        warning_confirmed_by=row["warning_confirmed_by"],
        is_forum=bool(row["is_forum"]),
        seen_count=row["seen_count"],
        seen_by=tuple(int(x) for x in json.loads(row["seen_by"] or "[]")),
        live_votes=row["live_votes"],
        gone_votes=row["gone_votes"],
        done_count=row["done_count"],
        good_count=row["good_count"],
        bad_count=row["bad_count"],
        crowd_hourly_cents=row["crowd_hourly_cents"],
        last_seen_at=row["last_seen_at"],
        last_confirmed_at=row["last_confirmed_at"],
        expires_at=row["expires_at"],
        ended_at=row["ended_at"],
        ended_by=row["ended_by"],
        removed_reason=row["removed_reason"],
    )


# -- sharing -------------------------------------------------------------------------------

_SHARE_SQL = f"""
INSERT INTO task_alerts (
    guild_id, platform, task_key, platform_task_id, title, requester_id, requester_name,
    platform_requester_id, reward_cents, currency, minutes, hourly_cents, link, countries,
    qualifications, available, notes, anonymous, sharer_id, warning, warning_confirmed_by,
    created_at, last_seen_at, expires_at
) VALUES (
    :guild_id, :platform, :task_key, :platform_task_id, :title, :requester_id, :requester_name,
    :platform_requester_id, :reward_cents, :currency, :minutes, :hourly_cents, :link,
    :countries, :qualifications, :available, :notes, :anonymous, :sharer_id, :warning,
    :warning_confirmed_by, :now, :now, :expires_at
)
ON CONFLICT (guild_id, task_key) WHERE state = 'live' DO UPDATE SET
    seen_count = seen_count + 1,
    last_seen_at = excluded.last_seen_at,
    last_seen_by = excluded.sharer_id,
    last_seen_anonymous = excluded.anonymous,
    expires_at = max(expires_at, excluded.expires_at),
    requester_id = coalesce(requester_id, excluded.requester_id),
    requester_name = coalesce(requester_name, excluded.requester_name),
    platform_requester_id = coalesce(platform_requester_id, excluded.platform_requester_id),
    link = coalesce(link, excluded.link),
    seen_by = CASE
        WHEN excluded.anonymous = 1
          OR excluded.sharer_id IS task_alerts.sharer_id
          OR EXISTS (SELECT 1 FROM json_each(task_alerts.seen_by)
                     WHERE value = excluded.sharer_id)
        THEN seen_by
        WHEN json_array_length(seen_by) >= {SEEN_BY_KEEP}
        THEN json_remove(json_insert(seen_by, '$[#]', excluded.sharer_id), '$[0]')
        ELSE json_insert(seen_by, '$[#]', excluded.sharer_id)
    END
RETURNING *
"""


async def share(db: Database, new: NewAlert, *, now: int, expires_at: int) -> ShareResult:
    """Store a share: a new live alert, or a bump of the live alert for the same task.

    One statement, so two members sharing the same task at once still give one alert; a
    bump also records its sharer in `task_sightings` (trigger `task_alerts_sighting`).
    """
    params: dict[str, Any] = {
        "guild_id": new.guild_id,
        "platform": new.platform,
        "task_key": new.task_key,
        "platform_task_id": new.platform_task_id,
        "title": new.title,
        "requester_id": new.requester_id,
        "requester_name": new.requester_name,
        "platform_requester_id": new.platform_requester_id,
        "reward_cents": new.reward_cents,
        "currency": new.currency,
        "minutes": new.minutes,
        "hourly_cents": new.hourly_cents,
        "link": new.link,
        "countries": ",".join(sorted(new.countries)),
        "qualifications": json.dumps(sorted(new.qualifications)),
        "available": new.available,
        "notes": new.notes,
        "anonymous": int(new.anonymous),
        "sharer_id": new.sharer_id,
        "warning": new.warning,
        "warning_confirmed_by": new.sharer_id if new.warning else None,
        "now": now,
        "expires_at": expires_at,
    }
    row = await db.fetch_one(_SHARE_SQL, params)
    assert row is not None
    alert = _alert(row)
    return ShareResult(alert, created=alert.seen_count == 1)


async def set_message(
    db: Database, alert_id: int, *, channel_id: int, message_id: int, is_forum: bool
) -> Alert | None:
    """Link an alert to the message that shows it; returns the alert as it is now."""
    row = await db.fetch_one(
        "UPDATE task_alerts SET channel_id = ?, message_id = ?, is_forum = ? WHERE id = ? "
        "RETURNING *",
        (channel_id, message_id, int(is_forum), alert_id),
    )
    return None if row is None else _alert(row)


async def discard(db: Database, alert_id: int) -> bool:
    """Forget an alert that could not be posted, so a failed share leaves nothing behind."""
    return bool(
        await db.execute("DELETE FROM task_alerts WHERE id = ? AND message_id IS NULL", (alert_id,))
    )


# -- reading -------------------------------------------------------------------------------


async def get_alert(db: Database, alert_id: int) -> Alert | None:
    row = await db.fetch_one("SELECT * FROM task_alerts WHERE id = ?", (alert_id,))
    return None if row is None else _alert(row)


async def relink_requester(
    db: Database, alert_id: int, *, guild_id: int, requester_id: int
) -> Alert | None:
    """Point an alert of this server at `requester_id` (a moderator's undo).

    The server is checked in the statement that writes; None when the alert is not this
    server's or already points at that record.
    """
    row = await db.fetch_one(
        "UPDATE task_alerts SET requester_id = ? WHERE id = ? AND guild_id = ? "
        "AND requester_id IS NOT ? RETURNING *",
        (requester_id, alert_id, guild_id, requester_id),
    )
    return None if row is None else _alert(row)


async def unlink_requester(
    db: Database, alert_id: int, *, guild_id: int, requester_id: int, sharer_id: int
) -> Alert | None:
    """The sharer says their live alert is not from `requester_id`: it points at none.

    Server, sharer and the record it points at are checked in the statement that writes.
    """
    row = await db.fetch_one(
        "UPDATE task_alerts SET requester_id = NULL WHERE id = ? AND guild_id = ? "
        "AND requester_id = ? AND sharer_id = ? AND state = 'live' RETURNING *",
        (alert_id, guild_id, requester_id, sharer_id),
    )
    return None if row is None else _alert(row)


async def get_by_message(db: Database, message_id: int) -> Alert | None:
    row = await db.fetch_one("SELECT * FROM task_alerts WHERE message_id = ?", (message_id,))
    return None if row is None else _alert(row)


async def live_for_requester(db: Database, requester_id: int) -> list[Alert]:
    """Live alerts of a requester, and of requesters merged into it."""
    rows = await db.fetch_all(
        "SELECT * FROM task_alerts WHERE state = 'live' AND requester_id = ? "
        "UNION SELECT a.* FROM task_alerts AS a JOIN requesters AS r ON r.id = a.requester_id "
        "WHERE a.state = 'live' AND r.merged_into_id = ? ORDER BY 1",
        (requester_id, requester_id),
    )
    return [_alert(r) for r in rows]


async def warned_alert_stats(db: Database, requester_id: int) -> tuple[int, int]:
    """(alerts with a confirmed content warning, all alerts) for a requester's card."""
    row = await db.fetch_one(
        "SELECT count(warning), count(*) FROM task_alerts WHERE requester_id = ?",
        (requester_id,),
    )
    assert row is not None
    return int(row[0]), int(row[1])


# -- freshness -----------------------------------------------------------------------------

_COUNTS_SQL = """
UPDATE task_alerts SET
    live_votes = (SELECT count(*) FROM task_votes WHERE alert_id = :id AND kind = 'live'),
    gone_votes = (SELECT count(*) FROM task_votes WHERE alert_id = :id AND kind = 'gone'),
    last_confirmed_at = CASE WHEN :kind = 'live' THEN :now ELSE last_confirmed_at END,
    expires_at = CASE WHEN :kind = 'live' THEN max(expires_at, :extend_to) ELSE expires_at END,
    state = CASE
        WHEN :mark_gone OR (:kind = 'gone' AND (SELECT count(*) FROM task_votes
                            WHERE alert_id = :id AND kind = 'gone') >= :gone_needed)
        THEN 'gone' ELSE state END,
    ended_at = CASE
        WHEN :mark_gone OR (:kind = 'gone' AND (SELECT count(*) FROM task_votes
                            WHERE alert_id = :id AND kind = 'gone') >= :gone_needed)
        THEN :now ELSE ended_at END,
    ended_by = CASE
        WHEN :mark_gone OR (:kind = 'gone' AND (SELECT count(*) FROM task_votes
                            WHERE alert_id = :id AND kind = 'gone') >= :gone_needed)
        THEN :user ELSE ended_by END
WHERE id = :id AND guild_id = :guild_id AND state = 'live'
RETURNING *
"""


async def vote(
    db: Database,
    alert_id: int,
    user_id: int,
    kind: str,
    *,
    guild_id: int,
    now: int,
    extend_to: int,
    gone_needed: int,
    moderator: bool,
) -> Alert | None:
    """Record a member's "still live" / "gone" and return the live alert as it is now.

    Returns None when the alert is not live (any more) or belongs to another server than
    `guild_id` (the voter's): nothing is recorded then. The server is part of both
    statements' WHERE, so a forged button from another server can never count. A
    moderator's "gone", or `gone_needed` members', ends the alert in the same statement:
    only a "gone" vote's own statement ends it, so with clicks in flight together a
    "still live" never ends it on behalf of "gone" votes stored just before it.
    A "still live" pushes the expiry out to `extend_to` (never earlier).
    """
    if kind not in ("live", "gone"):
        msg = f"unknown vote {kind!r}"
        raise ValueError(msg)
    changed = await db.execute(
        "INSERT INTO task_votes (alert_id, user_id, kind, voted_at) "
        "SELECT ?, ?, ?, ? WHERE EXISTS "
        "(SELECT 1 FROM task_alerts WHERE id = ? AND guild_id = ? AND state = 'live') "
        "ON CONFLICT (alert_id, user_id) DO UPDATE SET kind = excluded.kind, "
        "voted_at = excluded.voted_at",
        (alert_id, user_id, kind, now, alert_id, guild_id),
    )
    if not changed:
        return None
    row = await db.fetch_one(
        _COUNTS_SQL,
        {
            "id": alert_id,
            "guild_id": guild_id,
            "kind": kind,
            "now": now,
            "extend_to": extend_to,
            "mark_gone": int(moderator and kind == "gone"),
            "gone_needed": gone_needed,
            "user": user_id,
        },
    )
    return None if row is None else _alert(row)


# The median of the reports' hourly rates, with index-backed ORDER BY/OFFSET: the middle
# one, or the rounded-half-up mean of the middle two.
_REPORTS_SQL = """
UPDATE task_alerts SET
    done_count = (SELECT count(*) FROM task_reports WHERE alert_id = :id),
    good_count = (SELECT count(*) FROM task_reports WHERE alert_id = :id AND rating = 'good'),
    bad_count = (SELECT count(*) FROM task_reports WHERE alert_id = :id AND rating = 'bad'),
    crowd_hourly_cents = (
        SELECT CAST((sum(hourly_cents) + count(*) / 2) / count(*) AS INTEGER) FROM (
            SELECT hourly_cents FROM task_reports WHERE alert_id = :id
            ORDER BY hourly_cents
            LIMIT 2 - (SELECT count(*) FROM task_reports WHERE alert_id = :id) % 2
            OFFSET (SELECT (count(*) - 1) / 2 FROM task_reports WHERE alert_id = :id)
        )
    )
WHERE id = :id
RETURNING *
"""


async def report_done(
    db: Database,
    alert_id: int,
    user_id: int,
    *,
    guild_id: int,
    minutes: int,
    hourly_cents: int,
    rating: str | None,
    now: int,
) -> Alert | None:
    """Record (or correct) a member's "I did it" and refresh the crowd's figures.

    Returns None for an unknown or removed alert, or one of another server than `guild_id`.
    """
    changed = await db.execute(
        "INSERT INTO task_reports (alert_id, user_id, minutes, hourly_cents, rating, "
        "reported_at) SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS "
        "(SELECT 1 FROM task_alerts WHERE id = ? AND guild_id = ? AND state != 'removed') "
        "ON CONFLICT (alert_id, user_id) DO UPDATE SET minutes = excluded.minutes, "
        "hourly_cents = excluded.hourly_cents, rating = excluded.rating, "
        "reported_at = excluded.reported_at",
        (alert_id, user_id, minutes, hourly_cents, rating, now, alert_id, guild_id),
    )
    if not changed:
        return None
    row = await db.fetch_one(_REPORTS_SQL, {"id": alert_id})
    return None if row is None else _alert(row)


# -- ending --------------------------------------------------------------------------------


async def end_alert(
    db: Database,
    alert_id: int,
    state: str,
    *,
    guild_id: int,
    by: int | None,
    now: int,
    reason: str | None = None,
) -> Alert | None:
    """Mark a live alert gone or expired, or remove any alert; None if nothing changed.

    Only an alert of `guild_id` (the acting moderator's server) is touched.
    """
    if state not in ENDED_STATES:
        msg = f"not an end state: {state!r}"
        raise ValueError(msg)
    allowed = "state != 'removed'" if state == "removed" else "state = 'live'"
    row = await db.fetch_one(
        f"UPDATE task_alerts SET state = ?, ended_at = ?, ended_by = ?, "
        f"removed_reason = coalesce(?, removed_reason) WHERE id = ? AND guild_id = ? "
        f"AND {allowed} RETURNING *",
        (state, now, by, reason, alert_id, guild_id),
    )
    return None if row is None else _alert(row)


async def expire_due(db: Database, now: int, *, limit: int = 100) -> list[Alert]:
    """End the live alerts whose time is up (oldest first, `limit` at a time)."""
    rows = await db.fetch_all(
        "UPDATE task_alerts SET state = 'expired', ended_at = :now WHERE id IN ("
        "SELECT id FROM task_alerts WHERE state = 'live' AND expires_at <= :now "
        "ORDER BY expires_at LIMIT :limit) RETURNING *",
        {"now": now, "limit": limit},
    )
    return sorted((_alert(r) for r in rows), key=lambda a: a.id)


async def expire_unposted(
    db: Database, now: int, *, before: int, skip: frozenset[int] = frozenset(), limit: int = 100
) -> list[Alert]:
    """End live alerts that were stored but never posted (a crash between the two).

    Only those created at or before `before` (the caller's grace) and not in `skip` (the
    ones this process is posting right now). Found through the small partial index of
    message-less live alerts, which holds only shares in the middle of being posted.
    """
    rows = await db.fetch_all(
        "UPDATE task_alerts SET state = 'expired', ended_at = :now WHERE id IN ("
        "SELECT id FROM task_alerts INDEXED BY task_alerts_unposted "
        "WHERE state = 'live' AND message_id IS NULL AND created_at <= :before "
        "AND id NOT IN (SELECT value FROM json_each(:skip)) "
        "ORDER BY created_at LIMIT :limit) RETURNING *",
        {"now": now, "before": before, "skip": json.dumps(sorted(skip)), "limit": limit},
    )
    return sorted((_alert(r) for r in rows), key=lambda a: a.id)


# -- content warnings ------------------------------------------------------------------------


async def set_warning(
    db: Database, alert_id: int, category: str, *, guild_id: int, by: int, confirmed: bool
) -> Alert | None:
    """Suggest a content warning (pending), or set it outright (sharer, moderator).

    Only on an alert of `guild_id` (the member's server).
    """
    if category not in WARNING_CATEGORIES:
        msg = f"unknown warning {category!r}"
        raise ValueError(msg)
    if confirmed:
        sql = (
            "UPDATE task_alerts SET warning = ?, warning_confirmed_by = ?, "
            "warning_pending = NULL, warning_proposed_by = NULL "
            "WHERE id = ? AND guild_id = ? AND state != 'removed' RETURNING *"
        )
    else:
        sql = (
            "UPDATE task_alerts SET warning_pending = ?, warning_proposed_by = ? "
            "WHERE id = ? AND guild_id = ? AND state != 'removed' RETURNING *"
        )
    row = await db.fetch_one(sql, (category, by, alert_id, guild_id))
    return None if row is None else _alert(row)


async def confirm_warning(
    db: Database, alert_id: int, *, guild_id: int, by: int, allow_own: bool = False
) -> Alert | None:
    """Confirm the pending warning; never by the member who suggested it.

    `allow_own` lifts that for moderators, whose word is enough on its own.
    """
    row = await db.fetch_one(
        "UPDATE task_alerts SET warning = warning_pending, warning_confirmed_by = ?, "
        "warning_pending = NULL WHERE id = ? AND guild_id = ? AND warning_pending IS NOT NULL "
        "AND (? OR warning_proposed_by IS NOT ?) AND state != 'removed' RETURNING *",
        (by, alert_id, guild_id, int(allow_own), by),
    )
    return None if row is None else _alert(row)


async def clear_warning(db: Database, alert_id: int, *, guild_id: int) -> Alert | None:
    """Drop a warning and any suggestion (moderators only; checked by the caller)."""
    row = await db.fetch_one(
        "UPDATE task_alerts SET warning = NULL, warning_confirmed_by = NULL, "
        "warning_pending = NULL, warning_proposed_by = NULL WHERE id = ? AND guild_id = ? "
        "RETURNING *",
        (alert_id, guild_id),
    )
    return None if row is None else _alert(row)


# -- search ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchFilters:
    guild_id: int
    match: str | None = None  # an FTS5 query (built by rules.fts_query)
    platform: str | None = None
    requester_ids: tuple[int, ...] | None = None
    min_hourly_cents: int | None = None
    currency: str | None = None  # min_hourly is compared within this currency


async def search(db: Database, filters: SearchFilters, *, limit: int = 100) -> list[Alert]:
    """Recent alerts of a server matching the filters, newest first.

    Live-first is the caller's ordering of this recent window.
    """
    where = ["a.guild_id = :guild_id"]
    params: dict[str, Any] = {"guild_id": filters.guild_id, "limit": limit}
    if filters.platform:
        where.append("a.platform = :platform")
        params["platform"] = filters.platform
    if filters.requester_ids is not None:
        marks = []
        for i, rid in enumerate(filters.requester_ids[:50]):
            marks.append(f":r{i}")
            params[f"r{i}"] = rid
        where.append(f"a.requester_id IN ({', '.join(marks) or 'NULL'})")
    if filters.min_hourly_cents is not None:
        where.append("a.hourly_cents >= :min_hourly AND a.currency = :currency")
        params["min_hourly"] = filters.min_hourly_cents
        params["currency"] = filters.currency
    if filters.match:
        # Full-text matches come newest first from the FTS index itself.
        params["match"] = filters.match
        sql = (
            "SELECT a.* FROM task_alerts_fts JOIN task_alerts AS a ON a.id = task_alerts_fts.rowid "
            f"WHERE task_alerts_fts MATCH :match AND {' AND '.join(where)} "
            "ORDER BY task_alerts_fts.rowid DESC LIMIT :limit"
        )
    elif filters.requester_ids is not None:
        # A requester's alerts in this server, through the requester index (without
        # statistics the planner would rather walk the whole server in id order).
        sql = (
            "SELECT a.* FROM task_alerts AS a INDEXED BY task_alerts_requester "
            f"WHERE {' AND '.join(where)} "
            "ORDER BY a.id DESC LIMIT :limit"
        )
    else:
        # Other filters look at the server's most recent alerts only, so a rare platform
        # or a high hourly never walks a million rows.
        params["recent"] = RECENT_WINDOW
        sql = (
            "SELECT a.* FROM (SELECT * FROM task_alerts WHERE guild_id = :guild_id "
            "ORDER BY id DESC LIMIT :recent) AS a "
            f"WHERE {' AND '.join(where)} ORDER BY a.id DESC LIMIT :limit"
        )
    rows = await db.fetch_all(sql, params)
    return [_alert(r) for r in rows]


async def requester_ids(
    db: Database, key: str, platform_id: str, platforms: tuple[str, ...]
) -> list[int]:
    """Requesters known by this name key (own or other names) or this platform id."""
    marks = ", ".join("?" * len(platforms))
    rows = await db.fetch_all(
        "SELECT id FROM requesters WHERE name_key = ? "
        "UNION SELECT requester_id FROM requester_names WHERE name_key = ? "
        f"UNION SELECT id FROM requesters WHERE platform IN ({marks}) "
        "AND platform_requester_id = ? LIMIT 50",
        (key, key, *platforms, platform_id),
    )
    return [r[0] for r in rows]


async def requester_suggestions(db: Database, prefix: str, *, limit: int = 25) -> list[str]:
    """Requester names starting with `prefix` (as `name_key` folds it), for autocomplete.

    Only records a set-up server stands behind (`listed`).
    """
    from db.requesters import name_key

    key = name_key(prefix)
    rows = await db.fetch_all(
        "SELECT DISTINCT name FROM requesters WHERE name_key >= ? AND name_key < ? "
        "AND listed = 1 ORDER BY name_key LIMIT ?",
        (key, key + "\U0010ffff", limit),
    )
    return [r[0] for r in rows]


# -- privacy -------------------------------------------------------------------------------


async def export_member(db: Database, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """Everything this feature stores about one member, as plain data."""
    shared = await db.fetch_all(
        "SELECT id, guild_id, platform, title, link, reward_cents, currency, minutes, "
        "anonymous, state, created_at FROM task_alerts WHERE sharer_id = ? ORDER BY id",
        (user_id,),
    )
    sightings = await db.fetch_all(
        "SELECT alert_id, anonymous, seen_at FROM task_sightings WHERE user_id = ? "
        "ORDER BY seen_at",
        (user_id,),
    )
    votes = await db.fetch_all(
        "SELECT alert_id, kind, voted_at FROM task_votes WHERE user_id = ? ORDER BY voted_at",
        (user_id,),
    )
    reports = await db.fetch_all(
        "SELECT alert_id, minutes, hourly_cents, rating, reported_at FROM task_reports "
        "WHERE user_id = ? ORDER BY reported_at",
        (user_id,),
    )
    warnings = await db.fetch_all(
        "SELECT id AS alert_id, coalesce(warning_pending, warning) AS category, "
        "warning_proposed_by = :u AS suggested, warning_confirmed_by = :u AS confirmed "
        "FROM task_alerts WHERE warning_proposed_by = :u OR warning_confirmed_by = :u "
        "ORDER BY id",
        {"u": user_id},
    )
    ended = await db.fetch_all(
        "SELECT id AS alert_id, guild_id, state, ended_at FROM task_alerts WHERE ended_by = ? "
        "ORDER BY id",
        (user_id,),
    )
    return {
        "alerts_shared": [dict(r) for r in shared],
        "alerts_reshared": [dict(r) for r in sightings],
        "freshness_votes": [dict(r) for r in votes],
        "done_reports": [dict(r) for r in reports],
        "content_warnings": [
            {**dict(r), "suggested": bool(r["suggested"]), "confirmed": bool(r["confirmed"])}
            for r in warnings
        ],
        "alerts_ended": [dict(r) for r in ended],
    }


async def erase_member(db: Database, user_id: int) -> tuple[int, list[int]]:
    """Erase a member's traces while keeping the community's alerts.

    Their shares stay (anonymised), their re-shares, votes and reports go (the alerts'
    counters and crowd medians are recomputed), and their name leaves any warning and any
    alert they ended.
    Returns (rows changed, ids of alerts whose message should be redrawn).
    """
    changed = 0
    async with db.transaction() as tx:
        touched: set[int] = set()
        for sql in (
            "SELECT id FROM task_alerts WHERE sharer_id = ?",
            "SELECT alert_id FROM task_sightings WHERE user_id = ?",
            "SELECT alert_id FROM task_votes WHERE user_id = ?",
            "SELECT alert_id FROM task_reports WHERE user_id = ?",
        ):
            touched.update(r[0] for r in await tx.execute_fetchall(sql, (user_id,)))
        warned = await tx.execute_fetchall(
            "SELECT id FROM task_alerts WHERE warning_proposed_by = ? "
            "UNION SELECT id FROM task_alerts WHERE warning_confirmed_by = ?",
            (user_id, user_id),
        )
        touched.update(r[0] for r in warned)

        statements: list[tuple[str, tuple[Any, ...]]] = [
            (
                "UPDATE task_alerts SET sharer_id = NULL, anonymous = 1 WHERE sharer_id = ?",
                (user_id,),
            ),
            (
                "UPDATE task_alerts SET last_seen_by = NULL WHERE id IN "
                "(SELECT alert_id FROM task_sightings WHERE user_id = ?) AND last_seen_by = ?",
                (user_id, user_id),
            ),
            (
                "UPDATE task_alerts SET seen_by = (SELECT json_group_array(value) FROM "
                "json_each(task_alerts.seen_by) WHERE value != ?) WHERE id IN "
                "(SELECT alert_id FROM task_sightings WHERE user_id = ?)",
                (user_id, user_id),
            ),
            ("DELETE FROM task_sightings WHERE user_id = ?", (user_id,)),
            ("DELETE FROM task_votes WHERE user_id = ?", (user_id,)),
            ("DELETE FROM task_reports WHERE user_id = ?", (user_id,)),
            (
                "UPDATE task_alerts SET warning_proposed_by = NULL WHERE warning_proposed_by = ?",
                (user_id,),
            ),
            (
                "UPDATE task_alerts SET warning_confirmed_by = NULL WHERE warning_confirmed_by = ?",
                (user_id,),
            ),
            ("UPDATE task_alerts SET ended_by = NULL WHERE ended_by = ?", (user_id,)),
        ]
        for sql, params in statements:
            cursor = await tx.execute(sql, params)
            changed += max(cursor.rowcount, 0)
            await cursor.close()
        for alert_id in sorted(touched):
            await tx.execute(
                "UPDATE task_alerts SET "
                "live_votes = (SELECT count(*) FROM task_votes WHERE alert_id = :id "
                "AND kind = 'live'), "
                "gone_votes = (SELECT count(*) FROM task_votes WHERE alert_id = :id "
                "AND kind = 'gone') WHERE id = :id",
                {"id": alert_id},
            )
            await tx.execute(_REPORTS_SQL.replace("RETURNING *", ""), {"id": alert_id})
    return changed, sorted(touched)
