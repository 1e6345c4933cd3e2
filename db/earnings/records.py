"""What the earnings repository hands back: frozen records, never rows.

The summary and community arithmetic (`cogs.earnings.maths`, `cogs.earnings.stats`) reads
these pre-summed records, so they are defined where they are made, and the layer above
imports them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class Entry:
    user_id: int
    number: int
    uid: str
    kind: str
    status: str | None
    amount_cents: int
    currency: str | None
    minutes: int | None
    platform: str | None
    requester_name: str | None
    requester_key: str | None
    requester_id: int | None
    title: str | None
    reason: str | None
    work_date: str
    source: str
    alert_id: int | None
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class NewEntry:
    """What a member logs (or an import row), already validated by the rules."""

    kind: str
    work_date: str
    status: str | None = None
    amount_cents: int = 0
    currency: str | None = None
    minutes: int | None = None
    platform: str | None = None
    requester_name: str | None = None
    title: str | None = None
    reason: str | None = None
    source: str = "manual"
    uid: str | None = None
    requester_id: int | None = None
    alert_id: int | None = None


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    added: int
    skipped: int


@dataclass(frozen=True, slots=True)
class MemberContext:
    """A member's own earnings settings next to the server defaults they fall back on."""

    user_id: int
    member_timezone: str | None
    min_wage_cents: int | None
    wage_currency: str | None
    goal_cents: int | None
    goal_currency: str | None
    guild_timezone: str
    guild_currency: str
    guild_min_wage_cents: int
    sharing: bool

    @property
    def timezone(self) -> str:
        return self.member_timezone or self.guild_timezone

    @property
    def currency(self) -> str:
        """The currency the member is paid in by default (their wage's, else the server's)."""
        return self.wage_currency or self.guild_currency

    @property
    def wage(self) -> tuple[int, str]:
        if self.min_wage_cents is not None and self.wage_currency:
            return self.min_wage_cents, self.wage_currency
        return self.guild_min_wage_cents, self.guild_currency

    @property
    def goal(self) -> tuple[int, str] | None:
        if self.goal_cents and self.goal_currency:
            return self.goal_cents, self.goal_currency
        return None


@dataclass(frozen=True, slots=True)
class Shift:
    id: int
    user_id: int
    platform: str | None
    started_at: int
    ended_at: int | None
    worked_minutes: int | None
    gap_minutes: int | None
    entry_number: int | None
    #: The member's date when the shift started (None for shifts from before migration 15).
    start_day: str | None


@dataclass(frozen=True, slots=True)
class ShiftResult:
    shift: Shift
    logged_minutes: int
    entry: Entry | None


@dataclass(frozen=True, slots=True)
class Bucket:
    """Pre-summed entries sharing one group key (a rollup row, or a sum of them)."""

    key: str  # the day (YYYY-MM-DD), or the member's id for community statistics
    currency: str  # "" for unpaid time
    platform: str  # "" when none was given
    kind: str  # task | bonus | unpaid
    state: str  # status, or the unpaid reason
    entries: int
    amount_cents: int
    minutes: int
    timed_amount_cents: int
    untimed: int


@dataclass(frozen=True, slots=True)
class RequesterSums:
    """One requester's money and time in a period (summed by the database)."""

    key: str
    name: str
    platform: str
    currency: str
    earned: int
    numerator: int
    paid_minutes: int
    lost_minutes: int
    lost_count: int
    entries: int


class MemberGroup(NamedTuple):
    """One member's sums for one group, as the database pre-aggregates them.

    A work group (`unpaid` false) is a (platform, currency): `minutes` are its paid and
    lost minutes, `numerator` the earned money whose time is known. An unpaid group
    (`unpaid` true) is a platform tag ("" for none): `minutes` are its unpaid minutes.
    A tuple, so the community statistics read thousands of them cheaply.
    """

    member: str | int
    platform: str
    currency: str
    unpaid: bool | int
    minutes: int
    numerator: int
