"""What a digest says, as plain data: composed from the database, rendered separately.

Keeping the content apart from its rendering lets the benchmark time composition alone
and lets tests assert on numbers before they become text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from cogs.digests.rules import Cadence, Section
from cogs.earnings.stats import PlatformHourly


@dataclass(frozen=True, slots=True)
class TaskLine:
    """One of the period's best tasks, pointing at its alert."""

    alert_id: int
    title: str
    platform: str
    reward_cents: int
    currency: str
    minutes: int
    hourly_cents: int
    live: bool
    warning: str | None
    jump_url: str | None
    requester_status: str | None = None  # 'caution' or 'scam': the requester is flagged


@dataclass(frozen=True, slots=True)
class CurrencyMedian:
    """Shared tasks in one currency and their median hourly (no exchange rates exist)."""

    currency: str
    count: int
    median_hourly_cents: int


@dataclass(frozen=True, slots=True)
class RequesterLine:
    requester_id: int
    name: str
    platform: str
    status: str  # caution | scam
    reason: str | None
    from_reports: bool = False  # the status follows from confirmed reports


#: Members' effective hourly on one platform, shown only above the k-anonymity floor:
#: the community statistics' own record (`/earnings community` shows the same numbers).
WageLine = PlatformHourly


@dataclass(frozen=True, slots=True)
class Sharer:
    user_id: int
    shared: int


@dataclass(frozen=True, slots=True)
class ServerDigest:
    guild_id: int
    cadence: Cadence
    local_date: date
    window_start: datetime
    window_end: datetime
    sections: frozenset[Section]
    best_tasks: tuple[TaskLine, ...] = ()
    #: Best tasks read but left out: posted where not every reader of the digest can look.
    best_left_out: int = 0
    shared_count: int = 0
    medians: tuple[CurrencyMedian, ...] = ()
    cautions: tuple[RequesterLine, ...] = ()
    scams: tuple[RequesterLine, ...] = ()
    more_currencies: int = 0  # currencies shared in but without a median line
    more_scams: int = 0  # newly marked in the period but cut from the list
    more_cautions: int = 0
    reports_opened: int = 0
    reports_closed: int = 0
    wages: tuple[WageLine, ...] = ()
    wage_floor: int = 5
    sharers: tuple[Sharer, ...] = ()


@dataclass(frozen=True, slots=True)
class GoalProgressLine:
    """How the member did against their daily goal over the period."""

    goal_cents: int
    currency: str
    days_met: int
    days_worked: int
    last_day_cents: int  # what they earned on the period's last day
    percent: int
    bar: str


@dataclass(frozen=True, slots=True)
class EarningsSummary:
    """A member's own earnings over the period, in one currency."""

    currency: str
    entries: int
    earned_cents: int
    minutes: int  # all time: paid, lost and unpaid
    paid_hourly_cents: int | None
    effective_hourly_cents: int | None


@dataclass(frozen=True, slots=True)
class MemberDigest:
    user_id: int
    cadence: Cadence
    local_date: date
    window_start: datetime
    window_end: datetime
    earnings: tuple[EarningsSummary, ...] = ()
    goals: tuple[GoalProgressLine, ...] = ()
    missed: tuple[TaskLine, ...] = field(default_factory=tuple)
    more_missed: int = 0  # matching tasks beyond those listed

    @property
    def is_empty(self) -> bool:
        return not self.earnings and not self.missed and not self.goals
