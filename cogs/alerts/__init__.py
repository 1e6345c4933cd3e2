"""Alert subscriptions: members are told by DM when a task matching their filters is shared."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.bot import Entraide


async def setup(bot: Entraide) -> None:
    # Imported here so that `cogs.alerts.rules` can be imported without discord.
    from cogs.alerts.cog import AlertsCog

    await bot.add_cog(AlertsCog(bot))
