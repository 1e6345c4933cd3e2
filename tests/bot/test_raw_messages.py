"""`bot.raw_messages`: the lean send and edit write exactly what discord.py writes."""

import discord
import pytest

from bot.raw_messages import edit_message, send_message
from bot.ui import NO_PINGS
from db import guilds
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


async def _set(h: Harness, **changes: object) -> None:
    await guilds.update(h.db, h.world.guild_id, 0, **changes)


class _Clicks(discord.ui.View):
    """A view that handles its own clicks, so discord.py must track it per message."""

    @discord.ui.button(label="Go", custom_id="test:go")
    async def go(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.defer()


async def test_lean_send_and_edit_write_what_discord_py_writes(configured: Harness) -> None:
    """`send_message` / `edit_message` skip parsing Discord's answer, nothing else."""
    h = configured
    channel = h.bot.get_channel(h.world.alerts)
    embed = discord.Embed(title="A task", description="@everyone come")
    fields = {"content": "hi <@1>", "embeds": [embed], "allowed_mentions": NO_PINGS}
    ours = await send_message(channel, **fields, view=_Clicks())
    theirs = await channel.send(**fields, view=_Clicks())
    first, second = h.api.calls_to("POST", "/channels/{channel_id}/messages")[-2:]
    assert {**first.json, "nonce": None} == {**second.json, "nonce": None}
    assert ours.id == int(h.in_channel(h.world.alerts)[-2].message["id"]) != theirs.id
    assert ours.channel.id == h.world.alerts
    assert h.bot._connection._view_store._synced_message_views.get(ours.id) is not None
    edited = {"embed": discord.Embed(title="Ended"), "view": None, "allowed_mentions": NO_PINGS}
    await edit_message(ours, **edited)
    await channel.get_partial_message(theirs.id).edit(**edited)  # what redraws called
    first, second = h.api.calls_to("PATCH", "/channels/{channel_id}/messages/{message_id}")[-2:]
    assert first.json == second.json and first.params["message_id"] == str(ours.id)
    h.api.assert_never_pinged()
