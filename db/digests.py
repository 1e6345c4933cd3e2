"""Digest schedules, members' digest choices, and the ledger that makes sending once-only.

Content queries (what the digest says) live in `db.digest_content`; this module is about
*when* and *whether* a digest goes out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from db.connection import Database
from db.models import from_row

GUILD = "guild"
MEMBER = "member"


@dataclass(frozen=True, slots=True)
class DigestSettings:
    """A server's digest configuration, with the server's own zone resolved."""

    guild_id: int
    enabled: bool
    daily: bool
    weekly: bool
    weekday: int
    send_hour: int
    send_minute: int
    timezone: str | None  # NULL follows the server's zone
    hidden_sections: frozenset[str]
    schedule_since: int
    server_timezone: str
    channel_id: int | None
    set_up: bool
    left: bool

    @property
    def effective_timezone(self) -> str:
        return self.timezone or self.server_timezone

    @property
    def active(self) -> bool:
        """Whether jobs should exist: enabled, set up, still in the server, with a channel."""
        return self.enabled and self.set_up and not self.left and self.channel_id is not None


@dataclass(frozen=True, slots=True)
class MemberDigest:
    user_id: int
    cadence: str  # off | daily | weekly
    weekday: int
    send_hour: int
    send_minute: int
    timezone: str | None  # fallback zone (the server's, when they opted in)
    locale: str
    thanks_opt_out: bool
    dm_closed_at: int | None
    note_pending: bool
    schedule_since: int
    member_timezone: str | None = None  # members.timezone, which wins
    member_locale: str | None = None  # members.locale, which wins

    @property
    def effective_timezone(self) -> str | None:
        return self.member_timezone or self.timezone

    @property
    def effective_locale(self) -> str:
        return self.member_locale or self.locale


@dataclass(frozen=True, slots=True)
class DigestRun:
    id: int
    scope: str
    owner_id: int
    cadence: str
    period_key: str
    due_at: int
    status: str
    detail: str | None
    channel_id: int | None
    message_id: int | None
    claimed_at: int
    finished_at: int | None


_SETTINGS_SELECT = (
    "SELECT g.guild_id AS guild_id, COALESCE(d.enabled, 1) AS enabled, "
    "COALESCE(d.daily, 1) AS daily, COALESCE(d.weekly, 0) AS weekly, "
    "COALESCE(d.weekday, 0) AS weekday, COALESCE(d.send_hour, 8) AS send_hour, "
    "COALESCE(d.send_minute, 0) AS send_minute, d.timezone AS timezone, "
    "COALESCE(d.hidden_sections, '[]') AS hidden_sections, "
    "COALESCE(d.schedule_since, g.setup_completed_at, g.updated_at) AS schedule_since, "
    "g.timezone AS server_timezone, g.digest_channel_id AS channel_id, "
    "g.setup_completed_at IS NOT NULL AS is_set_up, g.left_at IS NOT NULL AS has_left "
    "FROM guild_settings g LEFT JOIN digest_settings d ON d.guild_id = g.guild_id "
)


def _settings(row: Any) -> DigestSettings:
    return DigestSettings(
        guild_id=row["guild_id"],
        enabled=bool(row["enabled"]),
        daily=bool(row["daily"]),
        weekly=bool(row["weekly"]),
        weekday=row["weekday"],
        send_hour=row["send_hour"],
        send_minute=row["send_minute"],
        timezone=row["timezone"],
        hidden_sections=frozenset(json.loads(row["hidden_sections"] or "[]")),
        schedule_since=row["schedule_since"],
        server_timezone=row["server_timezone"],
        channel_id=row["channel_id"],
        set_up=bool(row["is_set_up"]),
        left=bool(row["has_left"]),
    )


async def get_settings(db: Database, guild_id: int) -> DigestSettings | None:
    """The server's digest settings (defaults if never changed), None for unknown servers."""
    row = await db.fetch_one(_SETTINGS_SELECT + "WHERE g.guild_id = ?", (guild_id,))
    return None if row is None else _settings(row)


async def active_settings(db: Database) -> list[DigestSettings]:
    """Every server whose digest should be scheduled (start-up rebuild and resync)."""
    rows = await db.fetch_all(
        _SETTINGS_SELECT + "WHERE g.setup_completed_at IS NOT NULL AND g.left_at IS NULL "
        "AND g.digest_channel_id IS NOT NULL AND COALESCE(d.enabled, 1) = 1"
    )
    return [_settings(row) for row in rows]


