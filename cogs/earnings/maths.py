"""Hourly wages from logged work: the arithmetic behind summaries and community statistics.

Pure and exact (integers and `Fraction`s, no floats, no discord). The database hands over
pre-summed `Bucket`s; everything here works on those few rows, never on every entry.
The community statistics built on the same definitions are `cogs.earnings.stats`.

Definitions, used the same way everywhere:

* **earned** — approved + pending money (pending counts until marked rejected/returned);
* **paid time** — minutes of approved and pending tasks;
* **lost time** — minutes of rejected and returned tasks: work done for nothing;
* **unpaid time** — time logged as unpaid (searching, qualification tests, between tasks);
* **paid hourly** — earned ÷ paid time;
* **effective hourly** — earned ÷ (paid + lost + unpaid time).

Money is never mixed across currencies. Unpaid time has no currency: it is shared among
the (platform, currency) groups the member worked in, in proportion to their work time —
first among the platform it was tagged with, otherwise among everything. Entries whose
minutes are unknown (some imports) count in the money totals but not in hourly figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from cogs.earnings.rules import LOST, PAID, Period
from db.earnings.records import Bucket, RequesterSums


def round_half_up(value: Fraction) -> int:
    """Nearest integer, halves away from zero, exactly."""
    if value < 0:
        return -round_half_up(-value)
    return int(value + Fraction(1, 2))


def rate(amount_cents: int, minutes: Fraction | int) -> int | None:
    """Minor units per hour, or None when there is no time to divide by."""
    if minutes <= 0:
        return None
    return round_half_up(Fraction(amount_cents) * 60 / Fraction(minutes))


@dataclass
class Work:
    """Running sums for one group (a currency, a platform, a requester, a day)."""

    approved: int = 0
    pending: int = 0
    rejected: int = 0
    returned: int = 0
    bonus: int = 0
    rejected_count: int = 0
    returned_count: int = 0
    entries: int = 0
    untimed: int = 0
    paid_minutes: int = 0
    lost_minutes: int = 0
    numerator: int = 0  # earned money whose time is known (what hourly figures divide)

    def add(self, b: Bucket) -> None:
        if b.kind == "unpaid":
            return
        self.entries += b.entries
        self.untimed += b.untimed
        if b.state in PAID:
            if b.state == "approved":
                self.approved += b.amount_cents
            else:
                self.pending += b.amount_cents
            if b.kind == "bonus":
                self.bonus += b.amount_cents
            self.paid_minutes += b.minutes
            self.numerator += b.timed_amount_cents
        elif b.state in LOST:
            if b.state == "rejected":
                self.rejected += b.amount_cents
                self.rejected_count += b.entries
            else:
                self.returned += b.amount_cents
                self.returned_count += b.entries
            self.lost_minutes += b.minutes

    def merge(self, other: Work) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def earned(self) -> int:
        return self.approved + self.pending

    @property
    def work_minutes(self) -> int:
        return self.paid_minutes + self.lost_minutes


GroupKey = tuple[str, str]  # (platform, currency)


def allocate(
    work: Mapping[GroupKey, int], tagged: Mapping[str, int], untagged: int
) -> tuple[dict[GroupKey, Fraction], int]:
    """Each group's total time: its own work plus its share of the unpaid time.

    Returns the times and the unpaid minutes that could not be placed (no work at all).
    Unpaid time tagged with a platform goes to that platform's groups; time tagged with a
    platform the member did no work on in the period, and untagged time, is shared over
    every group. Shares are exact fractions, so the times add up to the whole.
    """
    times = {key: Fraction(minutes) for key, minutes in work.items()}
    spill = untagged
    for platform, minutes in tagged.items():
        group = {k: w for k, w in work.items() if k[0] == platform and w > 0}
        total = sum(group.values())
        if total == 0:
            spill += minutes
            continue
        for key, w in group.items():
            times[key] += Fraction(minutes * w, total)
    total = sum(w for w in work.values() if w > 0)
    if total == 0:
        return times, spill
    for key, w in work.items():
        if w > 0:
            times[key] += Fraction(spill * w, total)
    return times, 0


@dataclass(frozen=True, slots=True)
class Totals:
    """Everything about one currency in a period."""

    currency: str
    approved: int
    pending: int
    rejected: int
    returned: int
    bonus: int
    rejected_count: int
    returned_count: int
    entries: int
    untimed: int
    paid_minutes: int
    lost_minutes: int
    numerator: int
    time: Fraction  # paid + lost + this currency's share of unpaid time

    @property
    def earned(self) -> int:
        return self.approved + self.pending

    @property
    def paid_hourly(self) -> int | None:
        return rate(self.numerator, self.paid_minutes)

    @property
    def effective_hourly(self) -> int | None:
        return rate(self.numerator, self.time)

    @property
    def unpaid_share(self) -> Fraction:
        return self.time - self.paid_minutes - self.lost_minutes


@dataclass(frozen=True, slots=True)
class Line:
    """One row of a breakdown (a platform, or a requester)."""

    key: str
    label: str
    platform: str
    currency: str
    earned: int
    lost_count: int
    entries: int
    minutes: int  # the time `hourly` is computed over (a platform's includes its unpaid share)
    hourly: int | None


@dataclass(frozen=True, slots=True)
class Day:
    """One day in one currency (for goals and the chart)."""

    day: date
    currency: str
    approved: int
    pending: int
    lost: int
    numerator: int
    time: Fraction  # paid + lost + that day's share of unpaid time

    @property
    def earned(self) -> int:
        return self.approved + self.pending

    @property
    def hourly(self) -> int | None:
        """Effective hourly that day."""
        return rate(self.numerator, self.time)


@dataclass(frozen=True, slots=True)
class Summary:
    period: Period
    currencies: tuple[Totals, ...]
    unpaid_by_reason: Mapping[str, int]
    platforms: tuple[Line, ...]
    requesters: tuple[Line, ...]
    days: tuple[Day, ...]
    unplaced_minutes: int  # unpaid time in a period with no paid work to attach it to
    untimed: int = 0
    entries: int = 0

    @property
    def is_empty(self) -> bool:
        return self.entries == 0 and not self.unpaid_minutes

    @property
    def unpaid_minutes(self) -> int:
        return sum(self.unpaid_by_reason.values())

    @property
    def paid_minutes(self) -> int:
        return sum(t.paid_minutes for t in self.currencies)

    @property
    def lost_minutes(self) -> int:
        return sum(t.lost_minutes for t in self.currencies)

    def totals(self, currency: str) -> Totals | None:
        return next((t for t in self.currencies if t.currency == currency), None)

    def earned_on(self, day: date, currency: str) -> int:
        return sum(d.earned for d in self.days if d.day == day and d.currency == currency)


def _split(buckets: Iterable[Bucket]) -> tuple[dict[GroupKey, Work], dict[str, int], int]:
    """Work per (platform, currency), unpaid minutes per platform, untagged unpaid minutes."""
    groups: dict[GroupKey, Work] = defaultdict(Work)
    tagged: dict[str, int] = defaultdict(int)
    untagged = 0
    for b in buckets:
        if b.kind == "unpaid":
            if b.platform:
                tagged[b.platform] += b.minutes
            else:
                untagged += b.minutes
        else:
            groups[(b.platform, b.currency)].add(b)
    return groups, tagged, untagged


def group_times(
    buckets: Iterable[Bucket],
) -> tuple[dict[GroupKey, Work], dict[GroupKey, Fraction], int]:
    groups, tagged, untagged = _split(buckets)
    times, unplaced = allocate(
        {k: w.work_minutes for k, w in groups.items()}, dict(tagged), untagged
    )
    return groups, times, unplaced


def build_summary(
    period: Period, day_rows: list[Bucket], requester_rows: Iterable[RequesterSums] = ()
) -> Summary:
    """Turn the period's per-day buckets and top requesters into a summary."""
    groups, times, unplaced = group_times(day_rows)

    by_currency: dict[str, Work] = defaultdict(Work)
    currency_time: dict[str, Fraction] = defaultdict(Fraction)
    for (platform, currency), work in groups.items():
        by_currency[currency].merge(work)
        currency_time[currency] += times[(platform, currency)]
    currencies = tuple(
        sorted(
            (
                Totals(
                    currency=c,
                    approved=w.approved,
                    pending=w.pending,
                    rejected=w.rejected,
                    returned=w.returned,
                    bonus=w.bonus,
                    rejected_count=w.rejected_count,
                    returned_count=w.returned_count,
                    entries=w.entries,
                    untimed=w.untimed,
                    paid_minutes=w.paid_minutes,
                    lost_minutes=w.lost_minutes,
                    numerator=w.numerator,
                    time=currency_time[c],
                )
                for c, w in by_currency.items()
            ),
            key=lambda t: (-t.earned, t.currency),
        )
    )

    reasons: dict[str, int] = defaultdict(int)
    for b in day_rows:
        if b.kind == "unpaid":
            reasons[b.state] += b.minutes

    platforms = tuple(
        sorted(
            (
                Line(
                    key=platform,
                    label=platform,
                    platform=platform,
                    currency=currency,
                    earned=w.earned,
                    lost_count=w.rejected_count + w.returned_count,
                    entries=w.entries,
                    # the same time the rate uses, so time × rate gives the money back
                    minutes=round_half_up(times[(platform, currency)]),
                    hourly=rate(w.numerator, times[(platform, currency)]),
                )
                for (platform, currency), w in groups.items()
            ),
            key=lambda line: (-line.earned, line.label.casefold(), line.currency),
        )
    )

    requesters = tuple(
        Line(
            key=r.key,
            label=r.name or r.key,
            platform=r.platform,
            currency=r.currency,
            earned=r.earned,
            lost_count=r.lost_count,
            entries=r.entries,
            minutes=r.paid_minutes + r.lost_minutes,
            hourly=rate(r.numerator, r.paid_minutes + r.lost_minutes),
        )
        for r in requester_rows
    )

    return Summary(
        period=period,
        currencies=currencies,
        unpaid_by_reason=dict(reasons),
        platforms=platforms,
        requesters=requesters,
        days=_days(day_rows),
        unplaced_minutes=unplaced,
        untimed=sum(t.untimed for t in currencies),
        entries=sum(t.entries for t in currencies),
    )


