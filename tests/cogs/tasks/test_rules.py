"""Pure rules: validating a share, pay tiers, medians, durations, search terms."""

from __future__ import annotations

import statistics
import sys
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserError
from bot.i18n import t
from bot.money import MoneyError, hourly_cents
from cogs.tasks import rules
from cogs.tasks.rules import ShareInput, build_share

GROUP = "3Z8UJEJOCZEG603II9CQDYWSGSQY7F"
MTURK = f"https://worker.mturk.com/projects/{GROUP}/tasks"


def draft(**kw: object) -> rules.ShareDraft:
    values: dict[str, object] = {"link": MTURK, "reward": 1.5, "minutes": 6}
    values.update(kw)
    return build_share(ShareInput(**values), default_currency="USD")  # type: ignore[arg-type]


def test_rules_do_not_import_discord() -> None:
    import subprocess

    code = "import cogs.tasks.rules, cogs.tasks.links, cogs.tasks.eligibility, sys; print('discord' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_link_alone_fills_platform_ids_and_a_title() -> None:
    d = draft()
    assert d.platform == "mturk"
    assert d.platform_task_id == GROUP
    assert d.task_key == f"mturk:id:{GROUP}"
    assert d.title == f"MTurk {GROUP}"
    assert (d.reward_cents, d.currency, d.minutes, d.hourly_cents) == (150, "USD", 6, 1500)


def test_requester_id_from_link_or_option() -> None:
    d = draft(link="https://worker.mturk.com/requesters/A1B2C3D4E5F6G7/projects", title="Survey")
    assert d.platform_requester_id == "A1B2C3D4E5F6G7" and d.requester_name == "A1B2C3D4E5F6G7"
    d = draft(requester="Acme Research", requester_id="a9z8y7x6w5v4")
    assert (d.requester_name, d.platform_requester_id) == ("Acme Research", "A9Z8Y7X6W5V4")


def test_limits_are_read_into_eligibility() -> None:
    d = draft(limits="US only, Masters, HIT approval ≥ 98%")
    assert d.limits.countries == frozenset({"US"})
    assert d.limits.qualifications == frozenset({"masters", "approval ≥98%"})


def test_whitespace_is_tidied_and_notes_keep_lines() -> None:
    d = draft(title="  Rate   images \n now ", notes="line one\r\n\r\n\r\n\r\nline   two")
    assert d.title == "Rate images now"
    assert d.notes == "line one\n\nline two"


def test_without_link_the_title_requester_and_pay_make_the_key() -> None:
    a = draft(link=None, title="Rate Images!", requester="Acme", platform="prolific")
    b = draft(link=None, title="rate images", requester="ACME", platform="prolific")
    c = draft(link=None, title="rate images", requester="ACME", platform="prolific", reward=2)
    assert a.task_key == b.task_key != c.task_key
    assert a.platform == "prolific"


@pytest.mark.parametrize(
    ("kw", "key"),
    [
        ({"reward": 0}, "tasks.errors.reward_positive"),
        ({"reward": -5}, "tasks.errors.reward_positive"),
        ({"reward": 10_000.01}, "tasks.errors.reward_too_high"),
        ({"reward": 1e12}, "tasks.errors.reward_too_high"),
        ({"reward": "abc"}, "tasks.errors.reward_format"),
        ({"reward": None}, "tasks.errors.required"),
        ({"minutes": 0}, "tasks.errors.minutes_range"),
        ({"minutes": -3}, "tasks.errors.minutes_range"),
        ({"minutes": 1441}, "tasks.errors.minutes_range"),
        ({"minutes": "soon"}, "tasks.errors.minutes_format"),
        ({"title": "x" * 257}, "tasks.errors.too_long"),
        ({"notes": "y" * 10_000}, "tasks.errors.too_long"),
        ({"title": "Free money @everyone"}, "tasks.errors.mention"),
        ({"title": "hey @here"}, "tasks.errors.mention"),
        ({"title": "@everyoneRate images of food"}, "tasks.errors.mention"),
        ({"notes": "ask <@&123456789012345678>"}, "tasks.errors.mention"),
        ({"requester": "<@123456789012345678>"}, "tasks.errors.mention"),
        ({"title": "**BIG** task"}, "tasks.errors.markdown"),
        ({"notes": "[click](https://evil.example)"}, "tasks.errors.markdown"),
        ({"notes": "# Heading"}, "tasks.errors.markdown"),
        ({"limits": "||spoiler||"}, "tasks.errors.markdown"),
        ({"link": "javascript:alert(1)"}, "tasks.errors.link_scheme"),
        ({"link": None, "title": None}, "tasks.errors.title_or_link"),
        ({"platform": "prolific"}, "tasks.errors.platform_mismatch"),
        ({"platform": "nope"}, "tasks.errors.platform_unknown"),
        ({"requester_id": "not an id"}, "tasks.errors.requester_id_mturk"),
        ({"available": 0}, "tasks.errors.available_range"),
        ({"available": 10**9}, "tasks.errors.available_range"),
        ({"warning": "spicy"}, "tasks.errors.warning_unknown"),
    ],
)
def test_bad_input_says_what_to_fix(kw: dict[str, object], key: str) -> None:
    with pytest.raises(UserError) as err:
        draft(**kw)
    assert err.value.key == key
    message = err.value.message("en")
    assert message and "{" not in message and message != key
    assert err.value.message("fr") != message


