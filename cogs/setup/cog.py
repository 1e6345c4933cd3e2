"""`/setup`: the wizard, `/setup show`, and one command per setting.

Only members who can manage the server may use these: `default_permissions` hides the
group from others in the client, and every command checks again on the server side
(a server can override command permissions for any role).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import require_manager
from bot.errors import UserError
from bot.i18n import t
from bot.translator import ls
from bot.ui import locale_of, reply
from cogs.setup import render
from cogs.setup.rules import (
    ALERT_DMS_PER_HOUR,
    CHANNEL_COLUMN,
    CHANNEL_KINDS,
    EXPIRY_MINUTES,
    LOCALES,
    MAX_WAGE_UNITS,
    NEW_MEMBER_DAYS,
    REPORTS_PER_DAY,
    REQUIRED_KINDS,
    SCAM_POLICIES,
    SettingError,
    check_choice,
    check_range,
    check_timezone,
    check_wages,
    currency_name,
    currency_suggestions,
    missing_required,
    timezone_suggestions,
    utc_offset,
    wage_from_option,
    with_currency,
)
from cogs.setup.views import SetupWizard
from db import guild_setup
from db.errors import IntegrityError

if TYPE_CHECKING:
    from bot.bot import Entraide
    from db.guilds import GuildSettings

log = logging.getLogger(__name__)

Choice = app_commands.Choice


class SetupCog(commands.Cog):
    """Server configuration for its managers."""

    setup_group = app_commands.Group(
        name=ls("setup.cmd.group_name"),
        description=ls("setup.cmd.group_description"),
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: Entraide) -> None:
        self.bot = bot

    # -- helpers ---------------------------------------------------------------------------

    def _guild(self, interaction: discord.Interaction[Entraide]) -> discord.Guild:
        if interaction.guild is None:
            raise UserError("common.errors.guild_only")
        return interaction.guild

    async def _save(
        self, interaction: discord.Interaction[Entraide], changes: dict[str, object]
    ) -> GuildSettings:
        now = int(self.bot.clock.now().timestamp())
        assert interaction.guild_id is not None
        try:
            saved = await guild_setup.save(self.bot.db, interaction.guild_id, now, changes)
        except IntegrityError:
            # A CHECK constraint: another administrator changed a related setting at the
            # same moment (the rules checked against what we read).
            raise UserError("setup.errors.conflict") from None
        log.info(
            "guild %s: %s changed %s",
            interaction.guild_id,
            interaction.user.id,
            ", ".join(sorted(changes)),
        )
        self.bot.dispatch("guild_settings_changed", saved)
        return saved

    async def _confirm(
        self,
        interaction: discord.Interaction[Entraide],
        before: GuildSettings,
        saved: GuildSettings,
        fields: set[str],
        *,
        note: str | None = None,
    ) -> None:
        """Show what changed (channels with their live permission check)."""
        locale = locale_of(interaction)
        guild = self._guild(interaction)
        lines = [note] if note else []
        if not before.is_set_up and saved.is_set_up:
            lines.append(t("setup.saved.now_complete", locale))
        elif missing_required(saved):
            lines.append(render.status_line(saved, locale))
        embed, _ = render.settings_embed(
            guild,
            saved,
            locale,
            self.bot.clock.now(),
            title=t("setup.saved.title", locale),
            description="\n".join(lines) or None,
            only=frozenset(fields),
        )
        await reply(interaction, embed=embed)

    def _channel_value(self, guild: discord.Guild, kind: str, channel_id: int) -> int:
        diagnosis = render.diagnose(guild, channel_id)
        if not diagnosis.exists:
            raise UserError("setup.errors.unknown_channel")
        if not diagnosis.can_see:
            raise UserError("setup.errors.cannot_see", channel=f"<#{channel_id}>")
        return channel_id

    # -- the wizard and the overview -------------------------------------------------------

    @setup_group.command(
        name=ls("setup.cmd.wizard_name"), description=ls("setup.cmd.wizard_description")
    )
    async def wizard(self, interaction: discord.Interaction[Entraide]) -> None:
        settings = await require_manager(interaction)
        guild = self._guild(interaction)
        view = SetupWizard(self.bot, guild, interaction.user.id, locale_of(interaction), settings)
        await reply(interaction, embed=view.embed(), view=view)
        view.message = await interaction.original_response()

    @setup_group.command(
        name=ls("setup.cmd.show_name"), description=ls("setup.cmd.show_description")
    )
    async def show(self, interaction: discord.Interaction[Entraide]) -> None:
        settings = await require_manager(interaction)
        guild = self._guild(interaction)
        locale = locale_of(interaction)
        embed, _ = render.settings_embed(
            guild,
            settings,
            locale,
            self.bot.clock.now(),
            title=render.guild_title("setup.show.title", guild, locale),
            description=render.status_line(settings, locale),
        )
        embed.set_footer(text=t("setup.show.footer", locale))
        await reply(interaction, embed=embed)

    # -- one setting at a time -------------------------------------------------------------

    @setup_group.command(
        name=ls("setup.cmd.channel_name"), description=ls("setup.cmd.channel_description")
    )
    @app_commands.choices(
        kind=[
            Choice(name=ls("setup.choice.kind_alerts"), value="alerts"),
            Choice(name=ls("setup.choice.kind_mod"), value="mod"),
            Choice(name=ls("setup.choice.kind_digest"), value="digest"),
            Choice(name=ls("intake.setup.kind_exports"), value="exports"),
        ]
    )
    async def channel(
        self,
        interaction: discord.Interaction[Entraide],
        kind: str,
        target: discord.TextChannel | discord.ForumChannel | None = None,
    ) -> None:
        if kind == "exports":  # kept by cogs.intake (it needs an optional intent)
            intake = self.bot.get_cog("Intake")
            if intake is None:
                raise UserError("common.errors.unexpected")
            await intake.setup_exports(interaction, target)  # type: ignore[attr-defined]
            return
        settings = await require_manager(interaction)
        kind = check_choice(kind, CHANNEL_KINDS, "kind")
        column = CHANNEL_COLUMN[kind]
        if target is None:
            if kind in REQUIRED_KINDS:
                raise SettingError("setup.errors.required_channel", field=column)
            value = None
        else:
            value = self._channel_value(self._guild(interaction), kind, target.id)
        saved = await self._save(interaction, {column: value})
        await self._confirm(interaction, settings, saved, {column})

    @setup_group.command(
        name=ls("setup.cmd.role_name"), description=ls("setup.cmd.role_description")
    )
    async def role(
        self, interaction: discord.Interaction[Entraide], role: discord.Role | None = None
    ) -> None:
        settings = await require_manager(interaction)
        if role is not None:
            if self._guild(interaction).get_role(role.id) is None:
                raise UserError("setup.errors.unknown_role")  # another server's role id
            if role.is_default():
                raise UserError("setup.errors.everyone_role")
            if role.managed:
                raise UserError("setup.errors.managed_role", role=f"<@&{role.id}>")
        saved = await self._save(interaction, {"mod_role_id": role.id if role else None})
        await self._confirm(interaction, settings, saved, {"mod_role_id"})

    @setup_group.command(
        name=ls("setup.cmd.currency_name"), description=ls("setup.cmd.currency_description")
    )
    async def currency(self, interaction: discord.Interaction[Entraide], currency: str) -> None:
        settings = await require_manager(interaction)
        updated = with_currency(settings, currency)
        changes = {
            "currency": updated.currency,
            "min_wage_cents": updated.min_wage_cents,
            "fair_wage_cents": updated.fair_wage_cents,
        }
        saved = await self._save(interaction, changes)
        note = (
            t("setup.saved.rescaled", locale_of(interaction))
            if saved.currency != settings.currency
            else None
        )
        await self._confirm(interaction, settings, saved, set(changes), note=note)

    @currency.autocomplete("currency")
    async def _currency_choices(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[Choice[str]]:
        locale = locale_of(interaction)
        return [
            Choice(name=f"{code} — {currency_name(code, locale)}"[:100], value=code)
            for code in currency_suggestions(current, locale)
        ]

    @setup_group.command(
        name=ls("setup.cmd.wages_name"), description=ls("setup.cmd.wages_description")
    )
    async def wages(
        self,
        interaction: discord.Interaction[Entraide],
        minimum: app_commands.Range[float, 0, MAX_WAGE_UNITS] | None = None,
        fair: app_commands.Range[float, 0, MAX_WAGE_UNITS] | None = None,
    ) -> None:
        settings = await require_manager(interaction)
        if minimum is None and fair is None:
            raise UserError("setup.errors.nothing_to_change")
        cur = settings.currency
        new_min = settings.min_wage_cents if minimum is None else wage_from_option(minimum, cur)
        new_fair = settings.fair_wage_cents if fair is None else wage_from_option(fair, cur)
        check_wages(new_min, new_fair, cur)
        changes = {"min_wage_cents": new_min, "fair_wage_cents": new_fair}
        saved = await self._save(interaction, changes)
        await self._confirm(interaction, settings, saved, set(changes))

    @setup_group.command(
        name=ls("setup.cmd.timezone_name"), description=ls("setup.cmd.timezone_description")
    )
    async def timezone(self, interaction: discord.Interaction[Entraide], zone: str) -> None:
        settings = await require_manager(interaction)
        saved = await self._save(interaction, {"timezone": check_timezone(zone)})
        await self._confirm(interaction, settings, saved, {"timezone"})

    @timezone.autocomplete("zone")
    async def _zone_choices(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[Choice[str]]:
        now = self.bot.clock.now()
        return [
            Choice(name=f"{zone} ({utc_offset(zone, now)})", value=zone)
            for zone in timezone_suggestions(current)
        ]

    @setup_group.command(
        name=ls("setup.cmd.language_name"), description=ls("setup.cmd.language_description")
    )
    @app_commands.choices(
        language=[Choice(name=ls(f"setup.choice.lang_{lang}"), value=lang) for lang in LOCALES]
    )
    async def language(self, interaction: discord.Interaction[Entraide], language: str) -> None:
        settings = await require_manager(interaction)
        value = check_choice(language, LOCALES, "locale")
        saved = await self._save(interaction, {"locale": value})
        await self._confirm(interaction, settings, saved, {"locale"})

    @setup_group.command(
        name=ls("setup.cmd.alerts_name"), description=ls("setup.cmd.alerts_description")
    )
    async def alerts(
        self,
        interaction: discord.Interaction[Entraide],
        expiry: app_commands.Range[int, EXPIRY_MINUTES[0], EXPIRY_MINUTES[1]] | None = None,
        dms_per_hour: app_commands.Range[int, ALERT_DMS_PER_HOUR[0], ALERT_DMS_PER_HOUR[1]]
        | None = None,
    ) -> None:
        settings = await require_manager(interaction)
        changes: dict[str, object] = {}
        if expiry is not None:
            changes["alert_expiry_minutes"] = check_range(
                expiry, EXPIRY_MINUTES, "alert_expiry_minutes"
            )
        if dms_per_hour is not None:
            changes["alert_dms_per_hour"] = check_range(
                dms_per_hour, ALERT_DMS_PER_HOUR, "alert_dms_per_hour"
            )
        if not changes:
            raise UserError("setup.errors.nothing_to_change")
        saved = await self._save(interaction, changes)
        await self._confirm(interaction, settings, saved, set(changes))

    @setup_group.command(
        name=ls("setup.cmd.reports_name"), description=ls("setup.cmd.reports_description")
    )
    @app_commands.choices(
        scam_policy=[
            Choice(name=ls(f"setup.choice.policy_{policy}"), value=policy)
            for policy in SCAM_POLICIES
        ]
    )
    async def reports(
        self,
        interaction: discord.Interaction[Entraide],
        per_day: app_commands.Range[int, REPORTS_PER_DAY[0], REPORTS_PER_DAY[1]] | None = None,
        new_member_days: app_commands.Range[int, NEW_MEMBER_DAYS[0], NEW_MEMBER_DAYS[1]]
        | None = None,
        scam_policy: str | None = None,
    ) -> None:
        settings = await require_manager(interaction)
        changes: dict[str, object] = {}
        if per_day is not None:
            changes["reports_per_day"] = check_range(per_day, REPORTS_PER_DAY, "reports_per_day")
        if new_member_days is not None:
            changes["new_member_days"] = check_range(
                new_member_days, NEW_MEMBER_DAYS, "new_member_days"
            )
        if scam_policy is not None:
            changes["scam_policy"] = check_choice(scam_policy, SCAM_POLICIES, "scam_policy")
        if not changes:
            raise UserError("setup.errors.nothing_to_change")
        saved = await self._save(interaction, changes)
        await self._confirm(interaction, settings, saved, set(changes))
