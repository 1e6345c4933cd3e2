"""Hourly wages, unpaid-time sharing, currency grouping and k-anonymity (pure)."""

from __future__ import annotations

import statistics
from datetime import date
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from cogs.earnings import maths
from cogs.earnings import stats as community
from cogs.earnings.rules import Period
from db.earnings import Bucket, RequesterSums

WEEK = Period("week", date(2026, 11, 23), date(2026, 11, 29))


def task(
    day: str = "2026-11-23",
    *,
    amount: int = 100,
    minutes: int = 10,
    status: str = "approved",
    currency: str = "USD",
    platform: str = "MTurk",
    entries: int = 1,
    untimed: int = 0,
    kind: str = "task",
    key: str | None = None,
) -> Bucket:
    return Bucket(
        key=key or day,
        currency=currency,
        platform=platform,
        kind=kind,
        state=status,
        entries=entries,
        amount_cents=amount,
        minutes=minutes,
        timed_amount_cents=0 if untimed else amount,
        untimed=untimed,
    )


def unpaid(
    day: str = "2026-11-23", minutes: int = 10, reason: str = "searching", platform: str = ""
) -> Bucket:
    return Bucket(day, "", platform, "unpaid", reason, 1, 0, minutes, 0, 0)


def test_rate_rounds_half_up_exactly() -> None:
    assert maths.rate(150, 10) == 900
    assert maths.rate(1, 120) == 1  # 0.5 → 1
    assert maths.rate(100, 0) is None
    assert maths.rate(100, Fraction(40, 3)) == 450


def test_paid_and_effective_hourly_with_unpaid_time() -> None:
    summary = maths.build_summary(
        WEEK,
        [
            task(amount=600, minutes=40),  # $6 in 40 min
            task(amount=200, minutes=20, status="rejected"),  # 20 min for nothing
            unpaid(minutes=30),  # searching
        ],
    )
    (usd,) = summary.currencies
    assert usd.approved == 600 and usd.rejected == 200 and usd.rejected_count == 1
    assert usd.paid_hourly == 900  # 600 / 40 min
    assert usd.effective_hourly == 400  # 600 / 90 min
    assert summary.paid_minutes == 40 and summary.lost_minutes == 20
    assert summary.unpaid_by_reason == {"searching": 30}


def test_pending_counts_as_earned_and_bonus_raises_hourly() -> None:
    summary = maths.build_summary(
        WEEK,
        [
            task(amount=300, minutes=30, status="pending"),
            task(amount=100, minutes=0, kind="bonus"),
        ],
    )
    (usd,) = summary.currencies
    assert usd.earned == 400 and usd.pending == 300 and usd.bonus == 100
    assert usd.paid_hourly == usd.effective_hourly == 800


def test_currencies_are_never_mixed() -> None:
    summary = maths.build_summary(
        WEEK,
        [
            task(amount=1000, minutes=60, currency="USD"),
            task(amount=500, minutes=30, currency="GBP", platform="Prolific"),
            unpaid(minutes=90),
        ],
    )
    by = {t.currency: t for t in summary.currencies}
    assert set(by) == {"USD", "GBP"}
    assert by["USD"].earned == 1000 and by["GBP"].earned == 500
    # 90 unpaid minutes shared 2:1 by work time: USD gets 60, GBP 30
    assert by["USD"].time == 120 and by["GBP"].time == 60
    assert by["USD"].effective_hourly == 500 and by["GBP"].effective_hourly == 500


def test_unpaid_time_tagged_with_a_platform_stays_there() -> None:
    summary = maths.build_summary(
        WEEK,
        [
            task(amount=600, minutes=60, platform="MTurk"),
            task(amount=600, minutes=60, platform="Prolific"),
            unpaid(minutes=60, platform="Prolific"),
        ],
    )
    lines = {line.platform: line for line in summary.platforms}
    assert lines["MTurk"].hourly == 600
    assert lines["Prolific"].hourly == 300
    (usd,) = summary.currencies
    assert usd.effective_hourly == 400  # 1200 / 180 min


def test_untimed_entries_count_in_money_not_in_hourly() -> None:
    summary = maths.build_summary(
        WEEK, [task(amount=600, minutes=60), task(amount=900, minutes=0, untimed=1)]
    )
    (usd,) = summary.currencies
    assert usd.approved == 1500 and usd.untimed == 1
    assert usd.paid_hourly == 600
    assert summary.untimed == 1


