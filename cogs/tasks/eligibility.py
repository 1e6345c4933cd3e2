"""Who can take a task: country and qualification limits (pure rules, no discord).

Shared by the task alerts (display, search) and subscriptions (filtering), and by the
member profile that records a member's own country and qualifications.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache

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
    showing one they cannot take. The same holds for each half of the profile on its own:
    the country limit applies once a country is set, the qualification limit once
    qualifications are listed (a member who only gave a country still sees "US only,
    Masters" tasks). Qualifications are compared in canonical form, and thresholds by
    value: a member with 99% approval can take a "≥ 98%" task.

    This is the one rule used by alert DMs, `/task search` and the personal digest.
    """
    if limits.countries and country is not None and country not in limits.countries:
        return False
    if not qualifications:
        return True
    return meets_qualifications(limits.qualifications, qualifications)


# -- reading a sharer's "quals / country limits" text -------------------------------------

MASTERS = "masters"
_MASTERS_NAMES = frozenset(
    {"masters", "master", "mturk masters", "masters qualification", "masters qual", "maitres"}
)
#: Words around a country that do not change its meaning ("US only", "UK-based workers").
_FILLER = frozenset(
    {
        "only",
        "seulement",
        "uniquement",
        "residents",
        "resident",
        "based",
        "workers",
        "worker",
        "located",
        "living",
        "in",
        "from",
        "the",
        "country",
        "countries",
        "pays",
        "en",
        "au",
        "aux",
        "du",
        "de",
        "des",
    }
)
_ONLY = frozenset({"only", "seulement", "uniquement"})
#: Tokens that mean "no limit".
_OPEN = frozenset(
    {"none", "no limits", "no limit", "open", "worldwide", "international", "aucune", "aucun"}
)
# "and"/"or" in any case; the French "et"/"ou" only in lower case, so that "ET only"
# (Ethiopia) stays a country.
_SPLIT = re.compile(r"(?<!\d),|,(?!\d)|[;/&|\n]|\s\+\s|\b(?i:and|or)\b|\b(?:et|ou)\b")
_NUMBER = re.compile(r"\d{1,3}(?:[ ,\u202f\u00a0]\d{3})+(?!\d)|\d+(?:[.,]\d+)?")
_THRESHOLD = re.compile(r"^(approval|approved) ≥(\d+(?:\.\d+)?)(%?)$")
MAX_COUNTRIES = 30
MAX_QUALIFICATIONS = 10
#: No threshold is larger (the busiest workers count approved HITs in the hundreds of
#: thousands); a bigger number is a typo or an attack, never read as a threshold.
MAX_THRESHOLD = 1_000_000_000


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _raw_number(text: str) -> float | None:
    match = _NUMBER.search(text)
    if match is None:
        return None
    raw = match.group(0)
    if re.fullmatch(r"\d{1,3}(?:[ ,\u202f\u00a0]\d{3})+", raw):
        return float(re.sub(r"\D", "", raw))
    return float(raw.replace(",", "."))


def has_absurd_number(text: str) -> bool:
    """Whether `text` holds a number no qualification threshold can be (310 digits…)."""
    value = _raw_number(_plain(text))
    return value is not None and not (math.isfinite(value) and value <= MAX_THRESHOLD)


def _number(text: str) -> float | None:
    """The first number in `text`, or None when there is none or it is absurd."""
    value = _raw_number(text)
    if value is None or not math.isfinite(value) or value > MAX_THRESHOLD:
        return None
    return value


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


@lru_cache(maxsize=4096)
def canonical_qualification(text: str) -> str:
    """One spelling per qualification, so a task's and a member's can be compared.

    `Masters`/`MTurk Masters` → `masters`; `HIT approval ≥ 98%`/`98%+` → `approval ≥98%`;
    `1,000+ approved HITs` → `approved ≥1000`; anything else → `normalize_qualification`.
    """
    plain = _plain(text)
    normal = normalize_qualification(text)
    if normal in _MASTERS_NAMES or normal.removesuffix(" only") in _MASTERS_NAMES:
        return MASTERS
    number = _number(plain)
    if number is not None:
        if "%" in plain or ("approv" in plain and "approved" not in plain and number <= 100):
            if 0 < number <= 100:
                return f"approval ≥{_fmt(number)}%"
        elif any(word in plain for word in ("hit", "approved", "submission", "task")):
            return f"approved ≥{_fmt(number)}"
    return normal


def threshold(qualification: str) -> tuple[str, float] | None:
    """(`approval`|`approved`, value) for a canonical threshold qualification."""
    match = _THRESHOLD.match(qualification)
    if match is None:
        return None
    return match.group(1), float(match.group(2))


def _satisfied(required: str, have: frozenset[str]) -> bool:
    if required in have:
        return True
    need = threshold(required)
    if need is None:
        return False
    for held in have:
        got = threshold(held)
        if got is not None and got[0] == need[0] and got[1] >= need[1]:
            return True
    return False


def meets_qualifications(required: frozenset[str], qualifications: frozenset[str]) -> bool:
    """Whether a member's qualifications cover a task's, thresholds compared by value."""
    if not required:
        return True
    have = frozenset(canonical_qualification(q) for q in qualifications)
    return all(_satisfied(canonical_qualification(q), have) for q in required)


def parse_limits(text: str | None) -> Limits:
    """Read "US only", "US, CA", "Masters", "HIT approval ≥ 98%" and mixes of them.

    Every part that names a country becomes a country limit; every other part is a
    qualification (in canonical form), so nothing the sharer wrote is silently dropped.
    """
    countries: set[str] = set()
    qualifications: set[str] = set()
    for part in _SPLIT.split(text or ""):
        token = (part or "").strip(" .-–—:()[]")
        if not token:
            continue
        words = re.findall(r"\w+", _plain(token))
        if not words or " ".join(words) in _OPEN:
            continue
        # "IN only", "DE only": a country code that is also a filler word comes first.
        strict = " ".join(w for w in words if w not in _ONLY)
        core = " ".join(w for w in words if w not in _FILLER)
        code = normalize_country(strict) or (normalize_country(core) if core else None)
        if code is not None:
            countries.add(code)
        elif core and core not in _OPEN:
            qualifications.add(canonical_qualification(token))
    return Limits(
        countries=frozenset(sorted(countries)[:MAX_COUNTRIES]),
        qualifications=frozenset(sorted(qualifications)[:MAX_QUALIFICATIONS]),
    )
