"""Shared helpers for what members see: safe text, embeds within limits, replies.

Every piece of member-written text that reaches Discord passes through `safe_text`, and
every message is sent with `NO_PINGS`, so nothing a member types can ping anyone or
break an embed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

import discord

from bot.i18n import content_warning_label, normalize_locale, t

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()

# Discord's documented embed limits.
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
FIELD_COUNT_LIMIT = 25
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
CONTENT_LIMIT = 2000

ELLIPSIS = "…"


class Colours:
    GOOD = discord.Colour(0x2ECC71)
    FAIR = discord.Colour(0xE67E22)
    BAD = discord.Colour(0xE74C3C)
    INFO = discord.Colour(0x5865F2)
    MUTED = discord.Colour(0x95A5A6)
    WARNING = discord.Colour(0xF1C40F)


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + ELLIPSIS


def safe_text(text: str | None, limit: int = FIELD_VALUE_LIMIT, *, markdown: bool = False) -> str:
    """Neutralise mentions (and markdown unless allowed) and fit `limit` characters."""
    value = (text or "").replace("\x00", "")
    # A zero-width space after every "@" defuses @everyone, @here and <@…> of any length.
    value = value.replace("@", "@\u200b")
    if not markdown:
        # `escape_markdown` escapes one masked link per stretch of text (its pattern is
        # greedy), so a second `[shown](elsewhere)` would still be drawn: every bracket
        # is escaped too.
        value = link_text(discord.utils.escape_markdown(value))
    return truncate(value, limit)


def spoiler(text: str) -> str:
    """Hide (already escaped) text behind a Discord spoiler."""
    return f"||{text}||" if text else text


_BRACKET = re.compile(r"(?<!\\)([\[\]])")


def link_text(text: str) -> str:
    """Escape the brackets `escape_markdown` leaves alone.

    An unescaped `]` would end our link early and let a title such as
    `[x](javascript:…)` choose where the link points.
    """
    return _BRACKET.sub(r"\\\1", text)


def listed_title(
    title: str, *, warning: str | None, url: str | None, locale: str | None, limit: int
) -> str:
    """A task's title as one line of a list: escaped, linked, hidden when it is warned.

    Every list that names alerts (search results, a requester's card, the digests) draws
    their titles here, so a content-warned title is never read by accident in any of
    them: the warning's label comes first and the title, link and all, is a spoiler.
    """
    text = safe_text(title, limit)
    if url:
        text = f"[{link_text(text)}]({url})"
    if warning is None:
        return text
    label = content_warning_label(warning, locale)
    return t("common.list.warned", locale, label=label, title=spoiler(text))


def fit_lines(lines: Sequence[str], limit: int = DESCRIPTION_LIMIT, sep: str = "\n") -> str:
    """Join `lines` within `limit` characters, cutting the longest ones, never dropping one.

    A list of things a member must be able to find (their subscriptions, the server's
    notification roles) is cut line by line, each to the same length at most, instead
    of at its end, where whole entries would vanish.
    """
    joined = sep.join(lines)
    if len(joined) <= limit or not lines:
        return joined
    budget = limit - len(sep) * (len(lines) - 1)
    low, high = 1, max(len(line) for line in lines)
    while low < high:  # the longest line length `cap` whose cut lines still fit
        cap = (low + high + 1) // 2
        if sum(min(len(line), cap) for line in lines) <= budget:
            low = cap
        else:
            high = cap - 1
    return truncate(sep.join(truncate(line, low) for line in lines), limit)


def embed_length(embed: discord.Embed) -> int:
    return len(embed)


def fits(embed: discord.Embed) -> bool:
    """Whether `fit_embed` would leave `embed` as it is.

    Checked without rebuilding anything, so an embed fitted once (an alert is fitted
    when drawn, then again by `post_to`) costs a read, not a second trim.
    """
    if len(embed.title or "") > TITLE_LIMIT or len(embed.description or "") > DESCRIPTION_LIMIT:
        return False
    # The field dicts themselves, as `Embed.__len__` reads them: `embed.fields` would
    # build a proxy object per field on every check.
    fields: list[dict[str, Any]] = getattr(embed, "_fields", None) or []
    if len(fields) > FIELD_COUNT_LIMIT:
        return False
    for field in fields:
        name, value = field.get("name"), field.get("value")
        if not name or not value or len(name) > FIELD_NAME_LIMIT or len(value) > FIELD_VALUE_LIMIT:
            return False
        if not isinstance(field.get("inline"), bool):
            return False
    footer = embed.footer.text
    if footer and len(footer) > FOOTER_LIMIT:
        return False
    return len(embed) <= EMBED_TOTAL_LIMIT


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Trim an embed in place so Discord will accept it, dropping trailing fields if needed."""
    if fits(embed):
        return embed
    if embed.title:
        embed.title = truncate(embed.title, TITLE_LIMIT)
    if embed.description:
        embed.description = truncate(embed.description, DESCRIPTION_LIMIT)
    fields = embed.fields[:FIELD_COUNT_LIMIT]
    embed.clear_fields()
    for field in fields:
        embed.add_field(
            name=truncate(field.name or "\u200b", FIELD_NAME_LIMIT),
            value=truncate(field.value or "\u200b", FIELD_VALUE_LIMIT),
            inline=bool(field.inline),
        )
    if embed.footer and embed.footer.text:
        embed.set_footer(
            text=truncate(embed.footer.text, FOOTER_LIMIT), icon_url=embed.footer.icon_url
        )
    while len(embed) > EMBED_TOTAL_LIMIT and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    if len(embed) > EMBED_TOTAL_LIMIT and embed.description:
        excess = len(embed) - EMBED_TOTAL_LIMIT
        embed.description = truncate(embed.description, max(1, len(embed.description) - excess))
    return embed


def locale_of(interaction: discord.Interaction) -> str:
    """The member's language for private replies."""
    return normalize_locale(interaction.locale)


async def reply(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embed: discord.Embed | None = None,
    embeds: Sequence[discord.Embed] | None = None,
    view: discord.ui.View | None = None,
    file: discord.File | None = None,
    files: Sequence[discord.File] | None = None,
    ephemeral: bool = True,
) -> None:
    """Answer an interaction, first response or follow-up, whichever applies.

    Ephemeral by default: a bot for private matters (earnings, reports) should have to
    opt in to speaking publicly.
    """
    kwargs: dict[str, Any] = {"ephemeral": ephemeral, "allowed_mentions": NO_PINGS}
    if content is not None:
        kwargs["content"] = truncate(content, CONTENT_LIMIT)
    all_embeds = [fit_embed(e) for e in ([embed] if embed else []) + list(embeds or [])]
    if all_embeds:
        kwargs["embeds"] = all_embeds[:EMBEDS_PER_MESSAGE]
    if view is not None:
        kwargs["view"] = view
    all_files = ([file] if file else []) + list(files or [])
    if all_files:
        kwargs["files"] = all_files
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)


def disabled_copy(view: discord.ui.View) -> discord.ui.View:
    """Disable every interactive item of `view` (for expired or closed messages)."""
    for item in view.children:
        if hasattr(item, "disabled"):
            item.disabled = True  # type: ignore[attr-defined]
    return view