async def ensure_defaults(db: Database, now: int) -> int:
    """Give every set-up server with a digest channel a settings row, in one statement.

    Choosing a digest channel at /setup is how a server asks for digests; the row makes
    the schedule explicit from then on (and `schedule_since` stops a catch-up of a
    period that was due before the server asked).
    """
    return await db.execute(
        "INSERT INTO digest_settings (guild_id, schedule_since, created_at, updated_at) "
        "SELECT guild_id, ?, ?, ? FROM guild_settings WHERE setup_completed_at IS NOT NULL "
        "AND digest_channel_id IS NOT NULL AND left_at IS NULL "
        "ON CONFLICT (guild_id) DO NOTHING",
        (now, now, now),
    )


async def save_settings(
    db: Database,
    guild_id: int,
    now: int,
    *,
    enabled: bool,
    daily: bool,
    weekly: bool,
    weekday: int,
    send_hour: int,
    send_minute: int,
    timezone: str | None,
    hidden_sections: frozenset[str],
    reschedule: bool,
) -> None:
    """Store a server's digest settings in one statement.

    `reschedule` (time, zone, days or switching on changed) moves `schedule_since` to now,
    so an occurrence due before the change is never sent late as a "missed" digest.
    """
    await db.execute(
        "INSERT INTO digest_settings (guild_id, enabled, daily, weekly, weekday, send_hour, "
        "send_minute, timezone, hidden_sections, schedule_since, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET "
        "enabled = excluded.enabled, daily = excluded.daily, weekly = excluded.weekly, "
        "weekday = excluded.weekday, send_hour = excluded.send_hour, "
        "send_minute = excluded.send_minute, timezone = excluded.timezone, "
        "hidden_sections = excluded.hidden_sections, "
        "schedule_since = CASE WHEN ? THEN excluded.schedule_since "
        "ELSE digest_settings.schedule_since END, updated_at = excluded.updated_at",
        (
            guild_id,
            int(enabled),
            int(daily),
            int(weekly),
            weekday,
            send_hour,
            send_minute,
            timezone,
            json.dumps(sorted(hidden_sections)),
            now,
            now,
            now,
            int(reschedule),
        ),
    )


async def set_hidden_sections(
    db: Database, guild_id: int, hidden: frozenset[str], now: int
) -> None:
    await db.execute(
        "INSERT INTO digest_settings (guild_id, hidden_sections, schedule_since, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET "
        "hidden_sections = excluded.hidden_sections, updated_at = excluded.updated_at",
        (guild_id, json.dumps(sorted(hidden)), now, now, now),
    )


# -- members --------------------------------------------------------------------------------

_MEMBER_SELECT = (
    "SELECT d.*, m.timezone AS member_timezone, m.locale AS member_locale "
    "FROM digest_members d LEFT JOIN members m ON m.user_id = d.user_id "
)


def _member(row: Any) -> MemberDigest:
    return MemberDigest(
        user_id=row["user_id"],
        cadence=row["cadence"],
        weekday=row["weekday"],
        send_hour=row["send_hour"],
        send_minute=row["send_minute"],
        timezone=row["timezone"],
        locale=row["locale"],
        thanks_opt_out=bool(row["thanks_opt_out"]),
        dm_closed_at=row["dm_closed_at"],
        note_pending=bool(row["note_pending"]),
        schedule_since=row["schedule_since"],
        member_timezone=row["member_timezone"],
        member_locale=row["member_locale"],
    )


async def get_member(db: Database, user_id: int) -> MemberDigest | None:
    row = await db.fetch_one(_MEMBER_SELECT + "WHERE d.user_id = ?", (user_id,))
    return None if row is None else _member(row)


async def active_members(db: Database) -> list[MemberDigest]:
    rows = await db.fetch_all(_MEMBER_SELECT + "WHERE d.cadence <> 'off'")
    return [_member(row) for row in rows]


