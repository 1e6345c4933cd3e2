"""The fake Discord's memory: the messages, channels and interaction tokens it has seen,
and the message store that REST and interaction routes both write through.

The base of the route mixins (`fake_rest.py`, `fake_interactions.py`), so that each can
store and edit messages without importing the fake that combines them.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import discord

from tests.harness import payloads as p
from tests.harness.sent import Call, Sent


class FakeState:
    """Records requests and keeps enough state (messages, channels) to answer them."""

    def __init__(self, application_id: int, bot_user: p.FakeUser) -> None:
        self.application_id = application_id
        self.bot_user = bot_user
        self.calls: list[Call] = []
        self.sent: list[Sent] = []
        self.unhandled: list[Call] = []
        self.messages: dict[int, dict[str, Any]] = {}
        self.channels: dict[int, dict[str, Any]] = {}
        self.dm_channels: dict[int, int] = {}  # dm channel id -> user id
        self.interaction_channels: dict[str, int] = {}  # token -> channel id
        self.interaction_ids: dict[str, int] = {}  # token -> interaction id
        self.originals: dict[str, int] = {}  # token -> original response message id
        self.cdn: dict[str, bytes] = {}
        self.files: dict[int, list[tuple[str, bytes]]] = {}
        self._failures: list[dict[str, Any]] = []
        self.component_messages: dict[str, int] = {}  # token -> message the click came from
        self.state: Any = None  # the bot's ConnectionState, for gateway echoes

    # -- message store ------------------------------------------------------------------

    def _store_message(
        self,
        channel_id: int,
        body: dict[str, Any],
        files: list[tuple[str, bytes]],
        message_type: int = 0,
    ) -> dict[str, Any]:
        channel = self.state.get_channel(channel_id) if self.state else None
        guild_id = getattr(getattr(channel, "guild", None), "id", None)
        message = p.message_json(
            p.snowflake(),
            channel_id,
            self.bot_user.user_json(),
            body,
            guild_id=guild_id,
            attachments=attachment_list(files),
            message_type=message_type,
        )
        self.messages[int(message["id"])] = message
        self.files[int(message["id"])] = files
        return message

    def _apply_edit(
        self, message_id: int, body: dict[str, Any], files: list[tuple[str, bytes]]
    ) -> dict[str, Any]:
        if message_id not in self.messages:
            raise http_error(404, {"code": 10008, "message": "Unknown Message"})
        message = self.messages[message_id]
        for key in ("content", "embeds", "components", "flags"):
            if key in body:
                message[key] = (
                    body[key] if body[key] is not None else ([] if key != "content" else "")
                )
        if files or "attachments" in body:
            message["attachments"] = attachment_list(files)
            self.files[message_id] = files
        message["edited_timestamp"] = p.iso()
        return message

    def _interaction_message(self, token: str) -> int | None:
        return self.component_messages.get(token)


def attachment_list(files: list[tuple[str, bytes]]) -> list[dict[str, Any]]:
    return [p.attachment_json(p.snowflake(), name, len(data)) for name, data in files]


def http_error(status: int, body: dict[str, Any]) -> discord.HTTPException:
    response = SimpleNamespace(status=status, reason=str(body.get("message", "")))
    if status == 403:
        return discord.Forbidden(response, body)  # type: ignore[arg-type]
    if status == 404:
        return discord.NotFound(response, body)  # type: ignore[arg-type]
    if status >= 500:
        return discord.DiscordServerError(response, body)  # type: ignore[arg-type]
    return discord.HTTPException(response, body)  # type: ignore[arg-type]
