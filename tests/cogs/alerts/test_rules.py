"""The pure rules of subscriptions: validation, matching, one DM per member, the rate cap."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import assume, given, reject
from hypothesis import strategies as st

from bot.errors import UserError
from bot.personal_data import PersonalDataError
from cogs.alerts import rules, selection
from cogs.alerts.rules import AlertFacts, Candidate, Filters
from cogs.tasks.eligibility import Limits, is_eligible


def facts(**overrides: object) -> AlertFacts:
    values: dict[str, object] = {
        "alert_id": 1,
        "guild_id": 10,
        "platform": "prolific",
        "title": "Décision making SURVEY (10 min)",
        "reward_cents": 200,
        "currency": "USD",
        "hourly_cents": 1200,
        "sharer_id": 99,
        "notes": "Psychology department, attention checks",
        "requester_name": "Oxford Psych-Lab",
        "requester_platform_id": "A1B2C3D4E5",
    }
    values.update(overrides)
    return AlertFacts(**values)  # type: ignore[arg-type]


def error_key(excinfo: pytest.ExceptionInfo[UserError]) -> str:
    return excinfo.value.key


def test_rules_do_not_import_discord() -> None:
    code = "import sys, cogs.alerts.rules; assert 'discord' not in sys.modules, 'discord imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


# -- folding and keywords ------------------------------------------------------------------


def test_fold_ignores_case_accents_and_punctuation() -> None:
    assert rules.fold("  Étude—PSYCHO (rapide)!! ") == "etude psycho rapide"
    assert rules.fold(None) == ""
    assert rules.fold("**bold** @everyone <@&123>") == "bold everyone 123"


def test_terms_match_at_the_start_of_words() -> None:
    text = rules.fold("Surveys for the psychology party")
    assert rules.contains_term(text, "survey")
    assert rules.contains_term(text, "psych")
    assert rules.contains_term(text, "the psychology")
    assert not rules.contains_term(text, "art")  # inside "party", not a word start
    assert not rules.contains_term(text, "ology")


def test_keywords_split_on_spaces_and_commas_and_keep_quoted_phrases() -> None:
    assert rules.parse_keywords('Survey, PSYCHOLOGY  "decision making";étude') == (
        "survey",
        "psychology",
        "decision making",
        "etude",
    )
    assert rules.parse_keywords("survey survey SURVEY") == ("survey",)
    assert rules.parse_keywords(None) == ()
    assert rules.parse_keywords("   ") == ()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("a", "alerts.errors.keyword_too_short"),
        ("survey x", "alerts.errors.keyword_too_short"),
        ("x" * 41, "alerts.errors.keyword_too_long"),
        ("one two three four five six seven eight nine", "alerts.errors.too_many_keywords"),
        ("!!! ??? ***", "alerts.errors.no_keywords"),
        ("word " * 2000, "alerts.errors.keywords_too_long"),
    ],
)
def test_bad_keywords_are_refused(text: str, key: str) -> None:
    with pytest.raises(UserError) as excinfo:
        rules.parse_keywords(text)
    assert error_key(excinfo) == key


def test_requester_filter_is_folded_and_bounded() -> None:
    assert rules.parse_requester("  Oxford PSYCH  ") == "oxford psych"
    assert rules.parse_requester("") is None
    with pytest.raises(UserError):
        rules.parse_requester("!")
    with pytest.raises(UserError):
        rules.parse_requester("x" * 101)


def test_platforms_are_recognised_by_code_label_or_alias() -> None:
    assert rules.normalize_platform("Prolific") == "prolific"
    assert rules.normalize_platform("MTURK") == "mturk"
    assert rules.normalize_platform("Amazon Mechanical Turk") == "mturk"
    assert rules.normalize_platform("autre") == "other"
    assert rules.normalize_platform("facebook") is None
    assert rules.normalize_platform("") is None
    assert rules.normalize_platform("prolific", known=["mturk"]) is None


# -- building filters ------------------------------------------------------------------------


def build(**overrides: object) -> Filters:
    values: dict[str, object] = {
        "platform": None,
        "min_hourly_cents": None,
        "min_reward_cents": None,
        "currency": "USD",
        "keywords": None,
        "requester": None,
        "no_warned": False,
    }
    values.update(overrides)
    return rules.build_filters(**values)  # type: ignore[arg-type]


def test_build_filters_validates_and_normalises() -> None:
    filters = build(platform="MTurk", min_hourly_cents=900, keywords="Transcription audio")
    assert filters == Filters(
        platform="mturk",
        min_hourly_cents=900,
        currency="USD",
        keywords=("transcription", "audio"),
    )
    assert build().currency is None  # no money threshold: no currency to remember
    assert build().is_catch_all


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"platform": "myspace"}, "alerts.errors.unknown_platform"),
        ({"min_hourly_cents": 0}, "alerts.errors.hourly_not_positive"),
        ({"min_hourly_cents": -500}, "alerts.errors.hourly_not_positive"),
        ({"min_hourly_cents": 100_001}, "alerts.errors.hourly_too_high"),
        ({"min_reward_cents": 0}, "alerts.errors.reward_not_positive"),
        ({"min_reward_cents": 10**12}, "alerts.errors.reward_too_high"),
    ],
)
def test_build_filters_refuses_bad_values(overrides: dict[str, object], key: str) -> None:
    with pytest.raises(UserError) as excinfo:
        build(**overrides)
    assert error_key(excinfo) == key


def test_signature_ignores_keyword_order_but_not_values() -> None:
    a = build(keywords="audio transcription", min_hourly_cents=900)
    b = build(keywords="transcription audio", min_hourly_cents=900)
    c = build(keywords="transcription audio", min_hourly_cents=901)
    assert a.signature() == b.signature()
    assert a.signature() != c.signature()


def test_money_thresholds_need_a_currency() -> None:
    with pytest.raises(ValueError, match="currency"):
        Filters(min_hourly_cents=100)


# -- matching --------------------------------------------------------------------------------


def test_catch_all_matches_everything() -> None:
    assert rules.matches(Filters(), facts())
    assert rules.matches(Filters(), facts(warning="violence", hourly_cents=None))


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(platform="prolific"), True),
        (Filters(platform="mturk"), False),
        (Filters(min_hourly_cents=1200, currency="USD"), True),
        (Filters(min_hourly_cents=1201, currency="USD"), False),
        (Filters(min_hourly_cents=100, currency="GBP"), False),  # no honest conversion
        (Filters(min_reward_cents=200, currency="USD"), True),
        (Filters(min_reward_cents=201, currency="USD"), False),
        (Filters(keywords=("decision", "survey")), True),
        (Filters(keywords=("survey", "attention")), True),  # notes count too
        (Filters(keywords=("survey", "audio")), False),  # all must appear
        (Filters(keywords=("decision making",)), True),
        (Filters(requester="oxford"), True),
        (Filters(requester="psych lab"), True),
        (Filters(requester="a1b2c3d4e5"), True),
        (Filters(requester="a1b2"), False),  # a platform id matches whole
        (Filters(requester="cambridge"), False),
        (Filters(no_warned=True), True),
    ],
)
def test_each_filter(filters: Filters, expected: bool) -> None:
    assert rules.matches(filters, facts()) is expected


def test_no_warned_skips_warned_alerts_only() -> None:
    assert not rules.matches(Filters(no_warned=True), facts(warning="violence"))
    assert rules.matches(Filters(no_warned=False), facts(warning="violence"))


def test_unknown_hourly_never_meets_an_hourly_threshold() -> None:
    assert not rules.matches(Filters(min_hourly_cents=1, currency="USD"), facts(hourly_cents=None))


def test_recipients_one_per_member_never_the_sharer_never_ineligible() -> None:
    alert = facts(countries=frozenset({"US"}), sharer_id=5)
    candidates = [
        Candidate(3, 1, Filters(platform="prolific")),
        Candidate(1, 1, Filters(keywords=("survey",))),  # lower id: cited
        Candidate(2, 2, Filters(platform="mturk")),  # does not match
        Candidate(4, 2, Filters(min_reward_cents=100, currency="USD")),
        Candidate(5, 5, Filters()),  # the sharer
        Candidate(6, 7, Filters()),  # lives in France
    ]
    profiles = {7: ("FR", frozenset())}

    def eligible(user_id: int) -> bool:
        country, quals = profiles.get(user_id, (None, frozenset()))
        return is_eligible(Limits(alert.countries, alert.qualifications), country, quals)

    assert rules.recipients(candidates, alert, eligible) == {1: 1, 2: 4}


def test_eligibility_is_asked_once_per_member() -> None:
    asked: list[int] = []

    def eligible(user_id: int) -> bool:
        asked.append(user_id)
        return False

    candidates = [Candidate(i, 1, Filters(keywords=("nomatch",))) for i in range(3)]
    candidates += [Candidate(10 + i, 2, Filters()) for i in range(3)]
    assert rules.recipients(candidates, facts(), eligible) == {}
    assert asked == [2]


# -- choosing what to remove -----------------------------------------------------------------


def test_selector_parsing() -> None:
    assert selection.parse_selector("ALL") == selection.Selector(everything=True)
    assert selection.parse_selector("tout") == selection.Selector(everything=True)
    assert selection.parse_selector(" #3 ") == selection.Selector(position=3)
    assert selection.parse_selector("s42") == selection.Selector(record_id=42)
    # 19 digits past SQLite's integers name no record (and never reach the database).
    assert selection.parse_selector("s" + "9" * 19) == selection.Selector(record_id=0)
    for bad in ("", "two", "-1", "1.5", "²", "s", "s-1", "9" * 30):
        with pytest.raises(UserError):
            selection.parse_selector(bad)


def test_pick_by_position_or_record() -> None:
    ids = [7, 9, 12]
    assert selection.pick(ids, selection.Selector(position=2)) == 9
    assert selection.pick(ids, selection.Selector(record_id=12)) == 12
    with pytest.raises(UserError, match="bad_number"):
        selection.pick(ids, selection.Selector(position=4))
    with pytest.raises(UserError, match="bad_number"):
        selection.pick(ids, selection.Selector(position=0))
    with pytest.raises(UserError, match="not_found"):
        selection.pick(ids, selection.Selector(record_id=8))  # someone else's record
    with pytest.raises(UserError, match="none_to_remove"):
        selection.pick([], selection.Selector(position=1))


# -- the rate cap and pay tier -------------------------------------------------------------


def test_rate_status_counts_the_last_hour() -> None:
    now = 100_000
    sent = [now - 4000, now - 3600, now - 3599, now - 60, now]
    status = rules.rate_status(sent, now, cap=10)
    assert (status.used, status.remaining, status.next_free_at) == (3, 7, None)
    assert status.wait_minutes == 0


def test_rate_status_when_full_says_when_the_next_one_fits() -> None:
    now = 100_000
    sent = [now - 3000, now - 1200, now - 600]
    status = rules.rate_status(sent, now, cap=2)
    # Two of three must leave the window: the second oldest does at now - 1200 + 3600.
    assert status.used == 3 and status.remaining == 0
    assert status.next_free_at == now - 1200 + 3600
    assert status.wait_minutes == 40


def test_rate_status_cap_zero_means_dms_off() -> None:
    status = rules.rate_status([1, 2, 3], 10, cap=0)
    assert status.cap == 0 and status.next_free_at is None
    assert not rules.may_send(0, 0)


def test_pay_tier() -> None:
    assert rules.pay_tier(700, "USD", "USD", 725, 1000) == "bad"
    assert rules.pay_tier(725, "USD", "USD", 725, 1000) == "fair"
    assert rules.pay_tier(1000, "USD", "USD", 725, 1000) == "good"
    assert rules.pay_tier(1000, "GBP", "USD", 725, 1000) is None
    assert rules.pay_tier(None, "USD", "USD", 725, 1000) is None


# -- properties ------------------------------------------------------------------------------

text_strategy = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=80
)


@given(text_strategy)
def test_fold_is_idempotent_and_plain(text: str) -> None:
    folded = rules.fold(text)
    assert rules.fold(folded) == folded
    assert folded == folded.strip()
    assert "  " not in folded


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzÉéèàçüœ0123456789", min_size=2, max_size=12)


@given(st.lists(WORD, min_size=1, max_size=8))
def test_any_title_holding_every_keyword_matches(words: list[str]) -> None:
    try:
        terms = rules.parse_keywords(", ".join(words))
    except PersonalDataError:
        reject()  # digits that read as a phone number are refused, never matched
    assume(terms)
    title = " filler ".join(reversed(words)).upper()
    assert rules.matches(Filters(keywords=terms), facts(title=title, notes=None))


def test_keywords_that_read_as_a_phone_number_are_refused() -> None:
    with pytest.raises(PersonalDataError):
        rules.parse_keywords("survey, 000000000")


@given(
    st.integers(min_value=1, max_value=100_000),
    st.integers(min_value=1, max_value=100_000),
    st.integers(min_value=0, max_value=100_000),
)
def test_raising_a_threshold_never_adds_matches(low: int, high: int, hourly: int) -> None:
    low, high = sorted((low, high))
    alert = facts(hourly_cents=hourly)
    strict = rules.matches(Filters(min_hourly_cents=high, currency="USD"), alert)
    loose = rules.matches(Filters(min_hourly_cents=low, currency="USD"), alert)
    assert not strict or loose
    assert strict == (hourly >= high)


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=6),
            st.sampled_from([None, "prolific", "mturk"]),
            st.booleans(),
        ),
        max_size=30,
    ),
    st.integers(min_value=1, max_value=6),
    st.frozensets(st.integers(min_value=1, max_value=6)),
)
def test_recipients_properties(
    rows: list[tuple[int, str | None, bool]], sharer: int, ineligible: frozenset[int]
) -> None:
    candidates = [
        Candidate(i, user, Filters(platform=platform, no_warned=no_warned))
        for i, (user, platform, no_warned) in enumerate(rows)
    ]
    alert = facts(sharer_id=sharer, warning="hate")
    chosen = rules.recipients(candidates, alert, lambda u: u not in ineligible)
    by_id = {c.subscription_id: c for c in candidates}
    assert sharer not in chosen
    assert not set(chosen) & ineligible
    for user, sub_id in chosen.items():
        candidate = by_id[sub_id]
        assert candidate.user_id == user and rules.matches(candidate.filters, alert)
        # the first matching subscription of that member is the one cited
        assert sub_id == min(
            c.subscription_id
            for c in candidates
            if c.user_id == user and rules.matches(c.filters, alert)
        )
    expected_users = {
        c.user_id
        for c in candidates
        if rules.matches(c.filters, alert) and c.user_id != sharer and c.user_id not in ineligible
    }
    assert set(chosen) == expected_users


@given(
    st.lists(st.integers(min_value=0, max_value=20_000), max_size=60),
    st.integers(min_value=0, max_value=12),
)
def test_a_member_never_gets_more_than_cap_in_any_hour(attempts: list[int], cap: int) -> None:
    sent: list[int] = []
    for now in sorted(attempts):
        status = rules.rate_status(sent, now, cap)
        if rules.may_send(status.used, cap):
            sent.append(now)
    for t in sent:
        in_window = [s for s in sent if rules.window_start(t) < s <= t]
        assert len(in_window) <= cap


@given(
    st.lists(st.integers(min_value=0, max_value=10_000), max_size=40),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=0, max_value=10),
)
def test_rate_status_is_consistent(sent: list[int], now: int, cap: int) -> None:
    sent = [t for t in sent if t <= now]  # nothing is sent in the future
    status = rules.rate_status(sent, now, cap)
    assert 0 <= status.used <= len(sent)
    assert status.remaining == max(0, cap - status.used)
    if status.next_free_at is not None:
        assert status.next_free_at > now
        later = rules.rate_status(sent, status.next_free_at, cap)
        assert rules.may_send(later.used, cap) or later.used > status.used
