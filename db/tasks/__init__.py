"""Task alerts: shares, duplicate bumps, freshness votes, reports, warnings, expiry.

Hot paths are single statements: a share is one `INSERT … ON CONFLICT … RETURNING`
(new alert or bump, decided atomically by the partial unique index on live alerts), and a
click is one upsert of the member's vote plus one `UPDATE … RETURNING` that recomputes
the alert's counters from index-backed sub-queries.

The repository is one namespace for its callers (`from db import tasks as tasks_db`),
kept in modules by what a reader looks for: `records` (the dataclasses), `sharing`,
`lookups`, `crowd` (votes and reports), `content_warnings`, `ending`, `search` and
`privacy`.
"""

from __future__ import annotations

from db.tasks.content_warnings import (
    WARNING_CATEGORIES,
    clear_warning,
    confirm_warning,
    set_warning,
)
from db.tasks.crowd import report_done, vote
from db.tasks.ending import end_alert, expire_due, expire_unposted
from db.tasks.lookups import (
    flag_live_task,
    get_alert,
    get_by_message,
    live_for_requester,
    live_with_requester,
    relink_requester,
    removed_by_moderators,
    unlink_requester,
    warned_alert_stats,
)
from db.tasks.privacy import erase_member, export_member
from db.tasks.records import ENDED_STATES, LIVE, Alert, NewAlert, ShareResult, jump_url
from db.tasks.search import (
    RECENT_WINDOW,
    SearchFilters,
    requester_ids,
    requester_suggestions,
    search,
)
from db.tasks.sharing import SEEN_BY_KEEP, discard, set_message, share

__all__ = [
    "ENDED_STATES",
    "LIVE",
    "RECENT_WINDOW",
    "SEEN_BY_KEEP",
    "WARNING_CATEGORIES",
    "Alert",
    "NewAlert",
    "SearchFilters",
    "ShareResult",
    "clear_warning",
    "confirm_warning",
    "discard",
    "end_alert",
    "erase_member",
    "expire_due",
    "expire_unposted",
    "export_member",
    "flag_live_task",
    "get_alert",
    "get_by_message",
    "jump_url",
    "live_for_requester",
    "live_with_requester",
    "relink_requester",
    "removed_by_moderators",
    "report_done",
    "requester_ids",
    "requester_suggestions",
    "search",
    "set_message",
    "set_warning",
    "share",
    "unlink_requester",
    "vote",
    "warned_alert_stats",
]
