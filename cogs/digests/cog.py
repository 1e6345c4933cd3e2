"""`/digest setup|preview|me`, the start-up catch-up, and the "your DMs were closed" note."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import is_moderator, require_setup
from bot.clock import to_epoch
from bot.command_groups import server_group
from bot.delivery import configured_channel, missing_permissions
from bot.errors import NotModeratorError, UserError
from bot.i18n import t
from bot.translator import ls
from bot.ui import locale_of, reply
from cogs.digests import cards, compose, render
from cogs.digests.rules import (
    ALL_SECTIONS,
    DEFAULT_TIMEZONE,
    WEEKDAYS,
    Cadence,
    Schedule,
    next_occurrence,
    normalize_timezone,
    parse_cadence_choice,
    parse_time_of_day,
    timezone_suggestions,
    validate_cadences,
    validate_weekday,
)
from cogs.digests.runner import NOTES_CACHE, DigestRunner, member_schedule, server_schedules
from cogs.digests.send import to_embeds
from cogs.digests.views import SectionsView
from db import digests, guilds, members

if TYPE_CHECKING:
    from bot.bot import Entraide
    from cogs.digests.render import Rendered

log = logging.getLogger(__name__)

#: A preview covers up to and including this second (window ends are exclusive).
PREVIEW_SLACK = timedelta(seconds=1)

WEEKDAY_CHOICES = [
    app_commands.Choice(name=ls(f"digests.weekday.{name}"), value=index)
    for index, name in enumerate(WEEKDAYS)
]
CADENCE_CHOICES = [
    app_commands.Choice(name=ls("digests.me.cadence_daily"), value="daily"),
    app_commands.Choice(name=ls("digests.me.cadence_weekly"), value="weekly"),
    app_commands.Choice(name=ls("digests.me.cadence_off"), value="off"),
]
THANKS_CHOICES = [
    app_commands.Choice(name=ls("digests.me.thanks_on"), value="on"),
    app_commands.Choice(name=ls("digests.me.thanks_off"), value="off"),
]
PREVIEW_CHOICES = [
    app_commands.Choice(name=ls("digests.preview.which_server"), value="server"),
    app_commands.Choice(name=ls("digests.preview.which_personal"), value="personal"),
]


class DigestsCog(commands.Cog):
    digest = server_group("digests.group")

    def __init__(self, bot: Entraide) -> None:
        self.bot = bot
        self.runner = DigestRunner(bot)

    # -- lifecycle --------------------------------------------------------------------------

    async def cog_load(self) -> None:
        """Rebuild every job from the rows, then catch up on what was missed while down.

        Server digests catch up when their server becomes available (its channels are
        known only then); personal digests need nothing but the REST API.
        """
        self.bot.privacy.register(
            "digests",
            digests.export_member,
            digests.erase_member,
            ("digest_members.user_id", "digest_runs.owner_id"),
        )
        self.runner.notes = await digests.pending_notes(self.bot.db)
        await self.runner.resync()
        self.runner.start()
        self.bot.spawn(self.runner.catch_up_members(), name="digests: member catch-up")

    async def cog_unload(self) -> None:
        self.runner.stop()
        self.bot.privacy.unregister("digests")

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        await self.runner.resync_guild(guild.id)
        await self.runner.catch_up_guild(guild.id)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        self.runner.drop_guild(guild.id)

    @commands.Cog.listener()
    async def on_shared_cache_forget(self, name: str, key: int | None) -> None:
        """A process found a member's DMs closed: any process may show the note."""
        if name != NOTES_CACHE:
            return
        if key is None:
            self.runner.notes = await digests.pending_notes(self.bot.db)
        else:
            self.runner.notes.add(key)

    @commands.Cog.listener()
    async def on_bus_resync(self) -> None:
        self.runner.notes = await digests.pending_notes(self.bot.db)

    @commands.Cog.listener()
    async def on_app_command_completion(
        self, interaction: discord.Interaction[Entraide], command: Any
    ) -> None:
        """Tell a member, once, that their digest stopped because their DMs were closed."""
        user_id = interaction.user.id
        if user_id not in self.runner.notes:
            return
        if interaction.response.type == discord.InteractionResponseType.modal:
            return  # a modal's token cannot carry a message; the next command will
        self.runner.notes.discard(user_id)
        if not await digests.take_note(self.bot.db, user_id):
            return
        try:
            await reply(interaction, t("digests.me.dms_closed_note", locale_of(interaction)))
        except discord.HTTPException:
            log.info("could not show the closed-DMs note to %s", user_id)

    # -- /digest setup -------------------------------------------------------------------------

    @digest.command(name=ls("digests.setup.name"), description=ls("digests.setup.description"))
    @app_commands.choices(weekday=WEEKDAY_CHOICES)
    async def setup_digest(  # noqa: PLR0917 - a slash command's options are its parameters
        self,
        interaction: discord.Interaction[Entraide],
        digest_channel: discord.TextChannel | discord.ForumChannel | None = None,
        time: app_commands.Range[str, 1, 20] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        daily: bool | None = None,
        weekly: bool | None = None,
        weekday: int | None = None,
        enabled: bool | None = None,
    ) -> None:
        server = await require_setup(interaction)
        if not is_moderator(interaction.user, server):
            raise NotModeratorError
        guild_id = server.guild_id
        current = await digests.get_settings(self.bot.db, guild_id)
        assert current is not None
        hour, minute = (
            parse_time_of_day(time)
            if time is not None
            else (current.send_hour, current.send_minute)
        )
        zone = normalize_timezone(timezone) if timezone is not None else current.timezone
        new_weekday = validate_weekday(weekday) if weekday is not None else current.weekday
        new_daily = current.daily if daily is None else bool(daily)
        new_weekly = current.weekly if weekly is None else bool(weekly)
        new_enabled = current.enabled if enabled is None else bool(enabled)
        if new_enabled:
            validate_cadences(new_daily, new_weekly)
        target = self._digest_channel(interaction, digest_channel)
        if new_enabled and target is None and server.digest_channel_id is None:
            raise UserError("digests.errors.no_channel")
        reschedule = (hour, minute, zone, new_weekday, new_daily, new_weekly, new_enabled) != (
            current.send_hour,
            current.send_minute,
            current.timezone,
            current.weekday,
            current.daily,
            current.weekly,
            current.enabled,
        )
        now = to_epoch(self.bot.clock.now())
        async with self.bot.db.transaction():
            if target is not None:
                await guilds.update(self.bot.db, guild_id, now, digest_channel_id=target.id)
            await digests.save_settings(
                self.bot.db,
                guild_id,
                now,
                enabled=new_enabled,
                daily=new_daily,
                weekly=new_weekly,
                weekday=new_weekday,
                send_hour=hour,
                send_minute=minute,
                timezone=zone,
                hidden_sections=current.hidden_sections,
                reschedule=reschedule,
            )
        await self.runner.resync_guild(guild_id)
        locale = locale_of(interaction)
        embed = await self.settings_embed(interaction, guild_id, locale)
        saved = await digests.get_settings(self.bot.db, guild_id)
        assert saved is not None
        view = SectionsView(
            owner_id=interaction.user.id,
            guild_id=guild_id,
            shown=frozenset(s.value for s in ALL_SECTIONS if s.value not in saved.hidden_sections),
            locale=locale,
            refresh=self.settings_embed,
        )
        await reply(interaction, t("digests.setup.saved", locale), embed=embed, view=view)
        view.message = await interaction.original_response()

    def _digest_channel(
        self, interaction: discord.Interaction[Entraide], channel: Any
    ) -> discord.TextChannel | discord.ForumChannel | None:
        """The chosen channel, checked: in this server, postable, the bot may post there."""
        if channel is None:
            return None
        assert interaction.guild is not None
        found = configured_channel(self.bot, interaction.guild.id, channel.id)
        if not isinstance(found, discord.TextChannel | discord.ForumChannel):
            raise UserError("digests.errors.wrong_channel")
        missing = missing_permissions(found, interaction.guild.me)
        if missing:
            raise UserError(
                "digests.errors.channel_permissions",
                channel=found.mention,
                perms=", ".join(p.replace("_", " ") for p in missing),
            )
        return found

    async def settings_embed(
        self, interaction: discord.Interaction[Any], guild_id: int, locale: str
    ) -> discord.Embed:
        """The setup card, redrawn by the sections menu after each change."""
        return await cards.settings_embed(self.bot.db, guild_id, locale, self.bot.clock.now())

    @setup_digest.autocomplete("timezone")
    async def _setup_timezones(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in timezone_suggestions(current)]

    # -- /digest preview -----------------------------------------------------------------------

    @digest.command(name=ls("digests.preview.name"), description=ls("digests.preview.description"))
    @app_commands.choices(which=PREVIEW_CHOICES)
    async def preview(
        self, interaction: discord.Interaction[Entraide], which: str = "server"
    ) -> None:
        if which == "personal":
            await self._preview_personal(interaction)
            return
        if which != "server":
            raise UserError("common.errors.bad_option", value=str(which)[:50])
        server = await require_setup(interaction)
        if not is_moderator(interaction.user, server):
            raise NotModeratorError
        await interaction.response.defer(ephemeral=True, thinking=True)
        settings = await digests.get_settings(self.bot.db, server.guild_id)
        assert settings is not None
        now = self.bot.clock.now()
        schedules = server_schedules(settings) or [
            Schedule(
                Cadence.DAILY, settings.send_hour, settings.send_minute, settings.effective_timezone
            )
        ]
        upcoming = cards.soonest(schedules, now)
        assert upcoming is not None
        period = replace(upcoming, window_end=now + PREVIEW_SLACK)
        content = await compose.compose_server_digest(
            self.bot, server.guild_id, period, settings=settings
        )
        rendered = render.render_server(content, server.locale)
        when = to_epoch(upcoming.due_at)
        header = t(
            "digests.preview.header",
            locale_of(interaction),
            when=cards.stamp(when),
            relative=cards.stamp(when, "R"),
        )
        await self._send_preview(interaction, header, rendered)

    async def _preview_personal(self, interaction: discord.Interaction[Entraide]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        locale = locale_of(interaction)
        user_id = interaction.user.id
        member = await digests.get_member(self.bot.db, user_id)
        now = self.bot.clock.now()
        schedule = None if member is None else member_schedule(member)
        if schedule is None:
            zone = await self._member_zone(user_id, member, interaction.guild_id)
            preview_schedule = Schedule(Cadence.DAILY, timezone=zone)
            status = t("digests.preview.personal_off", locale)
        else:
            preview_schedule = schedule
            upcoming = next_occurrence(schedule, now)
            status = t(
                "digests.preview.personal_on", locale, when=cards.stamp(to_epoch(upcoming.due_at))
            )
        period = replace(next_occurrence(preview_schedule, now), window_end=now + PREVIEW_SLACK)
        content = await compose.compose_member_digest(self.bot, user_id, period)
        rendered = render.render_member(content, locale)
        header = t("digests.preview.header_personal", locale, status=status)
        await self._send_preview(interaction, header, rendered)

    async def _send_preview(
        self, interaction: discord.Interaction[Entraide], header: str, rendered: Rendered
    ) -> None:
        for index, message in enumerate(rendered.messages):
            await reply(interaction, header if index == 0 else None, embeds=to_embeds(message))

    # -- /digest me ------------------------------------------------------------------------------

    @digest.command(name=ls("digests.me.name"), description=ls("digests.me.description"))
    @app_commands.choices(cadence=CADENCE_CHOICES, weekday=WEEKDAY_CHOICES, thanks=THANKS_CHOICES)
    async def me(  # noqa: PLR0917 - a slash command's options are its parameters
        self,
        interaction: discord.Interaction[Entraide],
        cadence: str | None = None,
        time: app_commands.Range[str, 1, 20] | None = None,
        weekday: int | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        thanks: str | None = None,
    ) -> None:
        locale = locale_of(interaction)
        user_id = interaction.user.id
        current = await digests.get_member(self.bot.db, user_id)
        new_cadence = (
            (parse_cadence_choice(cadence) or "off")
            if cadence is not None
            else (current.cadence if current else "off")
        )
        hour, minute = (
            parse_time_of_day(time)
            if time is not None
            else ((current.send_hour, current.send_minute) if current else (8, 0))
        )
        new_weekday = (
            validate_weekday(weekday)
            if weekday is not None
            else (current.weekday if current else 0)
        )
        if thanks is not None and thanks not in ("on", "off"):
            raise UserError("common.errors.bad_option", value=str(thanks)[:50])
        opt_out = (
            (thanks == "off") if thanks is not None else bool(current and current.thanks_opt_out)
        )
        zone = normalize_timezone(timezone) if timezone is not None else None
        now = to_epoch(self.bot.clock.now())
        fallback = current.timezone if current else None
        if fallback is None:
            fallback = await self._server_zone(interaction.guild_id)
        reschedule = current is None or (
            (str(new_cadence), hour, minute, new_weekday)
            != (current.cadence, current.send_hour, current.send_minute, current.weekday)
            or zone is not None
        )
        async with self.bot.db.transaction():
            if zone is not None:
                await members.set_timezone(self.bot.db, user_id, zone, now)
            saved = await digests.save_member(
                self.bot.db,
                user_id,
                now,
                cadence=str(new_cadence),
                weekday=new_weekday,
                send_hour=hour,
                send_minute=minute,
                timezone=fallback,
                locale=locale,
                thanks_opt_out=opt_out,
                reschedule=reschedule,
            )
        self.runner.notes.discard(user_id)
        await self.runner.resync_member(user_id)
        await reply(interaction, embed=cards.member_embed(saved, locale, self.bot.clock.now()))

    @me.autocomplete("timezone")
    async def _me_timezones(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in timezone_suggestions(current)]

    # -- helpers ---------------------------------------------------------------------------------

    async def _server_zone(self, guild_id: int | None) -> str:
        if guild_id is None:
            return DEFAULT_TIMEZONE
        settings = await digests.get_settings(self.bot.db, guild_id)
        return settings.effective_timezone if settings is not None else DEFAULT_TIMEZONE

    async def _member_zone(
        self, user_id: int, member: digests.MemberDigest | None, guild_id: int | None
    ) -> str:
        if member is not None and member.effective_timezone:
            return member.effective_timezone
        prefs = await members.get(self.bot.db, user_id)
        return prefs.timezone or await self._server_zone(guild_id)
