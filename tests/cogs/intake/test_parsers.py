"""The export parsers: each format, the corpus of odd exports, and property tests."""

from __future__ import annotations

import contextlib
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import UserError
from bot.money import MoneyError
from cogs.intake import drafts
from cogs.intake.parsers import (
    ExportError,
    JsonRefusedError,
    ParsedTask,
    clean_input,
    load_json,
    parse_export,
    plain,
    read_duration,
    read_money,
)
from cogs.intake.parsers.amounts import DURATION_TEXT, MONEY
from cogs.intake.parsers.text import unmask_links
from tests.cogs.intake.samples import (
    CORPUS,
    FORMATS,
    FREE,
    GROUP,
    HIT,
    PROJECT,
    PROLIFIC,
    PROLIFIC_JSON,
    REQ,
)


def corpus(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_mturk_format_reads_the_same_task(name: str) -> None:
    parsed = parse_export(FORMATS[name])
    assert parsed.platform == "mturk"
    assert parsed.title == "Rate images of food"
    assert parsed.requester_id == REQ
    assert parsed.requester_name == "Acme Research"
    assert parsed.reward == Decimal("1.50") and parsed.currency == "USD"
    assert parsed.link == f"https://worker.mturk.com/projects/{GROUP}/tasks"
    assert parsed.allowed_minutes == 60
    # The allowed time is never the estimate: the minutes are asked.
    assert parsed.minutes is None and parsed.missing == ("minutes",)
    assert parsed.limits.countries == {"US", "CA"}
    assert "masters" in parsed.limits.qualifications
    if name != "short":
        assert "approval ≥98%" in parsed.limits.qualifications
        assert parsed.available == 250


def test_hit_json_exclusions_are_not_limits() -> None:
    parsed = parse_export(json.dumps(HIT))
    assert parsed.excluded == ("Did our food survey",)
    assert not any("food" in q for q in parsed.limits.qualifications)


def test_hit_json_other_quals_by_name_and_thresholds() -> None:
    hit = dict(HIT)
    hit["project_requirements"] = [
        {
            "qualification_type_id": "00000000000000000040",
            "comparator": "GreaterThan",
            "qualification_values": [999],
            "qualification_type": {"name": "Total approved HITs"},
        },
        {
            "qualification_type_id": "3XYZ",
            "comparator": "Exists",
            "qualification_values": [],
            "qualification_type": {"name": "Transcription Level 2"},
        },
        {
            "qualification_type_id": "00000000000000000071",
            "comparator": "NotIn",
            "qualification_values": [{"country": "IN"}],
        },
    ]
    parsed = parse_export(json.dumps(hit))
    assert parsed.limits.qualifications == {"approved ≥1000", "transcription level 2"}
    assert parsed.limits.countries == frozenset()
    assert parsed.excluded == ("not IN",)


def test_prolific_study() -> None:
    parsed = parse_export(PROLIFIC_JSON)
    assert parsed.platform == "prolific"
    assert parsed.reward == Decimal("1.5") and parsed.currency == "GBP"
    assert parsed.minutes == 10 and parsed.allowed_minutes == 52
    assert parsed.available == 180
    assert parsed.requester_name == "Uni Lab"


def test_free_text() -> None:
    parsed = parse_export(FREE)
    assert parsed.source == "free_text" and parsed.minutes == 6
    assert parsed.reward == Decimal("1.50") and parsed.platform == "mturk"


# -- the corpus ----------------------------------------------------------------------------


def test_truncated_export_names_the_missing_field() -> None:
    with pytest.raises(ExportError) as err:
        parse_export(corpus("plain_truncated.txt"))
    assert err.value.field_name == "reward"
    assert "Reward" in err.value.message("en") and "Rémunération" in err.value.message("fr")


def test_doubled_same_export_reads_once() -> None:
    parsed = parse_export(corpus("plain_doubled_same.txt"))
    assert parsed.reward == Decimal("1.50") and parsed.available == 250


@pytest.mark.parametrize("name", ["plain_doubled_two_tasks.txt", "short_doubled.txt"])
def test_two_tasks_in_one_paste_are_refused(name: str) -> None:
    with pytest.raises(ExportError) as err:
        parse_export(corpus(name))
    assert err.value.key == "intake.errors.several"


def test_html_escaped() -> None:
    parsed = parse_export(corpus("markdown_html_escaped.txt"))
    assert parsed.title == "Rate images & food <fast>"
    assert parsed.requester_name == "Acme & Sons"


def test_zero_width_spaces() -> None:
    parsed = parse_export(corpus("bbcode_zero_width.txt"))
    assert parsed.title == "Rate images of food"
    assert parsed.reward == Decimal("1.50") and parsed.available == 250


def test_everyone_in_title_never_pings() -> None:
    parsed = parse_export(corpus("plain_everyone_title.txt"))
    assert parsed.title is not None and "@everyone" not in parsed.title
    assert "<@" not in parsed.title and "**" not in parsed.title
    assert parsed.requester_name is not None and "@here" not in parsed.requester_name
    draft = drafts.build_draft(parsed, minutes=5, default_currency="USD")
    assert "@everyone" not in draft.title


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("@everyoneRate images of food", "＠everyoneRate images of food"),
        ("@here123", "＠here123"),
        ("@HEREford survey", "＠HEREford survey"),
        ("@**everyone** now", "＠everyone now"),
        ("@[b]here[/b] now", "＠here now"),
        ("<@<@1>23> hi", "hi"),
    ],
)
def test_pings_are_neutralised_whatever_follows(raw: str, shown: str) -> None:
    # Hypothesis found "@everyoneRate images of food" passing through a `\b` pattern.
    assert plain(raw, 100) == shown


