"""Sending and editing a message without discord.py parsing Discord's answer.

The hot paths (an alert posted per share, its redraws, DMs) want the new message's id and
channel, nothing else; discord.py would build its author, embeds and components into
objects nobody reads. Kept apart from `bot.delivery` (configured channels) so that the DM
sender (`bot.direct`), which the bot itself owns, can use them too.
"""

from __future__ import annotations

import secrets
from typing import Any

import discord
from discord.http import handle_message_parameters


async def send_message(
    channel: discord.TextChannel | discord.Thread, **fields: Any
) -> discord.PartialMessage:
    """`channel.send(**fields)`, without parsing Discord's answer into a `discord.Message`.

    Callers want the new message's id and channel, nothing else; discord.py would build
    its author, embeds and components into objects nobody reads (about 40 µs for an
    alert, in every share of a burst). The payload is the one `send` writes, and a view
    that handles its own clicks is tracked for this message as `send` tracks it.
    """
    state = channel._state
    view = fields.get("view")
    with handle_message_parameters(
        nonce=secrets.randbits(64), previous_allowed_mentions=state.allowed_mentions, **fields
    ) as params:
        data = await state.http.send_message(channel.id, params=params)
    message = channel.get_partial_message(int(data["id"]))
    if view is not None and not view.is_finished() and view.is_dispatchable():
        state.store_view(view, message.id)
    return message


async def edit_message(message: discord.PartialMessage, **fields: Any) -> None:
    """`message.edit(**fields)`, without parsing Discord's answer (as `send_message`)."""
    state = message._state
    view = fields.get("view")
    if view is not None:
        state.prevent_view_updates_for(message.id)
    previous = state.allowed_mentions if "content" in fields else None
    with handle_message_parameters(previous_allowed_mentions=previous, **fields) as params:
        await state.http.edit_message(message.channel.id, message.id, params=params)
    if view is not None and not view.is_finished() and view.is_dispatchable():
        state.store_view(view, message.id)
