"""What every part of the requesters cog shares: the `/requester` group and small helpers.

The cog is split along what its readers look for (reviews, reports and the queue, info,
moderation of statuses); each part is a mixin of `RequestersBase`, combined in
`cogs.requesters.cog.RequestersCog`. The slash group lives here, at module level, so
each part can hang its sub-commands on it; the group's children keep the order in which
the parts are imported (`cogs/requesters/cog/__init__.py`), which is the order members
see them in.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot import shared_events
from bot.clock import to_epoch
from bot.command_groups import server_group
from bot.translator import ls
from bot.ui import locale_of
from cogs.requesters import cards, rules
from db import guilds, members, requesters

if TYPE_CHECKING:
    from bot.bot import Entraide


log = logging.getLogger(__name__)

#: What a member types to name a requester, and a platform's requester id.
RequesterText = app_commands.Range[str, 1, 100]
RequesterIdText = app_commands.Range[str, 1, 64]
Score = app_commands.Range[int, 1, 5]

requester_group = server_group("requesters.group")


def choices(prefix: str, values: Iterable[str]) -> list[app_commands.Choice[str]]:
    """Slash-command choices named from the catalogs (`<prefix>.<value>`)."""
    return [app_commands.Choice(name=ls(f"{prefix}.{value}"), value=value) for value in values]


def platform_choices() -> list[app_commands.Choice[str]]:
    return choices("requesters.platforms", rules.PLATFORMS)


class RequestersBase:
    """The bot, the clock, locales and the autocomplete every part of the cog uses."""

    #: The group every part's sub-commands hang on (the cog publishes it).
    requester = requester_group

    def __init__(self, bot: Entraide) -> None:
        self.bot = bot

    # -- helpers ------------------------------------------------------------------------

    def _now(self) -> int:
        return to_epoch(self.bot.clock.now())

    def _guild_name(self, guild_id: int) -> str | None:
        guild = self.bot.get_guild(guild_id)
        return guild.name if guild is not None else None

    async def _server_locale(self, guild_id: int) -> str:
        return (await guilds.get(self.bot.db, guild_id)).locale

    async def _member_locale(self, user_id: int, guild_id: int) -> str:
        prefs = await members.get(self.bot.db, user_id)
        return prefs.locale or await self._server_locale(guild_id)

    def _status_changed(self, *requester_ids: int) -> None:
        """Tell every process (the tasks feature) to re-render what shows the status."""
        shared_events.requester_status_changed(self.bot, *requester_ids)

    # -- autocomplete -------------------------------------------------------------------

    async def requester_autocomplete(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[app_commands.Choice[str]]:
        locale = locale_of(interaction)
        try:
            hits = await requesters.search(self.bot.db, current[:100], limit=25)
        except Exception:
            log.exception("requester autocomplete failed")
            return []
        return [
            app_commands.Choice(
                name=cards.choice_label(hit.requester, hit.matched_name, locale),
                value=f"#{hit.requester.id}",
            )
            for hit in hits
        ]