def test_unpaid_time_without_any_work_is_reported_not_divided() -> None:
    summary = maths.build_summary(WEEK, [unpaid(minutes=45)])
    assert summary.currencies == ()
    assert summary.unplaced_minutes == 45
    assert not summary.is_empty


def test_days_and_goal_progress() -> None:
    summary = maths.build_summary(
        WEEK,
        [
            task("2026-11-23", amount=2500, minutes=120),
            task("2026-11-24", amount=800, minutes=60, status="pending"),
            task("2026-11-24", amount=300, minutes=20, status="returned"),
            task("2026-11-24", amount=700, minutes=60, currency="GBP", platform="Prolific"),
        ],
    )
    usd_days = [d for d in summary.days if d.currency == "USD"]
    assert [(d.day.day, d.earned, d.lost) for d in usd_days] == [(23, 2500, 0), (24, 800, 300)]
    assert usd_days[1].hourly == 600  # 800 over 80 minutes (returned time included)
    goal = maths.goal_progress(summary, date(2026, 11, 24), 2000, "USD")
    assert (goal.today_cents, goal.percent, goal.reached) == (800, 40, False)
    assert (goal.days_met, goal.days_worked) == (1, 2)
    assert maths.progress_bar(40) == "▰▰▰▰▱▱▱▱▱▱"
    assert maths.progress_bar(250) == "▰" * 10


def test_requester_lines_come_from_the_database_sums() -> None:
    summary = maths.build_summary(
        WEEK,
        [task(amount=100, minutes=10)],
        [RequesterSums("acme", "Acme", "MTurk", "USD", 900, 900, 60, 30, 2, 10)],
    )
    (line,) = summary.requesters
    assert (line.label, line.earned, line.lost_count, line.hourly) == ("Acme", 900, 2, 600)


def test_quartiles_match_the_statistics_module() -> None:
    assert community.quartiles([700]) == (700, 700, 700)
    assert community.quartiles([100, 200, 300, 400, 500]) == (200, 300, 400)


@given(st.lists(st.integers(min_value=0, max_value=100_000), min_size=2, max_size=60))
def test_quartiles_property(values: list[int]) -> None:
    q1, median, q3 = community.quartiles(values)
    assert min(values) <= q1 <= median <= q3 <= max(values)
    expected = statistics.quantiles(values, n=4, method="inclusive")
    for mine, theirs in zip((q1, median, q3), expected, strict=True):
        assert abs(mine - theirs) <= 0.5 + 1e-9


def member(uid: int, amount: int, minutes: int, platform: str = "MTurk") -> list[Bucket]:
    return [task(amount=amount, minutes=minutes, platform=platform, key=str(uid))]


def test_community_needs_five_members_per_platform() -> None:
    four = [b for uid in range(4) for b in member(uid, 600, 60)]
    assert community.community_stats(four) == []
    five = four + member(4, 1200, 60)
    (stats,) = community.community_stats(five)
    assert (stats.platform, stats.currency, stats.members) == ("MTurk", "USD", 5)
    assert (stats.q1_cents, stats.median_cents, stats.q3_cents) == (600, 600, 600)
    # a lower floor cannot be asked for
    assert community.community_stats(four, floor=1) == []


def test_community_is_per_platform_and_currency() -> None:
    rows = [b for uid in range(5) for b in member(uid, 600, 60)]
    rows += [b for uid in range(3) for b in member(uid, 900, 60, platform="Prolific")]
    stats = community.community_stats(rows)
    assert [s.platform for s in stats] == ["MTurk"]


def test_community_counts_unpaid_time_per_member() -> None:
    rows = [b for uid in range(5) for b in member(uid, 600, 60)]
    rows.append(Bucket("0", "", "", "unpaid", "searching", 1, 0, 60, 0, 0))
    (stats,) = community.community_stats(rows)
    assert stats.q1_cents == 600 and stats.median_cents == 600
    rates = community.member_rates([r for r in rows if r.key == "0"])
    assert rates == {("MTurk", "USD"): 300}


