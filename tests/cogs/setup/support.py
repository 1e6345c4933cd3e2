"""Helpers shared by the setup tests: channels with custom overwrites, reading settings."""

from __future__ import annotations

from typing import Any

import discord

from db import guilds
from db.guilds import GuildSettings
from tests.harness import payloads as p
from tests.harness.driver import Harness


def deny_bot(h: Harness, **perms: bool) -> list[dict[str, Any]]:
    """A permission overwrite denying the bot's role these permissions."""
    value = discord.Permissions(**perms).value
    return [{"id": str(h.world.bot_role), "type": 0, "allow": "0", "deny": str(value)}]


async def add_text_channel(
    h: Harness, name: str, overwrites: list[dict[str, Any]] | None = None
) -> int:
    channel_id = p.snowflake()
    await h.gateway(
        "CHANNEL_CREATE",
        p.text_channel_json(channel_id, h.world.guild_id, name, overwrites=overwrites),
    )
    return channel_id


async def set_overwrites(h: Harness, channel_id: int, overwrites: list[dict[str, Any]]) -> None:
    channel = h.bot.get_channel(channel_id)
    assert channel is not None
    await h.gateway(
        "CHANNEL_UPDATE",
        p.text_channel_json(channel_id, h.world.guild_id, channel.name, overwrites=overwrites),  # type: ignore[union-attr]
    )


async def stored(h: Harness) -> GuildSettings:
    return await guilds.get(h.db, h.world.guild_id)


def message_of(h: Harness, sent: Any) -> dict[str, Any]:
    """The wizard's message as it is now (modals submitted from it need it)."""
    return h.api.messages[sent.message_id]