def test_everyone_glued_to_a_free_text_title_never_pings() -> None:
    parsed = parse_export(f"@everyoneRate images of food {PROJECT} pays $1.50, took me 6 min")
    assert parsed.title is not None and "@everyone" not in parsed.title.lower()


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("plain_absurd_reward.txt", "tasks.errors.reward_too_high"),
        ("plain_negative_reward.txt", "tasks.errors.reward_positive"),
    ],
)
def test_absurd_rewards_are_refused_by_the_share_rules(name: str, key: str) -> None:
    parsed = parse_export(corpus(name))
    with pytest.raises(UserError) as err:
        drafts.build_draft(parsed, minutes=5, default_currency="USD")
    assert err.value.key == key


@pytest.mark.parametrize(
    ("name", "amount", "currency", "minutes"),
    [
        ("free_text_euro.txt", "2.40", "EUR", 12),
        ("free_text_pounds.txt", "0.90", "GBP", 5),
    ],
)
def test_other_currencies(name: str, amount: str, currency: str, minutes: int) -> None:
    parsed = parse_export(corpus(name))
    assert parsed.reward == Decimal(amount) and parsed.currency == currency
    assert parsed.minutes == minutes and parsed.platform == "prolific"
    draft = drafts.build_draft(parsed, minutes=parsed.minutes, default_currency="USD")
    assert draft.currency == currency


@pytest.mark.parametrize(
    ("name", "key", "field"),
    [
        ("mturk_json_truncated.json", "intake.errors.json_not_json", None),
        ("mturk_json_no_reward.json", "intake.errors.not_found", "reward"),
        ("prolific_no_estimate.json", "intake.errors.not_found", "estimated_completion_time"),
        ("json_bomb.json", "intake.errors.json_too_deep", None),
    ],
)
def test_broken_json(name: str, key: str, field: str | None) -> None:
    with pytest.raises(ExportError) as err:
        parse_export(corpus(name))
    assert err.value.key == key and err.value.field_name == field
    assert err.value.message("fr") != err.value.message("en")


def test_results_list() -> None:
    parsed = parse_export(corpus("mturk_json_results_list.json"))
    assert parsed.reward == Decimal("0.75") and parsed.allowed_minutes == 30


def test_json_limits() -> None:
    with pytest.raises(JsonRefusedError):
        load_json("[" * 100 + "]" * 100)
    with pytest.raises(JsonRefusedError):
        load_json(json.dumps([{"k": i} for i in range(6000)]))
    with pytest.raises(JsonRefusedError):
        load_json('{"a": NaN}')


