"""Server setup: the /setup wizard, /setup show and one command per setting."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.bot import Entraide


async def setup(bot: Entraide) -> None:
    # Imported here so `cogs.setup.rules` can be imported without discord.
    from cogs.setup.cog import SetupCog

    await bot.add_cog(SetupCog(bot))
