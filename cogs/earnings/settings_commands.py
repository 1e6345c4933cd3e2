"""A member's own settings: `/earnings goal`, `/earnings settings` and `/earnings share on|off`.

Settings are validated whole before anything is stored, so a bad value changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.errors import UserError
from bot.i18n import t
from bot.money import normalize_currency
from bot.translator import ls
from bot.ui import Colours, locale_of, reply
from cogs.earnings import rules
from cogs.earnings.base import EarningsBase
from cogs.earnings.render import money, per_hour
from cogs.earnings.stats import K_ANONYMITY
from db import earnings as earnings_db
from db import members as members_db

if TYPE_CHECKING:
    from bot.bot import Entraide

#: What a member may type to clear their daily goal.
_NO_GOAL = frozenset({"off", "none", "aucun", "non", "0"})


class SettingsCommands(EarningsBase):
    """The daily goal, time zone and minimum wage, and sharing with the community."""

    @app_commands.command(
        name=ls("earnings.goal.name"), description=ls("earnings.goal.description")
    )
    @app_commands.autocomplete(currency=EarningsBase.currency_autocomplete)
    async def goal(
        self,
        interaction: discord.Interaction[Entraide],
        amount: app_commands.Range[str, 1, 30],
        currency: app_commands.Range[str, 3, 3] | None = None,
    ) -> None:
        ctx = await self._context(interaction)
        locale = locale_of(interaction)
        if amount.strip().casefold() in _NO_GOAL:
            await earnings_db.set_goal(self.bot.db, interaction.user.id, None, None, self._now())
            await reply(interaction, t("earnings.goal.cleared", locale))
            return
        cents, code = rules.parse_money(amount, ctx.currency, allow_zero=False, explicit=currency)
        await earnings_db.set_goal(self.bot.db, interaction.user.id, cents, code, self._now())
        await reply(interaction, t("earnings.goal.set", locale, amount=money(cents, code, locale)))

    @app_commands.command(
        name=ls("earnings.settings.name"), description=ls("earnings.settings.description")
    )
    @app_commands.autocomplete(
        timezone=EarningsBase.timezone_autocomplete, currency=EarningsBase.currency_autocomplete
    )
    async def settings(
        self,
        interaction: discord.Interaction[Entraide],
        timezone: app_commands.Range[str, 1, 64] | None = None,
        minimum_wage: app_commands.Range[str, 1, 30] | None = None,
        currency: app_commands.Range[str, 3, 3] | None = None,
        reset: bool = False,
    ) -> None:
        ctx = await self._context(interaction)
        now = self._now()
        db = self.bot.db
        user_id = interaction.user.id
        # validate everything first, so a bad value stores nothing at all
        zone = rules.normalize_timezone(timezone) if timezone else None
        wage: tuple[int, str] | None = None
        if minimum_wage is not None:
            wage = rules.parse_money(minimum_wage, ctx.currency, explicit=currency)
        elif currency is not None:
            normalize_currency(currency)
            raise UserError("earnings.errors.currency_needs_wage")
        async with db.transaction():
            if reset:
                await members_db.set_timezone(db, user_id, None, now)
                await earnings_db.set_wage(db, user_id, None, None, now)
            if zone is not None:
                await members_db.set_timezone(db, user_id, zone, now)
            if wage is not None:
                await earnings_db.set_wage(db, user_id, wage[0], wage[1], now)
        ctx = await self._context(interaction)
        await reply(interaction, embed=settings_embed(ctx, locale_of(interaction)))

    async def _share(self, interaction: discord.Interaction[Entraide], on: bool) -> None:
        if interaction.guild_id is None:
            raise UserError("common.errors.guild_only")
        await earnings_db.set_sharing(
            self.bot.db, interaction.guild_id, interaction.user.id, on, self._now()
        )

    @app_commands.command(
        name=ls("earnings.share.on.name"), description=ls("earnings.share.on.description")
    )
    async def share_on(self, interaction: discord.Interaction[Entraide]) -> None:
        await self._share(interaction, True)
        await reply(
            interaction, t("earnings.share.on.done", locale_of(interaction), floor=K_ANONYMITY)
        )

    @app_commands.command(
        name=ls("earnings.share.off.name"), description=ls("earnings.share.off.description")
    )
    async def share_off(self, interaction: discord.Interaction[Entraide]) -> None:
        await self._share(interaction, False)
        await reply(interaction, t("earnings.share.off.done", locale_of(interaction)))


def settings_embed(ctx: earnings_db.MemberContext, locale: str) -> discord.Embed:
    """The member's settings, each marked when it is the server's default."""
    embed = discord.Embed(title=t("earnings.settings.title", locale), colour=Colours.INFO)
    default = t("earnings.settings.server_default", locale)
    zone = ctx.timezone + ("" if ctx.member_timezone else f" ({default})")
    embed.add_field(name=t("earnings.settings.timezone", locale), value=zone, inline=False)
    cents, code = ctx.wage
    wage = per_hour(cents, code, locale) + (
        "" if ctx.min_wage_cents is not None else f" ({default})"
    )
    embed.add_field(name=t("earnings.settings.minimum_wage", locale), value=wage, inline=False)
    goal = ctx.goal
    embed.add_field(
        name=t("earnings.settings.goal", locale),
        value=money(goal[0], goal[1], locale) if goal else t("earnings.settings.no_goal", locale),
        inline=False,
    )
    embed.add_field(
        name=t("earnings.settings.sharing", locale),
        value=t("common.yes_no.yes" if ctx.sharing else "common.yes_no.no", locale),
        inline=False,
    )
    embed.set_footer(text=t("earnings.common.private_footer", locale))
    return embed
