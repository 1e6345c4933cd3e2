"""One place that turns any failure during an interaction into a calm answer.

`UserError` is answered with its message; permission and option problems are explained;
a locked database asks the member to try again; anything else gets a short apology while
the full traceback is logged with guild, user and command ids (python-discord/bot's
error handler and Red's tree `on_error` do the same).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserError
from bot.i18n import t
from bot.money import MoneyError
from bot.ui import NO_PINGS, locale_of, reply
from db.connection import DatabaseBusyError

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])


def _unwrap(error: BaseException) -> BaseException:
    while isinstance(
        error,
        app_commands.CommandInvokeError | commands.CommandInvokeError | commands.HybridCommandError,
    ) or (
        isinstance(error, app_commands.TransformerError) and isinstance(error.__cause__, UserError)
    ):
        inner = (
            error.__cause__ if isinstance(error, app_commands.TransformerError) else error.original
        )
        if inner is None:
            break
        error = inner
    return error


def describe_error(error: BaseException, locale: str) -> tuple[str, bool]:
    """Return (message for the member, whether this was unexpected)."""
    error = _unwrap(error)
    if isinstance(error, UserError):
        return error.message(locale), False
    if isinstance(error, MoneyError):
        return t(error.key, locale, **error.params), False
    if isinstance(error, DatabaseBusyError):
        return t("common.errors.busy", locale), False
    if isinstance(error, discord.RateLimited):
        seconds = max(1, round(error.retry_after))
        return t("common.errors.rate_limited", locale, seconds=seconds), False
    if isinstance(error, app_commands.MissingPermissions | commands.MissingPermissions):
        perms = ", ".join(p.replace("_", " ") for p in error.missing_permissions)
        return t("common.errors.missing_permissions", locale, perms=perms), False
    if isinstance(error, app_commands.BotMissingPermissions | commands.BotMissingPermissions):
        perms = ", ".join(p.replace("_", " ") for p in error.missing_permissions)
        return t("common.errors.bot_missing_permissions", locale, perms=perms), False
    if isinstance(error, app_commands.NoPrivateMessage | commands.NoPrivateMessage):
        return t("common.errors.guild_only", locale), False
    if isinstance(error, app_commands.CommandOnCooldown | commands.CommandOnCooldown):
        return t("common.errors.cooldown", locale, seconds=round(error.retry_after)), False
    if isinstance(error, app_commands.TransformerError):
        return t("common.errors.bad_option", locale, value=str(error.value)[:50]), False
    if isinstance(error, app_commands.CheckFailure | commands.CheckFailure):
        return t("common.errors.not_allowed", locale), False
    if isinstance(error, commands.UserInputError):
        return t("common.errors.bad_input", locale, detail=str(error)[:200]), False
    return t("common.errors.unexpected", locale), True


async def handle_interaction_error(
    interaction: discord.Interaction, error: BaseException, *, where: str = ""
) -> None:
    """Answer the member ephemerally and log what deserves logging."""
    locale = locale_of(interaction)
    message, unexpected = describe_error(error, locale)
    if unexpected:
        command = interaction.command.qualified_name if interaction.command else where
        log.error(
            "unhandled error in %s (guild=%s user=%s channel=%s interaction=%s)",
            command or "interaction",
            interaction.guild_id,
            interaction.user.id if interaction.user else None,
            interaction.channel_id,
            interaction.id,
            exc_info=_unwrap(error),
        )
    try:
        await reply(interaction, message, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not deliver an error message for interaction %s", interaction.id)


def guarded(func: F) -> F:
    """Route a callback's exceptions to the handler.

    discord.py only logs exceptions raised in a `DynamicItem` callback, which would
    leave the member looking at "This interaction failed"; wrap such callbacks in this.
    """

    @functools.wraps(func)
    async def wrapper(self: Any, interaction: discord.Interaction, *args: Any) -> Any:
        try:
            return await func(self, interaction, *args)
        except Exception as exc:
            await handle_interaction_error(interaction, exc, where=type(self).__name__)
            return None

    return wrapper  # type: ignore[return-value]


class EntraideView(discord.ui.View):
    """A view whose errors reach the member; optionally restricted to one user."""

    def __init__(self, *, owner_id: int | None = None, timeout: float | None = 180) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.message: discord.Message | discord.InteractionMessage | None = None

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if self.owner_id is not None and interaction.user.id != self.owner_id:
            await reply(interaction, t("common.errors.not_your_view", locale_of(interaction)))
            return False
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        await handle_interaction_error(interaction, error, where=type(self).__name__)

    async def on_timeout(self) -> None:
        for item in self.children:
            if hasattr(item, "disabled"):
                item.disabled = True  # type: ignore[attr-defined]
        if self.message is not None:
            try:
                await self.message.edit(view=self, allowed_mentions=NO_PINGS)
            except discord.HTTPException:
                log.debug("could not disable an expired view", exc_info=True)


class EntraideModal(discord.ui.Modal):
    """A modal whose errors reach the member."""

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await handle_interaction_error(interaction, error, where=type(self).__name__)


class EntraideTree(app_commands.CommandTree):
    """The command tree with the global error handler attached."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await handle_interaction_error(interaction, error)
