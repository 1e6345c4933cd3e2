"""`/shift start|stop|cancel`: a work timer, so time between tasks counts as unpaid time.

Members rarely log the minutes spent looking for the next task. A shift records the whole
session; when it stops, whatever the entries logged during it do not cover is recorded
as unpaid "between tasks" time, and the effective hourly includes it.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.clock import from_epoch
from bot.errors import UserError
from bot.i18n import format_datetime, t
from bot.translator import ls
from bot.ui import Colours, locale_of, reply, safe_text
from cogs.earnings import rules
from cogs.earnings.render import duration
from db import earnings as earnings_db

if TYPE_CHECKING:
    from bot.bot import Entraide

log = logging.getLogger(__name__)


class ShiftCog(commands.Cog):
    shift = app_commands.Group(
        name=ls("earnings.shift.group.name"), description=ls("earnings.shift.group.description")
    )

    def __init__(self, bot: Entraide) -> None:
        self.bot = bot

    def _now(self) -> int:
        return int(self.bot.clock.now().timestamp())

    async def platform_autocomplete(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[app_commands.Choice[str]]:
        own = await earnings_db.own_platforms(self.bot.db, interaction.user.id)
        return [
            app_commands.Choice(name=p, value=p) for p in rules.platform_suggestions(current, own)
        ]

    @shift.command(
        name=ls("earnings.shift.start.name"), description=ls("earnings.shift.start.description")
    )
    @app_commands.autocomplete(platform=platform_autocomplete)
    async def start(
        self,
        interaction: discord.Interaction[Entraide],
        platform: app_commands.Range[str, 1, rules.MAX_PLATFORM] | None = None,
    ) -> None:
        locale = locale_of(interaction)
        name = rules.normalize_platform(platform, required=False)
        ctx = await earnings_db.context(self.bot.db, interaction.user.id, interaction.guild_id)
        now = self._now()
        started = await earnings_db.start_shift(
            self.bot.db,
            interaction.user.id,
            name,
            now,
            start_day=rules.local_date_of(now, ctx.timezone).isoformat(),
        )
        if started is None:
            running = await earnings_db.open_shift(self.bot.db, interaction.user.id)
            since = (
                format_datetime(from_epoch(running.started_at), locale, ctx.timezone, "short")
                if running
                else "?"
            )
            raise UserError("earnings.shift.already_running", since=since)
        embed = discord.Embed(
            title=t("earnings.shift.start.title", locale),
            description=t("earnings.shift.start.body", locale),
            colour=Colours.INFO,
        )
        if name:
            embed.add_field(name=t("earnings.entry.platform", locale), value=safe_text(name, 40))
        await reply(interaction, embed=embed)

    @shift.command(
        name=ls("earnings.shift.stop.name"), description=ls("earnings.shift.stop.description")
    )
    async def stop(
        self,
        interaction: discord.Interaction[Entraide],
        minutes: app_commands.Range[int, 1, rules.MAX_MINUTES] | None = None,
    ) -> None:
        locale = locale_of(interaction)
        db = self.bot.db
        running = await earnings_db.open_shift(db, interaction.user.id)
        if running is None:
            raise UserError("earnings.shift.not_running")
        # Another process may have started the shift with a clock a few seconds ahead of
        # ours: end it no earlier than it began (zero length), never refuse to stop it.
        now = max(self._now(), running.started_at)
        elapsed = rules.shift_span_minutes(running.started_at, now)
        if minutes is not None:
            worked = rules.check_minutes(int(minutes))
            if worked > max(elapsed, 1):
                raise UserError(
                    "earnings.shift.more_than_elapsed", elapsed=duration(elapsed, locale)
                )
        elif elapsed > rules.MAX_MINUTES:
            raise UserError("earnings.shift.too_long", elapsed=duration(elapsed, locale))
        else:
            worked = elapsed
        ctx = await earnings_db.context(db, interaction.user.id, interaction.guild_id)
        # Dated in the zone in force when the shift started, as the member saw it then.
        start_day = (
            date.fromisoformat(running.start_day)
            if running.start_day
            else rules.local_date_of(running.started_at, ctx.timezone)
        )
        first_day, last_day = rules.shift_entry_dates(
            running.started_at, now, start_day, ctx.timezone
        )
        result = await earnings_db.finish_shift(
            db,
            interaction.user.id,
            running.id,
            now,
            worked_minutes=worked,
            work_date=start_day.isoformat(),
            first_day=first_day.isoformat(),
            last_day=last_day.isoformat(),
        )
        if result is None:
            raise UserError("earnings.shift.not_running")
        embed = discord.Embed(title=t("earnings.shift.stop.title", locale), colour=Colours.INFO)
        embed.add_field(
            name=t("earnings.shift.stop.worked", locale), value=duration(worked, locale)
        )
        embed.add_field(
            name=t("earnings.shift.stop.logged", locale),
            value=duration(min(result.logged_minutes, worked), locale),
        )
        gap = result.shift.gap_minutes or 0
        embed.add_field(name=t("earnings.shift.stop.gap", locale), value=duration(gap, locale))
        if result.entry is not None:
            embed.description = t(
                "earnings.shift.stop.recorded", locale, number=result.entry.number
            )
        else:
            embed.description = t("earnings.shift.stop.no_gap", locale)
        embed.set_footer(text=t("earnings.common.private_footer", locale))
        await reply(interaction, embed=embed)

    @shift.command(
        name=ls("earnings.shift.cancel.name"), description=ls("earnings.shift.cancel.description")
    )
    async def cancel(self, interaction: discord.Interaction[Entraide]) -> None:
        cancelled = await earnings_db.cancel_shift(self.bot.db, interaction.user.id)
        if cancelled is None:
            raise UserError("earnings.shift.not_running")
        await reply(interaction, t("earnings.shift.cancel.done", locale_of(interaction)))
