"""A share's row: one statement stores a new alert or bumps the live one for the task.

Then the message that shows it is linked (`set_message`), or a share that could not be
posted is discarded so it leaves nothing behind.

A member counts once in an alert's "shared N times": a bump by the member who shared the
task first, or by one who already re-shared it (their row in `task_sightings`), still
refreshes the alert but leaves `seen_count` as it is. Otherwise one member sharing the
same task over and over would make it look wanted by many.
"""

from __future__ import annotations

import json
from typing import Any

from db.connection import Database
from db.dialect import Sql
from db.tasks.records import Alert, NewAlert, ShareResult, row_to_alert

#: How many recent re-sharers an alert remembers by name ("also seen by …").
SEEN_BY_KEEP = 5


_SHARE_INSERT = """
INSERT INTO task_alerts (
    guild_id, platform, task_key, platform_task_id, title, requester_id, requester_name,
    platform_requester_id, reward_cents, currency, minutes, hourly_cents, link, countries,
    qualifications, available, notes, anonymous, sharer_id, warning, warning_confirmed_by,
    created_at, last_seen_at, expires_at
) VALUES (
    :guild_id, :platform, :task_key, :platform_task_id, :title, :requester_id, :requester_name,
    :platform_requester_id, :reward_cents, :currency, :minutes, :hourly_cents, :link,
    :countries, :qualifications, :available, :notes, :anonymous, :sharer_id,
    coalesce(:warning, (SELECT p.warning FROM task_alerts p
                        WHERE p.guild_id = :guild_id AND p.task_key = :task_key
                        ORDER BY p.id DESC LIMIT 1)),
    CASE WHEN :warning IS NOT NULL THEN :sharer_id
         ELSE (SELECT p.warning_confirmed_by FROM task_alerts p
               WHERE p.guild_id = :guild_id AND p.task_key = :task_key
               ORDER BY p.id DESC LIMIT 1) END,
    :now, :now, :expires_at
)
ON CONFLICT (guild_id, task_key) WHERE state = 'live' DO UPDATE SET
"""

# Whether the bump's sharer already shared this alert: its first sharer, or a re-sharer
# the `task_alerts_sighting` trigger recorded. In SQLite the sub-query reads the sightings
# as they were before this statement (the trigger runs after it; and one writer at a
# time), so both columns that ask it get the same answer. PostgreSQL asks a function
# (migration 0015) that reads what is committed once the alert's row is locked: the
# statement's own snapshot may predate a share of the same member it waited for.
_NEW_SHARER_LITE = """CASE WHEN excluded.sharer_id IS task_alerts.sharer_id
        OR EXISTS (SELECT 1 FROM task_sightings
                   WHERE alert_id = task_alerts.id AND user_id = excluded.sharer_id)
        THEN 0 ELSE 1 END"""
_NEW_SHARER_PG = """CASE WHEN excluded.sharer_id IS NOT DISTINCT FROM task_alerts.sharer_id
        OR task_alerts_seen_by_member(task_alerts.id, excluded.sharer_id)
        THEN 0 ELSE 1 END"""