def test_small_readers() -> None:
    assert read_duration("1 hour 30 minutes") == 90
    assert read_duration("2 days") == 2880
    assert read_duration("01:30:00") == 90
    assert read_duration("45 seconds") is None
    assert read_money("1,50 €") == (Decimal("1.50"), "EUR")
    assert read_money("CA$3") == (Decimal("3"), "CAD")
    assert read_money("0.50 USD") == (Decimal("0.50"), "USD")
    assert plain("[b]x[/b] @here", 50) == "x ＠here"


# -- properties ----------------------------------------------------------------------------

ALL = [*FORMATS.values(), PROLIFIC_JSON, FREE, json.dumps(PROLIFIC)]


def check(text: str) -> None:
    """Either a complete parse that the share rules accept or refuse cleanly, or an error."""
    try:
        parsed = parse_export(text)
    except ExportError as exc:
        assert exc.message("en") and exc.message("fr")
        return
    assert isinstance(parsed, ParsedTask)
    assert parsed.reward is not None and (parsed.title or parsed.link)
    assert parsed.minutes is None or parsed.minutes >= 1
    assert parsed.title is None or "@everyone" not in parsed.title.lower()
    with contextlib.suppress(UserError, MoneyError):
        drafts.build_draft(parsed, minutes=parsed.minutes or 5, default_currency="USD")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(max_size=600))
def test_any_text_never_crashes(text: str) -> None:
    check(text)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(ALL),
    st.integers(min_value=0, max_value=2000),
    st.sampled_from(["", "\u200b", "&amp;", "@everyone", "\n", "•", "[b]", "**", "{", "$"]),
    st.integers(min_value=0, max_value=2000),
)
def test_mangled_exports_never_half_parse(base: str, cut: int, noise: str, at: int) -> None:
    text = base[:at] + noise + base[at:]
    check(text[: max(cut, 1)] if cut < len(text) else text)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "hit_set_id",
                        "title",
                        "monetary_reward",
                        "reward",
                        "id",
                        "name",
                        "estimated_completion_time",
                        "project_requirements",
                        "results",
                        "amount_in_dollars",
                        "requester_id",
                        "comparator",
                        "qualification_values",
                        "qualification_type",
                        "places",
                    ]
                ),
                children,
                max_size=6,
            )
        ),
        max_leaves=30,
    )
)
def test_any_json_never_crashes(value: object) -> None:
    check(json.dumps(value, allow_nan=False) if _finite(value) else "{}")


def _finite(value: object) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except ValueError:
        return False
    return True


# -- long runs cost a pass, not a pass per character (found by a hostile probe) -----------
#
# A message of 4,000 blanks between a link and a word held the event loop for seconds:
# patterns starting with an optional blank run (`\s*` before an amount or a duration), or
# a link part running to the end of the text, were retried from every character. Blank
# runs are now one blank, and no pattern starts in a run of blanks or crosses a bracket.


@given(st.text(alphabet=" \t\n\u00a0\u2003\u3000x", max_size=200))
def test_clean_input_leaves_no_run_of_blanks(text: str) -> None:
    cleaned = clean_input(text)
    assert "  " not in cleaned and "\n\n" not in cleaned
    assert " \n" not in cleaned and "\n " not in cleaned
    assert not any(ch.isspace() and ch not in " \n" for ch in cleaned)


def test_no_amount_or_duration_match_starts_in_blanks() -> None:
    blanks = " " * 50
    assert MONEY.search(f"x{blanks}$1.50").start() == 51
    assert MONEY.search(f"x{blanks}-$1.50").start() == 51
    assert DURATION_TEXT.search(f"x{blanks}12 min").start() == 51
    assert DURATION_TEXT.search(f"x{blanks}about 12 min").start() == 51


def test_a_link_pattern_does_not_cross_a_bracket() -> None:
    assert unmask_links("[a [b](https://x.example)") == "[a b"
    assert unmask_links("[url=[url=https://x.example]b[/url]") == "[url=b"
    assert unmask_links("[a](https://x[.example)") == "[a](https://x[.example)"


def test_an_export_spread_over_blank_runs_is_still_read() -> None:
    gap = " " * 1500 + "\n" * 800 + "\u3000" * 500
    parsed = parse_export(f"Food images survey{gap}{PROJECT}{gap}pays $1.50,{gap}took me 6 min")
    assert (parsed.reward, parsed.minutes, parsed.link) == (Decimal("1.50"), 6, PROJECT)
