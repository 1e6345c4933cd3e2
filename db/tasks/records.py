"""What the tasks repository returns: the alert as stored, and what a share stores.

Every module of `db.tasks` reads rows through `row_to_alert`, so an alert looks the
same whichever statement returned it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

LIVE = "live"
ENDED_STATES = frozenset({"gone", "expired", "removed"})


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


def row_to_alert(row: sqlite3.Row) -> Alert:
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
