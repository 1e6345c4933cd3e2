"""Intake: tasks come in the way workers already find them (exports, pastes, an API)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.bot import Entraide


async def setup(bot: Entraide) -> None:
    # Imported here so `cogs.intake.parsers` stays importable without discord.
    from cogs.intake.cog import IntakeCog

    await bot.add_cog(IntakeCog(bot))
