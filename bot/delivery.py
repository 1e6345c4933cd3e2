"""Posting to the channels a server configured, and noticing when that breaks.

Features post alerts, report cards and digests into channels chosen at /setup. Those
channels can be deleted, or the bot's permissions there removed, at any time. Every such
send goes through `post_to`, which checks permissions first (so the member or moderator
is told exactly what is missing), and on a deleted channel forgets it (so nothing retries
forever) and raises the `channel_problem` event that the setup feature reports to
moderators.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

from bot.errors import UserError
from bot.i18n import permission_names, t
from bot.raw_messages import send_message
from bot.ui import NO_PINGS, fit_embed
from db import guilds

if TYPE_CHECKING:
    from bot.bot import Entraide

log = logging.getLogger(__name__)

#: Which guild_settings column holds each kind of channel.
CHANNEL_COLUMNS = {
    "alerts": "alerts_channel_id",
    "mod": "mod_channel_id",
    "digest": "digest_channel_id",
}

TEXT_NEEDS = ("view_channel", "send_messages", "embed_links", "read_message_history")
FORUM_NEEDS = (
    "view_channel",
    "send_messages",
    "embed_links",
    "read_message_history",
    "create_public_threads",
    "send_messages_in_threads",
    "manage_threads",
)

Postable = discord.TextChannel | discord.ForumChannel | discord.Thread


@dataclass(frozen=True, slots=True)
class Posted:
    """Where something landed: a message, and the forum post (thread) if any."""

    message: discord.Message | discord.PartialMessage
    thread: discord.Thread | None = None

    @property
    def channel_id(self) -> int:
        return self.thread.id if self.thread else self.message.channel.id


class ChannelProblemError(UserError):
    """The configured channel cannot be used; the message says why, for the member."""

    def __init__(self, kind: str, reason: str, missing: tuple[str, ...] = ()) -> None:
        key = f"common.delivery.{reason}"
        super().__init__(key, channel=kind, perms=", ".join(p.replace("_", " ") for p in missing))
        self.kind = kind
        self.reason = reason
        self.missing = missing

    def message(self, locale: str | None) -> str:
        """Name the channel and the permissions in the reader's language, not in code."""
        return t(
            self.key,
            locale,
            channel=t(f"common.channel_kinds.{self.kind}", locale),
            perms=permission_names(self.missing, locale),
        )


def required_permissions(channel: Postable) -> tuple[str, ...]:
    return FORUM_NEEDS if isinstance(channel, discord.ForumChannel) else TEXT_NEEDS


def missing_permissions(channel: Postable, me: discord.Member) -> tuple[str, ...]:
    """The permissions the bot lacks in `channel` (empty when it can post)."""
    perms = channel.permissions_for(me)
    needed = required_permissions(channel)
    if isinstance(channel, discord.Thread):
        needed = ("view_channel", "send_messages_in_threads", "embed_links")
    return tuple(name for name in needed if not getattr(perms, name))


def configured_channel(bot: Entraide, guild_id: int, channel_id: int | None) -> Postable | None:
    if channel_id is None:
        return None
    channel = bot.get_channel(channel_id)
    if channel is None or getattr(channel, "guild", None) is None or channel.guild.id != guild_id:
        return None
    return channel if isinstance(channel, Postable) else None


async def forget_channel(bot: Entraide, guild_id: int, kind: str, detail: str) -> None:
    """Stop using a channel that no longer exists, and tell whoever listens."""
    column = CHANNEL_COLUMNS[kind]
    now = int(bot.clock.now().timestamp())
    await guilds.update(bot.db, guild_id, now, **{column: None})
    log.warning("guild %s: %s channel unusable (%s); setting cleared", guild_id, kind, detail)
    bot.dispatch("channel_problem", guild_id, kind, detail)


async def post_to(
    bot: Entraide,
    guild_id: int,
    kind: str,
    *,
    content: str | None = None,
    embed: discord.Embed | None = None,
    embeds: list[discord.Embed] | None = None,
    view: discord.ui.View | None = None,
    files: list[discord.File] | None = None,
    forum_title: str | None = None,
    forum_tags: list[discord.ForumTag] | None = None,
) -> Posted:
    """Post into the server's `kind` channel (alerts, mod, digest), forum or text.

    Raises `ChannelProblemError` (a `UserError`) when the channel is not configured, gone,
    or the bot lacks permissions there.
    """
    settings = await guilds.get(bot.db, guild_id)
    channel_id = getattr(settings, CHANNEL_COLUMNS[kind])
    if channel_id is None:
        raise ChannelProblemError(kind, "not_configured")
    channel = configured_channel(bot, guild_id, channel_id)
    if channel is None:
        await forget_channel(bot, guild_id, kind, "deleted")
        raise ChannelProblemError(kind, "deleted")
    guild = channel.guild
    missing = missing_permissions(channel, guild.me)
    if missing:
        bot.dispatch("channel_problem", guild_id, kind, "missing:" + ",".join(missing))
        raise ChannelProblemError(kind, "missing_permissions", missing)
    all_embeds = [fit_embed(e) for e in ([embed] if embed is not None else []) + list(embeds or [])]
    kwargs: dict[str, Any] = {"allowed_mentions": NO_PINGS}
    if content:
        kwargs["content"] = content
    if all_embeds:
        kwargs["embeds"] = all_embeds
    if view is not None:
        kwargs["view"] = view
    if files:
        kwargs["files"] = files
    try:
        if isinstance(channel, discord.ForumChannel):
            created = await channel.create_thread(
                name=(forum_title or "Entraide")[:100], applied_tags=forum_tags or [], **kwargs
            )
            return Posted(created.message, created.thread)
        return Posted(await send_message(channel, **kwargs))
    except discord.NotFound:
        await forget_channel(bot, guild_id, kind, "deleted")
        raise ChannelProblemError(kind, "deleted") from None
    except discord.Forbidden:
        bot.dispatch("channel_problem", guild_id, kind, "forbidden")
        raise ChannelProblemError(
            kind, "missing_permissions", required_permissions(channel)
        ) from None