# The bump, in each dialect. PostgreSQL wants the target's columns qualified (an
# unqualified one is ambiguous next to `excluded`), GREATEST for the scalar max, a
# null-safe comparison spelled out, and jsonb for the list of recent re-sharers (it
# writes `[1, 2]` where SQLite writes `[1,2]`; both read back the same).
_SHARE_SQL = _SHARE_INSERT + Sql(
    f"""    seen_count = seen_count + {_NEW_SHARER_LITE},
    last_seen_counted = {_NEW_SHARER_LITE},
    last_seen_at = excluded.last_seen_at,
    last_seen_by = excluded.sharer_id,
    last_seen_anonymous = excluded.anonymous,
    expires_at = max(expires_at, excluded.expires_at),
    requester_id = coalesce(requester_id, excluded.requester_id),
    requester_name = coalesce(requester_name, excluded.requester_name),
    platform_requester_id = coalesce(platform_requester_id, excluded.platform_requester_id),
    link = coalesce(link, excluded.link),
    warning_proposed_by = CASE WHEN warning IS NULL AND warning_pending IS NULL
        AND excluded.warning IS NOT NULL THEN excluded.sharer_id ELSE warning_proposed_by END,
    warning_pending = CASE WHEN warning IS NULL AND warning_pending IS NULL
        THEN excluded.warning ELSE warning_pending END,
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
""",
    postgresql=f"""    seen_count = task_alerts.seen_count + {_NEW_SHARER_PG},
    last_seen_counted = {_NEW_SHARER_PG},
    last_seen_at = excluded.last_seen_at,
    last_seen_by = excluded.sharer_id,
    last_seen_anonymous = excluded.anonymous,
    expires_at = GREATEST(task_alerts.expires_at, excluded.expires_at),
    requester_id = coalesce(task_alerts.requester_id, excluded.requester_id),
    requester_name = coalesce(task_alerts.requester_name, excluded.requester_name),
    platform_requester_id = coalesce(
        task_alerts.platform_requester_id, excluded.platform_requester_id),
    link = coalesce(task_alerts.link, excluded.link),
    warning_proposed_by = CASE WHEN task_alerts.warning IS NULL
        AND task_alerts.warning_pending IS NULL AND excluded.warning IS NOT NULL
        THEN excluded.sharer_id ELSE task_alerts.warning_proposed_by END,
    warning_pending = CASE WHEN task_alerts.warning IS NULL
        AND task_alerts.warning_pending IS NULL
        THEN excluded.warning ELSE task_alerts.warning_pending END,
    seen_by = CASE
        WHEN excluded.anonymous = 1
          OR excluded.sharer_id IS NOT DISTINCT FROM task_alerts.sharer_id
          OR task_alerts.seen_by::jsonb @> to_jsonb(excluded.sharer_id)
        THEN task_alerts.seen_by
        WHEN jsonb_array_length(task_alerts.seen_by::jsonb) >= {SEEN_BY_KEEP}
        THEN ((task_alerts.seen_by::jsonb || to_jsonb(excluded.sharer_id)) - 0)::text
        ELSE (task_alerts.seen_by::jsonb || to_jsonb(excluded.sharer_id))::text
    END
RETURNING *
""",
)


async def share(db: Database, new: NewAlert, *, now: int, expires_at: int) -> ShareResult:
    """Store a share: a new live alert, or a bump of the live alert for the same task.

    One statement, so two members sharing the same task at once still give one alert; a
    bump also records its sharer in `task_sightings` (trigger `task_alerts_sighting`).
    A bump by a member who already shared the alert is `repeat`: not counted again.
    A new alert shared without a content warning carries the one the task's last alert
    in the server ended with (and who confirmed it): a warned task that is gone or
    expired is not shown in the clear by sharing it again (a moderator's clearing sticks
    the same way). A re-share's warning on a live alert without one is suggested, as
    the alert's "Add a warning" button would: another member or a moderator confirms it.
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
        "now": now,
        "expires_at": expires_at,
    }
    row = await db.fetch_one(_SHARE_SQL, params)
    assert row is not None
    alert = row_to_alert(row)
    # A new row keeps the column's default (1) and is the only counted share with one count.
    counted = bool(row["last_seen_counted"])
    return ShareResult(alert, created=counted and alert.seen_count == 1, repeat=not counted)


async def set_message(
    db: Database, alert_id: int, *, channel_id: int, message_id: int, is_forum: bool
) -> Alert | None:
    """Link an alert to the message that shows it; returns the alert as it is now."""
    row = await db.fetch_one(
        "UPDATE task_alerts SET channel_id = ?, message_id = ?, is_forum = ? WHERE id = ? "
        "RETURNING *",
        (channel_id, message_id, int(is_forum), alert_id),
    )
    return None if row is None else row_to_alert(row)


async def discard(db: Database, alert_id: int) -> bool:
    """Forget an alert that could not be posted, so a failed share leaves nothing behind."""
    return bool(
        await db.execute("DELETE FROM task_alerts WHERE id = ? AND message_id IS NULL", (alert_id,))
    )
