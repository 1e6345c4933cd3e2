"""`/profile`: a member's own country and qualifications, used to hide tasks they cannot take.

Everything here answers ephemerally and nothing in the profile is ever shown to anyone
else: alerts subscriptions and `/task search` read it only to leave tasks out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import to_epoch
from bot.i18n import t
from bot.translator import ls
from bot.ui import locale_of, reply, truncate
from cogs.profile import rules
from cogs.profile.views import ProfileView, QualificationsModal, load, profile_embed
from db import members

if TYPE_CHECKING:
    from bot.bot import Entraide
    from db.connection import Database


async def export_profile(db: Database, user_id: int) -> dict[str, Any]:
    prefs = await members.get(db, user_id)
    return {"country": prefs.country, "qualifications": sorted(prefs.qualifications)}


async def erase_profile(db: Database, user_id: int) -> int:
    return await members.clear_eligibility(db, user_id)


class ProfileCog(commands.Cog):
    profile = app_commands.Group(
        name=ls("profile.group.name"), description=ls("profile.group.description")
    )

    def __init__(self, bot: Entraide) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.privacy.register("profile", export_profile, erase_profile, ("members.user_id",))

    async def cog_unload(self) -> None:
        self.bot.privacy.unregister("profile")

    async def _show(
        self, interaction: discord.Interaction[Entraide], notice: str | None = None
    ) -> None:
        locale = locale_of(interaction)
        profile = await load(self.bot, interaction.user.id)
        await reply(
            interaction,
            notice,
            embed=profile_embed(profile, locale),
            view=ProfileView(interaction.user.id, locale),
        )

    @profile.command(name=ls("profile.show.name"), description=ls("profile.show.description"))
    async def show(self, interaction: discord.Interaction[Entraide]) -> None:
        await self._show(interaction)

    @profile.command(name=ls("profile.country.name"), description=ls("profile.country.description"))
    async def country(
        self, interaction: discord.Interaction[Entraide], country: app_commands.Range[str, 1, 60]
    ) -> None:
        locale = locale_of(interaction)
        code = rules.parse_country(country)
        await members.set_country(
            self.bot.db, interaction.user.id, code, to_epoch(self.bot.clock.now())
        )
        await self._show(
            interaction,
            t("profile.country.saved", locale, name=rules.country_name(code, locale), code=code),
        )

    @country.autocomplete("country")
    async def _country_choices(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[app_commands.Choice[str]]:
        locale = locale_of(interaction)
        return [
            app_commands.Choice(name=truncate(label, 100), value=code)
            for label, code in rules.country_choices(current[:60], locale)
        ]

    @profile.command(
        name=ls("profile.qualifications.name"),
        description=ls("profile.qualifications.description"),
    )
    async def qualifications(self, interaction: discord.Interaction[Entraide]) -> None:
        profile = await load(self.bot, interaction.user.id)
        await interaction.response.send_modal(
            QualificationsModal(profile.qualifications, locale_of(interaction))
        )

    @profile.command(name=ls("profile.clear.name"), description=ls("profile.clear.description"))
    @app_commands.choices(
        what=[
            app_commands.Choice(name=ls("profile.clear.choice_country"), value="country"),
            app_commands.Choice(
                name=ls("profile.clear.choice_qualifications"), value="qualifications"
            ),
            app_commands.Choice(name=ls("profile.clear.choice_all"), value="all"),
        ]
    )
    async def clear(self, interaction: discord.Interaction[Entraide], what: str = "all") -> None:
        locale = locale_of(interaction)
        now = to_epoch(self.bot.clock.now())
        user_id = interaction.user.id
        if what == "country":
            await members.set_country(self.bot.db, user_id, None, now)
        elif what == "qualifications":
            await members.set_qualifications(self.bot.db, user_id, frozenset(), now)
        elif what == "all":
            await members.clear_eligibility(self.bot.db, user_id)
        else:  # discord.py does not re-check choices
            from bot.errors import UserError

            raise UserError("profile.errors.unknown_clear")
        await self._show(interaction, t(f"profile.clear.cleared_{what}", locale))
