"""The one personal-data check: e-mail addresses and phone numbers, however disguised."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.personal_data import (
    PersonalDataError,
    check_personal_data,
    contains_email,
    contains_phone,
    find_personal_data,
)

EMAILS = [
    "john.doe@example.com",
    "john.doe＠example.com",  # full-width at sign
    "john.doe﹫example.com",  # small at sign
    "ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ",  # all full-width
    "john (at) example (dot) com",
    "john[at]example[dot]com",
    "john {at} example {dot} com",
    "john(at)gmail.com",
    "john @ example.com",
    "john at example dot com",
    "jean arobase exemple point fr",
    "jo\u200bhn@exa\u200bmple.com",  # zero-width spaces
]
PHONES = [
    "+33 6 12 34 56 78",
    "+1 (555) 123-4567",
    "+447911123456",
    "06 12 34 56 78",
    "06.12.34.56.78",
    "(555) 123-4567",
    "555.123.4567",
    "5551234567",
    "07911 123456",
    "5 5 5 1 2 3 4 5 6 7",  # spaced out to slip past a filter
    "0-6-1-2-3-4-5-6-7-8",
    "０６１２３４５６７８",  # full-width digits
    "٠٦١٢٣٤٥٦٧٨",  # Arabic-Indic digits
]
ORDINARY = [
    "1.50",
    "$12.00 for 10:30",
    "Paid £2.50 at 10:30 on 2026-11-26",
    "A1B2C3D4E5F6G7",
    "A2ABCDEFGHIJKL3 and 5f3c1a2b3c4d5e6f7a8b9c0d",
    "https://www.mturk.com/projects/3ABC123456789012/tasks?x=1234567890",
    "https://x.com/@acme",
    "available at noon",
    "hosted at example.com",
    "Survey about 1000 participants, 18-65 years",
    "HIT approval rate >= 98%, 1000 approved",
    "Reward 1.50 2.00 3.00 4.00",
    "10 20 30 40 50",
    "batch 12345678",
    "rated 5/5 4/5 3/5",
    "version 1.2.3.4.5",
    "Q3 2024, 1h30, 12-15 min",
    "@everyone",
]


@pytest.mark.parametrize("text", EMAILS)
def test_emails_are_found(text: str) -> None:
    assert find_personal_data(f"contact: {text} thanks") == "email"


@pytest.mark.parametrize("text", PHONES)
def test_phones_are_found(text: str) -> None:
    assert find_personal_data(f"call {text} today") == "phone"


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_task_text_is_not_personal_data(text: str) -> None:
    assert find_personal_data(text) is None


def test_the_refusal_names_the_field_in_the_members_language() -> None:
    with pytest.raises(PersonalDataError) as caught:
        check_personal_data("john.doe＠example.com", "common.fields.requester")
    assert caught.value.message("en").startswith(
        "Please remove the e-mail address from the requester name field"
    )
    assert caught.value.message("fr").startswith("Retirez l'adresse e-mail du champ « demandeur »")
    check_personal_data("Acme Research", "common.fields.requester")  # no error


_LOCAL = st.from_regex(r"[a-z0-9][a-z0-9._+-]{0,15}", fullmatch=True)
_DOMAIN = st.from_regex(r"[a-z0-9][a-z0-9-]{0,10}", fullmatch=True)
_TLD = st.sampled_from(["com", "fr", "org", "net", "io", "co.uk"])
_AT = st.sampled_from(["@", "＠", " @ ", " (at) ", "[at]", " [ at ] ", "{at}", "(@)"])
_DOT = st.sampled_from([".", "．", " (dot) ", "[dot]", " [ dot ] "])
_FILLER = st.text(alphabet="abcdefghij ,;!?-", max_size=20)


@given(_LOCAL, _DOMAIN, _TLD, _AT, _DOT, _FILLER, _FILLER)
def test_any_disguised_email_is_found(
    local: str, domain: str, tld: str, at: str, dot: str, before: str, after: str
) -> None:
    text = f"{before} {local}{at}{domain}{dot}{tld.replace('.', dot)} {after}"
    assert contains_email(text), text


@given(
    st.lists(st.integers(0, 9), min_size=10, max_size=10),
    st.sampled_from([" ", "-", ".", "  ", " - "]),
    _FILLER,
)
def test_any_digit_by_digit_number_is_found(digits: list[int], sep: str, before: str) -> None:
    text = f"{before} {sep.join(map(str, digits))} ok"
    assert contains_phone(text), text


@given(
    st.integers(0, 9999),
    st.integers(0, 99),
    st.integers(0, 23),
    st.integers(0, 59),
    st.dates(),
    st.from_regex(r"A[A-Z0-9]{12,21}", fullmatch=True),
    st.from_regex(r"[0-9a-f]{24}", fullmatch=True),
)
def test_rewards_times_dates_and_ids_are_never_personal_data(
    units: int, cents: int, hour: int, minute: int, day: object, worker: str, study: str
) -> None:
    text = (
        f"Pays ${units}.{cents:02d} (£{units},{cents:02d}) at {hour}:{minute:02d} on {day}, "
        f"requester {worker}, study https://app.prolific.com/studies/{study}"
    )
    assert find_personal_data(text) is None, text


@given(st.text(max_size=200))
def test_the_check_never_crashes(text: str) -> None:
    kind = find_personal_data(text)
    assert kind in {None, "email", "phone"}


# -- the cheap gates in front of the patterns -------------------------------------------------

#: Pieces the patterns care about, so generated text often comes close to an address or a
#: number, in every disguise, and often carries none of what the gates look for.
_PIECES = st.sampled_from(
    [
        "john", "Jo", "at", "AT", "arobase", "chez", "dot", "DOT", "point", "punto", "dt",
        "@", "＠", "%40", "%4", "(", ")", "[", "]", "{", "}", "<", ">", " ", "  ", "\u00a0",
        "\t", ".", "-", "/", "_", "+", "example", "com", "fr", "0", "06", "1", "12", "345",
        "5551234567", "٣", "\u200b", "https://", "www.", "é",
    ]
)  # fmt: skip


@given(st.lists(_PIECES, max_size=24).map("".join))
def test_the_gates_never_change_an_answer(text: str) -> None:
    """`_has_email` and `_has_phone` skip their patterns only where those cannot match."""
    from bot import personal_data as pd

    value = pd.normalise(text)
    undisguised = pd._undisguise(value)
    email = bool(pd._EMAIL.search(undisguised) or pd._SPELLED_EMAIL.search(undisguised))
    scrubbed = pd._URL.sub(" ", value)
    phone = any(
        8 <= sum(ch.isdigit() for ch in match.group()) <= 15
        for pattern in pd._PHONE_PATTERNS
        for match in pattern.finditer(scrubbed)
    )
    assert pd._has_email(value) is email
    assert pd._has_phone(value) is phone
