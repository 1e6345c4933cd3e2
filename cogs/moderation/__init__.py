"""Moderation: the audit log (`/mod log`) and the queue of open reports (`/mod queue`).

The cog is imported inside `setup` so `cogs.moderation.rules` stays free of discord.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.bot import Entraide


async def setup(bot: Entraide) -> None:
    from cogs.moderation.cog import ModerationCog

    await bot.add_cog(ModerationCog(bot))
