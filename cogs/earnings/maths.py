"""Hourly wages from logged work: the arithmetic behind summaries and community statistics.

Pure and exact (integers and `Fraction`s, no floats, no discord). The database hands over
pre-summed `Bucket`s; everything here works on those few rows, never on every entry.

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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

from cogs.earnings.rules import LOST, PAID, Period

#: Community statistics need at least this many contributing members per group.
K_ANONYMITY = 5


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


# -- community statistics -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlatformHourly:
    """Effective hourly across contributing members for one platform and currency."""

    platform: str
    currency: str
    members: int
    q1_cents: int
    median_cents: int
    q3_cents: int


def div_half_up(numerator: int, denominator: int) -> int:
    """`round_half_up(numerator / denominator)` in integers only (denominator > 0).

    Community statistics divide thousands of times per digest; `Fraction` arithmetic
    (gcd on every operation) made that the slowest part of composing one.
    """
    if numerator < 0:
        return -((-2 * numerator + denominator) // (2 * denominator))
    return (2 * numerator + denominator) // (2 * denominator)


def quartiles(values: list[int]) -> tuple[int, int, int]:
    """Q1, median, Q3 by linear interpolation between order statistics (exact).

    The same definition as `statistics.quantiles(method="inclusive")`, without floats.
    """
    if not values:
        msg = "quartiles of nothing"
        raise ValueError(msg)
    data = sorted(values)
    if len(data) == 1:
        return data[0], data[0], data[0]
    m = len(data) - 1
    out: list[int] = []
    for i in (1, 2, 3):
        j, delta = divmod(i * m, 4)
        low = data[j]
        high = data[min(j + 1, len(data) - 1)]
        out.append(div_half_up(low * (4 - delta) + high * delta, 4))
    return out[0], out[1], out[2]


class MemberGroup(NamedTuple):
    """One member's sums for one group, as the database pre-aggregates them.

    A work group (`unpaid` false) is a (platform, currency): `minutes` are its paid and
    lost minutes, `numerator` the earned money whose time is known. An unpaid group
    (`unpaid` true) is a platform tag ("" for none): `minutes` are its unpaid minutes.
    A tuple, so database rows can be read as they come without building objects.
    """

    member: str | int
    platform: str
    currency: str
    unpaid: bool | int
    minutes: int
    numerator: int


def group_rates(
    work: Mapping[GroupKey, tuple[int, int]], tagged: Mapping[str, int], untagged: int
) -> dict[GroupKey, int]:
    """Effective hourly per group from (minutes, numerator) sums, in integers only.

    The same figures as `rate(numerator, allocate(...)[key])`: a group of `w` minutes on
    platform `p` gets `T·w/Wp` of that platform's tagged unpaid time `T` (Wp: the
    platform's positive work) and `S·w/W` of the rest `S` (untagged time, and time tagged
    with a platform without work; W: all positive work), so its time is
    `w·(Wp·W + T·W + S·Wp) / (Wp·W)` and the rate one exact division.
    """
    total = 0
    per_platform: dict[str, int] = defaultdict(int)
    for (platform, _), (minutes, _) in work.items():
        if minutes > 0:
            total += minutes
            per_platform[platform] += minutes
    spill = untagged + sum(m for p, m in tagged.items() if not per_platform.get(p))
    rates: dict[GroupKey, int] = {}
    for key, (minutes, numerator) in work.items():
        if minutes <= 0:
            continue
        wp = per_platform[key[0]]
        scale = wp * total + tagged.get(key[0], 0) * total + spill * wp
        if scale <= 0:
            continue
        rates[key] = div_half_up(numerator * 60 * wp * total, minutes * scale)
    return rates


def member_groups(buckets: Iterable[Bucket]) -> list[MemberGroup]:
    """Fold buckets (member id in `key`) into what `community_rows` reads from SQL."""
    sums: dict[tuple[str, str, str, bool], list[int]] = {}
    for b in buckets:
        unpaid = b.kind == "unpaid"
        key = (b.key, b.platform, "" if unpaid else b.currency, unpaid)
        acc = sums.setdefault(key, [0, 0])
        if unpaid:
            acc[0] += b.minutes
        elif b.state in PAID:
            acc[0] += b.minutes
            acc[1] += b.timed_amount_cents
        elif b.state in LOST:
            acc[0] += b.minutes
    return [MemberGroup(k[0], k[1], k[2], k[3], v[0], v[1]) for k, v in sums.items()]


def _rates_of(groups: Iterable[Sequence[Any]]) -> dict[GroupKey, int]:
    work: dict[GroupKey, tuple[int, int]] = {}
    tagged: dict[str, int] = defaultdict(int)
    untagged = 0
    for _, platform, currency, unpaid, minutes, numerator in groups:
        if not unpaid:
            old_minutes, old_numerator = work.get((platform, currency), (0, 0))
            work[(platform, currency)] = (old_minutes + minutes, old_numerator + numerator)
        elif platform:
            tagged[platform] += minutes
        else:
            untagged += minutes
    return group_rates(work, tagged, untagged)


def member_rates(buckets: Iterable[Bucket]) -> dict[GroupKey, int]:
    """One member's effective hourly per (platform, currency) they really worked in."""
    return _rates_of(member_groups(buckets))


