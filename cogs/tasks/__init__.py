"""Task alerts: share good tasks, merged while live, rated by hourly pay, kept fresh."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.bot import Entraide


async def setup(bot: Entraide) -> None:
    # Imported here so `cogs.tasks.rules` stays importable without discord.
    from cogs.tasks.cog import TasksCog

    await bot.add_cog(TasksCog(bot))
