"""Opt-in notification roles: one role mention reaches every member who asked for an alert."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.bot import Entraide


async def setup(bot: Entraide) -> None:
    # Imported here so that `cogs.roles.rules` can be imported without discord.
    from cogs.roles.cog import RolesCog

    await bot.add_cog(RolesCog(bot))
