"""What the tasks repository returns: the alert as stored, and what a share stores.

Every module of `db.tasks` reads rows through `row_to_alert`, so an alert looks the
same whichever statement returned it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

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
    #: The sharer had already shared this live alert (first or as a re-sharer): the bump
    #: refreshed it but did not count them again.
    repeat: bool = False


def jump_url(guild_id: int, channel_id: int | None, message_id: int | None) -> str | None:
    if channel_id is None or message_id is None:
        return None
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


def _json_list(text: str | None) -> list[Any]:
    """A JSON list column; most are empty, answered without the decoder."""
    return [] if not text or text == "[]" else json.loads(text)


def row_to_alert(row: sqlite3.Row) -> Alert:
    # Read by name from a dict: `sqlite3.Row` finds a name by walking every column
    # (45 here), so reading each one from the row itself took a share tens of microseconds.
    # Built back to front so a repeated name keeps its first column, as `Row` does.
    col = dict(zip(reversed(tuple(row.keys())), reversed(tuple(row)), strict=True))
    countries = col["countries"]
    return Alert(
        id=col["id"],
        guild_id=col["guild_id"],
        platform=col["platform"],
        title=col["title"],
        requester_id=col["requester_id"],
        requester_name=col["requester_name"],
        reward_cents=col["reward_cents"],
        currency=col["currency"],
        minutes=col["minutes"],
        hourly_cents=col["hourly_cents"],
        link=col["link"],
        countries=frozenset(countries.split(",")) if countries else frozenset(),
        qualifications=frozenset(_json_list(col["qualifications"])),
        warning=col["warning"],
        sharer_id=col["sharer_id"],
        channel_id=col["channel_id"],
        message_id=col["message_id"],
        jump_url=jump_url(col["guild_id"], col["channel_id"], col["message_id"]),
        state=col["state"],
        created_at=col["created_at"],
        task_key=col["task_key"],
        platform_task_id=col["platform_task_id"],
        platform_requester_id=col["platform_requester_id"],
        available=col["available"],
        notes=col["notes"],
        anonymous=bool(col["anonymous"]),
        warning_pending=col["warning_pending"],
        warning_proposed_by=col["warning_proposed_by"],
        warning_confirmed_by=col["warning_confirmed_by"],
        is_forum=bool(col["is_forum"]),
        seen_count=col["seen_count"],
        seen_by=tuple(int(x) for x in _json_list(col["seen_by"])),
        live_votes=col["live_votes"],
        gone_votes=col["gone_votes"],
        done_count=col["done_count"],
        good_count=col["good_count"],
        bad_count=col["bad_count"],
        crowd_hourly_cents=col["crowd_hourly_cents"],
        last_seen_at=col["last_seen_at"],
        last_confirmed_at=col["last_confirmed_at"],
        expires_at=col["expires_at"],
        ended_at=col["ended_at"],
        ended_by=col["ended_by"],
        removed_reason=col["removed_reason"],
    )
