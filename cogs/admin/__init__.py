"""Administration: /about and /help, channel-problem notices, backups and departed servers."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.bot import Entraide


async def setup(bot: Entraide) -> None:
    # Imported here so `cogs.admin.rules` can be imported without discord.
    from cogs.admin.cog import AdminCog
    from cogs.admin.notices import ChannelWatchCog
    from cogs.admin.ops import OperationsCog

    await bot.add_cog(AdminCog(bot))
    await bot.add_cog(ChannelWatchCog(bot))
    await bot.add_cog(OperationsCog(bot))
