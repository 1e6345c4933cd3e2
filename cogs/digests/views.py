"""The section picker shown under /digest setup."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.checks import require_moderator
from bot.clock import to_epoch
from bot.error_handler import EntraideView
from bot.errors import UserError
from bot.i18n import t
from bot.ui import NO_PINGS, locale_of
from cogs.digests.rules import ALL_SECTIONS, parse_section
from db import digests

if TYPE_CHECKING:
    from bot.bot import Entraide

#: Builds the settings embed again after a change (provided by the cog).
Refresh = Callable[[discord.Interaction[Any], int, str], Awaitable[discord.Embed]]


class SectionSelect(discord.ui.Select["SectionsView"]):
    def __init__(self, shown: frozenset[str], locale: str) -> None:
        options = [
            discord.SelectOption(
                label=t(f"digests.section.{section.value}", locale),
                value=section.value,
                default=section.value in shown,
            )
            for section in ALL_SECTIONS
        ]
        super().__init__(
            custom_id="digests:sections",
            placeholder=t("digests.setup.select_placeholder", locale),
            min_values=1,
            max_values=len(options),
            options=options,
        )

    async def callback(self, interaction: discord.Interaction[Entraide]) -> None:
        assert self.view is not None
        await self.view.save(interaction, self.values)


class SectionsView(EntraideView):
    """Only the moderator who ran the command may use it, and only while still a moderator."""

    def __init__(
        self, *, owner_id: int, guild_id: int, shown: frozenset[str], locale: str, refresh: Refresh
    ) -> None:
        super().__init__(owner_id=owner_id, timeout=600)
        self.guild_id = guild_id
        self.locale = locale
        self.refresh = refresh
        self.add_item(SectionSelect(shown, locale))

    async def save(self, interaction: discord.Interaction[Entraide], values: list[str]) -> None:
        await require_moderator(interaction)  # checked again: roles change, UIs lie
        chosen = {parse_section(value) for value in values}
        if not chosen:
            raise UserError("digests.errors.no_sections")
        hidden = frozenset(s.value for s in ALL_SECTIONS if s not in chosen)
        now = to_epoch(interaction.client.clock.now())
        await digests.set_hidden_sections(interaction.client.db, self.guild_id, hidden, now)
        locale = locale_of(interaction)
        embed = await self.refresh(interaction, self.guild_id, locale)
        for item in self.children:
            if isinstance(item, SectionSelect):
                for option in item.options:
                    option.default = option.value not in hidden
        await interaction.response.edit_message(
            content=t("digests.setup.saved", locale),
            embed=embed,
            view=self,
            allowed_mentions=NO_PINGS,
        )
