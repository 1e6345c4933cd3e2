"""What every `/earnings` and `/shift` command family shares.

The two slash groups, the option choices, and `EarningsBase`: the member's context and
today's date in their zone, and the autocomplete callbacks the families reuse. The
families themselves are mixins (`log_commands`, `report_commands`, `settings_commands`,
`transfer_commands`) that `cog.EarningsCog` composes.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.i18n import format_date, t
from bot.money import known_currencies
from bot.translator import ls
from bot.ui import locale_of, truncate
from cogs.earnings import rules
from cogs.earnings.render import entry_line
from db import earnings as earnings_db

if TYPE_CHECKING:
    from bot.bot import Entraide

Choice = app_commands.Choice

#: `/earnings …`; its sub-commands are attached in `cog.py`, in the order members see.
EARNINGS = app_commands.Group(
    name=ls("earnings.group.name"), description=ls("earnings.group.description")
)
#: `/earnings share on|off`.
SHARE = app_commands.Group(
    name=ls("earnings.share.name"),
    description=ls("earnings.share.description"),
    parent=EARNINGS,
)

STATUS_CHOICES = [Choice(name=ls(f"earnings.status.{s}"), value=s) for s in rules.STATUSES]
PERIOD_CHOICES = [
    Choice(name=ls(f"earnings.period.{p}"), value=p) for p in rules.PERIODS if p != "custom"
]
REASON_CHOICES = [
    Choice(name=ls(f"earnings.reason.{r}"), value=r) for r in rules.MEMBER_UNPAID_REASONS
]
COMMON_CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "INR", "PHP", "BRL", "MXN", "NGN", "KES")


class EarningsBase:
    """The bot, the member's context, and autocomplete shared by the command families."""

    def __init__(self, bot: Entraide) -> None:
        self.bot = bot

    def _now(self) -> int:
        """The bot clock's current instant, as stored (epoch seconds)."""
        return int(self.bot.clock.now().timestamp())

    async def _context(
        self, interaction: discord.Interaction[Entraide]
    ) -> earnings_db.MemberContext:
        return await earnings_db.context(self.bot.db, interaction.user.id, interaction.guild_id)

    def _today(self, ctx: earnings_db.MemberContext) -> date:
        return rules.local_today(self.bot.clock.now(), ctx.timezone)

    # -- autocomplete ----------------------------------------------------------------------

    async def platform_autocomplete(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[Choice[str]]:
        own = await earnings_db.own_platforms(self.bot.db, interaction.user.id)
        return [Choice(name=p, value=p) for p in rules.platform_suggestions(current, own)]

    async def currency_autocomplete(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[Choice[str]]:
        wanted = (current or "").strip().upper()
        picks = [c for c in COMMON_CURRENCIES if c.startswith(wanted)]
        picks += sorted(c for c in known_currencies() if c.startswith(wanted) and c not in picks)
        return [Choice(name=c, value=c) for c in picks[:25]]

    async def requester_autocomplete(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[Choice[str]]:
        names = await earnings_db.own_requesters(self.bot.db, interaction.user.id, current)
        return [Choice(name=n[:100], value=n[:100]) for n in names]

    async def date_autocomplete(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[Choice[str]]:
        ctx = await self._context(interaction)
        locale = locale_of(interaction)
        today = self._today(ctx)
        choices = []
        for n, day in enumerate(rules.recent_days(today)):
            label = format_date(day, locale, "full")
            if n == 0:
                label = f"{t('earnings.common.today', locale)} — {label}"
            elif n == 1:
                label = f"{t('earnings.common.yesterday', locale)} — {label}"
            if (
                not current
                or current.strip() in day.isoformat()
                or current.casefold() in label.casefold()
            ):
                choices.append(Choice(name=label[:100], value=day.isoformat()))
        return choices[:25]

    async def entry_autocomplete(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[Choice[int]]:
        entries = await earnings_db.recent_entries(
            self.bot.db, interaction.user.id, typed=str(current or "")
        )
        locale = locale_of(interaction)
        return [
            Choice(name=truncate(entry_line(e, locale, plain=True), 100), value=e.number)
            for e in entries
        ]

    async def timezone_autocomplete(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[Choice[str]]:
        return [Choice(name=z, value=z) for z in rules.timezone_suggestions(current)]
