"""Administration: what the bot is and how it is doing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.admin.cog import AdminCog

if TYPE_CHECKING:
    from bot.bot import Entraide


async def setup(bot: Entraide) -> None:
    await bot.add_cog(AdminCog(bot))
