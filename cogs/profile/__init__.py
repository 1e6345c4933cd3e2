"""The member's eligibility profile: country and qualifications, private to them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.bot import Entraide


async def setup(bot: Entraide) -> None:
    # Imported here so that `cogs.profile.rules` can be imported without discord.
    from cogs.profile.cog import ProfileCog

    await bot.add_cog(ProfileCog(bot))