def _days(day_rows: list[Bucket]) -> tuple[Day, ...]:
    by_day: dict[str, list[Bucket]] = defaultdict(list)
    for b in day_rows:
        by_day[b.key].append(b)
    days: list[Day] = []
    for key in sorted(by_day):
        rows = by_day[key]
        _, times, _ = group_times(rows)
        per_currency: dict[str, Work] = defaultdict(Work)
        for b in rows:
            if b.kind != "unpaid":
                per_currency[b.currency].add(b)
        time: dict[str, Fraction] = defaultdict(Fraction)
        for (_, currency), value in times.items():
            time[currency] += value
        for currency, work in sorted(per_currency.items()):
            days.append(
                Day(
                    day=date.fromisoformat(key),
                    currency=currency,
                    approved=work.approved,
                    pending=work.pending,
                    lost=work.rejected + work.returned,
                    numerator=work.numerator,
                    time=time[currency],
                )
            )
    return tuple(days)


@dataclass(frozen=True, slots=True)
class GoalProgress:
    goal_cents: int
    currency: str
    today_cents: int
    days_met: int
    days_worked: int

    @property
    def percent(self) -> int:
        return min(999, round_half_up(Fraction(self.today_cents * 100, self.goal_cents)))

    @property
    def reached(self) -> bool:
        return self.today_cents >= self.goal_cents


def goal_progress(summary: Summary, today: date, goal_cents: int, currency: str) -> GoalProgress:
    earned_by_day: dict[date, int] = defaultdict(int)
    for d in summary.days:
        if d.currency == currency:
            earned_by_day[d.day] += d.earned
    worked = [day for day, cents in earned_by_day.items() if cents > 0]
    return GoalProgress(
        goal_cents=goal_cents,
        currency=currency,
        today_cents=earned_by_day.get(today, 0),
        days_met=sum(1 for day in worked if earned_by_day[day] >= goal_cents),
        days_worked=len(worked),
    )


def progress_bar(percent: int, width: int = 10) -> str:
    filled = max(0, min(width, percent * width // 100))
    return "▰" * filled + "▱" * (width - filled)
