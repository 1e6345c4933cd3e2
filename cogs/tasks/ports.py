"""What the tasks feature's views call, named without importing the cog or the service.

The stairs inside the feature run `cog → service → (rules, db, render)`, and views sit
beside them: the cog builds views and hands them what they act on. This module names
those things as Protocols, so `views.py` and `identity_views.py` can be typed against
them while importing neither `cog.py` nor `service/` (an import of either, even under
`TYPE_CHECKING`, would close a cycle).

Persistent buttons (`DynamicItem`s) are rebuilt by discord.py from their custom_id, with
no chance to receive anything: they find the running service through the client
(`alert_actions`), as the only lookup by name in the feature.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import discord

from bot.errors import UserError

if TYPE_CHECKING:
    from bot.bot import Entraide
    from cogs.tasks.rules import ShareDraft, ShareInput
    from db.guilds import GuildSettings
    from db.requesters import Requester
    from db.tasks import Alert

#: The cog's name, under which `alert_actions` finds the running service.
COG_NAME = "Tasks"

#: Draws an alert's buttons (`views.alert_view`), handed to the service by the cog.
ButtonsFactory = Callable[["Alert", str], discord.ui.View]


class AlertActions(Protocol):
    """The service's answers to members' clicks and forms on an alert."""

    async def vote(
        self, interaction: discord.Interaction[Entraide], alert_id: int, kind: str
    ) -> None: ...

    async def confirm_warning(
        self, interaction: discord.Interaction[Entraide], alert_id: int
    ) -> Alert: ...

    async def add_warning(
        self, interaction: discord.Interaction[Entraide], alert_id: int, category: str
    ) -> tuple[Alert, bool]: ...

    async def report_done(
        self,
        interaction: discord.Interaction[Entraide],
        alert: Alert,
        minutes_text: str,
        rating: str | None,
    ) -> Alert: ...

    async def confirm_other_after_post(
        self, guild_id: int, alert_id: int, *, sharer_id: int
    ) -> tuple[Alert, Requester]: ...

    async def undo_other_confirmed(
        self, guild_id: int, audit_id: int, *, moderator_id: int
    ) -> tuple[Alert, Requester]: ...


class ShareHandler(Protocol):
    """`TasksCog.handle_share`: validate a share as typed, store it, answer the sharer."""

    async def __call__(
        self, interaction: discord.Interaction[Entraide], raw: ShareInput, /
    ) -> None: ...


class DraftSharer(Protocol):
    """`TasksCog.share_draft`: share an already validated draft and answer the sharer."""

    async def __call__(
        self,
        interaction: discord.Interaction[Entraide],
        settings: GuildSettings,
        draft: ShareDraft,
        /,
        *,
        other_confirmed: bool = False,
    ) -> None: ...


def alert_actions(interaction: discord.Interaction[Entraide]) -> AlertActions:
    """The running service, for a persistent button (the feature may be unloaded)."""
    cog = interaction.client.get_cog(COG_NAME)
    if cog is None:
        raise UserError("tasks.errors.unavailable")
    return cog.service  # type: ignore[attr-defined,no-any-return]
