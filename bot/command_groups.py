"""A feature's slash-command group, named and described by the catalogs' convention.

Every feature's top-level group is used in servers only and takes its name and its
description from `<key>.name` and `<key>.description` in the feature's catalogs (the
i18n tests prove both exist in every language). Declared once here, a cog says only
which key: `alerts = server_group("alerts.group")`.
"""

from __future__ import annotations

from discord import app_commands

from bot.translator import ls


def server_group(key: str) -> app_commands.Group:
    """A top-level group usable only in servers, its texts under `key` in the catalogs."""
    return app_commands.Group(
        name=ls(f"{key}.name"), description=ls(f"{key}.description"), guild_only=True
    )
