"""Splitting a long digest over embeds and messages within every Discord limit."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cogs.digests.layout import (
    CONTINUED_LIMIT,
    DEFAULT_LAYOUT,
    DESCRIPTION_LIMIT,
    EMBED_TOTAL_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_PER_EMBED,
    FOOTER_LIMIT,
    LINE_LIMIT,
    MESSAGE_TOTAL_LIMIT,
    TITLE_LIMIT,
    Block,
    EmbedSpec,
    FieldSpec,
    Layout,
    _block_embeds,
    paginate,
)

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=300)
LONG_LINE = st.text(alphabet="ab @*_|", min_size=900, max_size=3000)
FIELDS = st.lists(st.builds(FieldSpec, TEXT, st.text(max_size=1500), st.booleans()), max_size=30)
BLOCKS = st.lists(
    st.builds(
        Block,
        st.text(max_size=400),
        st.lists(st.one_of(TEXT, LONG_LINE), max_size=60).map(tuple),
        st.integers(0, 0xFFFFFF),
        FIELDS.map(tuple),
    ),
    max_size=12,
)


def check_limits(messages: list[list[EmbedSpec]], layout: Layout = DEFAULT_LAYOUT) -> None:
    for message in messages:
        assert 1 <= len(message) <= layout.embeds_per_message
        assert sum(e.size for e in message) <= layout.message_limit
        for embed in message:
            assert len(embed.title) <= TITLE_LIMIT
            assert len(embed.description) <= layout.description_limit
            assert len(embed.fields) <= FIELDS_PER_EMBED
            assert all(len(f.name) <= FIELD_NAME_LIMIT for f in embed.fields)
            assert all(0 < len(f.value) <= FIELD_VALUE_LIMIT for f in embed.fields)
            assert len(embed.footer) <= FOOTER_LIMIT
            assert embed.size <= layout.embed_limit


@settings(max_examples=200, deadline=None)
@given(blocks=BLOCKS, footer=st.text(max_size=3000))
def test_every_limit_holds_and_no_line_is_lost_or_reordered(
    blocks: list[Block], footer: str
) -> None:
    messages = paginate(blocks, continued=" (continued)", footer=footer)
    check_limits(messages)
    embeds = [e for m in messages for e in m]
    # Blocks come out in order, each as its own embeds, every non-blank line whole and in
    # order (only lines longer than LINE_LIMIT are clipped, with an ellipsis).
    per_block = [_block_embeds(block, " (continued)", Layout()) for block in blocks]
    assert [e.title for e in embeds[: sum(map(len, per_block))]] == [
        e.title for group in per_block for e in group
    ]
    for block, group in zip(blocks, per_block, strict=True):
        expected = [
            line if len(line) <= LINE_LIMIT else line[: LINE_LIMIT - 1] + "…"
            for line in block.lines
            if line.strip()
        ]
        assert "\n".join(e.description for e in group if e.description) == "\n".join(expected)
    if embeds and footer:
        assert footer[:10] in (embeds[-1].footer or "")


def test_a_long_digest_splits_into_several_messages() -> None:
    lines = tuple(
        f"**{i}.** [A task title number {i}](https://discord.com/x) — $12.00/h" + "x" * 150
        for i in range(200)
    )
    blocks = [Block("Daily digest", ("From A to B.",), 1), Block("Best tasks", lines, 2)]
    messages = paginate(blocks, continued=" (continued)", footer="Entraide")
    assert len(messages) >= 6
    check_limits(messages)
    embeds = [e for m in messages for e in m]
    assert embeds[0].title == "Daily digest"
    assert embeds[1].title == "Best tasks"
    assert all(e.title == "Best tasks (continued)" for e in embeds[2:])
    assert embeds[-1].footer == "Entraide"
    assert sum(e.description.count("**") for e in embeds[1:]) == 400  # every line, whole


def test_many_short_blocks_respect_ten_embeds_per_message() -> None:
    blocks = [Block(f"Block {i}", (f"line {i}",)) for i in range(25)]
    messages = paginate(blocks)
    assert [len(m) for m in messages] == [EMBEDS_PER_MESSAGE, EMBEDS_PER_MESSAGE, 5]


def test_huge_title_fields_and_lines_are_clipped_never_refused() -> None:
    fields = tuple(FieldSpec("n" * 500, "v" * 5000) for _ in range(40))
    block = Block("t" * 1000, ("@everyone " * 2000,), 0, fields)
    messages = paginate([block], continued="c" * 100, footer="f" * 5000)
    check_limits(messages)
    first = messages[0][0]
    assert len(first.title) <= TITLE_LIMIT
    assert first.fields  # kept as many as fit


def test_empty_digest_has_no_messages_and_empty_block_keeps_its_title() -> None:
    assert paginate([]) == []
    assert paginate([Block("Only a title")]) == [[EmbedSpec(title="Only a title")]]


@settings(max_examples=100, deadline=None)
@given(
    blocks=st.lists(
        st.builds(
            Block,
            st.text(max_size=30),
            st.lists(st.text(min_size=0, max_size=60), max_size=40).map(tuple),
        ),
        max_size=8,
    ),
    per_message=st.integers(1, 4),
)
def test_tiny_limits_hold_too(blocks: list[Block], per_message: int) -> None:
    layout = Layout(
        description_limit=120,
        embed_limit=300,
        embeds_per_message=per_message,
        message_limit=400,
        line_limit=60,
        title_limit=40 + CONTINUED_LIMIT,
    )
    messages = paginate(blocks, continued=" (c)", layout=layout)
    check_limits(messages, layout)


def test_constants_are_discords() -> None:
    assert (DESCRIPTION_LIMIT, EMBED_TOTAL_LIMIT, MESSAGE_TOTAL_LIMIT) == (4096, 6000, 6000)
    assert (EMBEDS_PER_MESSAGE, FIELDS_PER_EMBED, FIELD_VALUE_LIMIT) == (10, 25, 1024)
