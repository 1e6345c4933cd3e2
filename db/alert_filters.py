"""The seven filter columns that alert subscriptions and notification roles share.

A member's subscription (`db.subscriptions`) and a server's notification role
(`db.notify_roles`) store the same filters in the same columns, so the record, the
row-to-record mapping and the statement parameters are written once here.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@dataclass(frozen=True, slots=True)
class AlertFilters:
    """Stored alert filters (validated by `cogs.alerts.rules.Filters` before storing)."""

    platform: str | None
    min_hourly_cents: int | None
    min_reward_cents: int | None
    currency: str | None
    keywords: tuple[str, ...]
    requester: str | None
    no_warned: bool


@lru_cache(maxsize=4096)
def _keywords(text: str | None) -> tuple[str, ...]:
    """Parsed once per distinct keyword list: most subscriptions share a few (or none)."""
    return tuple(json.loads(text or "[]"))


def filter_columns(row: sqlite3.Row) -> dict[str, Any]:
    """A row's filter columns as `AlertFilters` fields (for a record's constructor)."""
    return {
        "platform": row["platform"] or None,
        "min_hourly_cents": row["min_hourly_cents"],
        "min_reward_cents": row["min_reward_cents"],
        "currency": row["currency"],
        "keywords": _keywords(row["keywords"]),
        "requester": row["requester"],
        "no_warned": bool(row["no_warned"]),
    }


def filter_params(filters: AlertFilters) -> dict[str, Any]:
    """The named parameters `:platform … :no_warned` of a statement that stores filters."""
    return {
        "platform": filters.platform or "",
        "hourly": filters.min_hourly_cents,
        "reward": filters.min_reward_cents,
        "currency": filters.currency,
        "keywords": json.dumps(list(filters.keywords), ensure_ascii=False),
        "requester": filters.requester,
        "no_warned": int(filters.no_warned),
    }
