"""Pure rules of the eligibility profile: reading a qualification list, finding countries.

The normalisation itself is `cogs.tasks.eligibility`'s, so what a member types here is
compared with what sharers typed on alerts in exactly the same form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from babel import Locale

from bot.errors import UserError
from bot.i18n import babel_locale
from bot.personal_data import check_personal_data
from cogs.tasks.eligibility import (
    canonical_qualification,
    country_codes,
    has_absurd_number,
    normalize_country,
    normalize_qualification,
)

#: Enough for every qualification a busy worker holds across platforms.
MAX_QUALIFICATIONS = 25
MIN_QUALIFICATION_LENGTH = 2
MAX_QUALIFICATION_LENGTH = 60
#: The modal's text box; a list longer than this is not a qualification list. The box
#: comes back prefilled with the stored list (canonical forms, one a line), which can be
#: longer than what was typed (`ﬃ` is stored as `ffi`): the longest list that can be stored
#: must fit, or Discord refuses to open the form at all.
MAX_QUALIFICATIONS_TEXT = MAX_QUALIFICATIONS * (MAX_QUALIFICATION_LENGTH + 1)
AUTOCOMPLETE_LIMIT = 25

#: Lines, semicolons, and commas that are not thousands separators (`1,000 HITs`).
_SEPARATORS = re.compile(r"[\n;]|(?<!\d),|,(?!\d)")
#: Two-letter codes Babel knows that are not places a worker lives in.
NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})


def echo(text: str | None, limit: int) -> str:
    """A member's input quoted back in an error: short, and unable to mention anyone."""
    return (text or "").strip()[:limit].replace("@", "@\u200b")


@dataclass(frozen=True, slots=True)
class Profile:
    """A member's own country and qualifications, as stored."""

    country: str | None = None
    qualifications: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return self.country is None and not self.qualifications


def parse_qualifications(text: str | None) -> frozenset[str]:
    """One qualification per line (commas and semicolons also separate), canonical.

    Stored in the tasks feature's canonical form (`Masters` → `masters`,
    `HIT approval 98%` → `approval ≥98%`), the form alerts' limits are kept in, so a
    member's 99% approval meets a task's "≥ 98%". Empty text clears the list. Raises
    `UserError` for what cannot be a qualification.
    """
    raw = text or ""
    if len(raw) > MAX_QUALIFICATIONS_TEXT:
        raise UserError("profile.errors.list_too_long", limit=MAX_QUALIFICATIONS_TEXT)
    check_personal_data(raw, "common.fields.qualifications")
    found: list[str] = []
    for part in _SEPARATORS.split(raw):
        if not part.strip():
            continue
        if has_absurd_number(part):
            raise UserError("profile.errors.number_too_large", value=echo(part, 30))
        value = canonical_qualification(part)
        if len(normalize_qualification(part)) < MIN_QUALIFICATION_LENGTH:
            raise UserError(
                "profile.errors.qualification_too_short",
                value=echo(part, 30),
                minimum=MIN_QUALIFICATION_LENGTH,
            )
        if len(value) > MAX_QUALIFICATION_LENGTH:
            raise UserError("profile.errors.qualification_too_long", limit=MAX_QUALIFICATION_LENGTH)
        if value not in found:
            found.append(value)
    if len(found) > MAX_QUALIFICATIONS:
        raise UserError("profile.errors.too_many", limit=MAX_QUALIFICATIONS)
    return frozenset(found)


def parse_country(text: str | None) -> str:
    """A country name or code in English or French → its ISO code, or a clear refusal."""
    code = normalize_country(text or "")
    if code is None or code in NOT_COUNTRIES:
        raise UserError("profile.errors.unknown_country", value=echo(text, 40))
    return code


def _searchable(name: str) -> str:
    """Folded, with hyphens and apostrophes as spaces, so every word can be found."""
    return " ".join(re.split(r"[-'’\s]+", normalize_qualification(name)))


@cache
def _country_names(locale: str) -> tuple[tuple[str, str, str], ...]:
    """(code, display name, searchable name) for every country, sorted by name."""
    names = Locale.parse(babel_locale(locale)).territories
    rows = [
        (code, names[code], _searchable(names[code]))
        for code in country_codes()
        if code in names and code not in NOT_COUNTRIES
    ]
    return tuple(sorted(rows, key=lambda row: row[2]))


def country_name(code: str, locale: str) -> str:
    for known, name, _ in _country_names(locale):
        if known == code:
            return name
    return code


def country_choices(
    query: str, locale: str, limit: int = AUTOCOMPLETE_LIMIT
) -> list[tuple[str, str]]:
    """(label, code) pairs for autocomplete, best first.

    An exact code first, then names starting with what was typed, then names with a word
    starting with it (`uni` finds "United States" and "Royaume-Uni").
    """
    typed = _searchable(query)
    rows = _country_names(locale)
    if not typed:
        return [(f"{name} ({code})", code) for code, name, _ in rows[:limit]]
    exact = [row for row in rows if row[0].casefold() == typed]
    prefix = [row for row in rows if row[2].startswith(typed) and row not in exact]
    words = [
        row
        for row in rows
        if row not in exact and row not in prefix and f" {typed}" in f" {row[2]}"
    ]
    return [(f"{name} ({code})", code) for code, name, _ in (exact + prefix + words)[:limit]]
