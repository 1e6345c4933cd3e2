"""How requester names are folded into the key the database matches them on.

The database stores `name_key(name)` next to every requester name and looks records up
by it, so the fold lives here, beside the SQL that relies on it, rather than in the
requesters feature above it (`db/` imports nothing from `cogs/`). What a name *resolves
to* (namesakes, flagged records) is the feature's business: `cogs.requesters.identity`.
Pure functions: no discord, no SQL.

A name is matched on its key: Unicode compatibility forms folded (NFKC: full-width,
ligatures, fancy letters), invisible characters dropped (zero-width spaces, joiners, soft
hyphens, bidi marks, Hangul fillers), case folded, accents on Latin, Greek and Cyrillic
letters dropped, common look-alike letters from other scripts and small capitals mapped
to the Latin letter they imitate (Cyrillic "а" → "a"), and spaces, punctuation and
symbols dropped ("ACME research", "Acme-Research" and "AcmeResearch" are one name). A
name with no letter or digit at all keeps its symbols, case- and space-folded. A name
never overwrites the name of a flagged record (`may_rename`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

#: Statuses that put a warning on whatever is linked to the record.
FLAGGED: frozenset[str] = frozenset({"caution", "scam"})

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
    # Small capitals ("ᴀᴄᴍᴇ ʀᴇꜱᴇᴀʀᴄʜ" reads as "ACME RESEARCH")
    "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ꜰ": "f", "ɢ": "g", "ʜ": "h", "ᴊ": "j", "ᴋ": "k",
    "ʟ": "l", "ᴍ": "m", "ᴘ": "p", "ǫ": "q", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v",
    "ᴡ": "w", "ᴢ": "z",
    # Cherokee (case folding turns both cases into these capitals)
    "Ꭺ": "a", "Ᏼ": "b", "Ꮯ": "c", "Ꭰ": "d", "Ꭼ": "e", "Ꮐ": "g", "Ꮋ": "h", "Ꭵ": "i",
    "Ꭻ": "j", "Ꮶ": "k", "Ꮮ": "l", "Ꮇ": "m", "Ꮻ": "o", "Ꮲ": "p", "Ꭱ": "r", "Ꮪ": "s",
    "Ꭲ": "t", "Ꮩ": "v", "Ꮃ": "w", "Ꭹ": "y", "Ꮓ": "z",
}  # fmt: skip

#: Letters that show as blank space: Hangul fillers (NFKC turns U+3164 and U+FFA0 into
#: U+1160) and Khmer's invisible inherent vowels. Dropped like zero-width spaces.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u17b4\u17b5")

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
        if category[0] in "CPSZ" or ch.isspace() or ch in _BLANK_LETTERS:
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


@lru_cache(maxsize=4096)
def name_key(name: str | None) -> str:
    """The form requester names are matched on (see the module docstring).

    Idempotent: `name_key(name_key(x)) == name_key(x)` (checked by property tests).
    Remembered for the names seen last: the same requesters come back share after share,
    and folding a name walks it character by character several times.
    """
    value = name or ""
    return _fixpoint(_strict, value) or _fixpoint(_loose, value)


def canonical_id(platform: str, raw: str) -> str:
    """A requester's platform id in the one form it is stored and matched in.

    Compatibility forms folded (a full-width "Ａ１" is "A1"); MTurk ids upper case and
    Prolific ids lower case, as those platforms write them and treat them alike
    whatever their case. Other platforms' ids are kept as given (their case may matter).
    """
    value = unicodedata.normalize("NFKC", raw).strip()
    if platform == "mturk":
        return value.upper()
    if platform == "prolific":
        return value.lower()
    return value


#: What an id looks like as typed: the characters platforms' ids are made of, no spaces.
_TYPED_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")


def ids_a_name_may_be(name: str) -> tuple[str, ...]:
    """The platform ids a name typed in the requester box could be (at most three).

    A member may type a flagged requester's id where its name goes: exactly as it is (the
    only form that finds the id of a platform whose ids keep their case and punctuation,
    `Scam-Co.42`), or spaced, dashed, in lower case or full width: folded like a name, it
    is compared with the records' ids in MTurk's upper case and Prolific's lower case.
    """
    typed = unicodedata.normalize("NFKC", name).strip()
    forms = [typed] if _TYPED_ID.fullmatch(typed) else []
    key = name_key(name)
    if key and key.isascii() and key.isalnum():
        forms += [key.upper(), key]
    return tuple(dict.fromkeys(forms))


#: An id-like word inside a longer name (8 to 64 characters, no blanks).
_ID_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{6,62}[A-Za-z0-9]")


def ids_inside_a_name(name: str, limit: int = 6) -> tuple[str, ...]:
    """The id-like words a longer name holds, in the forms ids are stored in.

    "Evil Corp (A9SCAM…)": a flagged requester's id written beside a made-up name must
    still bring its warning. Only words with both letters and digits count (a name's own
    words rarely have both), each as written, upper-cased (MTurk) and lower-cased
    (Prolific); at most `limit` words, so a long name costs one bounded lookup.
    """
    typed = unicodedata.normalize("NFKC", name)
    words = [
        w
        for w in dict.fromkeys(_ID_WORD.findall(typed))
        if any(c.isdigit() for c in w) and any(c.isalpha() for c in w)
    ][:limit]
    return tuple(dict.fromkeys(form for w in words for form in (w, w.upper(), w.lower())))


def same_name(a: str, b: str) -> bool:
    return name_key(a) == name_key(b)


def may_rename(status: str) -> bool:
    """Whether a name someone gave may replace a record's name.

    Never for a flagged record: the warning members know it by must not move to a new
    name because one sharer typed it (the name is kept as an alias for moderators).
    """
    return status not in FLAGGED
