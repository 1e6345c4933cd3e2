"""The entry point: which format a text is, in order of trust, and reading it.

JSON first, then MTurk Suite's labelled and Short exports, then free text.
"""

from __future__ import annotations

import re

from cogs.intake.parsers.free_text import parse_free_text
from cogs.intake.parsers.json_exports import parse_json_text
from cogs.intake.parsers.model import TEXT_MAX, ExportError, ParsedTask, missing
from cogs.intake.parsers.suite import labelled, parse_suite_labelled, parse_suite_short
from cogs.intake.parsers.text import URL, clean_input

_JSON_START = re.compile(r"^(?:\{|\[\s*[\[{\]])")
_FENCE = re.compile(r"^```[a-z]*\n?|\n?```$", re.IGNORECASE)


def parse_export(text: str) -> ParsedTask:
    """Read any supported export (see `cogs.intake.parsers`) or say what is missing."""
    value = clean_input(text).strip()
    value = _FENCE.sub("", value).strip()
    if not value:
        raise missing("text")
    if len(text or "") > TEXT_MAX:
        raise ExportError("intake.errors.too_long", limit=TEXT_MAX)
    if _JSON_START.match(value):
        return parse_json_text(value)
    for parser in (parse_suite_labelled, parse_suite_short):
        parsed = parser(value)
        if parsed is not None:
            return parsed
    return parse_free_text(value)


def looks_like_export(text: str) -> bool:
    """Whether a message in the exports channel is worth parsing at all (a cheap test)."""
    value = (text or "").lstrip()
    return bool(value) and (
        bool(_JSON_START.match(value))
        or value.startswith("```")
        or "•" in value
        or bool(URL.search(value))
        or len(labelled(value[:4000])) >= 2
    )
