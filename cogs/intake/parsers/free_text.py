"""A member's own words about a task: a link, an amount and how long it took.

The least trusted format, tried last: it needs all three, or it says which is missing.
"""

from __future__ import annotations

import re

from bot.errors import UserError
from cogs.intake.parsers.amounts import DURATION_TEXT, MONEY, read_duration, read_money
from cogs.intake.parsers.model import TITLE_MAX, ExportError, ParsedTask, missing
from cogs.intake.parsers.suite import REQUESTER_URL
from cogs.intake.parsers.text import URL, plain
from cogs.tasks.links import parse_link

_FILLER_END = re.compile(
    r"(?:\s+\b(?:took|takes|me|it|in|en|for|pour|pays|paid|paie|about|environ|approx|~))+$",
    re.IGNORECASE,
)


def parse_free_text(text: str) -> ParsedTask:
    """A member's own words: a task link, an amount and how long it took."""
    urls = URL.findall(text)
    if not urls:
        raise missing("link")
    link = urls[0].rstrip(".,;:!?")
    rest = URL.sub(" ", text)
    money = read_money(rest)
    if money is None:
        raise missing("reward")
    duration_match = DURATION_TEXT.search(MONEY.sub(" ", rest))
    if duration_match is None:
        raise missing("minutes")
    minutes = read_duration(duration_match.group(1))
    if minutes is None:
        raise missing("minutes")
    first_line = next((line for line in rest.split("\n") if line.strip()), "")
    title_text = MONEY.sub(" ", first_line)
    title_text = DURATION_TEXT.sub(" ", title_text)
    title = plain(re.sub(r"[/|,;()\[\]~≈]+", " ", title_text), TITLE_MAX)
    if title is not None and len(re.findall(r"\w", title)) < 3:
        title = None
    if title is not None:
        title = _FILLER_END.sub("", title).strip() or None
    try:
        platform = parse_link(link)
    except UserError:
        raise ExportError("intake.errors.bad_value", field_name="link") from None
    requester = REQUESTER_URL.search(link)
    return ParsedTask(
        source="free_text",
        platform=(platform.platform if platform else None) or "other",
        reward=money[0],
        currency=money[1],
        title=title,
        link=link,
        requester_id=requester.group(1).upper() if requester else None,
        minutes=minutes,
    )
