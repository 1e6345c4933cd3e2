"""Requester identity: how names are compared, and what a name alone may resolve to.

One place decides when two requester names are "the same name" and what a share, a
review or a report naming a requester is linked to, so every feature follows the same
rules (shares, reviews, reports, `/requester info`, search and the digest). Pure
functions, no discord and no SQL: the database stores `name_key(name)` and looks records
up by it (`db.requesters`).

Names are not unique and not authoritative; a platform's requester id is. So:

- a name is matched on its *key*: Unicode compatibility forms folded (NFKC: full-width,
  ligatures, fancy letters), invisible characters dropped (zero-width spaces, joiners,
  soft hyphens, bidi marks), case folded, accents on Latin, Greek and Cyrillic letters
  dropped, common look-alike letters from other scripts mapped to the Latin letter they
  imitate (Cyrillic "а" → "a"), and spaces, punctuation and symbols dropped ("ACME
  research", "Acme-Research" and "AcmeResearch" are one name). A name with no letter or
  digit at all keeps its symbols, case- and space-folded;
- a name that matches a flagged (caution/scam) record carries that record's warning,
  whatever clean namesakes exist: dodging a warning by typing the name differently, or
  by leaving the id out, must not work;
- a name never overwrites the name of a flagged record (`may_rename`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

#: Statuses that put a warning on whatever is linked to the record.
FLAGGED: frozenset[str] = frozenset({"caution", "scam"})
_SEVERITY = {"none": 0, "caution": 1, "scam": 2}

#: Letters from other scripts that look like a Latin letter (after case folding), and
#: Latin letters without a decomposition that stand for a plain one. Enough to defeat
#: the usual look-alike tricks; not a full confusables table.
_LOOK_ALIKES: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "г": "r", "е": "e", "ё": "e", "з": "3", "к": "k", "м": "m",
    "н": "h", "о": "o", "п": "n", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x",
    "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q",
    "ԝ": "w", "ь": "b", "ѡ": "w", "ү": "y", "ӧ": "o", "ӓ": "a",
    # Greek
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u",
    "ν": "v", "ο": "o", "ρ": "p", "σ": "o", "τ": "t", "υ": "u", "χ": "x", "ζ": "z",
    "ω": "w",
    # Latin letters without a decomposition, and IPA look-alikes
    "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŀ": "l", "ɡ": "g", "ɑ": "a",
    "ɩ": "i", "ʏ": "y", "ʀ": "r", "ɪ": "i", "ɴ": "n", "ᴀ": "a", "ᴇ": "e", "ᴏ": "o",
    "æ": "ae", "œ": "oe", "ß": "ss",
}  # fmt: skip

_STRIP_MARKS_BELOW = 0x0530  # Latin, Greek, Cyrillic (and their extensions below it)
_LATIN_EXTENDED_ADDITIONAL = range(0x1E00, 0x2000)  # Latin and Greek extended


def _strippable(base: str) -> bool:
    """Accents are dropped only from scripts whose look-alikes are mapped here.

    In Indic and other scripts, combining marks are letters of their own: dropping them
    would make different names equal.
    """
    code = ord(base)
    return code < _STRIP_MARKS_BELOW or code in _LATIN_EXTENDED_ADDITIONAL


def _strict(text: str) -> str:
    """Letters, digits and marks only, folded (spaces and punctuation dropped)."""
    value = unicodedata.normalize("NFKC", text).casefold()
    value = unicodedata.normalize("NFKD", value)
    kept: list[str] = []
    base = ""
    for ch in value:
        category = unicodedata.category(ch)
        if category[0] in "CPSZ" or ch.isspace():
            # Invisible (zero-width, joiners, bidi marks, soft hyphen, controls), spacing,
            # punctuation and symbols: "Acme-Research" and "AcmeResearch" are one name.
            continue
        if category in ("Mn", "Me"):
            if base and _strippable(base):
                continue
            if ch in "\ufe0e\ufe0f\u034f":  # variation selectors, grapheme joiner
                continue
        else:
            base = ch
        kept.append(_LOOK_ALIKES.get(ch, ch))
    return unicodedata.normalize("NFC", "".join(kept))


def _loose(text: str) -> str:
    """For names without a letter or digit (emoji only…): case and spacing folded."""
    value = unicodedata.normalize("NFKC", text).casefold()
    value = "".join(ch for ch in value if unicodedata.category(ch)[0] != "C" or ch.isspace())
    return " ".join(value.split())


def _fixpoint(fold: Callable[[str], str], text: str) -> str:
    value = text
    for _ in range(4):
        folded = fold(value)
        if folded == value:
            break
        value = folded
    return value


def name_key(name: str | None) -> str:
    """The form requester names are matched on (see the module docstring).

    Idempotent: `name_key(name_key(x)) == name_key(x)` (checked by property tests).
    """
    value = name or ""
    return _fixpoint(_strict, value) or _fixpoint(_loose, value)


def same_name(a: str, b: str) -> bool:
    return name_key(a) == name_key(b)


# -- what a name resolves to ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Known:
    """A requester record known under some name (a survivor, never an alias)."""

    id: int
    status: str
    platform_requester_id: str | None = None

    @property
    def flagged(self) -> bool:
        return self.status in FLAGGED


@dataclass(frozen=True, slots=True)
class NameMatch:
    """What a name alone resolves to.

    `kind` is one of:
    - `none`: nobody is known by this name: a new record may be created for it;
    - `one`: exactly one clean record: link to it;
    - `several`: several clean namesakes and nothing to tell them apart: link to none
      of them (and create nothing: the name already exists);
    - `flagged`: a flagged record is known by this name: `record` is the most severe
      one, whose warning the share carries until the sharer gives an id or confirms it
      is another requester.
    """

    kind: str
    record: Known | None = None


def match_name(found: Iterable[Known]) -> NameMatch:
    records = {k.id: k for k in found}
    flagged = [k for k in records.values() if k.flagged]
    if flagged:
        worst = min(flagged, key=lambda k: (-_SEVERITY.get(k.status, 0), k.id))
        return NameMatch("flagged", worst)
    if not records:
        return NameMatch("none")
    if len(records) == 1:
        return NameMatch("one", next(iter(records.values())))
    return NameMatch("several")


def match_name_with_new_id(found: Iterable[Known]) -> NameMatch:
    """What a name given with a platform id nobody knows yet resolves to.

    The id is authoritative: a flagged namesake with *another* id is another requester.
    But a flagged record known only by its name (reports often name a requester without
    its id) may be this very requester: its warning applies until the sharer says
    otherwise. Otherwise the id is new (`none`) and gets its own record.
    """
    without_id = [k for k in found if k.flagged and k.platform_requester_id is None]
    match = match_name(without_id)
    return match if match.kind == "flagged" else NameMatch("none")


def may_rename(status: str) -> bool:
    """Whether a name someone gave may replace a record's name.

    Never for a flagged record: the warning members know it by must not move to a new
    name because one sharer typed it (the name is kept as an alias for moderators).
    """
    return status not in FLAGGED


def more_severe(a: str, b: str) -> bool:
    """Whether status `a` is more severe than `b`."""
    return _SEVERITY.get(a, 0) > _SEVERITY.get(b, 0)
