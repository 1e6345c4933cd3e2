"""The paged `/help` view."""

from __future__ import annotations

from typing import Any

import discord

from bot.error_handler import EntraideView
from bot.i18n import t
from bot.ui import Colours, safe_text
from cogs.admin.rules import HelpPage

HELP_TIMEOUT = 300


class HelpView(EntraideView):
    """Pages through the overview and the command lists; only its reader can turn pages."""

    def __init__(
        self, owner_id: int, locale: str, pages: list[HelpPage], *, note: str | None = None
    ) -> None:
        super().__init__(owner_id=owner_id, timeout=HELP_TIMEOUT)
        self.locale = locale
        self.pages = pages
        self.note = note
        self.index = 0
        self.previous_button = PageButton(self, "previous", -1)
        self.next_button = PageButton(self, "next", +1)
        self.add_item(self.previous_button)
        self.add_item(self.next_button)
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        self.previous_button.disabled = self.index == 0
        self.next_button.disabled = self.index >= len(self.pages) - 1

    def embed(self) -> discord.Embed:
        page = self.pages[self.index]
        lang = self.locale
        if page.kind == "overview":
            embed = discord.Embed(
                title=t("admin.help.title", lang),
                description=t("admin.help.overview", lang),
                colour=Colours.INFO,
            )
            if self.note:
                embed.add_field(name=t("admin.help.this_server", lang), value=self.note)
        else:
            lines = [t(f"admin.help.{page.kind}_intro", lang), ""]
            lines += [
                f"**{entry.path}**\n{safe_text(entry.description, 200)}" for entry in page.entries
            ]
            embed = discord.Embed(
                title=t(f"admin.help.{page.kind}_title", lang),
                description="\n".join(lines),
                colour=Colours.INFO,
            )
        embed.set_footer(
            text=t("admin.help.page", lang, page=self.index + 1, pages=len(self.pages))
        )
        return embed

    async def turn(self, interaction: discord.Interaction, step: int) -> None:
        self.index = min(max(0, self.index + step), len(self.pages) - 1)
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.embed(), view=self)


class PageButton(discord.ui.Button[HelpView]):
    def __init__(self, view: HelpView, name: str, step: int) -> None:
        super().__init__(
            label=t(f"admin.help.{name}", view.locale),
            custom_id=f"help:{name}",
            style=discord.ButtonStyle.secondary,
        )
        self.step = step
        self.help_view = view

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await self.help_view.turn(interaction, self.step)