@pytest.mark.parametrize(
    ("kw", "key"),
    [
        ({"currency": "ZZZ"}, "common.errors.unknown_currency"),
        ({"reward": 1.234}, "common.errors.too_precise"),
    ],
)
def test_money_problems_use_the_shared_messages(kw: dict[str, object], key: str) -> None:
    with pytest.raises(MoneyError) as err:
        draft(**kw)
    assert err.value.key == key


def test_field_errors_name_the_field_in_the_readers_language() -> None:
    with pytest.raises(rules.FieldError) as err:
        draft(title="x" * 300)
    assert "title" in err.value.message("en") and "300" in err.value.message("en")
    assert "titre" in err.value.message("fr")


def test_lone_symbols_are_not_markup() -> None:
    d = draft(title="Rate 5* hotels_v2 - 3 > 2 | fast", notes="a_b_c and 2*3*4")
    assert d.title == "Rate 5* hotels_v2 - 3 > 2 | fast"


def test_other_platforms_accept_free_form_requester_ids() -> None:
    d = draft(link=None, title="Study", platform="prolific", requester_id="5f0c1e2d3b4a")
    assert d.platform_requester_id == "5f0c1e2d3b4a"


def test_currency_defaults_to_the_servers_and_is_normalised() -> None:
    assert (
        build_share(ShareInput(link=MTURK, reward=1, minutes=5), default_currency="EUR").currency
        == "EUR"
    )
    assert draft(currency=" gbp ").currency == "GBP"
    assert draft(currency="JPY", reward=150).reward_cents == 150


@pytest.mark.parametrize(
    ("hourly", "currency", "tier"),
    [
        (724, "USD", "low"),
        (725, "USD", "mid"),
        (999, "USD", "mid"),
        (1000, "USD", "good"),
        (5000, "GBP", "unrated"),
    ],
)
def test_pay_tiers_follow_the_servers_thresholds(hourly: int, currency: str, tier: str) -> None:
    assert (
        rules.pay_tier(
            hourly, currency, server_currency="USD", min_wage_cents=725, fair_wage_cents=1000
        )
        == tier
    )


@given(st.integers(0, 10**7), st.integers(0, 10**6), st.integers(0, 10**6))
def test_pay_tier_is_monotonic_in_hourly(hourly: int, a: int, b: int) -> None:
    low, high = sorted((a, b))
    order = {"low": 0, "mid": 1, "good": 2}
    first = rules.pay_tier(
        hourly, "USD", server_currency="USD", min_wage_cents=low, fair_wage_cents=high
    )
    second = rules.pay_tier(
        hourly + 1, "USD", server_currency="USD", min_wage_cents=low, fair_wage_cents=high
    )
    assert order[first] <= order[second]


