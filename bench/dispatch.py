"""`/bench share`: discord.py's own ceiling, measured through the same harness.

It takes exactly the options `/task share` takes (same types, ranges and choices, so
discord.py parses and transforms the same payload) and answers the same way as a quick
share (`bot.answering`): an embed with four buttons posted in the alerts channel, then one
ephemeral response with the link (a share defers only when it is slow, which a burst of
quick shares never is). It does no database work and runs none of our rules, so the
share path's figure divided by this one is what Entraide itself costs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.ui import NO_PINGS, Colours, reply, safe_text
from cogs.tasks.cog import PLATFORM_CHOICES, WARNING_CHOICES, Available, Currency, Minutes, Reward

if TYPE_CHECKING:
    from bot.bot import Entraide


class DispatchOnly(commands.Cog):
    bench = app_commands.Group(
        name="bench", description="Benchmark only: dispatch without work", guild_only=True
    )

    def __init__(self, bot: Entraide, alerts_channel_id: int) -> None:
        self.bot = bot
        self.alerts_channel_id = alerts_channel_id
        self.count = 0

    @bench.command(name="share", description="Answer like /task share, without any work")
    @app_commands.choices(platform=PLATFORM_CHOICES, warning=WARNING_CHOICES)
    async def share(
        self,
        interaction: discord.Interaction[Entraide],
        reward: Reward,
        minutes: Minutes,
        link: str | None = None,
        title: str | None = None,
        platform: str | None = None,
        requester: str | None = None,
        requester_id: str | None = None,
        currency: Currency | None = None,
        limits: str | None = None,
        available: Available | None = None,
        notes: str | None = None,
        anonymous: bool = False,
        warning: str | None = None,
    ) -> None:
        self.count += 1
        n = self.count
        embed = discord.Embed(
            title=safe_text(title or link or "Task", 256),
            url=link if link and link.startswith("https://") else None,
            description=safe_text(requester or "", 200),
            colour=Colours.GOOD,
        )
        embed.add_field(name="Reward", value=f"${reward:.2f}")
        embed.add_field(name="Time", value=f"{minutes} min")
        embed.add_field(name="Hourly", value=f"${reward * 60 / minutes:.2f}/h")
        embed.set_footer(text=f"Shared by {interaction.user.display_name}")
        view = discord.ui.View(timeout=None)
        for action, style in (
            ("live", discord.ButtonStyle.success),
            ("gone", discord.ButtonStyle.danger),
            ("did", discord.ButtonStyle.primary),
            ("warn", discord.ButtonStyle.secondary),
        ):
            view.add_item(
                discord.ui.Button(
                    label=action.title(), style=style, custom_id=f"bench:{action}:{n}"
                )
            )
        channel: Any = self.bot.get_channel(self.alerts_channel_id)
        message = await channel.send(embed=embed, view=view, allowed_mentions=NO_PINGS)
        await reply(interaction, f"Posted: {message.jump_url}")
