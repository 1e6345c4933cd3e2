"""Cleaning pasted text: what copying does to it, and what must never be shown from it.

Every string a parser keeps goes through `plain`: no markup, no mention, no
"@everyone"/"@here" (neutralised whatever follows them), one line, within a limit.
"""

from __future__ import annotations

import html
import re
import unicodedata

from cogs.intake.parsers.model import TEXT_MAX

#: Characters that show as nothing: soft hyphen, zero-width and bidi marks and isolates,
#: joiners, Hangul fillers, variation selectors, tags. Hidden inside an id or a name, they
#: would make it another string that reads the same.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e007f]"
)
# With lone surrogates (half a character): no store or Discord takes them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
#: Blanks other than a line break (spaces, tabs, no-break and typographic spaces).
_BLANKS = re.compile(r"[^\S\n]+")
#: A line break with the blanks and empty lines around it (after `_BLANKS`: linear).
_BLANK_LINES = re.compile(r" ?\n[ \n]*")
_MASKED = re.compile(r"\[([^\[\]\n]{0,300})\]\((?:<)?(https?://[^)\s>\[\]]{1,2000})>?\)")
_BB_URL = re.compile(r"\[url=([^\[\]\s]{1,2000})\]([^\[]{0,300})\[/url\]", re.IGNORECASE)
_BB_TAG = re.compile(r"\[/?(?:b|i|u|s|url|quote|code|color(?:=[^\]]*)?|size(?:=[^\]]*)?)\]", re.I)
_MENTION = re.compile(r"<@[!&]?\d{1,20}>|<#\d{1,20}>|</[^>\s]{1,100}:\d{1,20}>")
# No `\b`: "@everyoneRate images" still pings in some clients, so every such prefix goes.
_PING = re.compile(r"@(everyone|here)", re.IGNORECASE)
#: A link in pasted text, ending before the brackets, quotes and bars exports put round it.
URL = re.compile(r"https?://[^\s\]\)\[<>\"'|]+", re.IGNORECASE)
_MARK_CHARS = re.compile(r"\*\*|__|~~|\|\||`+|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")
_LEADING_MARK = re.compile(r"^\s*(?:#{1,3}|-#|>{1,3})\s+", re.MULTILINE)


def clean_input(text: str) -> str:
    """Undo what copying does to text: HTML escapes, invisible characters, CRLF, blank runs."""
    value = (text or "")[:TEXT_MAX]
    for _ in range(2):  # "&amp;amp;" happens when a page escapes twice
        unescaped = html.unescape(value)
        if unescaped == value:
            break
        value = unescaped
    value = unicodedata.normalize("NFC", value)
    value = _INVISIBLE.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    # One space for any run of spaces, one line break for any run of blank lines: the
    # parsers' patterns (`\s*` before an amount or a duration) would otherwise try every
    # start in a long run of blanks, and 4,000 of them held the event loop for seconds.
    value = _BLANKS.sub(" ", value)
    return _BLANK_LINES.sub("\n", value)


def unmask_links(value: str) -> str:
    """`[url=…]text[/url]` and `[text](…)` → `text`: the words a link was shown as."""
    value = _BB_URL.sub(lambda m: m.group(2), value)
    return _MASKED.sub(lambda m: m.group(1), value)


def _unping(value: str) -> str:
    """Neutralise pings last, once nothing else can splice one together.

    Removing markup or a mention can join its neighbours ("@**everyone**", "<@<@1>2>"), so
    mentions go until none is left, then "@everyone"/"@here" get a full-width @ (never pings).
    """
    while (unmentioned := _MENTION.sub("", value)) != value:
        value = unmentioned
    return _PING.sub(lambda m: "\uff20" + m.group(1), value)


def plain(text: str | None, limit: int) -> str | None:
    """Text from an export, safe to show: no markup, no pings, one line, within `limit`."""
    if text is None:
        return None
    value = clean_input(str(text))
    value = unmask_links(value)
    value = _BB_TAG.sub("", value)
    value = _MENTION.sub("", value)
    value = _LEADING_MARK.sub("", value)
    value = _MARK_CHARS.sub("", value)
    value = _unping(value)
    value = " ".join(value.split()).strip(" |•-:")
    if not value:
        return None
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"