@given(st.lists(st.integers(0, 10**7), min_size=1, max_size=50))
def test_median_matches_statistics_rounded_half_up(values: list[int]) -> None:
    expected = Decimal(str(statistics.median(values))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert rules.median_cents(values) == int(expected)


def test_median_of_nothing_is_none() -> None:
    assert rules.median_cents([]) is None


@given(st.integers(1, 10**6), st.integers(1, 1440))
def test_hourly_is_reward_scaled_to_an_hour(reward: int, minutes: int) -> None:
    d = build_share(
        ShareInput(link=MTURK, reward=str(Decimal(reward) / 100), minutes=minutes),
        default_currency="USD",
    )
    assert d.hourly_cents == hourly_cents(reward, minutes)
    assert abs(d.hourly_cents * minutes - reward * 60) <= minutes


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("8", 8),
        ("8 min", 8),
        ("1h20", 80),
        ("1 h 20 min", 80),
        ("1:20", 80),
        ("2 hours", 120),
        ("90m", 90),
        (" 45 ", 45),
    ],
)
def test_durations_as_members_type_them(text: str, minutes: int) -> None:
    assert rules.parse_minutes(text) == minutes


@pytest.mark.parametrize("text", ["", "abc", "1:75", "h", "-5", "1.5.5", "25:00"])
def test_durations_that_are_not(text: str) -> None:
    with pytest.raises(UserError):
        rules.parse_minutes(text)


@given(st.integers(0, 23), st.integers(0, 59))
def test_clock_and_hour_forms_agree(h: int, m: int) -> None:
    total = h * 60 + m
    if not 1 <= total <= 1440:
        return
    assert rules.parse_minutes(f"{h}:{m:02d}") == total
    assert (
        rules.parse_minutes(f"{h}h{m}") == total if h else rules.parse_minutes(f"{m} min") == total
    )


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_float_minutes_are_in_range_or_refused(value: float) -> None:
    try:
        minutes = rules.parse_minutes(value)
    except UserError:
        return
    assert 1 <= minutes <= 1440


@given(st.text(max_size=300))
def test_fts_query_is_always_safe(text: str) -> None:
    query = rules.fts_query(text)
    if query is None:
        return
    for term in query.split(" "):
        assert term.startswith('"') and term.endswith('"*')
        assert '"' not in term[1:-2]


def test_fts_query_words() -> None:
    assert rules.fts_query('survey "NEAR" -x*') == '"survey"* "near"* "x"*'
    assert rules.fts_query("!!!") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Acme Research (A1B2C3D4E5F6)", ("Acme Research", "A1B2C3D4E5F6")),
        ("Acme | A1B2C3D4E5F6", ("Acme", "A1B2C3D4E5F6")),
        ("A1B2C3D4E5F6", (None, "A1B2C3D4E5F6")),
        ("Acme (Pty) Ltd", ("Acme (Pty) Ltd", None)),
        ("", (None, None)),
    ],
)
def test_split_requester(text: str, expected: tuple[str | None, str | None]) -> None:
    assert rules.split_requester(text) == expected


def test_alert_references() -> None:
    assert rules.parse_alert_ref("#12") == rules.AlertRef(alert_id=12)
    assert rules.parse_alert_ref(" 7 ") == rules.AlertRef(alert_id=7)
    link = "https://discord.com/channels/1/2/345"
    assert rules.parse_alert_ref(link) == rules.AlertRef(message_id=345)
    with pytest.raises(UserError):
        rules.parse_alert_ref("the scam one")


def test_labels_in_both_languages() -> None:
    assert rules.qualification_label("approval ≥98%", "en") == "HIT approval ≥ 98%"
    assert rules.qualification_label("approval ≥98%", "fr") == "Taux d'approbation ≥ 98 %"
    assert rules.country_names(frozenset({"US", "DE"}), "fr") == "Allemagne, États-Unis"
    assert rules.platform_label("other", "fr") == "Autre"
    assert rules.tier_label("good", "en") == t("tasks.tier.good", "en")


@given(st.text(min_size=1, max_size=400))
def test_forum_titles_fit_discord(title: str) -> None:
    assert len(rules.forum_title("MTurk · $1.50 · 6 min · $15.00/h", title)) <= 100


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_minimum_hourly_is_in_range_or_refused(value: float) -> None:
    try:
        cents = rules.hourly_limit_cents(value, "USD")
    except UserError:
        assert not 0 <= value <= rules.REWARD_MAX_UNITS
        return
    assert cents is not None and 0 <= cents <= rules.REWARD_MAX_UNITS * 100
    yen = Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert rules.hourly_limit_cents(value, "JPY") == int(yen)
    assert rules.hourly_limit_cents(2.5, "JPY") == 3
