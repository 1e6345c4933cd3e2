"""What members and moderators see of notification roles: names, the list, stored filters."""

from __future__ import annotations

import discord

from bot.i18n import t
from bot.ui import Colours, fit_lines, safe_text
from cogs.alerts import render as alert_render
from cogs.alerts.rules import Filters
from cogs.roles import service
from db import notify_roles

ROLE_NAME_SHOWN = 100


def role_name(role: discord.Role) -> str:
    """A role's name quoted in text: it is member-chosen, so it can ping nobody."""
    return safe_text(role.name, ROLE_NAME_SHOWN)


def stored_filters(filters: Filters) -> notify_roles.RoleFilters:
    return notify_roles.RoleFilters(**filters.as_fields())


def list_embed(
    guild: discord.Guild, registered: list[notify_roles.NotifyRole], locale: str
) -> discord.Embed:
    """Each registered role: what it matches and how many members hold it.

    Mentions inside an embed never ping, so roles are shown as mentions (clickable).
    """
    embed = discord.Embed(title=t("roles.list.title", locale), colour=Colours.INFO)
    lines = []
    for entry in registered:
        role = guild.get_role(entry.role_id)
        if role is None:
            continue  # deleted in Discord; the delete event forgets it
        lines.append(
            t(
                "roles.list.line",
                locale,
                role=role.mention,
                filters=alert_render.describe(service.filters_of(entry), locale),
                count=len(role.members),
            )
        )
    embed.description = fit_lines(lines) if lines else t("roles.list.empty", locale)
    if lines:
        embed.set_footer(text=t("roles.list.footer", locale))
    return embed
