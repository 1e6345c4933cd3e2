"""One check for personal data in text members write: e-mail addresses and phone numbers.

Every free-text field that is stored or shown to other people (requester names, task
titles and notes, reviews, reports, platform names, alert keywords, earnings notes…) goes
through `check_personal_data`, so an address cannot get in by a side door. The check reads
text the way a person would: after NFKC normalisation (full-width `＠` and digits are the
plain ones), with the usual disguises undone (`john (at) example (dot) com`,
`john[at]example[dot]com`, `john at example dot com`, `0 6 1 2 3 4 5 6 7 8`).

It must not refuse what task-sharing text is full of: rewards (`1.50`, `$12.00`), times
(`10:30`, `1h30`), dates (`2026-11-26`), MTurk and Prolific ids (`A1B2C3D4E5F6G7`,
`5f3c…`), links (their numeric ids are not phone numbers) and words such as "at" or "dot"
in ordinary sentences ("available at noon", "hosted at example.com").

Pure functions, no discord import.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from bot.errors import UserError
from bot.i18n import Text

Kind = Literal["email", "phone"]

_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")
_URL = re.compile(r"(?i)\b(?:https?|ftp)://\S+|\bwww\.\S+")

# -- e-mail addresses -------------------------------------------------------------------------

_OPEN, _CLOSE = r"[\(\[\{<]", r"[\)\]\}>]"
_AT_WORDS = r"at|arobase|chez"
_DOT_WORDS = r"dot|point|punto|dt"
#: `(at)`, `[at]`, `{ at }`, `<@>`: a bracketed "at" is never ordinary prose.
_BRACKETED_AT = re.compile(rf"\s*{_OPEN}\s*(?:{_AT_WORDS}|@)\s*{_CLOSE}\s*", re.IGNORECASE)
_BRACKETED_DOT = re.compile(rf"\s*{_OPEN}\s*(?:{_DOT_WORDS}|\.)\s*{_CLOSE}\s*", re.IGNORECASE)
_LOCAL = r"[\w.+%-]++"  # possessive: no backtracking over a long word
_LABEL = r"[a-z0-9-]{1,63}"
_TLD = r"[a-z]{2,24}"
_EMAIL = re.compile(
    rf"(?<![\w.+%-]){_LOCAL}\s*@\s*{_LABEL}(?:\.{_LABEL})*\.{_TLD}(?![a-z0-9-])", re.IGNORECASE
)
#: `john at example dot com`: spelled out, both words are needed to count.
_SPELLED_EMAIL = re.compile(
    rf"(?<![\w.+%-]){_LOCAL}\s+(?:{_AT_WORDS}|@)\s+{_LABEL}"
    rf"(?:\s*(?:\.|\s(?:{_DOT_WORDS})\s)\s*{_LABEL})*\s*(?:\s(?:{_DOT_WORDS})\s)\s*{_TLD}\b",
    re.IGNORECASE,
)

# -- phone numbers ----------------------------------------------------------------------------

_SEP = r"[ .\-/]?"
_PHONE_PATTERNS = (
    # +33 6 12 34 56 78, +1 (555) 123-4567, +447911123456
    re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .\-/]?\(?\d{1,4}\)?){2,6}(?![\w])"),
    # (555) 123-4567, 555.123.4567, 5551234567
    re.compile(rf"(?<![\w+])\(?\d{{3}}\)?{_SEP}\d{{3}}{_SEP}\d{{4}}(?![\w])"),
    # 06 12 34 56 78, 06-12-34-56-78, 0612345678
    re.compile(rf"(?<![\w+])0\d(?:{_SEP}\d{{2}}){{4}}(?![\w])"),
    # 07911 123456 (UK), 020 7946 0958
    re.compile(rf"(?<![\w+])0\d{{2,4}}{_SEP}\d{{3,4}}{_SEP}\d{{3,4}}(?![\w])"),
    # 5 5 5 1 2 3 4 5 6 7: one digit at a time, to slip past a filter
    re.compile(r"(?<![\w+])\+?\d(?:[ .\-_/]{1,3}\d){7,14}(?![\w])"),
)


def normalise(text: str | None) -> str:
    """The text as a reader sees it.

    NFKC, invisible characters gone, any decimal digit written as an ASCII digit
    (Arabic-Indic, Devanagari…).
    """
    if not text:
        return ""
    if text.isascii():
        # ASCII is already NFKC, has no invisible characters and only ASCII digits: the
        # usual case, answered without walking the text again.
        return text
    value = unicodedata.normalize("NFKC", text)
    value = _INVISIBLE.sub("", value)
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in value
    )


_PERCENT_AT = re.compile(r"%40", re.IGNORECASE)


def _undisguise(text: str) -> str:
    """`(at)`, `[dot]` and a link's percent-encoded `%40` read as the signs they stand for."""
    text = _PERCENT_AT.sub("@", text)
    return _BRACKETED_DOT.sub(".", _BRACKETED_AT.sub("@", text))


def contains_email(text: str | None) -> bool:
    return _has_email(normalise(text))


def contains_phone(text: str | None) -> bool:
    """Phone numbers, not dates, amounts, times or ids (links are ignored)."""
    return _has_phone(normalise(text))


#: Whatever either address pattern needs, before or after `_undisguise`: an `@` (typed,
#: or from `%40` or a bracketed "at"), or the spoken-dot word the spelled form requires.
#: Text with none of these cannot hold an address, and skips both patterns.
_EMAIL_HINT = re.compile(rf"@|%40|{_OPEN}\s*(?:{_AT_WORDS})|\s(?:{_DOT_WORDS})\s", re.IGNORECASE)
#: ASCII digits dropped: a phone number needs 8, and `normalise` made every digit ASCII.
_NO_DIGITS = str.maketrans("", "", "0123456789")


def _has_email(normalised: str) -> bool:
    if _EMAIL_HINT.search(normalised) is None:
        return False
    value = _undisguise(normalised)
    return _EMAIL.search(value) is not None or _SPELLED_EMAIL.search(value) is not None


def _has_phone(normalised: str) -> bool:
    if len(normalised) - len(normalised.translate(_NO_DIGITS)) < 8:
        return False  # every pattern counts at least 8 digits in its match
    scrubbed = _URL.sub(" ", normalised)
    for pattern in _PHONE_PATTERNS:
        for match in pattern.finditer(scrubbed):
            digits = sum(ch.isdigit() for ch in match.group())
            if 8 <= digits <= 15:
                return True
    return False


def find_personal_data(text: str | None) -> Kind | None:
    """Which kind of personal data `text` carries, if any (the text normalised once)."""
    if not text:
        return None
    value = normalise(text)
    if _has_email(value):
        return "email"
    if _has_phone(value):
        return "phone"
    return None


class PersonalDataError(UserError):
    """Text with an e-mail address or a phone number; the message names the field.

    `field` is a translation key for the field's label (`tasks.fields.notes`), so the
    member reads it in their own language.
    """

    def __init__(self, field: str, kind: Kind) -> None:
        # Lazy texts, so whoever shows the error later (an import's list of bad lines)
        # still names the field in the reader's language.
        super().__init__(
            "common.errors.personal_data",
            field=Text(field),
            what=Text(f"common.personal_data.{kind}"),
        )
        self.field = field
        self.kind = kind


def check_personal_data(text: str | None, field: str) -> None:
    """Refuse `text` if it carries an e-mail address or a phone number.

    `field` is the translation key of the field's label, named in the refusal.
    """
    kind = find_personal_data(text)
    if kind is not None:
        raise PersonalDataError(field, kind)
