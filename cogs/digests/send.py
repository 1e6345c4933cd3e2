"""Putting a rendered digest in front of people: the server's digest channel, or a DM."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord

from bot.delivery import post_to
from bot.ui import NO_PINGS
from cogs.digests.layout import EmbedSpec

if TYPE_CHECKING:
    from bot.bot import Entraide
    from cogs.digests.render import Rendered


@dataclass(frozen=True, slots=True)
class Delivered:
    """Where the digest's first message landed (a forum post's thread for forums)."""

    channel_id: int
    message_id: int
    messages: int


def to_embed(spec: EmbedSpec) -> discord.Embed:
    embed = discord.Embed(
        title=spec.title or None,
        description=spec.description or None,
        colour=discord.Colour(spec.colour) if spec.colour else None,
        url=spec.url or None,
    )
    for item in spec.fields:
        embed.add_field(name=item.name, value=item.value, inline=item.inline)
    if spec.footer:
        embed.set_footer(text=spec.footer)
    return embed


def to_embeds(message: list[EmbedSpec]) -> list[discord.Embed]:
    return [to_embed(spec) for spec in message]


async def post_server(bot: Entraide, guild_id: int, rendered: Rendered) -> Delivered:
    """Post into the server's digest channel: a text channel, or one forum post per digest.

    The first message goes through `post_to` (permission checks, a deleted channel
    forgotten and reported); the rest follow it in the same channel or forum post.
    """
    first, *rest = rendered.messages
    posted = await post_to(
        bot, guild_id, "digest", embeds=to_embeds(first), forum_title=rendered.title
    )
    target: discord.abc.Messageable = posted.thread or posted.message.channel  # type: ignore[assignment]
    for message in rest:
        await target.send(embeds=to_embeds(message), allowed_mentions=NO_PINGS)
    return Delivered(posted.channel_id, posted.message.id, len(rendered.messages))


async def send_dm(bot: Entraide, user_id: int, rendered: Rendered) -> Delivered:
    """DM a personal digest; `discord.Forbidden` means the member's DMs are closed.

    At the bot's DM pace (`bot.direct`): members whose digests fall due at the same minute
    must not send the bot past Discord's request limit.
    """
    first: discord.PartialMessage | None = None
    for message in rendered.messages:
        sent = await bot.direct.send(user_id, embeds=to_embeds(message), allowed_mentions=NO_PINGS)
        first = first or sent
    assert first is not None
    return Delivered(first.channel.id, first.id, len(rendered.messages))
