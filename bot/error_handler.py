"""One place that turns any failure during an interaction into a calm answer.

`UserError` is answered with its message; permission and option problems are explained;
a locked database asks the member to try again; anything else gets a short apology while
the full traceback is logged with guild, user and command ids (python-discord/bot's
error handler and Red's tree `on_error` do the same).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import secrets
import weakref
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Self, TypeVar

import discord
from discord import app_commands
from discord.enums import AppCommandOptionType
from discord.ext import commands

from bot.components import FromMatch
from bot.errors import UserError
from bot.i18n import t
from bot.money import MoneyError
from bot.ui import NO_PINGS, locale_of, reply
from db.connection import DatabaseBusyError

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])

#: Discord's limit on a component's (and a modal's) custom_id.
MODAL_CUSTOM_ID_LIMIT = 100


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


#: The custom_id prefixes of the bot's persistent components.
COMPONENT_NAMESPACES = (
    "tasks",
    "requesters",
    "reviews",
    "alerts",
    "earnings",
    "platforms",
    "intake",
)


class OversizedIdButton(
    FromMatch,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"(?:{'|'.join(COMPONENT_NAMESPACES)}):.{{0,200}}?[0-9]{{21}}.{{0,200}}",
):
    """Any of our custom_ids carrying a number of 21+ digits: refused kindly.

    Every feature's template bounds its ids to 20 digits (`bot.ids.ID_DIGITS`), so such
    a custom_id matches none of them and discord.py would drop the click in silence
    ("This interaction failed"). It can only come from a modified client; it gets the
    same answer as a button whose record is gone, and nothing is read or written.
    """

    def __init__(self, custom_id: str) -> None:
        super().__init__(discord.ui.Button(label="…", custom_id=custom_id[:100]))

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Item[Any]) -> Self:
        return cls(match.string)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await reply(interaction, t("common.errors.stale_component", locale_of(interaction)))


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
    """A modal whose errors reach the member, and that only its opener can submit.

    discord.py finds an open modal by its custom_id alone (not by user), so a fixed
    custom_id ("profile:qualifications", one per alert…) would let two members' forms
    replace each other, and anyone who sends a submit with that custom_id would reach
    another member's form. Every custom_id therefore ends with a random token only the
    opener's client receives.
    """

    def __init__(self, *, custom_id: str | None = None, **kwargs: Any) -> None:
        token = secrets.token_hex(8)
        prefix = (custom_id or type(self).__name__)[: MODAL_CUSTOM_ID_LIMIT - len(token) - 1]
        super().__init__(custom_id=f"{prefix}:{token}", **kwargs)

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Turn back a submission holding half a character, naming the field."""
        data: Any = interaction.data or {}
        for custom_id, value in _submitted_values(data.get("components")):
            if has_half_character(value):
                error = UserError(
                    "common.errors.option_broken_text", name=self._field_name(custom_id)
                )
                await reply(interaction, error.message(locale_of(interaction)))
                return False
        return True

    def _field_name(self, custom_id: str) -> str:
        """The label the member saw on a field (a `Label` around it, or its own)."""
        for item in self.walk_children():
            if isinstance(item, discord.ui.Label):
                if getattr(item.component, "custom_id", None) == custom_id:
                    return str(item.text)
            elif isinstance(item, discord.ui.TextInput) and item.custom_id == custom_id:
                label = item._underlying.label  # `.label` warns: it moved to ui.Label
                return str(label or custom_id)
        return custom_id

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await handle_interaction_error(interaction, error, where=type(self).__name__)


#: Discord's own bound for integer options (a real client cannot send more).
DISCORD_NUMBER_LIMIT = 2**53


def _option_value_error(param: Any, value: Any) -> UserError | None:
    """Why one option's value is not something any client may send, or None.

    Only what Discord itself guarantees is checked here (integers within ±2**53), so no
    absurd number reaches the database; each feature's rules still check its own
    `Range`, lengths and choices with a message that explains them (number options,
    where NaN and infinity can arrive, are all checked by their features' rules).
    """
    if param.type is AppCommandOptionType.integer and (
        isinstance(value, bool) or not isinstance(value, int) or abs(value) > DISCORD_NUMBER_LIMIT
    ):
        return UserError(
            "common.errors.option_number", name=str(param.display_name), value=str(value)[:30]
        )
    return None


#: Each command's parameters by the name Discord sends, built once per command (the
#: display names are translatable strings, rebuilt and compared on every interaction).
_BY_NAME: weakref.WeakKeyDictionary[Any, tuple[object, dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)


def _params_by_name(command: Any, params: dict[str, Any]) -> dict[str, Any]:
    try:
        cached = _BY_NAME.get(command)
    except TypeError:  # not weakly referenceable: build it each time
        cached = None
    if cached is not None and cached[0] is params:
        return cached[1]
    by_name = {str(param.display_name): param for param in params.values()}
    with contextlib.suppress(TypeError):
        _BY_NAME[command] = (params, by_name)
    return by_name


#: A UTF-16 surrogate left alone in a decoded string: half a character. A JSON `\uD800`
#: escape is valid syntax, so a modified client can send one; no store can encode it and
#: Discord refuses it in a message, so it must be turned back at the door.
_HALF_CHARACTER = re.compile("[\ud800-\udfff]")


def has_half_character(value: object) -> bool:
    return isinstance(value, str) and _HALF_CHARACTER.search(value) is not None


def _submitted_values(components: Any) -> Iterator[tuple[str, Any]]:
    """(custom_id, value) of every field in a modal submission, however nested."""
    if isinstance(components, dict):
        if "value" in components:
            yield str(components.get("custom_id", "")), components["value"]
        for key in ("components", "component"):
            if key in components:
                yield from _submitted_values(components[key])
    elif isinstance(components, list):
        for item in components:
            yield from _submitted_values(item)


def option_error(command: Any, options: list[dict[str, Any]]) -> UserError | None:
    """The first option whose value is outside what the command declares, or None.

    discord.py (2.7.1) does not re-check values that arrive, and a modified client can
    send anything: a 30-digit entry number reached SQLite and failed as an
    `OverflowError`. Checked once here for every command.
    """
    params = getattr(command, "_params", None)
    if not params:
        return None
    by_name = _params_by_name(command, params)
    for option in options:
        param = by_name.get(option.get("name", ""))
        if param is None or "value" not in option:
            continue
        if has_half_character(option["value"]):
            return UserError("common.errors.option_broken_text", name=str(param.display_name))
        error = _option_value_error(param, option["value"])
        if error is not None:
            return error
    return None


def _drop_half_characters(interaction: discord.Interaction) -> None:
    """Autocomplete only suggests: what is typed so far is looked up without the halves."""

    def clean(options: Any) -> None:
        for option in options or ():
            if has_half_character(option.get("value")):
                option["value"] = _HALF_CHARACTER.sub("", option["value"])
            clean(option.get("options"))

    data: Any = interaction.data or {}
    clean(data.get("options"))


class EntraideTree(app_commands.CommandTree):
    """The command tree with the global error handler attached."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Refuse option values a command does not declare, before it runs."""
        if interaction.type is discord.InteractionType.autocomplete:
            _drop_half_characters(interaction)
            return True
        if interaction.type is not discord.InteractionType.application_command:
            return True
        data: Any = interaction.data or {}
        if data.get("type", 1) != 1:
            return True
        try:
            command, options = self._get_app_command_options(data)
        except app_commands.CommandNotFound:
            return True
        error = option_error(command, options)
        if error is None:
            return True
        await reply(interaction, error.message(locale_of(interaction)))
        return False

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await handle_interaction_error(interaction, error)
