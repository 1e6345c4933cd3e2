"""Platforms compared by the workers who use them: reviews, a comparison, the hourly.

The cog is imported inside `setup` so that `cogs.platforms.rules` can be imported
without pulling in discord.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.bot import Entraide


async def setup(bot: Entraide) -> None:
    from cogs.platforms.cog import PlatformsCog

    await bot.add_cog(PlatformsCog(bot))
