"""Who can take a task: country and qualification limits (pure rules, no discord).

Shared by the task alerts (display, search) and subscriptions (filtering), and by the
member profile that records a member's own country and qualifications.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from babel import Locale


@dataclass(frozen=True, slots=True)
class Limits:
    """What a task requires. Empty sets mean "no limit"."""

    countries: frozenset[str] = field(default_factory=frozenset)
    qualifications: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_open(self) -> bool:
        return not self.countries and not self.qualifications


@cache
def country_codes() -> frozenset[str]:
    """ISO 3166 alpha-2 codes Babel knows (numeric region codes left out)."""
    return frozenset(code for code in Locale("en").territories if re.fullmatch(r"[A-Z]{2}", code))


@cache
def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for lang in ("en", "fr"):
        for code, name in Locale(lang).territories.items():
            if code in country_codes():
                names[normalize_qualification(name)] = code
    names.update({"usa": "US", "uk": "GB", "america": "US", "united states": "US"})
    return names


def normalize_country(text: str) -> str | None:
    """`us`, `USA`, `France`, `Royaume-Uni` → alpha-2 code, or None if unknown."""
    value = (text or "").strip()
    if value.upper() in country_codes():
        return value.upper()
    return _country_names().get(normalize_qualification(value))


def normalize_qualification(text: str) -> str:
    """Case-, accent- and spacing-insensitive form, so `Masters` == ` masters `."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w%+.≥>=-]+", " ", plain.casefold()).split())


def is_eligible(limits: Limits, country: str | None, qualifications: frozenset[str]) -> bool:
    """Whether a member with this profile can take a task with these limits.

    A member who has not filled in a profile (no country, no qualifications) is never
    filtered: hiding tasks from someone because they skipped a form would be worse than
    showing one they cannot take.
    """
    if country is None and not qualifications:
        return True
    if limits.countries and country is not None and country not in limits.countries:
        return False
    return limits.qualifications <= qualifications
