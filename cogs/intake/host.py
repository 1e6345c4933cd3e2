"""What the intake's parts (API server, exports channel, views) need from the intake cog.

The cog builds and owns those parts; they call back into it to share a task or read the
clock. Naming the cog's class there would make them import `cogs.intake.cog` while it
imports them — a cycle. They name these protocols instead, and only `__init__` imports
the cog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import discord

    from bot.bot import Entraide
    from cogs.intake.parsers import ParsedTask
    from cogs.tasks.service import AlertService, ShareOutcome
    from db.guilds import GuildSettings
    from db.requesters import Reputation
    from db.tasks import Alert


class MinutesHandler(Protocol):
    """The exports channel's answers to its persistent "add minutes" button and form."""

    async def open_minutes(
        self, interaction: discord.Interaction[Entraide], message_id: int
    ) -> None: ...

    async def submit_minutes(
        self, interaction: discord.Interaction[Entraide], message_id: int, value: str
    ) -> None: ...


class IntakeHost(Protocol):
    """The intake cog, as its parts see it."""

    bot: Entraide

    @property
    def exports(self) -> MinutesHandler: ...

    @property
    def alerts(self) -> AlertService: ...

    def now(self) -> int: ...

    async def alert(self, alert_id: int) -> Alert | None: ...

    async def reputation(self, requester_id: int) -> Reputation: ...

    async def share_draft(
        self, settings: GuildSettings, draft: object, sharer_id: int, locale: str
    ) -> ShareOutcome: ...

    async def share_parsed(
        self, interaction: discord.Interaction[Entraide], parsed: ParsedTask, minutes: int
    ) -> None: ...


def intake_host(interaction: discord.Interaction[Entraide]) -> IntakeHost:
    """The loaded intake cog, for a button or form that Discord hands back to the bot."""
    return interaction.client.get_cog("Intake")  # type: ignore[return-value]
