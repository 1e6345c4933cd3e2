import discord
from hypothesis import given
from hypothesis import strategies as st

from bot.ui import EMBED_TOTAL_LIMIT, FIELD_VALUE_LIMIT, fit_embed, safe_text, truncate


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
