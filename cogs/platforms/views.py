"""Buttons of the platforms feature.

The comparison's page buttons are `DynamicItem`s whose custom_id carries the page they
lead to: a click recomputes that page from the database, so the buttons keep working
after a restart and always show current scores. Review flags reuse the requesters
feature's review buttons (`cogs.requesters.review_ui`: they work for any subject kind).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol, Self

import discord

from bot.components import FromMatch
from bot.error_handler import guarded
from bot.errors import UserError
from bot.i18n import t

if TYPE_CHECKING:
    from bot.bot import Entraide

COG_NAME = "Platforms"
DIRECTIONS = ("prev", "next")
MAX_PAGE = 999


class PlatformsActions(Protocol):
    async def compare_page(self, interaction: discord.Interaction[Entraide], page: int) -> None: ...


def actions_of(interaction: discord.Interaction[Entraide]) -> PlatformsActions:
    cog: Any = interaction.client.get_cog(COG_NAME)
    if cog is None:
        raise UserError("platforms.errors.unavailable")
    return cog


class ComparePageButton(
    FromMatch,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"platforms:compare:(?P<direction>prev|next):(?P<page>[0-9]{1,3})",
):
    """Previous / Next on a comparison; the target page is in the custom_id."""

    def __init__(
        self, direction: str, page: int, *, label: str | None = None, disabled: bool = False
    ) -> None:
        page = min(max(0, page), MAX_PAGE)
        super().__init__(
            discord.ui.Button(
                label=label or direction,
                style=discord.ButtonStyle.secondary,
                custom_id=f"platforms:compare:{direction}:{page}",
                disabled=disabled,
            )
        )
        self.direction = direction
        self.page = page

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Item[Any]) -> Self:
        return cls(match["direction"], int(match["page"]))

    @guarded
    async def callback(self, interaction: discord.Interaction[Entraide]) -> None:
        await actions_of(interaction).compare_page(interaction, self.page)


def compare_view(page: int, pages: int, locale: str) -> discord.ui.View | None:
    """Previous / Next buttons, or nothing when everything fits on one page."""
    if pages <= 1:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(
        ComparePageButton(
            "prev",
            max(0, page - 1),
            label=t("platforms.compare.previous", locale),
            disabled=page <= 0,
        )
    )
    view.add_item(
        ComparePageButton(
            "next",
            min(pages - 1, page + 1),
            label=t("platforms.compare.next", locale),
            disabled=page >= pages - 1,
        )
    )
    return view
