"""`/earnings …`: a member's private log of what they earn and the time it really takes.

Every answer is ephemeral and every query is scoped to the member who asked: nothing about
one member's earnings is ever shown to anyone else. The only shared output is the
community statistics, computed from members who opted in, and only where at least
`stats.K_ANONYMITY` of them contribute.
"""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import date
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import offload
from bot.errors import UserError
from bot.i18n import Number, Text, format_date, t
from bot.money import known_currencies, normalize_currency
from bot.translator import ls
from bot.ui import Colours, locale_of, reply, safe_text, truncate
from cogs.earnings import chart as charts
from cogs.earnings import community, csv_export, csv_formats, csvio, rules
from cogs.earnings import summary as summaries
from cogs.earnings.maths import GoalProgress, goal_progress
from cogs.earnings.render import (
    community_embed,
    deleted_card,
    entry_card,
    entry_line,
    goal_text,
    money,
    per_hour,
    period_label,
    summary_embed,
)
from cogs.earnings.stats import K_ANONYMITY
from cogs.earnings.views import (
    EntryButton,
    FromAlertButton,
    PendingView,
    entry_view,
    pending_embed,
)
from cogs.privacy.rules import fit_attachment
from db import earnings as earnings_db
from db import members as members_db

if TYPE_CHECKING:
    from bot.bot import Entraide

log = logging.getLogger(__name__)

#: Entries `/earnings recent` lists; older ones are counted and `/earnings export` has all.
RECENT_SHOWN = 15

Choice = app_commands.Choice

STATUS_CHOICES = [Choice(name=ls(f"earnings.status.{s}"), value=s) for s in rules.STATUSES]
PERIOD_CHOICES = [
    Choice(name=ls(f"earnings.period.{p}"), value=p) for p in rules.PERIODS if p != "custom"
]
REASON_CHOICES = [
    Choice(name=ls(f"earnings.reason.{r}"), value=r) for r in rules.MEMBER_UNPAID_REASONS
]
FORMAT_CHOICES = [Choice(name=ls(f"earnings.import.format_{f}"), value=f) for f in csvio.FORMATS]
COMMON_CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "INR", "PHP", "BRL", "MXN", "NGN", "KES")


def _epoch(bot: Entraide) -> int:
    return int(bot.clock.now().timestamp())


def _minutes_or_none(value: int | None) -> int | None:
    return None if value is None else int(value)