async def save_member(
    db: Database,
    user_id: int,
    now: int,
    *,
    cadence: str,
    weekday: int,
    send_hour: int,
    send_minute: int,
    timezone: str | None,
    locale: str,
    thanks_opt_out: bool,
    reschedule: bool,
) -> MemberDigest:
    """Store a member's digest choices; choosing again clears a pending "DMs closed" note."""
    await db.execute(
        "INSERT INTO digest_members (user_id, cadence, weekday, send_hour, send_minute, "
        "timezone, locale, thanks_opt_out, schedule_since, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
        "cadence = excluded.cadence, weekday = excluded.weekday, "
        "send_hour = excluded.send_hour, send_minute = excluded.send_minute, "
        "timezone = excluded.timezone, locale = excluded.locale, "
        "thanks_opt_out = excluded.thanks_opt_out, note_pending = 0, "
        "dm_closed_at = CASE WHEN excluded.cadence = 'off' THEN digest_members.dm_closed_at "
        "ELSE NULL END, "
        "schedule_since = CASE WHEN ? THEN excluded.schedule_since "
        "ELSE digest_members.schedule_since END, updated_at = excluded.updated_at",
        (
            user_id,
            cadence,
            weekday,
            send_hour,
            send_minute,
            timezone,
            locale,
            int(thanks_opt_out),
            now,
            now,
            now,
            int(reschedule),
        ),
    )
    found = await get_member(db, user_id)
    assert found is not None
    return found


async def dms_closed(db: Database, user_id: int, now: int) -> bool:
    """Switch a member's digest off because their DMs are closed, and leave them a note.

    Returns whether it was on (so the caller knows to drop the scheduled jobs).
    """
    row = await db.fetch_one(
        "UPDATE digest_members SET cadence = 'off', dm_closed_at = ?, note_pending = 1, "
        "updated_at = ? WHERE user_id = ? RETURNING user_id",
        (now, now, user_id),
    )
    return row is not None


async def pending_notes(db: Database) -> set[int]:
    rows = await db.fetch_all("SELECT user_id FROM digest_members WHERE note_pending = 1")
    return {row["user_id"] for row in rows}


async def take_note(db: Database, user_id: int) -> bool:
    """Clear a member's "your DMs were closed" note; True if there was one to show."""
    row = await db.fetch_one(
        "UPDATE digest_members SET note_pending = 0 WHERE user_id = ? AND note_pending = 1 "
        "RETURNING user_id",
        (user_id,),
    )
    return row is not None


# -- the ledger -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunKey:
    """Which digest: whose (a server or a member), which cadence, which period."""

    scope: str
    owner_id: int
    cadence: str
    period_key: str
    due_at: int


async def claim(db: Database, key: RunKey, now: int) -> int | None:
    """Claim a period before sending it, in one statement.

    Returns the run's id, or None when the period was already claimed (sent, skipped,
    failed, or being sent right now by an earlier fire).
    """
    row = await db.fetch_one(
        "INSERT INTO digest_runs (scope, owner_id, cadence, period_key, due_at, status, "
        "claimed_at) VALUES (?, ?, ?, ?, ?, 'claimed', ?) "
        "ON CONFLICT (scope, owner_id, cadence, period_key) DO NOTHING RETURNING id",
        (key.scope, key.owner_id, key.cadence, key.period_key, key.due_at, now),
    )
    return None if row is None else int(row["id"])


async def record_skipped(db: Database, key: RunKey, now: int, detail: str) -> bool:
    """Note a period that will not be sent (too late); never overrides an earlier record."""
    row = await db.fetch_one(
        "INSERT INTO digest_runs (scope, owner_id, cadence, period_key, due_at, status, "
        "detail, claimed_at, finished_at) VALUES (?, ?, ?, ?, ?, 'skipped', ?, ?, ?) "
        "ON CONFLICT (scope, owner_id, cadence, period_key) DO NOTHING RETURNING id",
        (key.scope, key.owner_id, key.cadence, key.period_key, key.due_at, detail, now, now),
    )
    return row is not None


async def finish(
    db: Database,
    run_id: int,
    status: str,
    now: int,
    *,
    detail: str | None = None,
    channel_id: int | None = None,
    message_id: int | None = None,
) -> None:
    await db.execute(
        "UPDATE digest_runs SET status = ?, detail = ?, channel_id = ?, message_id = ?, "
        "finished_at = ? WHERE id = ?",
        (status, detail, channel_id, message_id, now, run_id),
    )


async def prune_runs(db: Database, before: int) -> int:
    """Forget ledger rows of periods due before `before` (they can never be due again)."""
    return await db.execute("DELETE FROM digest_runs WHERE due_at < ?", (before,))


