"""Writing and fixing the log: `/earnings log|bonus|unpaid` and `status|pending|recent|delete`.

Every value goes through `rules` the same way an imported row does; the answer is the
stored entry's card, with the daily goal's progress when the entry counts towards it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.errors import UserError
from bot.i18n import t
from bot.translator import ls
from bot.ui import Colours, locale_of, reply
from cogs.earnings import rules
from cogs.earnings.base import REASON_CHOICES, STATUS_CHOICES, EarningsBase
from cogs.earnings.maths import GoalProgress
from cogs.earnings.render import deleted_card, entry_card, entry_line, goal_text
from cogs.earnings.views import PendingView, entry_view, pending_embed
from db import earnings as earnings_db

if TYPE_CHECKING:
    from bot.bot import Entraide

#: Entries `/earnings recent` lists; older ones are counted and `/earnings export` has all.
RECENT_SHOWN = 15


class LogCommands(EarningsBase):
    """Logging tasks, bonuses and unpaid time, and fixing what was logged."""

    async def _log(
        self,
        interaction: discord.Interaction[Entraide],
        ctx: earnings_db.MemberContext,
        entry: earnings_db.NewEntry,
    ) -> None:
        stored = await earnings_db.add_entry(self.bot.db, interaction.user.id, entry, self._now())
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

    async def _log_paid(
        self,
        interaction: discord.Interaction[Entraide],
        *,
        kind: str,
        amount: str,
        minutes: int | None,
        platform: str,
        currency: str | None,
        status: str,
        requester: str | None,
        title: str | None,
        date: str | None,
    ) -> None:
        """A task or a bonus: validated in the order the options are shown, then logged.

        A task may be worth nothing (a qualification that paid zero) and needs minutes; a
        bonus needs money and takes no time; their statuses default differently.
        """
        ctx = await self._context(interaction)
        task = kind == "task"
        cents, code = rules.parse_money(amount, ctx.currency, allow_zero=task, explicit=currency)
        entry = earnings_db.NewEntry(
            kind=kind,
            work_date=rules.parse_work_date(date, self._today(ctx)).isoformat(),
            status=rules.normalize_status(status, default="pending" if task else "approved"),
            amount_cents=cents,
            currency=code,
            minutes=rules.check_minutes(minutes) if task else 0,
            platform=rules.normalize_platform(platform),
            requester_name=rules.clean_text(requester, rules.MAX_REQUESTER, "requester"),
            title=rules.clean_text(title, rules.MAX_TITLE, "title"),
        )
        await self._log(interaction, ctx, entry)

    # -- logging ------------------------------------------------------------------------------

    @app_commands.command(name=ls("earnings.log.name"), description=ls("earnings.log.description"))
    @app_commands.choices(status=STATUS_CHOICES)
    @app_commands.autocomplete(
        platform=EarningsBase.platform_autocomplete,
        currency=EarningsBase.currency_autocomplete,
        requester=EarningsBase.requester_autocomplete,
        date=EarningsBase.date_autocomplete,
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
        await self._log_paid(
            interaction,
            kind="task",
            amount=amount,
            minutes=minutes,
            platform=platform,
            currency=currency,
            status=status,
            requester=requester,
            title=title,
            date=date,
        )

    @app_commands.command(
        name=ls("earnings.bonus.name"), description=ls("earnings.bonus.description")
    )
    @app_commands.choices(status=STATUS_CHOICES)
    @app_commands.autocomplete(
        platform=EarningsBase.platform_autocomplete,
        currency=EarningsBase.currency_autocomplete,
        requester=EarningsBase.requester_autocomplete,
        date=EarningsBase.date_autocomplete,
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
        await self._log_paid(
            interaction,
            kind="bonus",
            amount=amount,
            minutes=None,
            platform=platform,
            currency=currency,
            status=status,
            requester=requester,
            title=note,
            date=date,
        )

    @app_commands.command(
        name=ls("earnings.unpaid.name"), description=ls("earnings.unpaid.description")
    )
    @app_commands.choices(reason=REASON_CHOICES)
    @app_commands.autocomplete(
        platform=EarningsBase.platform_autocomplete, date=EarningsBase.date_autocomplete
    )
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

    @app_commands.command(
        name=ls("earnings.status.name"), description=ls("earnings.status.description")
    )
    @app_commands.choices(status=STATUS_CHOICES)
    @app_commands.autocomplete(entry=EarningsBase.entry_autocomplete)
    async def set_status(
        self,
        interaction: discord.Interaction[Entraide],
        entry: app_commands.Range[int, 1, 10_000_000],
        status: str,
    ) -> None:
        new_status = rules.normalize_status(status)
        updated = await earnings_db.set_status(
            self.bot.db, interaction.user.id, int(entry), new_status, self._now()
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

    @app_commands.command(
        name=ls("earnings.pending.name"), description=ls("earnings.pending.description")
    )
    async def pending(self, interaction: discord.Interaction[Entraide]) -> None:
        entries, total = await earnings_db.pending_entries(self.bot.db, interaction.user.id)
        locale = locale_of(interaction)
        view = PendingView(interaction.user.id, entries, locale) if entries else None
        await reply(interaction, embed=pending_embed(entries, total, locale), view=view)
        if view is not None:
            view.message = await interaction.original_response()

    @app_commands.command(
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

    @app_commands.command(
        name=ls("earnings.delete.name"), description=ls("earnings.delete.description")
    )
    @app_commands.autocomplete(entry=EarningsBase.entry_autocomplete)
    async def delete(
        self,
        interaction: discord.Interaction[Entraide],
        entry: app_commands.Range[int, 1, 10_000_000],
    ) -> None:
        removed = await earnings_db.delete_entry(self.bot.db, interaction.user.id, int(entry))
        if removed is None:
            raise UserError("earnings.errors.no_entry", number=int(entry))
        await reply(interaction, embed=deleted_card(removed, locale_of(interaction)))
