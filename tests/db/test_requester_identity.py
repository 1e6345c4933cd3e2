"""Requester name keys: property tests for the fold the database matches names on."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from db.requester_identity import (
    canonical_id,
    ids_a_name_may_be,
    ids_inside_a_name,
    may_rename,
    name_key,
    same_name,
)

names = st.text(max_size=40)
latin_names = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .-&'"),
    max_size=30,
)
#: Cyrillic and Greek letters that imitate a Latin one, and the letter they imitate.
LOOK_ALIKES = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441",
               "x": "\u0445", "y": "\u0443", "i": "\u0456", "s": "\u0455", "k": "\u03ba"}  # fmt: skip


@given(names)
def test_the_key_is_idempotent(name: str) -> None:
    assert name_key(name_key(name)) == name_key(name)


@given(names)
def test_the_key_has_no_invisible_characters_or_stray_spaces(name: str) -> None:
    key = name_key(name)
    assert key == " ".join(key.split())
    assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in key)


@given(latin_names, st.data())
def test_case_spacing_accents_and_invisible_characters_do_not_matter(
    name: str, data: st.DataObject
) -> None:
    variant = "".join(
        data.draw(
            st.sampled_from(
                [ch.upper(), ch.lower(), ch + "\u0301", ch + "\u200b", "\u00ad" + ch]
                if ch.isalpha()
                else ([" ", "  ", "\u00a0", "\t", " \u200b"] if ch == " " else [ch])
            )
        )
        for ch in name
    )
    assert name_key(variant) == name_key(name)


@given(latin_names, st.data())
def test_look_alike_letters_are_the_letter_they_imitate(name: str, data: st.DataObject) -> None:
    variant = "".join(
        data.draw(st.sampled_from([ch, LOOK_ALIKES[ch]])) if ch in LOOK_ALIKES else ch
        for ch in name.lower()
    )
    assert name_key(variant) == name_key(name)


@given(latin_names)
def test_full_width_letters_fold_to_ascii(name: str) -> None:
    wide = "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in name)
    assert name_key(wide) == name_key(name)


@given(names, names)
def test_same_name_is_an_equivalence_on_keys(a: str, b: str) -> None:
    assert same_name(a, b) == (name_key(a) == name_key(b))
    assert same_name(a, a)


def test_examples_from_the_issue() -> None:
    for spelling in (
        "ACME  research",
        "Acmé Research",
        "\u0410cme Research",
        "Ac\u200bme Research",
    ):
        assert name_key(spelling) == name_key("Acme Research")
    for spelling in ("Acme-Research", "AcmeResearch", "Acme  Research!", "acme.research"):
        assert name_key(spelling) == name_key("Acme Research")
    # A name without letters or digits is still a name (not everything's empty key).
    assert name_key("🙂 🙂") == name_key("🙂  🙂") != name_key("🙃")
    # Scripts whose combining marks are letters keep them: different names stay different.
    assert name_key("\u0915\u093f") != name_key("\u0915")


def test_flagged_records_are_never_renamed() -> None:
    assert may_rename("none")
    assert not may_rename("caution") and not may_rename("scam")


def test_blank_letters_small_capitals_and_cherokee_fold_like_the_latin_name() -> None:
    """Spellings a hostile member used to post a flagged requester's task without its
    warning: each must have the key of the plain name.
    """
    for spelling in (
        "Acme\u3164Research",  # Hangul filler, shown as a space
        "Acme\uffa0Research",  # its half-width form
        "Acme\u115fResearch",
        "\u1d00\u1d04\u1d0d\u1d07 \u0280\u1d07\ua731\u1d07\u1d00\u0280\u1d04\u029c",
        "\u13aacme Research",  # Cherokee capital
        "\uab7acme Research",  # Cherokee small letter
    ):
        assert name_key(spelling) == name_key("Acme Research"), spelling


def test_platform_ids_have_one_stored_form() -> None:
    assert canonical_id("mturk", " a1b2c3d4e5f6g7 ") == "A1B2C3D4E5F6G7"
    assert canonical_id("mturk", "\uff21\uff11\uff22\uff12") == "A1B2"  # full width
    assert canonical_id("prolific", "5F3E2A1B9C8D7E6F5A4B3C2D") == "5f3e2a1b9c8d7e6f5a4b3c2d"
    assert canonical_id("toloka", "AbC-12") == "AbC-12"  # case kept where it may matter


def test_the_ids_a_name_may_be() -> None:
    assert ids_a_name_may_be(" a1b2 c3d4-e5f6\u200bg7") == ("A1B2C3D4E5F6G7", "a1b2c3d4e5f6g7")
    assert ids_a_name_may_be("Acme Research") == ("ACMERESEARCH", "acmeresearch")
    assert ids_a_name_may_be("Лабиринт") == ()  # not an id's characters
    assert ids_a_name_may_be("🙂") == ()
    # As typed too, first: where a platform's ids keep case and punctuation, the only form
    # that finds one (found by a hostile probe: a Toloka id in the name box dodged).
    assert ids_a_name_may_be(" Scam-Co.42 ") == ("Scam-Co.42", "SCAMCO42", "scamco42")
    assert ids_a_name_may_be("A1B2C3D4E5F6G7") == ("A1B2C3D4E5F6G7", "a1b2c3d4e5f6g7")


def test_the_ids_inside_a_name() -> None:
    assert ids_inside_a_name("Acme Labs (a1b2c3d4e5f6g7)") == (
        "a1b2c3d4e5f6g7",
        "A1B2C3D4E5F6G7",
    )
    assert ids_inside_a_name("Acme Research Group") == ()  # words without digits
    assert ids_inside_a_name("Lab 2024") == ()  # too short to be an id
    assert ids_inside_a_name("Team/Scam-Co.42x") == ("Scam-Co.42x", "SCAM-CO.42X", "scam-co.42x")


@given(st.text(max_size=300))
def test_ids_inside_a_name_are_bounded_and_found_in_it(name: str) -> None:
    forms = ids_inside_a_name(name)
    assert len(forms) <= 18  # six words, three forms each: one bounded statement
    folded = unicodedata.normalize("NFKC", name)
    for form in forms:
        assert 8 <= len(form) <= 64 and " " not in form
        assert form.isascii() and form.lower() in folded.lower()
