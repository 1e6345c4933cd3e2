"""The confirmation step of `/privacy delete`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.error_handler import EntraideView
from bot.i18n import has_key, t
from bot.ui import NO_PINGS, Colours
from cogs.privacy.rules import erase_total

if TYPE_CHECKING:
    from bot.bot import Entraide

log = logging.getLogger(__name__)


def section_label(name: str, locale: str) -> str:
    key = f"privacy.sections.{name}"
    return t(key, locale) if has_key(key) else name.replace("_", " ")


class ConfirmEraseView(EntraideView):
    """Only the member who asked can confirm; nothing is erased without the click."""

    def __init__(self, bot: Entraide, owner_id: int, locale: str) -> None:
        super().__init__(owner_id=owner_id, timeout=120)
        self.bot = bot
        self.locale = locale
        confirm: discord.ui.Button[ConfirmEraseView] = discord.ui.Button(
            label=t("privacy.delete.confirm", locale),
            style=discord.ButtonStyle.danger,
            custom_id="privacy:erase:confirm",
        )
        confirm.callback = self.confirm  # type: ignore[method-assign]
        cancel: discord.ui.Button[ConfirmEraseView] = discord.ui.Button(
            label=t("privacy.delete.cancel", locale),
            style=discord.ButtonStyle.secondary,
            custom_id="privacy:erase:cancel",
        )
        cancel.callback = self.cancel  # type: ignore[method-assign]
        self.add_item(confirm)
        self.add_item(cancel)

    async def confirm(self, interaction: discord.Interaction[Entraide]) -> None:
        self.stop()
        # answer at once (erasing a long history can take a moment) and remove the buttons,
        # so a second click cannot start a second erasure
        await interaction.response.edit_message(
            embed=discord.Embed(
                title=t("privacy.delete.working", self.locale), colour=Colours.MUTED
            ),
            view=None,
            allowed_mentions=NO_PINGS,
        )
        user_id = interaction.user.id
        counts: dict[str, int] = {}
        failed: list[str] = []
        for section in self.bot.privacy.sections:
            try:
                counts[section.name] = await section.erase(self.bot.db, user_id)
            except Exception:
                log.exception("privacy erase of section %s failed (user=%s)", section.name, user_id)
                failed.append(section.name)
        # Not stored, but about them: the DM channel id the bot kept in memory goes too.
        self.bot.direct.forget(user_id)
        log.info("member %s erased their data: %s", user_id, counts)
        lines = [
            t(
                "privacy.delete.section_line",
                self.locale,
                section=section_label(n, self.locale),
                count=c,
            )
            for n, c in sorted(counts.items())
        ]
        embed = discord.Embed(
            title=t("privacy.delete.done_title", self.locale),
            description="\n".join(lines) or "—",
            colour=Colours.BAD if failed else Colours.GOOD,
        )
        embed.set_footer(text=t("privacy.delete.total", self.locale, count=erase_total(counts)))
        if failed:
            embed.add_field(
                name=t("privacy.delete.failed_title", self.locale),
                value=t(
                    "privacy.delete.failed",
                    self.locale,
                    sections=", ".join(section_label(n, self.locale) for n in failed),
                ),
            )
        await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_PINGS)

    async def cancel(self, interaction: discord.Interaction[Entraide]) -> None:
        self.stop()
        embed = discord.Embed(
            title=t("privacy.delete.cancelled", self.locale), colour=Colours.MUTED
        )
        await interaction.response.edit_message(embed=embed, view=None, allowed_mentions=NO_PINGS)
