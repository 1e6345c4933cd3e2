"""Pure rules of the platforms feature: names, reviews, ranking, the privacy floor."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserError
from cogs.earnings.stats import PlatformHourly
from cogs.platforms import rules
from cogs.platforms.rules import PLATFORM_REVIEWS, Scored

GOOD = {"pay": 4, "rejections": 4, "support": 3, "payouts": 5, "unpaid_work": 2}


def error_key(excinfo: pytest.ExceptionInfo[UserError]) -> str:
    return excinfo.value.key


def test_rules_do_not_import_discord() -> None:
    code = "import sys, cogs.platforms.rules; print('discord' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# -- names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "key", "name"),
    [
        ("Remotasks", "remotasks", "Remotasks"),
        ("  remotasks  ", "remotasks", "Remotasks"),
        ("Ma   Plateforme", "ma plateforme", "Ma Plateforme"),
        ("Data Annotation", "dataannotation", "DataAnnotation"),
        ("Amazon Mechanical Turk", "mturk", "MTurk"),
        ("TELUS   International", "telus international", "TELUS International"),
        ("Appen (Connect)", "appen (connect)", "Appen (Connect)"),
        ("Ça Marche", "ca marche", "Ça Marche"),
        # Small capitals spelling a built-in platform are that platform (refused as such
        # when added); a name in one other alphabet is a name.
        ("\u1d18\u0280\u1d0f\u029f\u026a\ua730\u026a\u1d04", "prolific", "Prolific"),
        (
            "\u041c\u0438\u043a\u0440\u043e",
            "\u043c\u0438\u043a\u0440\u043e",
            "\u041c\u0438\u043a\u0440\u043e",
        ),
    ],
)
def test_names_are_cleaned_and_keyed_like_the_earnings_log(typed: str, key: str, name: str) -> None:
    assert rules.normalize_name(typed) == (key, name)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", "platforms.errors.name_required"),
        ("   \n\t ", "platforms.errors.name_required"),
        ("x", "platforms.errors.name_too_short"),
        ("y" * 41, "platforms.errors.name_too_long"),
        ("z" * 10_000, "platforms.errors.name_too_long"),
        ("@everyone", "platforms.errors.name_characters"),
        ("<@&123456789012345678>", "platforms.errors.name_characters"),
        ("**Bold**", "platforms.errors.name_characters"),
        ("`code`", "platforms.errors.name_characters"),
        ("javascript:alert(1)", "platforms.errors.name_characters"),
        ("under_score", "platforms.errors.name_characters"),
        ("1234", "platforms.errors.name_needs_letter"),
        ("me@example.com", "common.errors.personal_data"),
        ("Call 06 12 34 56 78", "common.errors.personal_data"),
        ("Other", "platforms.errors.name_reserved"),
        ("autres", "platforms.errors.name_reserved"),
        # Look-alikes (a hostile probe listed "Prоlific", Cyrillic "о", beside Prolific):
        ("Pr\u043elific", "platforms.errors.name_mixed_scripts"),
        ("Clickw\u043erker Pro", "platforms.errors.name_mixed_scripts"),
    ],
)
def test_hostile_or_empty_names_are_refused(typed: str, expected: str) -> None:
    with pytest.raises(UserError) as excinfo:
        rules.normalize_name(typed)
    assert error_key(excinfo) == expected


@given(st.text(max_size=80))
def test_any_accepted_name_is_short_inert_and_keyed_consistently(text: str) -> None:
    try:
        key, name = rules.normalize_name(text)
    except UserError:
        return
    assert rules.NAME_MIN <= len(name) <= rules.NAME_MAX
    assert not set(name) & set("@`*_~|<>#:\\\n")
    assert key == rules.platform_key(name) == rules.platform_key(key)
    assert key not in rules.RESERVED_KEYS


def test_lookup_key_accepts_picked_keys_and_typed_names() -> None:
    assert rules.lookup_key("prolific") == "prolific"
    assert rules.lookup_key("MTurk") == "mturk"
    assert rules.lookup_key("mechanical turk") == "mturk"
    with pytest.raises(UserError) as excinfo:
        rules.lookup_key("   ")
    assert error_key(excinfo) == "platforms.errors.platform_required"
    with pytest.raises(UserError) as excinfo:
        rules.lookup_key("p" * 500)
    assert error_key(excinfo) == "platforms.errors.unknown_platform"


def test_autocomplete_matching() -> None:
    assert rules.matches("", "Prolific", "prolific")
    assert rules.matches("PRO", "Prolific", "prolific")
    assert rules.matches("lif", "Prolific", "prolific")
    assert not rules.matches("turk", "Prolific", "prolific")


# -- reviews ----------------------------------------------------------------------------------


def test_a_valid_review_uses_the_requesters_machinery() -> None:
    checked = rules.validate_platform_review(GOOD, "2y_plus", "  Pays well, support slow.  ")
    assert checked.score_map() == GOOD
    assert checked.experience == "2y_plus"
    assert checked.body == "Pays well, support slow."
    assert PLATFORM_REVIEWS.kind == "platform"
    assert len(PLATFORM_REVIEWS.criteria) == 5


@pytest.mark.parametrize("bad", [0, 6, -1, -(10**9), 10**9, True])
def test_ratings_out_of_range_are_refused(bad: object) -> None:
    for criterion in PLATFORM_REVIEWS.criteria:
        scores = {**GOOD, criterion: bad}
        with pytest.raises(UserError) as excinfo:
            rules.validate_platform_review(scores, "1_6m", None)
        assert error_key(excinfo) in (
            "requesters.errors.score_range",
            "requesters.errors.score_missing",
        )


def test_missing_or_extra_criteria_are_refused() -> None:
    with pytest.raises(UserError):
        rules.validate_platform_review({k: v for k, v in GOOD.items() if k != "pay"}, "1_6m", None)
    with pytest.raises(UserError):
        rules.validate_platform_review({**GOOD, "fast": 3}, "1_6m", None)


def test_an_unknown_band_is_refused_in_this_features_words() -> None:
    with pytest.raises(UserError) as excinfo:
        rules.validate_platform_review(GOOD, "forever", None)
    assert error_key(excinfo) == "platforms.errors.unknown_worked_for"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x" * 2001, "requesters.errors.text_too_long"),
        ("x" * 10_000, "requesters.errors.text_too_long"),
        ("write to me at worker@example.com", "common.errors.personal_data"),
        ("call +33 6 12 34 56 78 for tips", "common.errors.personal_data"),
    ],
)
def test_review_text_follows_the_requesters_abuse_rules(text: str, expected: str) -> None:
    with pytest.raises(UserError) as excinfo:
        rules.validate_platform_review(GOOD, "1_6m", text)
    assert error_key(excinfo) == expected


def test_blank_text_means_no_text() -> None:
    assert rules.validate_platform_review(GOOD, "1_6m", "   ").body is None


@given(st.dictionaries(st.sampled_from(PLATFORM_REVIEWS.criteria), st.integers(), min_size=5))
def test_only_full_sets_of_scores_from_1_to_5_pass(scores: dict[str, int]) -> None:
    valid = all(1 <= v <= 5 for v in scores.values())
    try:
        checked = rules.validate_platform_review(scores, "lt_1m", None)
    except UserError:
        assert not valid
    else:
        assert valid and checked.score_map() == scores


# -- comparison --------------------------------------------------------------------------------


def scored(name: str, count: int, mean: float | None) -> Scored:
    return Scored(
        hash(name) % 1000,
        name.lower(),
        name,
        count,
        dict.fromkeys(PLATFORM_REVIEWS.criteria, mean),
    )


def test_platforms_need_the_minimum_of_reviews_to_be_compared() -> None:
    below = scored("Two", rules.MIN_REVIEWS - 1, 5.0)
    at = scored("Three", rules.MIN_REVIEWS, 2.0)
    none = scored("None", 0, None)
    compared, waiting = rules.split_comparable([below, at, none])
    assert compared == [at]
    assert waiting == [below, none]


def test_compared_platforms_rank_best_first_then_by_reviews_then_name() -> None:
    a = scored("Alpha", 3, 3.0)
    b = scored("beta", 9, 3.0)
    c = scored("Gamma", 3, 4.5)
    d = scored("delta", 3, 3.0)
    compared, _ = rules.split_comparable([a, b, c, d])
    assert [s.name for s in compared] == ["Gamma", "beta", "Alpha", "delta"]


def test_overall_is_unknown_unless_every_criterion_has_a_mean() -> None:
    partial = Scored(1, "x", "X", 5, {"pay": 4.0})
    assert partial.overall is None
    assert not partial.comparable
    full = scored("Full", 5, 3.0)
    assert full.overall == pytest.approx(3.0)


@given(st.integers(0, 500), st.integers(1, 50), st.integers(-10, 600))
def test_pages_cover_every_item_once(items: int, size: int, page: int) -> None:
    pages = rules.page_count(items, size)
    assert pages >= 1
    clamped = rules.clamp_page(page, pages)
    assert 0 <= clamped < pages
    data = [scored(f"P{i}", 3, 3.0) for i in range(items)]
    seen = [s for p in range(pages) for s in rules.page_slice(data, p, size)]
    assert seen == data


# -- the community hourly ------------------------------------------------------------------------


def stat(platform: str, members: int, currency: str = "USD", median: int = 1000) -> PlatformHourly:
    return PlatformHourly(platform, currency, members, median - 100, median, median + 100)


def test_the_floor_is_applied_again_whatever_the_earnings_feature_returns() -> None:
    grouped = rules.hourly_by_key([stat("Prolific", 4), stat("MTurk", 5), stat("", 9)])
    assert set(grouped) == {"mturk"}
    assert rules.HOURLY_FLOOR >= 5


def test_earnings_spellings_match_registry_keys() -> None:
    grouped = rules.hourly_by_key(
        [stat("MTurk", 6, "USD"), stat("mturk", 5, "EUR"), stat("Data Annotation", 7)]
    )
    assert [s.currency for s in grouped["mturk"]] == ["USD", "EUR"]
    assert "dataannotation" in grouped


def test_the_headline_prefers_the_servers_currency_then_the_largest_group() -> None:
    usd, gbp = stat("Prolific", 5, "USD"), stat("Prolific", 9, "GBP")
    assert rules.headline_hourly([gbp, usd], "USD") is usd
    assert rules.headline_hourly([gbp, usd], "EUR") is gbp
    assert rules.headline_hourly([stat("Prolific", 4, "USD")], "USD") is None
    assert rules.headline_hourly([], "USD") is None


def test_the_window_is_ninety_days_ending_today() -> None:
    from datetime import date

    start, end = rules.hourly_window(date(2026, 11, 26))
    assert end == date(2026, 11, 26)
    assert (end - start).days + 1 == rules.HOURLY_WINDOW_DAYS


# -- text tables ----------------------------------------------------------------------------------


def test_text_table_aligns_and_cannot_escape_its_code_block() -> None:
    table = rules.text_table(
        ["Platform", "Pay", "n"],
        [["```@everyone```", "4.0", "12"], ["A very long platform name", "3.5", "3"]],
        first_width=10,
    )
    lines = table.splitlines()
    assert "`" not in table
    assert lines[0].startswith("Platform")
    assert lines[2].startswith("A very lo…")
    assert len({len(line) for line in lines}) == 1


@given(
    st.lists(
        st.tuples(st.text(max_size=30), st.text(max_size=6), st.text(max_size=6)),
        min_size=1,
        max_size=10,
    )
)
def test_text_table_never_contains_backticks_or_newlines_in_cells(
    rows: list[tuple[str, str, str]],
) -> None:
    table = rules.text_table(["Name", "A", "B"], [list(r) for r in rows], first_width=12)
    assert "`" not in table
    lines = table.split("\n")
    assert len(lines) == len(rows) + 1
    assert all(len(line.splitlines()) <= 1 for line in lines)
