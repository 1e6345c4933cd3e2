"""`/privacy export|delete`: everything Entraide stores about a member, in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.bot import Entraide


async def setup(bot: Entraide) -> None:
    from cogs.privacy.cog import PrivacyCog

    await bot.add_cog(PrivacyCog(bot))
