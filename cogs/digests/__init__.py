"""Scheduled digests: the server's daily/weekly digest and members' personal ones."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.bot import Entraide


async def setup(bot: Entraide) -> None:
    # Imported here so that `cogs.digests.rules` can be imported without discord.
    from cogs.digests.cog import DigestsCog

    await bot.add_cog(DigestsCog(bot))
