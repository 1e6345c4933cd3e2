"""Reading "quals / country limits" and deciding who can take a task."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogs.tasks.eligibility import (
    Limits,
    canonical_qualification,
    country_codes,
    is_eligible,
    parse_limits,
)


@pytest.mark.parametrize(
    ("text", "countries", "quals"),
    [
        ("US only", {"US"}, set()),
        ("US, CA", {"US", "CA"}, set()),
        ("US/CA/GB", {"US", "CA", "GB"}, set()),
        ("USA & Canada", {"US", "CA"}, set()),
        ("UK-based workers", {"GB"}, set()),
        ("Only in US", {"US"}, set()),
        ("IN only", {"IN"}, set()),
        ("DE only; AU", {"DE", "AU"}, set()),
        ("France et Belgique", {"FR", "BE"}, set()),
        ("Masters", set(), {"masters"}),
        ("MTurk Masters", set(), {"masters"}),
        ("HIT approval ≥ 98%", set(), {"approval ≥98%"}),
        ("98%+", set(), {"approval ≥98%"}),
        ("approval rate > 95", set(), {"approval ≥95%"}),
        ("1,000+ approved HITs", set(), {"approved ≥1000"}),
        ("Masters, US only, 98%+", {"US"}, {"masters", "approval ≥98%"}),
        ("English speakers", set(), {"english speakers"}),
        ("none", set(), set()),
        ("worldwide", set(), set()),
        ("", set(), set()),
    ],
)
def test_limits_text_is_read(text: str, countries: set[str], quals: set[str]) -> None:
    limits = parse_limits(text)
    assert limits.countries == frozenset(countries)
    assert limits.qualifications == frozenset(quals)


def test_thresholds_are_compared_by_value() -> None:
    task = parse_limits("US only, HIT approval ≥ 98%, 1000+ approved HITs")
    assert is_eligible(task, "US", frozenset({"HIT approval 99%", "5000 approved HITs"}))
    assert not is_eligible(task, "US", frozenset({"approval 97%", "5000 approved HITs"}))
    assert not is_eligible(task, "US", frozenset({"approval 99%", "999 approved hits"}))
    assert not is_eligible(task, "CA", frozenset({"approval 100%", "5000 approved"}))


def test_spellings_of_one_qualification_match() -> None:
    assert is_eligible(parse_limits("Masters"), "US", frozenset({"mturk masters"}))
    assert is_eligible(Limits(qualifications=frozenset({"Masters"})), None, frozenset({"master"}))


def test_the_original_rules_still_hold() -> None:
    limits = Limits(countries=frozenset({"US"}), qualifications=frozenset({"masters"}))
    assert is_eligible(limits, None, frozenset())  # no profile: never filtered
    assert not is_eligible(limits, "FR", frozenset({"masters"}))
    # a country alone filters by country only: qualifications are not yet known (#12.18)
    assert is_eligible(limits, "US", frozenset())
    assert not is_eligible(limits, "FR", frozenset())
    assert not is_eligible(limits, "US", frozenset({"approval 99%"}))
    assert is_eligible(Limits(), "FR", frozenset({"anything"}))


@given(st.sampled_from(sorted(country_codes())))
def test_every_country_code_is_read_as_itself(code: str) -> None:
    assert parse_limits(f"{code} only").countries == frozenset({code})


@given(st.integers(1, 100), st.integers(1, 100))
def test_approval_thresholds_are_ordered(required: int, held: int) -> None:
    task = parse_limits(f"HIT approval ≥ {required}%")
    assert is_eligible(task, "US", frozenset({f"approval {held}%"})) == (held >= required)


@given(st.text(max_size=200))
def test_parsing_never_crashes_and_is_canonical(text: str) -> None:
    limits = parse_limits(text)
    assert all(len(c) == 2 and c.isupper() for c in limits.countries)
    assert all(canonical_qualification(q) == q for q in limits.qualifications)
