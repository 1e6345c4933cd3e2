"""How a long digest is cut to fit Discord: embeds within every limit, messages of embeds.

Split from `cogs.digests.rules` (when a digest is due, what input is valid): this is the
other question a reader of the digests brings, "why did my digest come in three
messages?". Pure like the rules (no discord), so the splitting is property-tested
(tests/cogs/digests/test_rules_layout.py) with tiny limits as well as Discord's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_PER_EMBED = 25
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
MESSAGE_TOTAL_LIMIT = 6000  # Discord counts all embeds of one message together
#: One line (one task) never takes more than this, so a line always fits an embed.
LINE_LIMIT = 1000
ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + ELLIPSIS


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    value: str
    inline: bool = True

    @property
    def size(self) -> int:
        return len(self.name) + len(self.value)


@dataclass(frozen=True, slots=True)
class EmbedSpec:
    """An embed described without discord, so the splitting can be tested on its own."""

    title: str = ""
    description: str = ""
    colour: int = 0
    fields: tuple[FieldSpec, ...] = ()
    footer: str = ""
    url: str = ""

    @property
    def size(self) -> int:
        """Characters Discord counts against the 6,000 limit."""
        return (
            len(self.title)
            + len(self.description)
            + len(self.footer)
            + sum(f.size for f in self.fields)
        )


@dataclass(frozen=True, slots=True)
class Block:
    """One part of a digest: a heading and its lines (each line kept whole)."""

    title: str
    lines: tuple[str, ...] = ()
    colour: int = 0
    fields: tuple[FieldSpec, ...] = ()
    url: str = ""


@dataclass(frozen=True, slots=True)
class Layout:
    """Limits, overridable so property tests can also exercise tiny ones."""

    description_limit: int = DESCRIPTION_LIMIT
    embed_limit: int = EMBED_TOTAL_LIMIT
    embeds_per_message: int = EMBEDS_PER_MESSAGE
    message_limit: int = MESSAGE_TOTAL_LIMIT
    line_limit: int = LINE_LIMIT
    title_limit: int = TITLE_LIMIT


DEFAULT_LAYOUT = Layout()
CONTINUED_LIMIT = 20


def _fit_fields(fields: Iterable[FieldSpec], budget: int) -> tuple[FieldSpec, ...]:
    """Clip fields to Discord's limits, dropping trailing ones beyond `budget` characters."""
    kept: list[FieldSpec] = []
    used = 0
    for item in list(fields)[:FIELDS_PER_EMBED]:
        clipped = FieldSpec(
            clip(item.name, FIELD_NAME_LIMIT) or "\u200b",
            clip(item.value, FIELD_VALUE_LIMIT) or "\u200b",
            item.inline,
        )
        if used + clipped.size > budget:
            break
        kept.append(clipped)
        used += clipped.size
    return tuple(kept)


def _block_embeds(block: Block, continued: str, layout: Layout) -> list[EmbedSpec]:
    """Cut one block into embeds, never splitting a line; continuations end in `continued`."""
    title = clip(block.title, layout.title_limit - len(continued))
    line_limit = min(layout.line_limit, layout.description_limit)
    fields = _fit_fields(block.fields, layout.embed_limit - len(title) - line_limit)
    lines = [clip(line, line_limit) for line in block.lines if line.strip()]
    if not lines and not title.strip() and not fields:
        return []  # Discord refuses an empty embed
    embeds: list[EmbedSpec] = []
    current: list[str] = []
    length = 0

    def room() -> int:
        if not embeds:
            overhead = len(title) + sum(f.size for f in fields)
        else:
            overhead = len(title) + len(continued)
        return min(layout.description_limit, layout.embed_limit - overhead)

    def flush() -> None:
        nonlocal current, length
        first = not embeds
        embeds.append(
            EmbedSpec(
                title=title if first else title + continued,
                description="\n".join(current),
                colour=block.colour,
                fields=fields if first else (),
                url=block.url if first else "",
            )
        )
        current, length = [], 0

    for line in lines:
        needed = len(line) + (1 if current else 0)
        if length + needed > room():
            flush()
            needed = len(line)
        current.append(line)
        length += needed
    if current or not embeds:
        flush()
    return embeds


def paginate(
    blocks: Sequence[Block],
    *,
    continued: str = " (…)",
    footer: str = "",
    layout: Layout = DEFAULT_LAYOUT,
) -> list[list[EmbedSpec]]:
    """Lay a digest out as messages of embeds within every Discord limit.

    Lines stay whole and in order; a block too long for one embed continues in the next
    one (titled with `continued`); embeds are packed into messages of at most ten and at
    most 6,000 characters together. The footer goes on the very last embed.
    """
    footer = clip(footer, FOOTER_LIMIT)
    continued = clip(continued, CONTINUED_LIMIT)
    embeds = [e for block in blocks for e in _block_embeds(block, continued, layout)]
    if not embeds:
        return []
    if footer:
        last = embeds[-1]
        if last.size + len(footer) > layout.embed_limit:
            embeds.append(EmbedSpec(footer=footer, colour=last.colour))
        else:
            embeds[-1] = replace(last, footer=footer)
    messages: list[list[EmbedSpec]] = []
    current: list[EmbedSpec] = []
    total = 0
    for embed in embeds:
        if current and (
            len(current) >= layout.embeds_per_message or total + embed.size > layout.message_limit
        ):
            messages.append(current)
            current, total = [], 0
        current.append(embed)
        total += embed.size
    messages.append(current)
    return messages
