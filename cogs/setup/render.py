"""How a server's configuration looks to the administrator.

One embed, shared by the wizard, `/setup show` and the confirmations, with the bot's
permissions checked live in every channel it was given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord
from babel import Locale
from babel.lists import format_list

from bot.delivery import Postable, missing_permissions
from bot.i18n import (
    babel_locale,
    format_duration_minutes,
    format_money,
    format_number,
    permission_names,
    t,
)
from bot.ui import Colours, safe_text
from cogs.setup.rules import CHANNEL_COLUMN, currency_name, missing_required, utc_offset

if TYPE_CHECKING:
    from datetime import datetime

    from db.guilds import GuildSettings


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """What the bot can do in one configured channel."""

    channel_id: int | None
    exists: bool = True
    missing: tuple[str, ...] = ()

    @property
    def can_see(self) -> bool:
        return self.exists and "view_channel" not in self.missing

    @property
    def ok(self) -> bool:
        return self.channel_id is not None and self.exists and not self.missing


def postable(guild: discord.Guild, channel_id: int | None) -> Postable | None:
    """The channel if it is in this server and can hold Entraide's posts."""
    if channel_id is None:
        return None
    channel = guild.get_channel_or_thread(channel_id)
    if isinstance(channel, discord.TextChannel | discord.ForumChannel):
        return channel
    return None


def diagnose(guild: discord.Guild, channel_id: int | None) -> Diagnosis:
    if channel_id is None:
        return Diagnosis(None)
    channel = postable(guild, channel_id)
    if channel is None:
        return Diagnosis(channel_id, exists=False)
    return Diagnosis(channel_id, missing=missing_permissions(channel, guild.me))


def plural(key: str, count: int, locale: str | None, **params: object) -> str:
    """`key_one` or `key_other` by the language's plural rules (French: 0 and 1 are one)."""
    form = Locale.parse(babel_locale(locale)).plural_form(count)
    suffix = "one" if form == "one" else "other"
    return t(f"{key}_{suffix}", locale, n=format_number(count, locale), **params)


def readable_list(items: list[str], locale: str | None) -> str:
    return format_list(items, locale=babel_locale(locale)) if items else ""


def missing_labels(settings: GuildSettings, locale: str | None) -> str:
    """`the alerts channel and the moderators' channel`, for "choose …" messages."""
    labels = [t(f"setup.value.missing_{kind}", locale) for kind in missing_required(settings)]
    return readable_list(labels, locale)


def channel_value(diagnosis: Diagnosis, locale: str, *, optional: bool = False) -> str:
    if diagnosis.channel_id is None:
        return t("setup.value.optional_not_set" if optional else "setup.value.not_set", locale)
    if not diagnosis.exists:
        return f"<#{diagnosis.channel_id}>\n" + t("setup.diag.gone", locale)
    if not diagnosis.can_see:
        return f"<#{diagnosis.channel_id}>\n" + t("setup.diag.invisible", locale)
    if diagnosis.missing:
        perms = permission_names(diagnosis.missing, locale)
        return f"<#{diagnosis.channel_id}>\n" + t("setup.diag.missing", locale, perms=perms)
    return f"<#{diagnosis.channel_id}>\n" + t("setup.diag.ok", locale)


def role_value(guild: discord.Guild, role_id: int | None, locale: str) -> str:
    if role_id is None:
        return t("setup.value.managers_only", locale)
    if guild.get_role(role_id) is None:
        return t("setup.value.role_gone", locale)
    return f"<@&{role_id}>"


def settings_embed(
    guild: discord.Guild,
    settings: GuildSettings,
    locale: str,
    now: datetime,
    *,
    title: str,
    description: str | None = None,
    only: frozenset[str] | None = None,
) -> tuple[discord.Embed, list[Diagnosis]]:
    """The configuration as fields; `only` limits it to some settings (confirmations).

    Returns the diagnoses too, so callers can say whether anything needs fixing.
    """
    diagnoses = {
        column: diagnose(guild, getattr(settings, column)) for column in CHANNEL_COLUMN.values()
    }
    problems = [d for d in diagnoses.values() if d.channel_id is not None and not d.ok]
    colour = Colours.WARNING if problems or missing_required(settings) else Colours.GOOD
    embed = discord.Embed(title=title, description=description, colour=colour)
    cur = settings.currency
    values: list[tuple[str, str]] = [
        ("alerts_channel_id", channel_value(diagnoses["alerts_channel_id"], locale)),
        ("mod_channel_id", channel_value(diagnoses["mod_channel_id"], locale)),
        (
            "digest_channel_id",
            channel_value(diagnoses["digest_channel_id"], locale, optional=True),
        ),
        ("mod_role_id", role_value(guild, settings.mod_role_id, locale)),
        (
            "currency",
            t("setup.value.currency", locale, code=cur, name=currency_name(cur, locale)),
        ),
        (
            "min_wage_cents",
            t(
                "setup.value.per_hour",
                locale,
                amount=format_money(settings.min_wage_cents, cur, locale),
            ),
        ),
        (
            "fair_wage_cents",
            t(
                "setup.value.per_hour",
                locale,
                amount=format_money(settings.fair_wage_cents, cur, locale),
            ),
        ),
        (
            "timezone",
            t(
                "setup.value.timezone",
                locale,
                zone=settings.timezone,
                offset=utc_offset(settings.timezone, now),
            ),
        ),
        ("locale", t(f"setup.value.lang_{settings.locale}", locale)),
        ("alert_expiry_minutes", format_duration_minutes(settings.alert_expiry_minutes, locale)),
        (
            "alert_dms_per_hour",
            t("setup.value.dms_off", locale)
            if settings.alert_dms_per_hour == 0
            else t(
                "setup.value.per_hour_count",
                locale,
                n=format_number(settings.alert_dms_per_hour, locale),
            ),
        ),
        (
            "reports_per_day",
            t(
                "setup.value.per_day_count",
                locale,
                n=format_number(settings.reports_per_day, locale),
            ),
        ),
        ("new_member_days", plural("setup.value.days", settings.new_member_days, locale)),
        ("scam_policy", t(f"setup.value.policy_{settings.scam_policy}", locale)),
    ]
    for column, value in values:
        if only is not None and column not in only:
            continue
        inline = column not in CHANNEL_COLUMN.values()
        embed.add_field(name=t(f"setup.field.{column}", locale), value=value, inline=inline)
    return embed, list(diagnoses.values())


def status_line(settings: GuildSettings, locale: str) -> str:
    if missing_required(settings):
        return t("setup.show.incomplete", locale, missing=missing_labels(settings, locale))
    return t("setup.show.complete", locale)


def guild_title(key: str, guild: discord.Guild, locale: str) -> str:
    return t(key, locale, guild=safe_text(guild.name, 100))
