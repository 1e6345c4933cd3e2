"""The profile card, its buttons, and the qualifications form."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.clock import to_epoch
from bot.error_handler import EntraideModal, EntraideView
from bot.i18n import t
from bot.ui import Colours, fit_embed, locale_of, reply, safe_text
from cogs.profile import rules
from cogs.tasks.rules import qualification_label
from db import members

if TYPE_CHECKING:
    from bot.bot import Entraide


async def load(bot: Entraide, user_id: int) -> rules.Profile:
    prefs = await members.get(bot.db, user_id)
    return rules.Profile(prefs.country, prefs.qualifications)


def profile_embed(profile: rules.Profile, locale: str) -> discord.Embed:
    """The member's own profile. Only ever sent ephemerally, to them."""
    embed = discord.Embed(
        title=t("profile.card.title", locale),
        description=t("profile.card.explain", locale),
        colour=Colours.INFO,
    )
    country = (
        t(
            "profile.card.country_value",
            locale,
            name=rules.country_name(profile.country, locale),
            code=profile.country,
        )
        if profile.country
        else t("profile.card.not_set", locale)
    )
    embed.add_field(name=t("profile.card.country", locale), value=country, inline=False)
    quals = (
        "\n".join(
            f"• {safe_text(qualification_label(q, locale), 80)}"
            for q in sorted(profile.qualifications)
        )
        if profile.qualifications
        else t("profile.card.none", locale)
    )
    embed.add_field(name=t("profile.card.qualifications", locale), value=quals, inline=False)
    embed.set_footer(text=t("profile.card.footer", locale))
    return fit_embed(embed)


class QualificationsModal(EntraideModal):
    """One qualification per line, prefilled with the current list."""

    def __init__(self, current: frozenset[str], locale: str) -> None:
        super().__init__(title=t("profile.modal.title", locale), custom_id="profile:qualifications")
        self.qualifications: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=t("profile.modal.label", locale),
            custom_id="qualifications",
            style=discord.TextStyle.paragraph,
            placeholder=t("profile.modal.placeholder", locale),
            default="\n".join(sorted(current)) or None,
            required=False,
            max_length=rules.MAX_QUALIFICATIONS_TEXT,
        )
        self.add_item(self.qualifications)

    async def on_submit(self, interaction: discord.Interaction[Entraide]) -> None:  # type: ignore[override]
        locale = locale_of(interaction)
        quals = rules.parse_qualifications(self.qualifications.value)
        bot = interaction.client
        await members.set_qualifications(
            bot.db, interaction.user.id, quals, to_epoch(bot.clock.now())
        )
        profile = await load(bot, interaction.user.id)
        notice = (
            t("profile.qualifications.saved", locale, count=len(quals))
            if quals
            else t("profile.qualifications.cleared", locale)
        )
        await reply(
            interaction,
            notice,
            embed=profile_embed(profile, locale),
            view=ProfileView(interaction.user.id, locale),
        )


class ProfileView(EntraideView):
    """Buttons under the profile card, for its owner only."""

    def __init__(self, owner_id: int, locale: str) -> None:
        super().__init__(owner_id=owner_id, timeout=600)
        self.locale = locale
        self.edit.label = t("profile.card.edit_qualifications", locale)
        self.clear.label = t("profile.card.clear", locale)

    @discord.ui.button(label="Edit qualifications", style=discord.ButtonStyle.primary)
    async def edit(
        self, interaction: discord.Interaction[Entraide], button: discord.ui.Button[Any]
    ) -> None:
        profile = await load(interaction.client, interaction.user.id)
        await interaction.response.send_modal(
            QualificationsModal(profile.qualifications, locale_of(interaction))
        )

    @discord.ui.button(label="Clear my profile", style=discord.ButtonStyle.danger)
    async def clear(
        self, interaction: discord.Interaction[Entraide], button: discord.ui.Button[Any]
    ) -> None:
        locale = locale_of(interaction)
        await members.clear_eligibility(interaction.client.db, interaction.user.id)
        await interaction.response.edit_message(
            content=t("profile.clear.cleared_all", locale),
            embed=profile_embed(rules.Profile(), locale),
            view=self,
        )