def unpaid_buckets(
    keys: st.SearchStrategy[str], minutes: st.SearchStrategy[int]
) -> st.SearchStrategy[Bucket]:
    """Buckets of unpaid time (searching, qualifying, between tasks): minutes, no money."""
    return st.builds(
        Bucket,
        key=keys,
        currency=st.just(""),
        platform=st.sampled_from(["MTurk", "Prolific", "Toloka", ""]),
        kind=st.just("unpaid"),
        state=st.sampled_from(["searching", "qualification", "between_tasks"]),
        entries=st.integers(1, 5),
        amount_cents=st.just(0),
        minutes=minutes,
        timed_amount_cents=st.just(0),
        untimed=st.just(0),
    )


bucket_strategy = st.builds(
    Bucket,
    key=st.sampled_from(["2026-11-23", "2026-11-24", "2026-11-25"]),
    currency=st.sampled_from(["USD", "GBP", "EUR"]),
    platform=st.sampled_from(["MTurk", "Prolific", ""]),
    kind=st.sampled_from(["task", "bonus"]),
    state=st.sampled_from(["pending", "approved", "rejected", "returned"]),
    entries=st.integers(1, 50),
    amount_cents=st.integers(0, 100_000),
    minutes=st.integers(0, 1440),
    timed_amount_cents=st.just(0),
    untimed=st.just(0),
)
unpaid_strategy = unpaid_buckets(
    st.sampled_from(["2026-11-23", "2026-11-24"]), st.integers(1, 1440)
)


def _timed(b: Bucket) -> Bucket:
    return Bucket(
        b.key,
        b.currency,
        b.platform,
        b.kind,
        b.state,
        b.entries,
        b.amount_cents,
        b.minutes,
        b.amount_cents,
        0,
    )


@given(st.lists(bucket_strategy, max_size=30), st.lists(unpaid_strategy, max_size=10))
def test_summary_properties(paid: list[Bucket], free: list[Bucket]) -> None:
    paid = [_timed(b) for b in paid]
    summary = maths.build_summary(WEEK, paid + free)
    for totals in summary.currencies:
        mine = [b for b in paid if b.currency == totals.currency]
        # money is summed per currency, exactly, never mixed
        assert totals.approved == sum(b.amount_cents for b in mine if b.state == "approved")
        assert totals.pending == sum(b.amount_cents for b in mine if b.state == "pending")
        assert totals.rejected == sum(b.amount_cents for b in mine if b.state == "rejected")
        # unpaid time can only lower the hourly
        if totals.paid_hourly is not None and totals.effective_hourly is not None:
            assert totals.effective_hourly <= totals.paid_hourly
    work = sum(b.minutes for b in paid)
    unpaid_minutes = sum(b.minutes for b in free)
    total_time = sum(t.time for t in summary.currencies)
    if work > 0:
        # every unpaid minute lands somewhere, exactly once
        assert total_time == work + unpaid_minutes and summary.unplaced_minutes == 0
    else:
        assert summary.unplaced_minutes == unpaid_minutes
    assert sum(d.earned for d in summary.days) == sum(t.earned for t in summary.currencies)


@given(
    st.dictionaries(
        st.tuples(st.sampled_from(["A", "B", "C"]), st.sampled_from(["USD", "GBP"])),
        st.integers(0, 1000),
        max_size=6,
    ),
    st.dictionaries(st.sampled_from(["A", "B", "D"]), st.integers(0, 500), max_size=3),
    st.integers(0, 500),
)
def test_allocate_shares_all_unpaid_time(
    work: dict[tuple[str, str], int], tagged: dict[str, int], untagged: int
) -> None:
    times, unplaced = maths.allocate(work, tagged, untagged)
    total_work = sum(work.values())
    if total_work:
        assert unplaced == 0
        assert sum(times.values()) == total_work + sum(tagged.values()) + untagged
    else:
        assert unplaced == sum(tagged.values()) + untagged
    for key, minutes in work.items():
        assert times[key] >= minutes


# -- the integer community statistics give what the exact-fraction ones gave ----------------


