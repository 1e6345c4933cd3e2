"""Reading the log back: `/earnings summary` (with its chart) and `/earnings community`.

A member's summary is theirs alone; the community figures are the published snapshot
(`community.snapshot`), the same one the platform commands and the digest show.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot import offload
from bot.errors import UserError
from bot.i18n import t
from bot.translator import ls
from bot.ui import locale_of, reply
from cogs.earnings import chart as charts
from cogs.earnings import community, rules
from cogs.earnings import summary as summaries
from cogs.earnings.base import PERIOD_CHOICES, Choice, EarningsBase
from cogs.earnings.maths import goal_progress
from cogs.earnings.render import community_embed, period_label, summary_embed
from cogs.earnings.stats import K_ANONYMITY

if TYPE_CHECKING:
    from bot.bot import Entraide


class ReportCommands(EarningsBase):
    """A member's own summary and the server's community statistics."""

    @app_commands.command(
        name=ls("earnings.summary.name"), description=ls("earnings.summary.description")
    )
    @app_commands.choices(period=PERIOD_CHOICES)
    async def summary(
        self,
        interaction: discord.Interaction[Entraide],
        period: str = "week",
        start: app_commands.Range[str, 10, 10] | None = None,
        end: app_commands.Range[str, 10, 10] | None = None,
        chart: bool = False,
    ) -> None:
        ctx = await self._context(interaction)
        today = self._today(ctx)
        span = rules.period_range(period, today, start, end)
        locale = locale_of(interaction)
        if chart:
            await interaction.response.defer(ephemeral=True, thinking=True)
        result = await summaries.summary(self.bot.db, interaction.user.id, span)
        goal = None
        if ctx.goal and span.start <= today <= span.end:
            goal = goal_progress(result, today, *ctx.goal)
        embed = summary_embed(result, ctx, locale, goal=goal)
        if not chart or result.is_empty or not result.currencies:
            await reply(interaction, embed=embed)
            return
        wage_cents, wage_currency = ctx.wage
        currency = wage_currency if result.totals(wage_currency) else result.currencies[0].currency
        spec = charts.chart_spec(
            result,
            currency,
            wage_cents if currency == wage_currency else None,
            chart_text(locale, currency, span),
        )
        # a process, not a thread: matplotlib holds the GIL while it draws
        png = await offload.run_cpu(charts.render_png, spec)
        embed.set_image(url="attachment://earnings.png")
        await reply(interaction, embed=embed, file=discord.File(io.BytesIO(png), "earnings.png"))

    @app_commands.command(
        name=ls("earnings.community.name"), description=ls("earnings.community.description")
    )
    @app_commands.choices(
        period=[Choice(name=ls(f"earnings.period.{p}"), value=p) for p in ("week", "last_week")]
    )
    async def community(
        self, interaction: discord.Interaction[Entraide], period: str = "week"
    ) -> None:
        if interaction.guild_id is None:
            raise UserError("common.errors.guild_only")
        ctx = await self._context(interaction)
        # whole weeks of the server's calendar, so every member looks at the same days
        today = rules.local_today(self.bot.clock.now(), ctx.guild_timezone)
        span = (
            rules.period_range("last_week", today)
            if period == "last_week"
            else rules.Period("week", *rules.week_of(today))
        )
        stats = await community.snapshot(
            self.bot.db, interaction.guild_id, span.start, span.end, self.bot.clock.now()
        )
        await reply(
            interaction,
            embed=community_embed(stats, span, locale_of(interaction), ctx.sharing, K_ANONYMITY),
        )


def chart_text(locale: str, currency: str, span: rules.Period) -> charts.ChartText:
    """The chart's words in the member's language (drawn in another process)."""
    return charts.ChartText(
        title=t(
            "earnings.chart.title", locale, period=period_label(span, locale), currency=currency
        ),
        approved=t("earnings.status.approved", locale),
        pending=t("earnings.status.pending", locale),
        lost=t("earnings.chart.lost", locale),
        hourly=t("earnings.chart.hourly", locale),
        min_wage=t("earnings.chart.min_wage", locale),
        money_axis=t("earnings.chart.money_axis", locale, currency=currency),
        hourly_axis=t("earnings.chart.hourly_axis", locale, currency=currency),
        date_format="%d/%m" if locale == "fr" else "%m/%d",
    )
