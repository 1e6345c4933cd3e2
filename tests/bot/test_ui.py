import re

import discord
from hypothesis import given
from hypothesis import strategies as st

from bot.ui import (
    EMBED_TOTAL_LIMIT,
    FIELD_VALUE_LIMIT,
    fit_embed,
    fit_lines,
    fits,
    safe_text,
    truncate,
)


def test_safe_text_neutralises_mentions_and_markdown() -> None:
    text = safe_text("@everyone **free money** <@&123> @here")
    assert "@everyone" not in text.replace("@\u200beveryone", "")
    assert "**" not in text.replace("\\*", "")
    assert "<@&123>" not in text


@given(st.text(max_size=20_000), st.integers(min_value=1, max_value=5000))
def test_safe_text_respects_limit(text: str, limit: int) -> None:
    assert len(safe_text(text, limit)) <= limit


def test_truncate_marks_cut() -> None:
    assert truncate("abcdef", 4) == "abc…"
    assert truncate("abc", 4) == "abc"


@given(
    st.text(max_size=400),
    st.text(max_size=5000),
    st.lists(st.tuples(st.text(max_size=300), st.text(max_size=1500)), max_size=30),
)
def test_fit_embed_always_within_discord_limits(
    title: str, description: str, fields: list[tuple[str, str]]
) -> None:
    embed = discord.Embed(title=title or None, description=description or None)
    for name, value in fields:
        embed.add_field(name=name or "-", value=value or "-")
    embed.set_footer(text="f" * 3000)
    fit_embed(embed)
    assert len(embed) <= EMBED_TOTAL_LIMIT
    assert len(embed.fields) <= 25
    assert all(len(f.value or "") <= FIELD_VALUE_LIMIT for f in embed.fields)
    assert len(embed.title or "") <= 256


@given(
    st.text(max_size=300),
    st.text(max_size=4200),
    st.lists(st.tuples(st.text(max_size=300), st.text(max_size=1100)), max_size=27),
    st.text(max_size=2100),
)
def test_fitting_twice_changes_nothing(
    title: str, description: str, fields: list[tuple[str, str]], footer: str
) -> None:
    """The second fit (an alert fitted when drawn, then by `post_to`) is a check only."""
    embed = discord.Embed(title=title or None, description=description or None)
    for name, value in fields:
        embed.add_field(name=name, value=value)
    if footer:
        embed.set_footer(text=footer)
    fit_embed(embed)
    assert fits(embed)
    once = embed.to_dict()
    assert fit_embed(embed).to_dict() == once


def test_an_embed_that_fits_is_left_as_it_is() -> None:
    embed = discord.Embed(title="t", description="d").add_field(name="n", value="v")
    assert fits(embed)
    assert not fits(discord.Embed(title="t").add_field(name="", value="v"))
    assert not fits(discord.Embed(title="t" * 257))


def test_safe_text_escapes_every_masked_link() -> None:
    """`escape_markdown` escapes one masked link per stretch; the second was drawn."""
    text = safe_text("[ok](https://a.example) and [https://prolific.com](https://evil.example)")
    assert not re.search(r"(?<!\\)\[[^\]]*\]\(", text), text


@given(
    st.lists(st.text(alphabet=st.characters(blacklist_characters="\n"), max_size=900), max_size=30),
    st.integers(min_value=200, max_value=5000),
)
def test_fit_lines_keeps_every_line_within_the_limit(lines: list[str], limit: int) -> None:
    lines = [f"#{n} {line}" for n, line in enumerate(lines)]
    text = fit_lines(lines, limit)
    assert len(text) <= limit
    if lines and len(lines) * 6 <= limit:  # room for every line's start: none is dropped
        shown = text.split("\n")
        assert len(shown) == len(lines)
        assert all(s.startswith(line[:2]) for s, line in zip(shown, lines, strict=True))