def _reference_quartiles(values: list[int]) -> tuple[int, int, int]:
    data = sorted(values)
    if len(data) == 1:
        return data[0], data[0], data[0]
    m = len(data) - 1
    out = []
    for i in (1, 2, 3):
        j, delta = divmod(i * m, 4)
        high = data[min(j + 1, len(data) - 1)]
        out.append(maths.round_half_up(Fraction(data[j] * (4 - delta) + high * delta, 4)))
    return out[0], out[1], out[2]


def _reference_community(buckets: list[Bucket]) -> list[community.PlatformHourly]:
    """The former implementation: Fraction times from `group_times`, per member."""
    per_member: dict[str, list[Bucket]] = {}
    for b in buckets:
        per_member.setdefault(b.key, []).append(b)
    samples: dict[tuple[str, str], list[int]] = {}
    for rows in per_member.values():
        groups, times, _ = maths.group_times(rows)
        for key, work in groups.items():
            if work.work_minutes <= 0:
                continue
            value = maths.rate(work.numerator, times[key])
            if value is not None:
                samples.setdefault(key, []).append(value)
    stats = [
        community.PlatformHourly(p, c, len(v), *_reference_quartiles(v))
        for (p, c), v in samples.items()
        if len(v) >= community.K_ANONYMITY
    ]
    return sorted(stats, key=lambda s: (-s.members, s.platform.casefold(), s.currency))


member_bucket = st.builds(
    Bucket,
    key=st.sampled_from([str(n) for n in range(8)]),
    currency=st.sampled_from(["USD", "GBP"]),
    platform=st.sampled_from(["MTurk", "Prolific", ""]),
    kind=st.sampled_from(["task", "bonus"]),
    state=st.sampled_from(["pending", "approved", "rejected", "returned"]),
    entries=st.integers(1, 50),
    amount_cents=st.integers(-1_000, 10**9),
    minutes=st.integers(0, 20_000),
    timed_amount_cents=st.integers(0, 10**9),
    untimed=st.integers(0, 3),
)
member_unpaid = unpaid_buckets(st.sampled_from([str(n) for n in range(8)]), st.integers(0, 5_000))


@given(st.lists(st.one_of(member_bucket, member_unpaid), max_size=80))
def test_integer_community_stats_equal_the_exact_fraction_ones(buckets: list[Bucket]) -> None:
    assert community.community_stats(buckets) == _reference_community(buckets)
    for uid in {b.key for b in buckets}:
        mine = [b for b in buckets if b.key == uid]
        groups, times, _ = maths.group_times(mine)
        expected = {
            key: maths.rate(work.numerator, times[key])
            for key, work in groups.items()
            if work.work_minutes > 0 and maths.rate(work.numerator, times[key]) is not None
        }
        assert community.member_rates(mine) == expected


@given(st.integers(-(10**12), 10**12), st.integers(1, 10**6))
def test_integer_division_rounds_half_away_from_zero(numerator: int, denominator: int) -> None:
    assert community.div_half_up(numerator, denominator) == maths.round_half_up(
        Fraction(numerator, denominator)
    )


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["MTurk", "Prolific", "Toloka"]),
            st.integers(1, 5000),
            st.integers(1, 600),
        ),
        min_size=1,
        max_size=8,
    ),
    st.lists(
        st.tuples(st.sampled_from(["", "MTurk", "Prolific", "Appen"]), st.integers(1, 600)),
        max_size=5,
    ),
)
def test_each_platform_line_adds_up(
    tasks: list[tuple[str, int, int]], unpaid_times: list[tuple[str, int]]
) -> None:
    """Time × rate gives the money back: the line shows the time its rate is over."""
    rows = [task(platform=p, amount=a, minutes=m) for p, a, m in tasks]
    rows += [unpaid(platform=p, minutes=m) for p, m in unpaid_times]
    summary = maths.build_summary(WEEK, rows)
    total_time = sum(t.time for t in summary.currencies)
    assert abs(sum(line.minutes for line in summary.platforms) - total_time) <= len(
        summary.platforms
    )  # every minute of unpaid time shows on some line (each line rounded once)
    for line in summary.platforms:
        assert line.hourly is not None
        implied = Fraction(line.hourly * line.minutes, 60)
        # rate and minutes are each rounded to the nearest unit: allow for both
        assert (
            abs(implied - line.earned)
            <= Fraction(line.hourly, 120) + Fraction(line.minutes, 120) + 1
        )
