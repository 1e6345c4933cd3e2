"""The private earnings log (`/earnings …`) and work shifts (`/shift …`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.bot import Entraide


async def setup(bot: Entraide) -> None:
    # Imported here so `cogs.earnings.rules` (and the other pure modules) can be imported
    # without pulling in discord.
    from cogs.earnings.cog import EarningsCog
    from cogs.earnings.shift import ShiftCog

    await bot.add_cog(EarningsCog(bot))
    await bot.add_cog(ShiftCog(bot))
