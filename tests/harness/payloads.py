"""Discord-shaped JSON for the offline harness: users, members, guilds, channels, messages
and interactions, in the shapes the gateway and REST API really send."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord

_snowflakes = itertools.count(1_300_000_000_000_000_000)


def snowflake() -> int:
    """A fresh id, unique for the whole test session."""
    return next(_snowflakes)


def iso(when: datetime | None = None) -> str:
    return (when or datetime.now(UTC)).isoformat()


def user_json(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "global_name": name.capitalize(),
        "discriminator": "0",
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


def application_json(application_id: int, *, owner_id: int) -> dict[str, Any]:
    """The bot's application as `GET /oauth2/applications/@me` returns it."""
    return {
        "id": str(application_id),
        "name": "Entraide",
        "description": "",
        "icon": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "owner": user_json(owner_id, "owner"),
        "summary": "",
        "flags": 0,
        "team": None,
        "rpc_origins": [],
        "tags": [],
    }


# Permission bits used by the default world.
def _allow(*names: str) -> discord.Permissions:
    """Permissions with exactly the named bits set."""
    return discord.Permissions(**dict.fromkeys(names, True))


EVERYONE_PERMS = _allow(
    "view_channel",
    "send_messages",
    "read_message_history",
    "use_application_commands",
    "embed_links",
    "attach_files",
    "add_reactions",
    "send_messages_in_threads",
    "create_public_threads",
)
BOT_PERMS = _allow(
    "view_channel",
    "send_messages",
    "send_messages_in_threads",
    "embed_links",
    "attach_files",
    "read_message_history",
    "manage_threads",
    "create_public_threads",
    "create_private_threads",
    "manage_messages",
    "manage_channels",
    "use_application_commands",
)
MANAGER_PERMS = discord.Permissions(manage_guild=True)


@dataclass
class FakeUser:
    """A person (or the bot) in the fake world."""

    id: int
    name: str
    roles: list[int] = field(default_factory=list)
    joined_at: datetime = field(default_factory=lambda: datetime(2024, 1, 1, tzinfo=UTC))
    bot: bool = False

    def user_json(self) -> dict[str, Any]:
        return user_json(self.id, self.name, bot=self.bot)

    def member_json(self, permissions: int | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {
            "user": self.user_json(),
            "roles": [str(r) for r in self.roles],
            "joined_at": iso(self.joined_at),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "avatar": None,
            "premium_since": None,
            "pending": False,
            "communication_disabled_until": None,
        }
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


def role_json(
    role_id: int, name: str, permissions: discord.Permissions, position: int
) -> dict[str, Any]:
    return {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "position": position,
        "managed": False,
        "mentionable": False,
        "permissions": str(permissions.value),
        "flags": 0,
        "icon": None,
        "unicode_emoji": None,
    }


def text_channel_json(
    channel_id: int,
    guild_id: int,
    name: str,
    *,
    position: int = 0,
    overwrites: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": overwrites or [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "flags": 0,
    }


def forum_channel_json(
    channel_id: int,
    guild_id: int,
    name: str,
    *,
    tags: list[dict[str, Any]] | None = None,
    position: int = 0,
) -> dict[str, Any]:
    data = text_channel_json(channel_id, guild_id, name, position=position)
    data.update(
        {
            "type": 15,
            "available_tags": tags or [],
            "default_reaction_emoji": None,
            "default_thread_rate_limit_per_user": 0,
            "default_sort_order": None,
            "default_forum_layout": 0,
        }
    )
    return data


def tag_json(tag_id: int, name: str) -> dict[str, Any]:
    return {
        "id": str(tag_id),
        "name": name,
        "moderated": False,
        "emoji_id": None,
        "emoji_name": None,
    }


def thread_json(
    thread_id: int,
    guild_id: int,
    parent_id: int,
    name: str,
    owner_id: int,
    applied_tags: list[int] | None = None,
) -> dict[str, Any]:
    return {
        "id": str(thread_id),
        "type": 11,
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "name": name,
        "owner_id": str(owner_id),
        "last_message_id": str(thread_id),
        "rate_limit_per_user": 0,
        "message_count": 1,
        "member_count": 1,
        "flags": 0,
        "applied_tags": [str(t) for t in applied_tags or []],
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": iso(),
            "locked": False,
        },
    }


def dm_channel_json(channel_id: int, recipient: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(channel_id), "type": 1, "recipients": [recipient], "last_message_id": None}


def guild_json(
    guild_id: int,
    name: str,
    *,
    owner_id: int,
    roles: list[dict[str, Any]],
    channels: list[dict[str, Any]],
    members: list[dict[str, Any]],
    locale: str = "en-US",
) -> dict[str, Any]:
    return {
        "id": str(guild_id),
        "name": name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "owner_id": str(owner_id),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": roles,
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "vanity_url_code": None,
        "description": None,
        "banner": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": locale,
        "public_updates_channel_id": None,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "large": False,
        "unavailable": False,
        "member_count": len(members),
        "members": members,
        "channels": channels,
        "threads": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "joined_at": iso(),
    }


def message_json(
    message_id: int,
    channel_id: int,
    author: dict[str, Any],
    payload: dict[str, Any],
    *,
    guild_id: int | None = None,
    attachments: list[dict[str, Any]] | None = None,
    message_type: int = 0,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "author": author,
        "content": payload.get("content") or "",
        "timestamp": iso(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": attachments or [],
        "embeds": payload.get("embeds") or [],
        "pinned": False,
        "type": message_type,
        "components": payload.get("components") or [],
        "flags": payload.get("flags") or 0,
    }
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
    return data


def attachment_json(
    attachment_id: int, filename: str, size: int, content_type: str | None = None
) -> dict[str, Any]:
    url = f"https://cdn.test/attachments/{attachment_id}/{filename}"
    data: dict[str, Any] = {
        "id": str(attachment_id),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url,
    }
    if content_type:
        data["content_type"] = content_type
    return data
