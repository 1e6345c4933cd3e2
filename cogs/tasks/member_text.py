"""Member-written text in a share: what may be stored and shown, and the error naming the field.

Titles, requester names, limits, notes and reasons are shown to a whole server, so they
are trimmed and refused when they carry mentions (they would ping), Discord formatting
(shown as typed it would mislead), a worker id in a link, or personal data. Split from
`cogs.tasks.rules` (which validates whole shares with it) because readers come here for
one question: "why was my text refused?". Pure, like the rules: no discord.
"""

from __future__ import annotations

import re
import unicodedata

from bot.errors import UserError
from bot.i18n import t
from bot.personal_data import check_personal_data
from cogs.tasks.links import invite_in_text, worker_id_in_text_links


class FieldError(UserError):
    """A problem with one named field; the field's name is translated with the message."""

    def __init__(self, key: str, field: str, /, **params: object) -> None:
        super().__init__(key, **params)
        self.field = field

    def message(self, locale: str | None) -> str:
        return t(self.key, locale, field=t(f"tasks.fields.{self.field}", locale), **self.params)


# -- member-written text -------------------------------------------------------------------

# No `\b` after everyone/here: "@everyoneRate" still pings in some clients.
_MENTION = re.compile(
    r"@(?:everyone|here)|<@[!&]?\d{1,20}>|<#\d{1,20}>|</[^<>\s]{1,100}:\d{1,20}>", re.IGNORECASE
)
_MARKUP = (
    # Neither part crosses a bracket: "[[[[…" is one pass, not a pass per "[".
    re.compile(r"\[[^\[\]\n]+\]\([^)\s\[\]]+\)"),  # masked link
    re.compile(r"\*\*[^*\n]+\*\*"),  # bold
    re.compile(r"(?<![\w*])\*[^\s*][^*\n]*\*(?![\w*])"),  # italics *x*
    re.compile(r"__[^_\n]+__"),  # underline
    re.compile(r"(?<!\w)_[^_\s][^_\n]*_(?!\w)"),  # italics _x_
    re.compile(r"~~[^~\n]+~~"),  # strike-through
    re.compile(r"\|\|[^|\n]+\|\|"),  # spoiler
    re.compile(r"`[^`\n]*`"),  # code
    re.compile(r"^\s*(?:#{1,3}|-#|>{1,3})\s", re.MULTILINE),  # heading, subtext, quote
)
# With lone surrogates (half a character, from a JSON `\uD800` escape): no store takes them.
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ud800-\udfff]"
)
#: A character every mention needs, and one of those every formatting construct needs:
#: text without them skips the patterns (most titles and names).
_MENTION_HINT = re.compile(r"[@<]")
_MARKUP_HINT = re.compile(r"[\[*_~|`#>]")


def find_mention(text: str) -> str | None:
    if _MENTION_HINT.search(text) is None:
        return None
    match = _MENTION.search(text)
    return match.group(0) if match else None


def find_markup(text: str) -> str | None:
    """The first Discord formatting construct in `text`, if any.

    Lone symbols ("5* rating", "task_name") are fine; they are escaped when shown.
    """
    if _MARKUP_HINT.search(text) is None:
        return None
    for pattern in _MARKUP:
        match = pattern.search(text)
        if match:
            return match.group(0).strip()
    return None


def clean_text(field: str, text: str | None, limit: int, *, multiline: bool = False) -> str | None:
    """Trim and check one free-text field; None when blank.

    Refuses mentions and formatting (shown as typed, they would mislead or ping) and text
    longer than `limit`, saying which field to fix.
    """
    value = text or ""
    if not value.isascii():  # ASCII is already NFC
        value = unicodedata.normalize("NFC", value)
    value = value.replace("\r\n", "\n").replace("\t", " ")
    if not value.isprintable():  # every character `_CONTROL` removes is unprintable
        value = _CONTROL.sub("", value)
    if multiline:
        lines = [" ".join(line.split()) for line in value.split("\n")]
        value = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    else:
        value = " ".join(value.split())
    if not value:
        return None
    mention = find_mention(value)
    if mention:
        raise FieldError("tasks.errors.mention", field, sample=mention[:40])
    markup = find_markup(value)
    if markup:
        raise FieldError("tasks.errors.markdown", field, sample=markup[:40])
    if len(value) > limit:
        raise FieldError("tasks.errors.too_long", field, limit=limit, length=len(value))
    check_shown(field, value)
    return value


def check_shown(field: str, value: str) -> None:
    """What any text stored and shown to others is refused for, whatever its form.

    A worker's id in a link, and personal data. `clean_text` ends with it; text read
    from an export in a structured form (an MTurk HIT's qualification names) goes
    through it too, so it cannot carry what a typed field may not.
    """
    if worker_id_in_text_links(value):
        raise FieldError("tasks.errors.worker_id_in_link", field)
    if invite_in_text(value):
        raise FieldError("tasks.errors.invite_in_text", field)
    check_personal_data(value, f"tasks.fields.{field}")
