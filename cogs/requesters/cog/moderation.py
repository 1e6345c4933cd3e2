"""Moderators' decisions about requester records: status, merges and forgotten names.

Each changes what every server shows for a requester, so each has a reason, an audit
entry (`cogs.requesters.service`) and a `requester_status_changed` event that redraws
alerts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot import checks
from bot.errors import UserError
from bot.i18n import t
from bot.translator import ls
from bot.ui import locale_of, reply, safe_text
from cogs.requesters import cards, rules, service
from cogs.requesters.cog.base import (
    RequesterIdText,
    RequestersBase,
    RequesterText,
    choices,
    platform_choices,
    requester_group,
)
from db import requesters
from db.guilds import GuildSettings

if TYPE_CHECKING:
    from bot.bot import Entraide


def _acting(
    settings: GuildSettings, interaction: discord.Interaction[Entraide], reason: str, now: int
) -> dict[str, Any]:
    """Who decides, in which server, why and when: what every decision here records."""
    return {
        "guild_id": settings.guild_id,
        "moderator_id": interaction.user.id,
        "reason": reason,
        "now": now,
    }


class ModerationMixin(RequestersBase):
    """`/requester status|merge|forget-name`."""

    # -- moderators: status and merge -------------------------------------------------------

    @requester_group.command(
        name=ls("requesters.status_cmd.name"), description=ls("requesters.status_cmd.description")
    )
    @app_commands.choices(
        platform=platform_choices(), status=choices("requesters.statuses", rules.STATUSES)
    )
    async def status(
        self,
        interaction: discord.Interaction[Entraide],
        *,
        requester: RequesterText,
        status: str,
        reason: app_commands.Range[str, 1, rules.REASON_LIMIT],
        platform: str | None = None,
        requester_id: RequesterIdText | None = None,
    ) -> None:
        """Moderators: set a requester's status (shown on every server) with a reason."""
        settings = await checks.require_moderator(interaction)
        locale = locale_of(interaction)
        query = rules.parse_requester(requester, platform, requester_id)
        rules.check_status(status)
        now = self._now()
        target = await service.resolve_requester(self.bot.db, query, create=False, now=now)
        updated, changed = await service.set_status(
            self.bot.db, target.id, status=status, **_acting(settings, interaction, reason, now)
        )
        key = "requesters.mod.status_set" if changed else "requesters.mod.status_unchanged"
        await reply(
            interaction,
            t(
                key,
                locale,
                name=safe_text(updated.name, 100),
                status=cards.status_label(updated.status, locale),
            ),
        )
        if changed:
            self._status_changed(updated.id)

    status.autocomplete("requester")(RequestersBase.requester_autocomplete)

    @requester_group.command(
        name=ls("requesters.merge_cmd.name"), description=ls("requesters.merge_cmd.description")
    )
    async def merge(
        self,
        interaction: discord.Interaction[Entraide],
        *,
        alias: RequesterText,
        survivor: RequesterText,
        reason: app_commands.Range[str, 1, rules.REASON_LIMIT],
    ) -> None:
        """Moderators: record that two requester records are the same requester."""
        settings = await checks.require_moderator(interaction)
        locale = locale_of(interaction)
        now = self._now()
        db = self.bot.db
        alias_query = rules.parse_requester(alias)
        if alias_query.record_id is not None:
            named = await requesters.get(db, alias_query.record_id)
            if named is not None and named.merged_into_id is not None:
                raise UserError("requesters.errors.already_alias", name=rules.preview(named.name))
        old = await service.resolve_requester(db, alias_query, create=False, now=now)
        keep = await service.resolve_requester(
            db, rules.parse_requester(survivor), create=False, now=now
        )
        outcome = await service.merge(
            db, old.id, keep.id, **_acting(settings, interaction, reason, now)
        )
        await reply(
            interaction,
            t(
                "requesters.mod.merged",
                locale,
                alias=safe_text(outcome.alias.name, 100),
                survivor=safe_text(outcome.survivor.name, 100),
                status=cards.status_label(outcome.survivor.status, locale),
            ),
        )
        self._status_changed(outcome.survivor.id, outcome.alias.id)

    merge.autocomplete("alias")(RequestersBase.requester_autocomplete)
    merge.autocomplete("survivor")(RequestersBase.requester_autocomplete)

    @requester_group.command(
        name=ls("requesters.forget_name_cmd.name"),
        description=ls("requesters.forget_name_cmd.description"),
    )
    async def forget_name(
        self,
        interaction: discord.Interaction[Entraide],
        *,
        requester: RequesterText,
        name: RequesterText,
        reason: app_commands.Range[str, 1, rules.REASON_LIMIT],
    ) -> None:
        """Moderators: a name given for a record is not its name (a share can be wrong)."""
        settings = await checks.require_moderator(interaction)
        locale = locale_of(interaction)
        now = self._now()
        target = await service.resolve_requester(
            self.bot.db, rules.parse_requester(requester), create=False, now=now
        )
        forgotten = await service.forget_name(
            self.bot.db, target.id, name, **_acting(settings, interaction, reason, now)
        )
        await reply(
            interaction,
            t(
                "requesters.mod.name_forgotten",
                locale,
                name=safe_text(forgotten, 100),
                requester=safe_text(target.name, 100),
            ),
        )
        self._status_changed(target.id)  # shares by that name are resolved afresh

    forget_name.autocomplete("requester")(RequestersBase.requester_autocomplete)