async def runs_for(db: Database, scope: str, owner_id: int, limit: int = 50) -> list[DigestRun]:
    rows = await db.fetch_all(
        "SELECT * FROM digest_runs WHERE scope = ? AND owner_id = ? ORDER BY due_at DESC LIMIT ?",
        (scope, owner_id, limit),
    )
    return [from_row(DigestRun, row) for row in rows]


async def last_sent(db: Database, scope: str, owner_id: int) -> DigestRun | None:
    row = await db.fetch_one(
        "SELECT * FROM digest_runs WHERE scope = ? AND owner_id = ? AND status = 'sent' "
        "ORDER BY due_at DESC LIMIT 1",
        (scope, owner_id),
    )
    return None if row is None else from_row(DigestRun, row)


# -- privacy ----------------------------------------------------------------------------------


async def export_member(db: Database, user_id: int) -> dict[str, Any]:
    """What the digest feature keeps about one member, for /privacy export."""
    member = await get_member(db, user_id)
    runs = await runs_for(db, MEMBER, user_id, limit=1000)
    return {
        "personal_digest": None
        if member is None
        else {
            "cadence": member.cadence,
            "weekday": member.weekday,
            "time": f"{member.send_hour:02d}:{member.send_minute:02d}",
            "timezone_fallback": member.timezone,
            "language": member.locale,
            "named_in_thanks": not member.thanks_opt_out,
            "dms_closed_at": member.dm_closed_at,
        },
        "digests_sent": [
            {"period": run.period_key, "cadence": run.cadence, "status": run.status} for run in runs
        ],
    }


async def erase_member(db: Database, user_id: int) -> int:
    async with db.transaction() as tx:
        first = await tx.execute("DELETE FROM digest_members WHERE user_id = ?", (user_id,))
        second = await tx.execute(
            "DELETE FROM digest_runs WHERE scope = 'member' AND owner_id = ?", (user_id,)
        )
        return (first.rowcount or 0) + (second.rowcount or 0)


# -- content: read-only queries over other features' tables ----------------------------------
#
# Aggregates the digest needs and the owning modules do not offer. Every one is bounded by
# an indexed time range (see 0006_digests.sql for the indexes they rely on).


@dataclass(frozen=True, slots=True)
class AlertRow:
    """What the digest shows of one shared task."""

    id: int
    guild_id: int
    platform: str
    title: str
    reward_cents: int
    currency: str
    minutes: int
    hourly_cents: int
    state: str
    warning: str | None
    channel_id: int | None
    message_id: int | None
    is_forum: bool
    sharer_id: int | None = None
    notes: str | None = None
    requester_name: str | None = None
    platform_requester_id: str | None = None
    countries: str = ""
    qualifications: str = "[]"
    #: The requester's status (its survivor's, after merges): 'none', 'caution', 'scam'.
    requester_status: str | None = None

    @property
    def country_set(self) -> frozenset[str]:
        return frozenset(c for c in self.countries.split(",") if c)

    @property
    def qualification_set(self) -> frozenset[str]:
        return frozenset(json.loads(self.qualifications or "[]"))


_ALERT_COLUMNS = (
    "id, guild_id, platform, title, reward_cents, currency, minutes, hourly_cents, state, "
    "warning, channel_id, message_id, is_forum, sharer_id, notes, requester_name, "
    "platform_requester_id, countries, qualifications"
)


def _requester_status(alert: str) -> str:
    """The status of the alert's requester record (its survivor's): a digest names it too."""
    return (
        "(SELECT s.status FROM requesters q JOIN requesters s "
        f"ON s.id = COALESCE(q.merged_into_id, q.id) WHERE q.id = {alert}.requester_id) "
        "AS requester_status"
    )


def _alert(row: Any) -> AlertRow:
    data = dict(zip(row.keys(), tuple(row), strict=True))
    data["is_forum"] = bool(data["is_forum"])
    return AlertRow(**data)