def community_rows(
    groups: Iterable[Sequence[Any]], floor: int = K_ANONYMITY
) -> list[PlatformHourly]:
    """Quartiles of members' effective hourly per platform, where ≥ `floor` contribute.

    `groups` are `MemberGroup`s (or rows of the same six columns), in any order. Groups
    with fewer contributors are left out entirely (not even their count is returned), so
    no member can be singled out; the floor cannot be set below `K_ANONYMITY`.
    """
    floor = max(floor, K_ANONYMITY)
    samples: dict[GroupKey, list[int]] = defaultdict(list)
    ordered = sorted(groups, key=itemgetter(0))  # already sorted from SQL: linear
    for _, chunk in groupby(ordered, key=itemgetter(0)):
        rows = list(chunk)
        if len(rows) == 1:
            # the common case: one group, no unpaid time to share out
            _, platform, currency, unpaid, minutes, numerator = rows[0]
            if not unpaid and minutes > 0:
                samples[(platform, currency)].append(div_half_up(numerator * 60, minutes))
            continue
        for key, value in _rates_of(rows).items():
            samples[key].append(value)
    stats = []
    for (platform, currency), values in samples.items():
        if len(values) < floor:
            continue
        q1, median, q3 = quartiles(values)
        stats.append(PlatformHourly(platform, currency, len(values), q1, median, q3))
    return sorted(stats, key=lambda s: (-s.members, s.platform.casefold(), s.currency))


def community_stats(buckets: Iterable[Bucket], floor: int = K_ANONYMITY) -> list[PlatformHourly]:
    """`community_rows` over buckets that carry the member's id in `key`."""
    return community_rows(member_groups(buckets), floor)


# -- what is published ------------------------------------------------------------------------
#
# Exact figures recomputed on every call can be differenced: "median $9.00, 5 members" then
# "$9.50, 6 members" after one member opts in gives 2 × 9.50 − 9.00, their own hourly. So
# what leaves the database is a snapshot (see `db.earnings.community_hourly`: membership
# fixed at the start of the week, work dated before today) and it is coarsened here:
# every figure to the nearest `PUBLISHED_STEP` minor units, and the number of members as a
# band, never an exact count.

#: Published hourly figures are rounded to this many minor units ($0.50, €0.50, £0.50).
PUBLISHED_STEP = 50
#: Lower bounds of the member-count bands published instead of exact counts.
MEMBER_BANDS = (5, 10, 25, 50, 100, 250, 500, 1000)


def round_to_step(value: int, step: int = PUBLISHED_STEP) -> int:
    """Nearest multiple of `step`, halves up (integers only)."""
    return div_half_up(value, step) * step


def member_band(count: int) -> int:
    """The lower bound of the band `count` falls in (0 below the first band)."""
    low = 0
    for bound in MEMBER_BANDS:
        if count >= bound:
            low = bound
    return low


def band_text(low: int, fmt: Any = str) -> str:
    """`5–9`, `10–24`, …, `1000+` for a band's lower bound (`fmt` formats numbers)."""
    bands = list(MEMBER_BANDS)
    if low not in bands:
        return fmt(low)
    index = bands.index(low)
    if index + 1 == len(bands):
        return f"{fmt(low)}+"
    return f"{fmt(low)}–{fmt(bands[index + 1] - 1)}"


def publish(stats: Iterable[PlatformHourly]) -> list[PlatformHourly]:
    """What may be shown of exact statistics: rounded figures, a member band for a count."""
    return [
        PlatformHourly(
            s.platform,
            s.currency,
            member_band(s.members),
            round_to_step(s.q1_cents),
            round_to_step(s.median_cents),
            round_to_step(s.q3_cents),
        )
        for s in stats
    ]
