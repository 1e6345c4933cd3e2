"""Community statistics: quartiles of members' effective hourly, and what may be published.

The same definitions as `cogs.earnings.maths` (earned ÷ paid + lost + unpaid time), but
in integers only: the weekly digest computes this for thousands of members between two
awaits, and `Fraction` arithmetic was the slowest part of it. The database hands over
one `MemberGroup` per member and group (`db.earnings.community_groups`); a group is only
shown where at least `K_ANONYMITY` members contribute, and what is shown is coarsened
(`publish`) so a before/after pair cannot be inverted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

from cogs.earnings.maths import GroupKey
from cogs.earnings.rules import LOST, PAID
from db.earnings.records import Bucket, MemberGroup

#: Community statistics need at least this many contributing members per group.
K_ANONYMITY = 5


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
# what leaves the database is a snapshot (see `cogs.earnings.community.snapshot`: membership
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