async def best_alerts(
    db: Database, guild_id: int, start: int, end: int, limit: int = 10
) -> list[AlertRow]:
    """The period's best shared tasks: still-live ones first, then by hourly."""
    # The inner query ranks from the covering index alone; only the winners' rows are read.
    rows = await db.fetch_all(
        f"SELECT {_ALERT_COLUMNS}, {_requester_status('task_alerts')} "
        "FROM task_alerts WHERE id IN ("
        "  SELECT id FROM task_alerts WHERE guild_id = ? AND created_at >= ? "
        "  AND created_at < ? AND state <> 'removed' "
        "  ORDER BY state = 'live' DESC, hourly_cents DESC, id LIMIT ?) "
        "ORDER BY state = 'live' DESC, hourly_cents DESC, id",
        (guild_id, start, end, limit),
    )
    return [_alert(row) for row in rows]


@dataclass(frozen=True, slots=True)
class CurrencyCount:
    currency: str
    count: int
    median_hourly_cents: int


_PERIOD_ALERTS = (
    "FROM task_alerts WHERE guild_id = ? AND created_at >= ? AND created_at < ? "
    "AND state <> 'removed'"
)


async def shared_medians(
    db: Database, guild_id: int, start: int, end: int, *, currencies: int = 5
) -> tuple[list[CurrencyCount], int, int]:
    """Tasks shared per currency (most used first) and their median hourly.

    Counted from the covering index, then each currency's middle one or two rows are
    read with LIMIT/OFFSET: a few small statements, cheaper than one window function
    over the whole period. Two middle values are averaged, half up. Only the first
    `currencies` get a median; every currency is counted. Returns (medians, tasks shared
    in every currency, currencies left out).
    """
    counts = await db.fetch_all(
        f"SELECT currency, count(*) AS n {_PERIOD_ALERTS} GROUP BY currency "
        "ORDER BY n DESC, currency",
        (guild_id, start, end),
    )
    total = sum(int(row["n"]) for row in counts)
    found = []
    for row in counts[:currencies]:
        n = int(row["n"])
        middle = await db.fetch_all(
            f"SELECT hourly_cents {_PERIOD_ALERTS} AND currency = ? "
            "ORDER BY hourly_cents LIMIT ? OFFSET ?",
            (guild_id, start, end, row["currency"], 2 - n % 2, (n - 1) // 2),
        )
        values = [int(r["hourly_cents"]) for r in middle]
        median = (sum(values) + len(values) // 2) // len(values)
        found.append(CurrencyCount(row["currency"], n, median))
    return found, total, max(0, len(counts) - currencies)


@dataclass(frozen=True, slots=True)
class StatusChange:
    requester_id: int
    name: str
    platform: str
    status: str
    reason: str | None
    source: str | None  # 'moderator' or 'reports' (confirmed reports, no written reason)
    changed_at: int


async def status_changes(
    db: Database, start: int, end: int, limit: int = 25, *, status: str | None = None
) -> list[StatusChange]:
    """Requesters newly marked caution or scam in the period (the registry is shared).

    `status` keeps only one of the two, so a cut list can give each its own share.
    """
    # The partial index covers `status IN ('caution', 'scam')`; the extra test narrows it.
    only = {None: "", "caution": "AND status = 'caution' ", "scam": "AND status = 'scam' "}[status]
    rows = await db.fetch_all(
        "SELECT id, name, platform, status, status_reason, status_source, status_changed_at "
        "FROM requesters "
        "WHERE status IN ('caution', 'scam') AND status_changed_at >= ? "
        "AND status_changed_at < ? AND merged_into_id IS NULL "
        + only
        + "ORDER BY status = 'scam' DESC, status_changed_at DESC LIMIT ?",
        (start, end, limit),
    )
    return [
        StatusChange(
            row["id"],
            row["name"],
            row["platform"],
            row["status"],
            row["status_reason"],
            row["status_source"],
            row["status_changed_at"],
        )
        for row in rows
    ]


async def status_change_counts(db: Database, start: int, end: int) -> dict[str, int]:
    """How many requesters were newly marked caution and scam in the period."""
    rows = await db.fetch_all(
        "SELECT status, count(*) AS n FROM requesters "
        "WHERE status IN ('caution', 'scam') AND status_changed_at >= ? "
        "AND status_changed_at < ? AND merged_into_id IS NULL GROUP BY status",
        (start, end),
    )
    return {row["status"]: int(row["n"]) for row in rows}


async def report_counts(db: Database, guild_id: int, start: int, end: int) -> tuple[int, int]:
    """Reports opened and closed in the server during the period: counts, never who."""
    row = await db.fetch_one(
        "SELECT (SELECT count(*) FROM reports WHERE guild_id = ?1 AND created_at >= ?2 "
        "        AND created_at < ?3) AS opened, "
        "       (SELECT count(*) FROM reports WHERE guild_id = ?1 AND closed_at >= ?2 "
        "        AND closed_at < ?3) AS closed",
        (guild_id, start, end),
    )
    assert row is not None
    return int(row["opened"]), int(row["closed"])


async def top_sharers(
    db: Database, guild_id: int, start: int, end: int, limit: int = 5
) -> list[tuple[int, int]]:
    """(member, tasks shared) for the most generous sharers who may be named.

    Anonymous shares never count towards naming someone, and members who opted out of
    being thanked are left out here, in SQL, so their ids never reach the renderer.
    """
    rows = await db.fetch_all(
        "SELECT user_id, shared FROM (SELECT sharer_id AS user_id, count(*) AS shared, "
        f"min(id) AS first {_PERIOD_ALERTS} AND anonymous = 0 AND sharer_id IS NOT NULL "
        "GROUP BY sharer_id) WHERE user_id NOT IN "
        "(SELECT user_id FROM digest_members WHERE thanks_opt_out = 1) "
        "ORDER BY shared DESC, first LIMIT ?",
        (guild_id, start, end, limit),
    )
    return [(row["user_id"], row["shared"]) for row in rows]


@dataclass(frozen=True, slots=True)
class SubscriptionRow:
    """One of the member's alert subscriptions, as the matching rules need it."""

    guild_id: int
    platform: str | None
    min_hourly_cents: int | None
    min_reward_cents: int | None
    currency: str | None
    keywords: tuple[str, ...]
    requester: str | None
    no_warned: bool


async def member_subscriptions(db: Database, user_id: int) -> list[SubscriptionRow]:
    """Every server's subscriptions of one member (the alerts module reads one server)."""
    rows = await db.fetch_all(
        "SELECT guild_id, platform, min_hourly_cents, min_reward_cents, currency, keywords, "
        "requester, no_warned FROM alert_subscriptions WHERE user_id = ? ORDER BY id",
        (user_id,),
    )
    return [
        SubscriptionRow(
            guild_id=row["guild_id"],
            platform=row["platform"] or None,
            min_hourly_cents=row["min_hourly_cents"],
            min_reward_cents=row["min_reward_cents"],
            currency=row["currency"],
            keywords=tuple(json.loads(row["keywords"] or "[]")),
            requester=row["requester"],
            no_warned=bool(row["no_warned"]),
        )
        for row in rows
    ]


#: At most this many of a period's tasks are matched against a member's subscriptions.
MISSED_CANDIDATES = 2000


async def unseen_alerts(
    db: Database, user_id: int, guild_ids: list[int], start: int, end: int
) -> list[AlertRow]:
    """Tasks shared in the member's servers during the period that they never touched.

    Left out: their own shares, tasks they were DMed about (while the DM log still
    remembers), voted on, reported done or re-shared. Live ones first, then by hourly.
    """
    if not guild_ids:
        return []
    marks = ",".join("?" * len(guild_ids))
    rows = await db.fetch_all(
        f"SELECT {', '.join('a.' + c.strip() for c in _ALERT_COLUMNS.split(','))}, "
        f"{_requester_status('a')} FROM task_alerts a WHERE a.guild_id IN ({marks}) "
        "AND a.created_at >= ? AND a.created_at < ? AND a.state <> 'removed' "
        "AND (a.sharer_id IS NULL OR a.sharer_id <> ?) "
        "AND NOT EXISTS (SELECT 1 FROM alert_dm_log l WHERE l.guild_id = a.guild_id "
        "                AND l.user_id = ? AND l.alert_id = a.id) "
        "AND NOT EXISTS (SELECT 1 FROM task_votes v WHERE v.alert_id = a.id AND v.user_id = ?) "
        "AND NOT EXISTS (SELECT 1 FROM task_reports r WHERE r.alert_id = a.id "
        "                AND r.user_id = ?) "
        "AND NOT EXISTS (SELECT 1 FROM task_sightings s WHERE s.alert_id = a.id "
        "                AND s.user_id = ?) "
        "ORDER BY a.state = 'live' DESC, a.hourly_cents DESC, a.id LIMIT ?",
        (*guild_ids, start, end, user_id, user_id, user_id, user_id, user_id, MISSED_CANDIDATES),
    )
    return [_alert(row) for row in rows]
