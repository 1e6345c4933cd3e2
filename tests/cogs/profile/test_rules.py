"""Reading qualification lists and countries for the eligibility profile."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserError
from cogs.profile import rules
from cogs.tasks.eligibility import MAX_THRESHOLD, threshold


def test_rules_do_not_import_discord() -> None:
    code = "import sys, cogs.profile.rules; assert 'discord' not in sys.modules, 'discord imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_qualifications_are_split_normalised_and_deduplicated() -> None:
    text = "Masters\nHIT approval 98%, UK residents; 1,000 approved HITs\n\n  MTurk Masters "
    assert rules.parse_qualifications(text) == frozenset(
        {"masters", "approval ≥98%", "approved ≥1000", "uk residents"}
    )


def test_an_empty_list_clears() -> None:
    assert rules.parse_qualifications("") == frozenset()
    assert rules.parse_qualifications(None) == frozenset()
    assert rules.parse_qualifications(" \n ,; ") == frozenset()


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("x", "profile.errors.qualification_too_short"),
        ("Masters\n!", "profile.errors.qualification_too_short"),
        ("q" * 61, "profile.errors.qualification_too_long"),
        ("\n".join(f"qualification {n}" for n in range(26)), "profile.errors.too_many"),
        ("a" * 10_000, "profile.errors.list_too_long"),
    ],
)
def test_bad_lists_are_refused(text: str, key: str) -> None:
    with pytest.raises(UserError) as excinfo:
        rules.parse_qualifications(text)
    assert excinfo.value.key == key


def test_mentions_and_markdown_become_plain_words() -> None:
    assert rules.parse_qualifications("@everyone\n**Masters**") == frozenset(
        {"everyone", "masters"}
    )


@pytest.mark.parametrize(
    ("text", "code"),
    [("fr", "FR"), ("France", "FR"), ("royaume-uni", "GB"), ("USA", "US"), (" états-unis ", "US")],
)
def test_countries_by_name_or_code_in_either_language(text: str, code: str) -> None:
    assert rules.parse_country(text) == code


@pytest.mark.parametrize("text", ["Atlantis", "", "EU", "ZZ", "x" * 500, "@everyone"])
def test_unknown_countries_and_pseudo_regions_are_refused(text: str) -> None:
    with pytest.raises(UserError) as excinfo:
        rules.parse_country(text)
    assert excinfo.value.key == "profile.errors.unknown_country"
    assert len(str(excinfo.value.params["value"])) <= 40


def test_country_choices_exact_code_then_prefix_then_word() -> None:
    assert rules.country_choices("us", "en")[0] == ("United States (US)", "US")
    french = rules.country_choices("uni", "fr")
    codes = [code for _, code in french]
    assert "US" in codes and "GB" in codes  # "États-Unis", "Royaume-Uni"
    assert "EU" not in codes  # not a country
    assert rules.country_choices("ger", "en")[0] == ("Germany (DE)", "DE")
    assert rules.country_choices("allem", "fr")[0] == ("Allemagne (DE)", "DE")
    assert len(rules.country_choices("", "en")) == 25
    assert rules.country_choices("zzzz", "en") == []


def test_country_names() -> None:
    assert rules.country_name("DE", "fr") == "Allemagne"
    assert rules.country_name("DE", "en") == "Germany"
    assert rules.country_name("QQ", "en") == "QQ"


@given(st.lists(st.text(min_size=0, max_size=40), max_size=12))
def test_parsing_is_idempotent(parts: list[str]) -> None:
    try:
        first = rules.parse_qualifications("\n".join(parts))
    except UserError:
        return
    assert len(first) <= rules.MAX_QUALIFICATIONS
    assert rules.parse_qualifications("\n".join(sorted(first))) == first


@given(st.text(alphabet="0123456789", min_size=1, max_size=500))
def test_any_number_in_a_qualification_is_read_or_refused_never_crashes(digits: str) -> None:
    for text in (f"HIT approval {digits}%", f"{digits} approved HITs", digits):
        try:
            parsed = rules.parse_qualifications(text)
        except UserError:
            continue
        for qualification in parsed:
            found = threshold(qualification)
            assert found is None or 0 <= found[1] <= MAX_THRESHOLD
