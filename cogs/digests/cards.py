"""What `/digest setup` and `/digest me` show of a schedule: the server's card, the member's.

Split from the cog, which reads the commands' options and saves them: these read the
stored settings and the ledger's last run and say, in the reader's language, when the
next digest goes out and how the last one went.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import discord

from bot.clock import to_epoch
from bot.i18n import has_key, t
from bot.ui import Colours, safe_text
from cogs.digests.rules import (
    ALL_SECTIONS,
    WEEKDAYS,
    Cadence,
    Occurrence,
    Schedule,
    format_time_of_day,
    next_occurrence,
)
from cogs.digests.runner import member_schedule, server_schedules
from db import digests

if TYPE_CHECKING:
    from db.connection import Database
    from db.digests import DigestSettings, MemberDigest


def stamp(epoch: int, style: str = "F") -> str:
    """A Discord timestamp: each reader sees it in their own zone and language."""
    return f"<t:{epoch}:{style}>"


def soonest(schedules: list[Schedule], now: datetime) -> Occurrence | None:
    """The next occurrence of any of `schedules` (None without a schedule)."""
    upcoming = [next_occurrence(s, now) for s in schedules]
    return min(upcoming, key=lambda o: o.due_at) if upcoming else None


async def settings_embed(db: Database, guild_id: int, locale: str, now: datetime) -> discord.Embed:
    """`/digest setup`'s card: on or off, where, when (next and last), which sections."""
    settings = await digests.get_settings(db, guild_id)
    assert settings is not None
    embed = discord.Embed(title=t("digests.setup.title", locale), colour=Colours.INFO)
    status = "digests.setup.status_on" if settings.active else "digests.setup.status_off"
    embed.add_field(name=t("digests.setup.status", locale), value=t(status, locale))
    channel = (
        f"<#{settings.channel_id}>"
        if settings.channel_id
        else t("digests.setup.no_channel", locale)
    )
    embed.add_field(name=t("digests.setup.channel", locale), value=channel)
    embed.add_field(
        name=t("digests.setup.schedule", locale),
        value="\n".join(schedule_lines(settings, locale)) or "—",
        inline=False,
    )
    if settings.active:
        upcoming = soonest(server_schedules(settings), now)
        if upcoming is not None:
            when = to_epoch(upcoming.due_at)
            embed.add_field(
                name=t("digests.setup.next", locale),
                value=f"{stamp(when)} ({stamp(when, 'R')})",
                inline=False,
            )
    embed.add_field(
        name=t("digests.setup.last", locale),
        value=await last_run(db, guild_id, locale),
        inline=False,
    )
    shown = [
        t(f"digests.section.{s.value}", locale)
        for s in ALL_SECTIONS
        if s.value not in settings.hidden_sections
    ]
    embed.add_field(name=t("digests.setup.sections", locale), value="\n".join(shown), inline=False)
    embed.set_footer(text=t("digests.setup.sections_hint", locale))
    return embed


async def last_run(db: Database, guild_id: int, locale: str) -> str:
    """When the last digest went out (with a link), or why the last one did not."""
    found = await digests.runs_for(db, digests.GUILD, guild_id, limit=1)
    if not found:
        return t("digests.setup.never", locale)
    run = found[0]
    when = stamp(run.due_at, "f")
    if run.status == "sent" and run.channel_id and run.message_id:
        link = f"https://discord.com/channels/{guild_id}/{run.channel_id}/{run.message_id}"
        return t("digests.setup.last_sent", locale, when=when, link=link)
    reason_key = "digests.setup.reason_" + (run.detail or "error").split(":", 1)[0]
    if not has_key(reason_key):
        reason_key = "digests.setup.reason_error"
    return t(f"digests.setup.last_{run.status}", locale, when=when, reason=t(reason_key, locale))


def schedule_lines(settings: DigestSettings, locale: str) -> list[str]:
    """The server's daily and weekly sending times, one line each."""
    time = format_time_of_day(settings.send_hour, settings.send_minute)
    zone = settings.effective_timezone
    lines = []
    if settings.daily:
        lines.append(t("digests.setup.daily_at", locale, time=time, zone=zone))
    if settings.weekly:
        day = t(f"digests.weekday.{WEEKDAYS[settings.weekday]}", locale)
        lines.append(t("digests.setup.weekly_at", locale, weekday=day, time=time, zone=zone))
    return lines


def member_embed(member: MemberDigest, locale: str, now: datetime) -> discord.Embed:
    """`/digest me`'s answer: the member's schedule, its next sending, what they chose."""
    embed = discord.Embed(title=t("digests.me.title", locale), colour=Colours.INFO)
    lines: list[str] = []
    schedule = member_schedule(member)
    if schedule is None:
        lines.append(t("digests.me.off", locale))
    else:
        time = format_time_of_day(member.send_hour, member.send_minute)
        zone = schedule.timezone
        if schedule.cadence is Cadence.DAILY:
            lines.append(t("digests.me.daily_at", locale, time=time, zone=zone))
        else:
            day = t(f"digests.weekday.{WEEKDAYS[member.weekday]}", locale)
            lines.append(t("digests.me.weekly_at", locale, weekday=day, time=time, zone=zone))
        upcoming = next_occurrence(schedule, now)
        lines.append(t("digests.me.next", locale, when=stamp(to_epoch(upcoming.due_at))))
        if member.member_timezone is None:
            lines.append(t("digests.me.zone_note", locale, zone=safe_text(zone, 64)))
        lines.append(t("digests.me.dms_note", locale))
    answer = t("common.yes_no.no" if member.thanks_opt_out else "common.yes_no.yes", locale)
    lines.append(t("digests.me.named", locale, answer=answer))
    embed.description = "\n".join(lines)
    return embed