class EarningsCog(commands.Cog):
    """The private earnings log, its settings, summaries, import/export and sharing."""

    earnings = app_commands.Group(
        name=ls("earnings.group.name"), description=ls("earnings.group.description")
    )
    share = app_commands.Group(
        name=ls("earnings.share.name"),
        description=ls("earnings.share.description"),
        parent=earnings,
    )

    def __init__(self, bot: Entraide) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(EntryButton, FromAlertButton)
        self.bot.privacy.register(
            "earnings",
            earnings_db.export_member,
            earnings_db.erase_member,
            (
                "earnings.user_id",
                "earnings_daily.user_id",
                "earnings_prefs.user_id",
                "earnings_sharing.user_id",
                "shifts.user_id",
            ),
        )
        # Leaving a server (even while the bot is offline) stops feeding its statistics.
        self.bot.membership.register(
            "earnings", earnings_db.sharing_member_ids, earnings_db.forget_guild_sharing_many
        )

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(EntryButton, FromAlertButton)
        self.bot.privacy.unregister("earnings")
        self.bot.membership.unregister("earnings")

    # -- helpers ---------------------------------------------------------------------------

    async def _context(
        self, interaction: discord.Interaction[Entraide]
    ) -> earnings_db.MemberContext:
        return await earnings_db.context(self.bot.db, interaction.user.id, interaction.guild_id)

    def _today(self, ctx: earnings_db.MemberContext) -> date:
        return rules.local_today(self.bot.clock.now(), ctx.timezone)

    async def _log(
        self,
        interaction: discord.Interaction[Entraide],
        ctx: earnings_db.MemberContext,
        entry: earnings_db.NewEntry,
    ) -> None:
        stored = await earnings_db.add_entry(
            self.bot.db, interaction.user.id, entry, _epoch(self.bot)
        )
        locale = locale_of(interaction)
        note = None
        goal = ctx.goal
        if goal and stored.kind != "unpaid" and stored.currency == goal[1]:
            today = self._today(ctx)
            if stored.work_date == today.isoformat():
                earned = await earnings_db.day_earned(
                    self.bot.db, interaction.user.id, today, goal[1]
                )
                progress = GoalProgress(goal[0], goal[1], earned, days_met=0, days_worked=0)
                note = goal_text(progress, locale, multi_day=False)
        await reply(
            interaction,
            embed=entry_card(stored, locale, note=note),
            view=entry_view(stored, locale),
        )

    # -- autocomplete ------------------------------------------------------------------------

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

    # -- logging ------------------------------------------------------------------------------

    @earnings.command(name=ls("earnings.log.name"), description=ls("earnings.log.description"))
    @app_commands.choices(status=STATUS_CHOICES)
    @app_commands.autocomplete(
        platform=platform_autocomplete,
        currency=currency_autocomplete,
        requester=requester_autocomplete,
        date=date_autocomplete,
    )
    async def log_task(  # noqa: PLR0917 - slash options
        self,
        interaction: discord.Interaction[Entraide],
        amount: app_commands.Range[str, 1, 30],
        minutes: app_commands.Range[int, 1, rules.MAX_MINUTES],
        platform: app_commands.Range[str, 1, rules.MAX_PLATFORM],
        currency: app_commands.Range[str, 3, 3] | None = None,
        status: str = "pending",
        requester: app_commands.Range[str, 1, rules.MAX_REQUESTER] | None = None,
        title: app_commands.Range[str, 1, rules.MAX_TITLE] | None = None,
        date: app_commands.Range[str, 1, 20] | None = None,
    ) -> None:
        ctx = await self._context(interaction)
        cents, code = rules.parse_money(amount, ctx.currency, explicit=currency)
        entry = earnings_db.NewEntry(
            kind="task",
            work_date=rules.parse_work_date(date, self._today(ctx)).isoformat(),
            status=rules.normalize_status(status),
            amount_cents=cents,
            currency=code,
            minutes=rules.check_minutes(minutes),
            platform=rules.normalize_platform(platform),
            requester_name=rules.clean_text(requester, rules.MAX_REQUESTER, "requester"),
            title=rules.clean_text(title, rules.MAX_TITLE, "title"),
        )
        await self._log(interaction, ctx, entry)

    @earnings.command(name=ls("earnings.bonus.name"), description=ls("earnings.bonus.description"))
    @app_commands.choices(status=STATUS_CHOICES)
    @app_commands.autocomplete(
        platform=platform_autocomplete,
        currency=currency_autocomplete,
        requester=requester_autocomplete,
        date=date_autocomplete,
    )
    async def log_bonus(  # noqa: PLR0917 - slash options
        self,
        interaction: discord.Interaction[Entraide],
        amount: app_commands.Range[str, 1, 30],
        platform: app_commands.Range[str, 1, rules.MAX_PLATFORM],
        currency: app_commands.Range[str, 3, 3] | None = None,
        requester: app_commands.Range[str, 1, rules.MAX_REQUESTER] | None = None,
        note: app_commands.Range[str, 1, rules.MAX_TITLE] | None = None,
        date: app_commands.Range[str, 1, 20] | None = None,
        status: str = "approved",
    ) -> None:
        ctx = await self._context(interaction)
        cents, code = rules.parse_money(amount, ctx.currency, allow_zero=False, explicit=currency)
        entry = earnings_db.NewEntry(
            kind="bonus",
            work_date=rules.parse_work_date(date, self._today(ctx)).isoformat(),
            status=rules.normalize_status(status, default="approved"),
            amount_cents=cents,
            currency=code,
            minutes=0,
            platform=rules.normalize_platform(platform),
            requester_name=rules.clean_text(requester, rules.MAX_REQUESTER, "requester"),
            title=rules.clean_text(note, rules.MAX_TITLE, "title"),
        )
        await self._log(interaction, ctx, entry)

    @earnings.command(
        name=ls("earnings.unpaid.name"), description=ls("earnings.unpaid.description")
    )
    @app_commands.choices(reason=REASON_CHOICES)
    @app_commands.autocomplete(platform=platform_autocomplete, date=date_autocomplete)
    async def log_unpaid(
        self,
        interaction: discord.Interaction[Entraide],
        minutes: app_commands.Range[int, 1, rules.MAX_MINUTES],
        reason: str = "searching",
        platform: app_commands.Range[str, 1, rules.MAX_PLATFORM] | None = None,
        date: app_commands.Range[str, 1, 20] | None = None,
    ) -> None:
        ctx = await self._context(interaction)
        if reason not in rules.MEMBER_UNPAID_REASONS:
            raise UserError("earnings.errors.bad_reason", reason=str(reason)[:20])
        entry = earnings_db.NewEntry(
            kind="unpaid",
            work_date=rules.parse_work_date(date, self._today(ctx)).isoformat(),
            minutes=rules.check_minutes(minutes),
            platform=rules.normalize_platform(platform, required=False),
            reason=rules.normalize_reason(reason),
        )
        await self._log(interaction, ctx, entry)

    # -- fixing entries -------------------------------------------------------------------------

    @earnings.command(
        name=ls("earnings.status.name"), description=ls("earnings.status.description")
    )
    @app_commands.choices(status=STATUS_CHOICES)
    @app_commands.autocomplete(entry=entry_autocomplete)
    async def set_status(
        self,
        interaction: discord.Interaction[Entraide],
        entry: app_commands.Range[int, 1, 10_000_000],
        status: str,
    ) -> None:
        new_status = rules.normalize_status(status)
        updated = await earnings_db.set_status(
            self.bot.db, interaction.user.id, int(entry), new_status, _epoch(self.bot)
        )
        if updated is None:
            existing = await earnings_db.entry_by_number(
                self.bot.db, interaction.user.id, int(entry)
            )
            if existing is not None and existing.kind == "unpaid":
                raise UserError("earnings.errors.unpaid_has_no_status", number=int(entry))
            raise UserError("earnings.errors.no_entry", number=int(entry))
        locale = locale_of(interaction)
        await reply(
            interaction, embed=entry_card(updated, locale), view=entry_view(updated, locale)
        )

    @earnings.command(
        name=ls("earnings.pending.name"), description=ls("earnings.pending.description")
    )
    async def pending(self, interaction: discord.Interaction[Entraide]) -> None:
        entries, total = await earnings_db.pending_entries(self.bot.db, interaction.user.id)
        locale = locale_of(interaction)
        view = PendingView(interaction.user.id, entries, locale) if entries else None
        await reply(interaction, embed=pending_embed(entries, total, locale), view=view)
        if view is not None:
            view.message = await interaction.original_response()

    @earnings.command(
        name=ls("earnings.recent.name"), description=ls("earnings.recent.description")
    )
    async def recent(self, interaction: discord.Interaction[Entraide]) -> None:
        entries = await earnings_db.recent_entries(
            self.bot.db, interaction.user.id, limit=RECENT_SHOWN
        )
        locale = locale_of(interaction)
        if not entries:
            embed = discord.Embed(
                title=t("earnings.recent.title", locale),
                description=t("earnings.recent.none", locale),
                colour=Colours.MUTED,
            )
        else:
            embed = discord.Embed(
                title=t("earnings.recent.title", locale),
                description="\n".join(entry_line(e, locale) for e in entries),
                colour=Colours.INFO,
            )
            if len(entries) == RECENT_SHOWN:
                total = await earnings_db.entry_count(self.bot.db, interaction.user.id)
                if total > RECENT_SHOWN:
                    embed.description += "\n" + t(
                        "earnings.recent.more", locale, count=total - RECENT_SHOWN
                    )
            embed.set_footer(text=t("earnings.recent.how", locale))
        await reply(interaction, embed=embed)

    @earnings.command(
        name=ls("earnings.delete.name"), description=ls("earnings.delete.description")
    )
    @app_commands.autocomplete(entry=entry_autocomplete)
    async def delete(
        self,
        interaction: discord.Interaction[Entraide],
        entry: app_commands.Range[int, 1, 10_000_000],
    ) -> None:
        removed = await earnings_db.delete_entry(self.bot.db, interaction.user.id, int(entry))
        if removed is None:
            raise UserError("earnings.errors.no_entry", number=int(entry))
        await reply(interaction, embed=deleted_card(removed, locale_of(interaction)))

    # -- summary ----------------------------------------------------------------------------------

    @earnings.command(
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

    # -- settings ----------------------------------------------------------------------------------

    @earnings.command(name=ls("earnings.goal.name"), description=ls("earnings.goal.description"))
    @app_commands.autocomplete(currency=currency_autocomplete)
    async def goal(
        self,
        interaction: discord.Interaction[Entraide],
        amount: app_commands.Range[str, 1, 30],
        currency: app_commands.Range[str, 3, 3] | None = None,
    ) -> None:
        ctx = await self._context(interaction)
        locale = locale_of(interaction)
        if amount.strip().casefold() in {"off", "none", "aucun", "non", "0"}:
            await earnings_db.set_goal(
                self.bot.db, interaction.user.id, None, None, _epoch(self.bot)
            )
            await reply(interaction, t("earnings.goal.cleared", locale))
            return
        cents, code = rules.parse_money(amount, ctx.currency, allow_zero=False, explicit=currency)
        await earnings_db.set_goal(self.bot.db, interaction.user.id, cents, code, _epoch(self.bot))
        await reply(interaction, t("earnings.goal.set", locale, amount=money(cents, code, locale)))

    @earnings.command(
        name=ls("earnings.settings.name"), description=ls("earnings.settings.description")
    )
    @app_commands.autocomplete(timezone=timezone_autocomplete, currency=currency_autocomplete)
    async def settings(
        self,
        interaction: discord.Interaction[Entraide],
        timezone: app_commands.Range[str, 1, 64] | None = None,
        minimum_wage: app_commands.Range[str, 1, 30] | None = None,
        currency: app_commands.Range[str, 3, 3] | None = None,
        reset: bool = False,
    ) -> None:
        ctx = await self._context(interaction)
        now = _epoch(self.bot)
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

    # -- sharing and community statistics -------------------------------------------------------

    @share.command(
        name=ls("earnings.share.on.name"), description=ls("earnings.share.on.description")
    )
    async def share_on(self, interaction: discord.Interaction[Entraide]) -> None:
        if interaction.guild_id is None:
            raise UserError("common.errors.guild_only")
        await earnings_db.set_sharing(
            self.bot.db, interaction.guild_id, interaction.user.id, True, _epoch(self.bot)
        )
        await reply(
            interaction, t("earnings.share.on.done", locale_of(interaction), floor=K_ANONYMITY)
        )

    @share.command(
        name=ls("earnings.share.off.name"), description=ls("earnings.share.off.description")
    )
    async def share_off(self, interaction: discord.Interaction[Entraide]) -> None:
        if interaction.guild_id is None:
            raise UserError("common.errors.guild_only")
        await earnings_db.set_sharing(
            self.bot.db, interaction.guild_id, interaction.user.id, False, _epoch(self.bot)
        )
        await reply(interaction, t("earnings.share.off.done", locale_of(interaction)))

    @earnings.command(
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

    # -- import / export -------------------------------------------------------------------

    @earnings.command(
        name=ls("earnings.export.name"), description=ls("earnings.export.description")
    )
    async def export(self, interaction: discord.Interaction[Entraide]) -> None:
        locale = locale_of(interaction)
        entries = await earnings_db.all_entries(self.bot.db, interaction.user.id)
        if not entries:
            raise UserError("earnings.export.nothing")
        data = await asyncio.to_thread(csv_export.export_csv, entries)
        name, payload = fit_attachment("entraide-earnings.csv", data, _size_limit(interaction))
        await reply(
            interaction,
            t("earnings.export.done", locale, count=len(entries)),
            file=discord.File(io.BytesIO(payload), name),
        )

    @earnings.command(
        name=ls("earnings.import.name"), description=ls("earnings.import.description")
    )
    @app_commands.choices(file_format=FORMAT_CHOICES)
    async def import_file(
        self,
        interaction: discord.Interaction[Entraide],
        file: discord.Attachment,
        file_format: str = "auto",
        minutes_per_task: app_commands.Range[int, 1, rules.MAX_MINUTES] | None = None,
    ) -> None:
        locale = locale_of(interaction)
        if file.size > csvio.MAX_BYTES:
            raise UserError("earnings.import.too_big", limit="5 MB")
        if file_format not in csvio.FORMATS:
            raise UserError("earnings.import.unknown_columns")
        if minutes_per_task is not None:
            rules.check_minutes(int(minutes_per_task))
        ctx = await self._context(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await file.read()
        except discord.HTTPException:
            raise UserError("earnings.import.unreadable") from None
        options = csv_formats.ImportOptions(
            today=self._today(ctx),
            timezone=ctx.timezone,
            default_currency=ctx.currency,
            minutes_per_task=_minutes_or_none(minutes_per_task),
            fmt=file_format,
        )
        parsed = await asyncio.to_thread(csvio.parse_import, data, options)
        if parsed.errors:
            await reply(interaction, import_errors_text(parsed, locale))
            return
        outcome = await earnings_db.import_entries(
            self.bot.db, interaction.user.id, parsed.entries, _epoch(self.bot)
        )
        await reply(
            interaction,
            t(
                "earnings.import.done",
                locale,
                added=outcome.added,
                skipped=outcome.skipped,
                format=t(f"earnings.import.format_{parsed.format}", locale),
                first=parsed.first or "—",
                last=parsed.last or "—",
            ),
        )


# -- helpers shared by commands ------------------------------------------------------------------


def _size_limit(interaction: discord.Interaction[Entraide]) -> int:
    return int(getattr(interaction, "filesize_limit", 0) or 8 * 1024 * 1024)


def chart_text(locale: str, currency: str, span: rules.Period) -> charts.ChartText:
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


def import_errors_text(parsed: csvio.ParsedImport, locale: str) -> str:
    lines = [t("earnings.import.refused", locale, count=len(parsed.errors))]
    for error in parsed.errors[: csvio.SHOWN_ERRORS]:
        params = {
            k: v if isinstance(v, Text | Number) else safe_text(str(v), 60)
            for k, v in error.params.items()
        }
        problem = t(error.key, locale, **params)
        lines.append(t("earnings.import.line", locale, line=error.line, problem=problem))
    if len(parsed.errors) > csvio.SHOWN_ERRORS:
        lines.append(
            t("earnings.import.more_errors", locale, count=len(parsed.errors) - csvio.SHOWN_ERRORS)
        )
    return truncate("\n".join(lines), 1900)


def settings_embed(ctx: earnings_db.MemberContext, locale: str) -> discord.Embed:
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
