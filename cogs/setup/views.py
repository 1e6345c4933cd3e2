"""The `/setup wizard`: three steps of menus and buttons, modals for numbers.

Choices are staged in the view and saved in one statement when the administrator presses
Finish, so a wizard abandoned half-way, or a refused value, changes nothing. Each step is
re-checked on the server side (Manage Server, the bot can see the channel, the values are
in range), whatever the client let through.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import discord

from bot.checks import is_manager
from bot.error_handler import EntraideModal, EntraideView
from bot.errors import UserError
from bot.i18n import t
from bot.ui import locale_of, reply
from cogs.setup import render
from cogs.setup.rules import (
    ALERT_DMS_PER_HOUR,
    CHANNEL_COLUMN,
    COMMON_CURRENCIES,
    EXPIRY_MINUTES,
    LOCALES,
    NEW_MEMBER_DAYS,
    REPORTS_PER_DAY,
    SCAM_POLICIES,
    TIMEZONE_REGIONS,
    changes_between,
    check_choice,
    check_timezone,
    check_wages,
    currency_name,
    missing_required,
    parse_wage,
    parse_whole,
    plain_amount,
    region_of,
    utc_offset,
    validate,
    with_currency,
)
from db import guild_setup

if TYPE_CHECKING:
    from bot.bot import Entraide
    from db.guilds import GuildSettings

#: Channels that can hold Entraide's posts (news channels are text channels to discord.py).
POSTABLE_TYPES = [discord.ChannelType.text, discord.ChannelType.news, discord.ChannelType.forum]
STEPS = ("channels", "money", "rules")
WIZARD_TIMEOUT = 600  # seconds; under the 15 minutes an interaction token lives


class SetupWizard(EntraideView):
    """One administrator's setup session (ephemeral, theirs only)."""

    def __init__(
        self,
        bot: Entraide,
        guild: discord.Guild,
        owner_id: int,
        locale: str,
        settings: GuildSettings,
    ) -> None:
        super().__init__(owner_id=owner_id, timeout=WIZARD_TIMEOUT)
        self.bot = bot
        self.guild_id = guild.id
        self.locale = locale
        self.original = settings
        draft = settings
        if not settings.is_set_up and settings.locale == "en":
            # A French-speaking server gets French public posts unless told otherwise.
            guild_lang = str(guild.preferred_locale.value).split("-")[0]
            if guild_lang in LOCALES:
                draft = dataclasses.replace(draft, locale=guild_lang)
        self.draft = draft
        self.step = 0
        self.region = region_of(settings.timezone)
        self.build()

    # -- access --------------------------------------------------------------------------

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if not await super().interaction_check(interaction):
            return False
        if not is_manager(interaction.user):
            await reply(interaction, t("common.errors.not_manager", locale_of(interaction)))
            return False
        return True

    @property
    def guild(self) -> discord.Guild:
        guild = self.bot.get_guild(self.guild_id)
        if guild is None:
            raise UserError("common.errors.guild_only")
        return guild

    # -- what the administrator sees -------------------------------------------------------

    def embed(self) -> discord.Embed:
        name = STEPS[self.step]
        title = t(
            "setup.wizard.title",
            self.locale,
            step=self.step + 1,
            steps=len(STEPS),
            name=t(f"setup.wizard.step_{name}", self.locale),
        )
        embed, _ = render.settings_embed(
            self.guild,
            self.draft,
            self.locale,
            self.bot.clock.now(),
            title=title,
            description=t(f"setup.wizard.intro_{name}", self.locale),
        )
        embed.set_footer(text=t("setup.wizard.pending", self.locale))
        return embed

    def build(self) -> None:
        """Put the current step's menus and buttons on the view."""
        self.clear_items()
        if STEPS[self.step] == "channels":
            for row, kind in enumerate(("alerts", "mod", "digest")):
                self.add_item(ChannelPicker(self, kind, row))
            self.add_item(RolePicker(self, row=3))
        elif STEPS[self.step] == "money":
            self.add_item(CurrencyPicker(self, row=0))
            self.add_item(RegionPicker(self, row=1))
            if self.region is not None:
                self.add_item(ZonePicker(self, row=2))
            self.add_item(Action(self, "wages", self.open_wages, row=3))
            self.add_item(Action(self, "other_currency", self.open_currency, row=3))
            self.add_item(Action(self, "other_zone", self.open_zone, row=3))
        else:
            self.add_item(LanguagePicker(self, row=0))
            self.add_item(PolicyPicker(self, row=1))
            self.add_item(Action(self, "limits", self.open_limits, row=2))
        if self.step > 0:
            self.add_item(Action(self, "back", self.back, row=4))
        if self.step < len(STEPS) - 1:
            self.add_item(Action(self, "next", self.next, row=4, style=discord.ButtonStyle.primary))
        else:
            self.add_item(
                Action(self, "finish", self.finish, row=4, style=discord.ButtonStyle.success)
            )
        self.add_item(Action(self, "cancel", self.cancel, row=4, style=discord.ButtonStyle.danger))

    async def refresh(self, interaction: discord.Interaction) -> None:
        self.build()
        await interaction.response.edit_message(embed=self.embed(), view=self)

    def stage(self, **changes: Any) -> None:
        self.draft = dataclasses.replace(self.draft, **changes)

    # -- step 1: channels and role ---------------------------------------------------------

    async def pick_channel(
        self, interaction: discord.Interaction, kind: str, chosen: list[Any]
    ) -> None:
        column = CHANNEL_COLUMN[kind]
        if not chosen:
            if kind != "digest":
                await self.refresh(interaction)
                return
            self.stage(**{column: None})
            await self.refresh(interaction)
            return
        channel_id = int(chosen[0].id)
        diagnosis = render.diagnose(self.guild, channel_id)
        if not diagnosis.exists or not diagnosis.can_see:
            await self.refresh(interaction)  # puts the menu back on the staged channel
            if not diagnosis.exists:
                raise UserError("setup.errors.unknown_channel")
            raise UserError("setup.errors.cannot_see", channel=f"<#{channel_id}>")
        self.stage(**{column: channel_id})
        await self.refresh(interaction)

    async def pick_role(self, interaction: discord.Interaction, chosen: list[Any]) -> None:
        if not chosen:
            self.stage(mod_role_id=None)
            await self.refresh(interaction)
            return
        role = self.guild.get_role(int(chosen[0].id))
        if role is None or role.is_default() or role.managed:
            await self.refresh(interaction)
            if role is None:
                raise UserError("common.errors.bad_option", value=str(chosen[0].id))
            if role.is_default():
                raise UserError("setup.errors.everyone_role")
            raise UserError("setup.errors.managed_role", role=f"<@&{role.id}>")
        self.stage(mod_role_id=role.id)
        await self.refresh(interaction)

    # -- step 2: money and time ------------------------------------------------------------

    async def pick_currency(self, interaction: discord.Interaction, code: str) -> None:
        self.draft = with_currency(self.draft, code)
        await self.refresh(interaction)

    async def pick_region(self, interaction: discord.Interaction, region: str) -> None:
        self.region = check_choice(region, tuple(TIMEZONE_REGIONS), "timezone")
        if len(TIMEZONE_REGIONS[self.region]) == 1:
            self.stage(timezone=TIMEZONE_REGIONS[self.region][0])
        await self.refresh(interaction)

    async def pick_zone(self, interaction: discord.Interaction, zone: str) -> None:
        self.stage(timezone=check_timezone(zone))
        await self.refresh(interaction)

    async def open_wages(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(WagesModal(self))

    async def open_currency(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(CurrencyModal(self))

    async def open_zone(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(ZoneModal(self))

    # -- step 3: language and limits -------------------------------------------------------

    async def pick_language(self, interaction: discord.Interaction, value: str) -> None:
        self.stage(locale=check_choice(value, LOCALES, "locale"))
        await self.refresh(interaction)

    async def pick_policy(self, interaction: discord.Interaction, value: str) -> None:
        self.stage(scam_policy=check_choice(value, SCAM_POLICIES, "scam_policy"))
        await self.refresh(interaction)

    async def open_limits(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(LimitsModal(self))

    # -- moving around ---------------------------------------------------------------------

    async def back(self, interaction: discord.Interaction) -> None:
        self.step = max(0, self.step - 1)
        await self.refresh(interaction)

    async def next(self, interaction: discord.Interaction) -> None:
        if STEPS[self.step] == "channels" and missing_required(self.draft):
            missing = render.missing_labels(self.draft, locale_of(interaction))
            raise UserError("setup.errors.missing_required", missing=missing)
        self.step = min(len(STEPS) - 1, self.step + 1)
        await self.refresh(interaction)

    async def cancel(self, interaction: discord.Interaction) -> None:
        self.stop()
        await interaction.response.edit_message(
            content=t("setup.wizard.cancelled", self.locale), embed=None, view=None
        )

    async def finish(self, interaction: discord.Interaction) -> None:
        if missing_required(self.draft):
            missing = render.missing_labels(self.draft, locale_of(interaction))
            raise UserError("setup.errors.missing_required", missing=missing)
        validate(self.draft)
        for kind in ("alerts", "mod", "digest"):
            channel_id = getattr(self.draft, CHANNEL_COLUMN[kind])
            diagnosis = render.diagnose(self.guild, channel_id)
            if channel_id is not None and not diagnosis.can_see:
                raise UserError("setup.errors.cannot_see", channel=f"<#{channel_id}>")
        now = int(self.bot.clock.now().timestamp())
        try:
            saved = await guild_setup.save(
                self.bot.db, self.guild_id, now, changes_between(self.original, self.draft)
            )
        except sqlite3.IntegrityError:
            raise UserError("setup.errors.conflict") from None
        self.stop()
        self.bot.dispatch("guild_settings_changed", saved)
        embed, diagnoses = render.settings_embed(
            self.guild,
            saved,
            self.locale,
            self.bot.clock.now(),
            title=render.guild_title("setup.wizard.saved_title", self.guild, self.locale),
        )
        problems = any(d.channel_id is not None and not d.ok for d in diagnoses)
        embed.description = t(
            "setup.wizard.saved_warnings" if problems else "setup.saved.now_complete", self.locale
        )
        await interaction.response.edit_message(content=None, embed=embed, view=None)


# -- the wizard's items ------------------------------------------------------------------


class Action(discord.ui.Button[SetupWizard]):
    """A wizard button; `name` picks its label (`setup.wizard.button_<name>`)."""

    def __init__(
        self,
        wizard: SetupWizard,
        name: str,
        handler: Callable[[discord.Interaction], Any],
        *,
        row: int,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
    ) -> None:
        super().__init__(
            label=t(f"setup.wizard.button_{name}", wizard.locale),
            custom_id=f"setup:{name}",
            style=style,
            row=row,
        )
        self.handler = handler

    async def callback(self, interaction: discord.Interaction) -> None:
        await self.handler(interaction)


class ChannelPicker(discord.ui.ChannelSelect[SetupWizard]):
    def __init__(self, wizard: SetupWizard, kind: str, row: int) -> None:
        current = getattr(wizard.draft, CHANNEL_COLUMN[kind])
        defaults = (
            [discord.SelectDefaultValue(id=current, type=discord.SelectDefaultValueType.channel)]
            if current is not None
            else []
        )
        super().__init__(
            custom_id=f"setup:{kind}",
            channel_types=POSTABLE_TYPES,
            placeholder=t(f"setup.wizard.pick_{kind}", wizard.locale),
            min_values=0 if kind == "digest" else 1,
            max_values=1,
            default_values=defaults,
            row=row,
        )
        self.kind = kind
        self.wizard = wizard

    async def callback(self, interaction: discord.Interaction) -> None:
        await self.wizard.pick_channel(interaction, self.kind, list(self.values))


class RolePicker(discord.ui.RoleSelect[SetupWizard]):
    def __init__(self, wizard: SetupWizard, row: int) -> None:
        current = wizard.draft.mod_role_id
        defaults = (
            [discord.SelectDefaultValue(id=current, type=discord.SelectDefaultValueType.role)]
            if current is not None
            else []
        )
        super().__init__(
            custom_id="setup:role",
            placeholder=t("setup.wizard.pick_role", wizard.locale),
            min_values=0,
            max_values=1,
            default_values=defaults,
            row=row,
        )
        self.wizard = wizard

    async def callback(self, interaction: discord.Interaction) -> None:
        await self.wizard.pick_role(interaction, list(self.values))


class _Menu(discord.ui.Select[SetupWizard]):
    """A string menu that hands its one value to a wizard method."""

    def __init__(
        self,
        wizard: SetupWizard,
        name: str,
        options: list[discord.SelectOption],
        handler: Callable[[discord.Interaction, str], Any],
        row: int,
    ) -> None:
        super().__init__(
            custom_id=f"setup:{name}",
            placeholder=t(f"setup.wizard.pick_{name}", wizard.locale),
            options=options[:25],
            min_values=1,
            max_values=1,
            row=row,
        )
        self.wizard = wizard
        self.handler = handler

    async def callback(self, interaction: discord.Interaction) -> None:
        await self.handler(interaction, self.values[0])


def CurrencyPicker(wizard: SetupWizard, row: int) -> _Menu:  # noqa: N802 - reads as a class
    current = wizard.draft.currency
    codes = list(COMMON_CURRENCIES)
    if current not in codes:
        codes = [current, *codes[:24]]
    options = [
        discord.SelectOption(
            label=f"{code} — {currency_name(code, wizard.locale)}"[:100],
            value=code,
            default=code == current,
        )
        for code in codes
    ]
    return _Menu(wizard, "currency", options, wizard.pick_currency, row)


def RegionPicker(wizard: SetupWizard, row: int) -> _Menu:  # noqa: N802
    options = [
        discord.SelectOption(
            label=t(f"setup.wizard.region_{region}", wizard.locale),
            value=region,
            default=region == wizard.region,
        )
        for region in TIMEZONE_REGIONS
    ]
    return _Menu(wizard, "region", options, wizard.pick_region, row)


def ZonePicker(wizard: SetupWizard, row: int) -> _Menu:  # noqa: N802
    now = wizard.bot.clock.now()
    zones = TIMEZONE_REGIONS.get(wizard.region or "", ())
    options = [
        discord.SelectOption(
            label=f"{zone} ({utc_offset(zone, now)})"[:100],
            value=zone,
            default=zone == wizard.draft.timezone,
        )
        for zone in zones
    ]
    return _Menu(wizard, "zone", options, wizard.pick_zone, row)


def LanguagePicker(wizard: SetupWizard, row: int) -> _Menu:  # noqa: N802
    options = [
        discord.SelectOption(
            label=t(f"setup.value.lang_{lang}", wizard.locale),
            value=lang,
            default=lang == wizard.draft.locale,
        )
        for lang in LOCALES
    ]
    return _Menu(wizard, "language", options, wizard.pick_language, row)


def PolicyPicker(wizard: SetupWizard, row: int) -> _Menu:  # noqa: N802
    options = [
        discord.SelectOption(
            label=t(f"setup.choice.policy_{policy}", wizard.locale),
            value=policy,
            default=policy == wizard.draft.scam_policy,
        )
        for policy in SCAM_POLICIES
    ]
    return _Menu(wizard, "policy", options, wizard.pick_policy, row)


# -- modals ------------------------------------------------------------------------------


class WizardModal(EntraideModal):
    """A modal opened from the wizard; its result updates the wizard's message."""

    def __init__(self, wizard: SetupWizard, name: str) -> None:
        super().__init__(
            title=t(f"setup.modal.{name}_title", wizard.locale),
            custom_id=f"setup:{name}-modal",
            timeout=WIZARD_TIMEOUT,
        )
        self.wizard = wizard

    def field(
        self, name: str, key: str, default: str, max_length: int = 20, **params: object
    ) -> discord.ui.TextInput[Any]:
        item: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=t(f"setup.modal.{key}", self.wizard.locale, **params)[:45],
            custom_id=name,
            default=default,
            max_length=max_length,
            required=True,
        )
        self.add_item(item)
        return item

    async def on_submit(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.wizard.owner_id or not is_manager(interaction.user):
            raise UserError("common.errors.not_manager")
        self.apply()
        await self.wizard.refresh(interaction)

    def apply(self) -> None:
        raise NotImplementedError


class WagesModal(WizardModal):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard, "wages")
        cur = wizard.draft.currency
        self.minimum = self.field(
            "minimum", "wages_minimum", plain_amount(wizard.draft.min_wage_cents, cur), currency=cur
        )
        self.fair = self.field(
            "fair", "wages_fair", plain_amount(wizard.draft.fair_wage_cents, cur), currency=cur
        )

    def apply(self) -> None:
        cur = self.wizard.draft.currency
        minimum = parse_wage(self.minimum.value, cur)
        fair = parse_wage(self.fair.value, cur)
        check_wages(minimum, fair, cur)
        self.wizard.stage(min_wage_cents=minimum, fair_wage_cents=fair)


class CurrencyModal(WizardModal):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard, "currency")
        self.code = self.field("code", "currency_label", wizard.draft.currency, max_length=10)

    def apply(self) -> None:
        self.wizard.draft = with_currency(self.wizard.draft, self.code.value)


class ZoneModal(WizardModal):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard, "zone")
        self.zone = self.field("zone", "zone_label", wizard.draft.timezone, max_length=64)

    def apply(self) -> None:
        zone = check_timezone(self.zone.value)
        self.wizard.stage(timezone=zone)
        self.wizard.region = region_of(zone)


class LimitsModal(WizardModal):
    def __init__(self, wizard: SetupWizard) -> None:
        super().__init__(wizard, "limits")
        d = wizard.draft
        self.expiry = self.field("expiry", "limits_expiry", str(d.alert_expiry_minutes), 9)
        self.dms = self.field("dms", "limits_dms", str(d.alert_dms_per_hour), 9)
        self.reports = self.field("reports", "limits_reports", str(d.reports_per_day), 9)
        self.new = self.field("new_member_days", "limits_new", str(d.new_member_days), 9)

    def apply(self) -> None:
        self.wizard.stage(
            alert_expiry_minutes=parse_whole(
                self.expiry.value, EXPIRY_MINUTES, "alert_expiry_minutes"
            ),
            alert_dms_per_hour=parse_whole(
                self.dms.value, ALERT_DMS_PER_HOUR, "alert_dms_per_hour"
            ),
            reports_per_day=parse_whole(self.reports.value, REPORTS_PER_DAY, "reports_per_day"),
            new_member_days=parse_whole(self.new.value, NEW_MEMBER_DAYS, "new_member_days"),
        )
