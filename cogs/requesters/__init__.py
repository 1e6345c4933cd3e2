"""Requesters: reviews, scam reports, the moderators' queue and requester status.

The cog is imported inside `setup` so that `cogs.requesters.rules` and `identity` (used by
other features) can be imported without pulling in discord.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.bot import Entraide


async def setup(bot: Entraide) -> None:
    from cogs.requesters.cog import RequestersCog

    await bot.add_cog(RequestersCog(bot))
