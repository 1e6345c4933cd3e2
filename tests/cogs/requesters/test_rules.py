"""Pure rules: identities, text limits, evidence, status, standing, flags, crowd hourly."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from random import Random

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.errors import UserError
from cogs.requesters import reviewing, rules
from cogs.requesters.reviewing import REQUESTER_REVIEWS

# -- requester identities ---------------------------------------------------------------


def test_rules_never_import_discord() -> None:
    code = (
        "import sys, cogs.requesters.rules, cogs.requesters.reviewing, "
        "cogs.requesters.service, cogs.moderation.rules, db.requesters; "
        "sys.exit('discord' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A1B2C3D4E5F6G7", "A1B2C3D4E5F6G7"),
        ("a1b2c3d4e5f6g7", "A1B2C3D4E5F6G7"),
        (" A3ABCDEFGHIJKLMNOPQR ", "A3ABCDEFGHIJKLMNOPQR"),
        # Found by a hostile probe: refused as invalid, though the name box found them.
        (
            "\uff21\uff11\uff22\uff12\uff23\uff13\uff24\uff14\uff25\uff15\uff26\uff16\uff27\uff17",
            "A1B2C3D4E5F6G7",
        ),
        ("A1B2C3D4E5F6G7\u200b", "A1B2C3D4E5F6G7"),
        ("\u2060a1b2c3d4e5f6g7", "A1B2C3D4E5F6G7"),
    ],
)
def test_mturk_ids_are_normalised(text: str, expected: str) -> None:
    assert rules.normalize_platform_id("mturk", text) == expected


@pytest.mark.parametrize(
    "text",
    ["B1B2C3D4E5F6G7", "A1B2", "A1B2C3D4E5F6G7H8I9J0K1", "A1B2-C3D4E5F6G7", "", "A1B2C3D4E5F6G7é"],
)
def test_malformed_mturk_ids_are_refused_with_an_example(text: str) -> None:
    with pytest.raises(UserError) as caught:
        rules.normalize_platform_id("mturk", text)
    assert caught.value.key == "requesters.errors.bad_requester_id"
    assert caught.value.params["example"] == "A1B2C3D4E5F6G7"


def test_prolific_ids_are_24_hex_characters() -> None:
    assert rules.normalize_platform_id("prolific", "5F3E2A1B9C8D7E6F5A4B3C2D") == (
        "5f3e2a1b9c8d7e6f5a4b3c2d"
    )
    with pytest.raises(UserError):
        rules.normalize_platform_id("prolific", "not-an-object-id")


def test_platforms_without_a_known_format_take_a_plain_token() -> None:
    assert rules.normalize_platform_id("toloka", "req-42.x") == "req-42.x"
    for bad in ("<@123>", "a b", "x" * 65, "javascript:alert(1)"):
        with pytest.raises(UserError):
            rules.normalize_platform_id("toloka", bad)


def test_parse_requester_reads_picked_records_ids_and_names() -> None:
    assert rules.parse_requester("#42") == rules.RequesterQuery(record_id=42)
    assert rules.parse_requester("a1b2c3d4e5f6g7") == rules.RequesterQuery(
        None, "mturk", "A1B2C3D4E5F6G7", None
    )
    assert rules.parse_requester("  Acme   Research ", "prolific") == rules.RequesterQuery(
        None, "prolific", None, "Acme Research"
    )
    assert rules.parse_requester("Acme", None, "A1B2C3D4E5F6G7") == rules.RequesterQuery(
        None, "mturk", "A1B2C3D4E5F6G7", "Acme"
    )


def test_parse_requester_refuses_what_it_cannot_place() -> None:
    cases = [
        (("", None, None), "requesters.errors.requester_required"),
        (("!!!", "mturk", None), "requesters.errors.requester_required"),
        (("x" * 101, "mturk", None), "requesters.errors.name_too_long"),
        (("Acme", "myspace", None), "requesters.errors.unknown_platform"),
        (("Acme", None, "zz-12"), "requesters.errors.platform_required"),
        (("Acme", "mturk", "not-an-id"), "requesters.errors.bad_requester_id"),
    ]
    for args, key in cases:
        with pytest.raises(UserError) as caught:
            rules.parse_requester(*args)
        assert caught.value.key == key, args


def test_a_requesters_page_is_read_as_its_id_in_either_box() -> None:
    """Found by a hostile probe: a pasted requester page was taken for a name."""
    page = "https://worker.mturk.com/requesters/a1b2c3d4e5f6g7/projects"
    expected = rules.RequesterQuery(None, "mturk", "A1B2C3D4E5F6G7", None)
    assert rules.parse_requester(page) == expected
    assert rules.parse_requester(f"<{page}>", "mturk") == expected
    assert rules.parse_requester("Acme", None, page) == rules.RequesterQuery(
        None, "mturk", "A1B2C3D4E5F6G7", "Acme"
    )
    # A name with a dot is still a name; a link naming nobody is refused, never a name.
    assert rules.parse_requester("Acme.io Labs", "other").name == "Acme.io Labs"
    for link, platform in [
        ("https://worker.mturk.com/projects/3Z8UJEJOCZEG603II9CQDYWSGSQY7F/tasks", None),
        ("http://example.com/a", "mturk"),
        ("app.prolific.com/studies/5f3e2a1b9c8d7e6f5a4b3c2d", None),
    ]:
        with pytest.raises(UserError) as caught:
            rules.parse_requester(link, platform)
        assert caught.value.key == "tasks.errors.link_without_requester", link
    with pytest.raises(UserError) as caught:
        rules.parse_requester(page, "prolific")
    assert caught.value.key == "requesters.errors.link_other_platform"


def test_names_keep_mentions_and_markdown_for_display_escaping() -> None:
    # Stored as typed; `safe_text` neutralises it wherever it is shown.
    assert rules.normalize_name("@everyone **Acme**\u200b\x07") == "@everyone **Acme**"


def test_error_previews_are_inert() -> None:
    assert "@everyone" not in rules.preview("@everyone `code`")
    assert len(rules.preview("x" * 10_000)) == 60


# -- text members write ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "write to jane.doe+hits@example.co.uk",
        "call +1 (555) 123-4567 now",
        "call 555-123-4567",
        "my number 5551234567",
        "appelez le 06 12 34 56 78",
        "ou le +33 6 12 34 56 78",
        "WhatsApp +447911123456",
    ],
)
def test_personal_information_is_refused(text: str) -> None:
    with pytest.raises(UserError) as caught:
        rules.check_text(text, limit=2000)
    assert caught.value.key == "common.errors.personal_data"


@pytest.mark.parametrize(
    "text",
    [
        "Rejected 40 HITs on 2024-03-01 12:30, paid $1.50 for 25 minutes",
        "Approved within 3 days, 4/5 stars, 1,234 HITs done",
        "See https://twitter.com/acme/status/1234567890123 and https://x.com/@acme",
        "Requester A1B2C3D4E5F6G7, HIT 3ABCD1234567890ABCDEFGHIJKLMN, batch 99887766",
        "Completion code 12345678, survey took 12-15 minutes",
    ],
)
def test_ordinary_task_talk_is_not_mistaken_for_personal_information(text: str) -> None:
    assert rules.check_text(text, limit=2000) == text


def test_text_limits() -> None:
    with pytest.raises(UserError) as caught:
        rules.check_text("   ", limit=10)
    assert caught.value.key == "requesters.errors.text_required"
    assert rules.check_text("  ", limit=10, required=False) is None
    with pytest.raises(UserError) as caught:
        rules.check_text("x" * 10_000, limit=2000)
    assert caught.value.params == {"limit": 2000, "length": 10_000}
    with pytest.raises(UserError) as caught:
        rules.check_text("short", limit=2000, minimum=10)
    assert caught.value.key == "requesters.errors.text_too_short"


@given(
    user=st.from_regex(r"[a-z][a-z0-9._]{0,15}", fullmatch=True),
    domain=st.from_regex(r"[a-z][a-z0-9-]{0,10}\.(com|fr|org|co\.uk)", fullmatch=True),
    before=st.text(alphabet="abc ,!", max_size=20),
)
def test_any_email_is_found(user: str, domain: str, before: str) -> None:
    assert rules.contains_email(f"{before} {user}@{domain} thanks")


@given(
    area=st.integers(200, 999),
    exchange=st.integers(200, 999),
    line=st.integers(0, 9999),
    sep=st.sampled_from(["-", ".", " ", ""]),
)
def test_any_north_american_number_is_found(area: int, exchange: int, line: int, sep: str) -> None:
    assert rules.contains_phone(f"call {area}{sep}{exchange}{sep}{line:04d} please")


@given(
    pairs=st.lists(st.integers(0, 99), min_size=4, max_size=4), sep=st.sampled_from([" ", ".", "-"])
)
def test_any_french_number_is_found(pairs: list[int], sep: str) -> None:
    number = "06" + "".join(f"{sep}{p:02d}" for p in pairs)
    assert rules.contains_phone(f"mon numéro {number}")


@given(
    dollars=st.integers(0, 99_999),
    cents=st.integers(0, 99),
    minutes=st.integers(1, 600),
    day=st.dates(),
)
def test_amounts_durations_and_dates_are_never_phones(
    dollars: int, cents: int, minutes: int, day: object
) -> None:
    text = f"Paid ${dollars:,}.{cents:02d} for {minutes} min on {day} at 12:30"
    assert not rules.contains_phone(text)
    assert not rules.contains_email(text)


@given(st.text(alphabet=st.characters(categories=["L", "Zs", "P"]), max_size=300))
def test_text_without_digits_or_at_signs_is_never_refused(text: str) -> None:
    assume("@" not in text and "＠" not in text)
    # "(at)", "john at example dot com": the disguised forms are addresses too
    assume(not re.search(r"(?i)\b(?:at|arobase|chez)\b", text))
    assert not rules.contains_phone(text)
    assert not rules.contains_email(text)


# -- evidence ------------------------------------------------------------------------------


def test_evidence_links_are_http_only() -> None:
    links = rules.parse_evidence(
        "https://imgur.com/a/x, http://example.org/p?q=1\nhttps://imgur.com/a/x"
    )
    assert links == ("https://imgur.com/a/x", "http://example.org/p?q=1")
    assert rules.parse_evidence(None) == ()
    assert rules.parse_evidence("   ") == ()


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JAVASCRIPT://x.com/%0aalert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "ftp://files.example.com/a",
        "https://user:pw@evil.example.com/",
        "https://localhost/x",
        "https://<@everyone>.com",
        "www.example.com",
        "http://[::1",
        "https://example.com/" + "a" * 500,
    ],
)
def test_hostile_evidence_is_refused(link: str) -> None:
    with pytest.raises(UserError) as caught:
        rules.parse_evidence(link)
    assert caught.value.key == "requesters.errors.bad_link"


def test_at_most_five_links() -> None:
    with pytest.raises(UserError) as caught:
        rules.parse_evidence(" ".join(f"https://e.com/{i}" for i in range(6)))
    assert caught.value.key == "requesters.errors.too_many_links"


@given(st.text(max_size=200))
def test_evidence_parser_returns_web_links_or_refuses(text: str) -> None:
    try:
        links = rules.parse_evidence(text)
    except UserError as error:
        assert error.key in ("requesters.errors.bad_link", "requesters.errors.too_many_links")
    else:
        assert all(link.lower().startswith(("http://", "https://")) for link in links)
        assert len(links) <= rules.MAX_LINKS


def test_new_member_rule() -> None:
    now = datetime(2026, 11, 26, tzinfo=UTC)
    assert rules.is_new_member(now - timedelta(days=2), now, 7)
    assert not rules.is_new_member(now - timedelta(days=7), now, 7)
    assert not rules.is_new_member(None, now, 7)
    assert not rules.is_new_member(now, now, 0)


# -- status and standing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("confirmed", "status"),
    [
        ({}, "none"),
        ({"harvesting": 1}, "scam"),
        ({"off_platform": 1}, "scam"),
        ({"malware": 1}, "scam"),
        ({"non_payment": 1}, "caution"),
        ({"non_payment": 2}, "caution"),
        ({"non_payment": 3}, "scam"),
        ({"underpaid": 1}, "none"),
        ({"underpaid": 2}, "caution"),
        ({"underpaid": 1, "other": 1}, "caution"),
        ({"other": 1}, "none"),
        ({"underpaid": 9}, "caution"),
    ],
)
def test_status_follows_confirmed_reports(confirmed: dict[str, int], status: str) -> None:
    assert rules.derive_status(confirmed) == status


@given(st.dictionaries(st.sampled_from(rules.CATEGORIES), st.integers(0, 5)))
def test_more_confirmed_reports_never_lower_the_status(confirmed: dict[str, int]) -> None:
    before = rules.derive_status(confirmed)
    for category in rules.CATEGORIES:
        more = {**confirmed, category: confirmed.get(category, 0) + 1}
        assert rules.more_severe(before, rules.derive_status(more)) == rules.derive_status(more)


def test_next_status_keeps_moderator_decisions_but_lets_evidence_escalate() -> None:
    assert rules.next_status("none", None, "caution") == ("caution", "reports")
    assert rules.next_status("scam", "reports", "none") == ("none", None)
    assert rules.next_status("caution", "reports", "scam") == ("scam", "reports")
    # A moderator cleared this requester: older reports do not bring the status back...
    assert rules.next_status("none", "moderator", "none") == ("none", "moderator")
    # ...a moderator's caution is never lowered automatically...
    assert rules.next_status("caution", "moderator", "none") == ("caution", "moderator")
    # ...but newly confirmed evidence can make it more severe.
    assert rules.next_status("caution", "moderator", "scam") == ("scam", "reports")


def test_crowd_hourly_weights_reports_and_never_mixes_currencies() -> None:
    assert rules.crowd_hourly([]) is None
    # $6 once and $12 three times: the middle of the four reports is $12; EUR stays apart.
    result = rules.crowd_hourly([(600, 1, "USD"), (1200, 3, "USD"), (5000, 1, "EUR")])
    assert result == rules.CrowdHourly(1200, "USD", 4)
    assert rules.crowd_hourly([(900, 0, "USD")]) is None
    # An even count: the rounded-half-up mean of the middle two, as an alert's own median.
    assert rules.crowd_hourly([(600, 1, "USD"), (1201, 1, "USD")]) == rules.CrowdHourly(
        901, "USD", 2
    )


def test_one_report_on_an_alert_of_its_own_barely_moves_the_crowd_hourly() -> None:
    # Three members took an hour on a $1.50 task; one minute on another $1.50 task of the
    # same requester is $90/h, and must not make the requester look well paid.
    after = rules.crowd_hourly([(150, 3, "USD"), (9000, 1, "USD")])
    assert after == rules.CrowdHourly(150, "USD", 4)


FIGURES = st.lists(st.tuples(st.integers(0, 10**7), st.integers(1, 50)), min_size=1, max_size=20)


def _reports(samples: list[tuple[int, int]]) -> list[int]:
    """Every report's figure, sorted: each alert's figure as often as it was reported."""
    return sorted(cents for cents, weight in samples for _ in range(weight))


@given(FIGURES)
def test_crowd_hourly_lies_between_the_samples(samples: list[tuple[int, int]]) -> None:
    result = rules.crowd_hourly((cents, weight, "USD") for cents, weight in samples)
    assert result is not None
    assert min(c for c, _ in samples) <= result.cents <= max(c for c, _ in samples)
    assert result.reports == sum(w for _, w in samples)


@given(FIGURES, st.randoms(use_true_random=False))
def test_crowd_hourly_is_the_median_of_the_reports_in_any_order(
    samples: list[tuple[int, int]], random: Random
) -> None:
    reports = _reports(samples)
    shuffled = list(samples)
    random.shuffle(shuffled)
    result = rules.crowd_hourly((cents, weight, "USD") for cents, weight in shuffled)
    assert result is not None
    middle = (reports[(len(reports) - 1) // 2] + reports[len(reports) // 2] + 1) // 2
    assert result.cents == middle


@given(FIGURES, st.integers(0, 10**9))
def test_one_more_report_moves_the_crowd_hourly_at_most_to_a_neighbour(
    samples: list[tuple[int, int]], extra: int
) -> None:
    reports = _reports(samples)
    count = len(reports)
    assume(count >= 2)  # with one report, a second one is half the figure
    after = rules.crowd_hourly((c, w, "USD") for c, w in [*samples, (extra, 1)])
    assert after is not None
    assert reports[count // 2 - 1] <= after.cents <= reports[(count + 1) // 2]


# -- reviews -------------------------------------------------------------------------------

GOOD = {"pay": 4, "fast": 5, "fair": 3, "communication": 1}


def test_a_valid_review() -> None:
    review = reviewing.validate_review(REQUESTER_REVIEWS, GOOD, "6-20", "  fine  ")
    assert review.score_map() == GOOD
    assert review.experience == "6-20"
    assert review.body == "fine"


@pytest.mark.parametrize(
    ("scores", "key"),
    [
        ({**GOOD, "pay": 0}, "requesters.errors.score_range"),
        ({**GOOD, "pay": 6}, "requesters.errors.score_range"),
        ({**GOOD, "pay": -5}, "requesters.errors.score_range"),
        ({**GOOD, "pay": 10**12}, "requesters.errors.score_range"),
        ({**GOOD, "pay": True}, "requesters.errors.score_missing"),
        ({**GOOD, "pay": 4.5}, "requesters.errors.score_missing"),
        ({k: v for k, v in GOOD.items() if k != "fair"}, "requesters.errors.score_missing"),
        ({**GOOD, "vibes": 5}, "requesters.errors.score_missing"),
    ],
)
def test_bad_scores_are_refused(scores: dict[str, object], key: str) -> None:
    with pytest.raises(UserError) as caught:
        reviewing.validate_review(REQUESTER_REVIEWS, scores, "6-20", None)
    assert caught.value.key == key


def test_bad_experience_and_text_are_refused() -> None:
    with pytest.raises(UserError):
        reviewing.validate_review(REQUESTER_REVIEWS, GOOD, "lots", None)
    with pytest.raises(UserError):
        reviewing.validate_review(REQUESTER_REVIEWS, GOOD, "none", "x" * 10_000)
    with pytest.raises(UserError):
        reviewing.validate_review(REQUESTER_REVIEWS, GOOD, "none", "mail me: a@b.com")


def test_schemas_are_generic_over_subject_kinds() -> None:
    platform = reviewing.ReviewSchema(
        kind="platform", criteria=("pay", "support"), experience=("new", "veteran"), catalog="x"
    )
    review = reviewing.validate_review(platform, {"pay": 2, "support": 5}, "veteran", None)
    assert review.score_map() == {"pay": 2, "support": 5}


@pytest.mark.parametrize(
    ("flags", "mods", "hidden"),
    [(0, 0, False), (1, 1, False), (2, 0, False), (5, 0, False), (2, 1, True), (2, 2, True)],
)
def test_two_flags_one_from_a_moderator_hide_a_review(flags: int, mods: int, hidden: bool) -> None:
    assert reviewing.is_hidden(flags, mods) is hidden
