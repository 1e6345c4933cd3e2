"""The fake Discord's REST routes: log-in, command sync, channel messages, DMs, threads,
channel edits and member roles, each answered as Discord would (and echoed through the
gateway parsers where Discord echoes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import discord

from tests.harness import payloads as p
from tests.harness.fake_state import FakeState, attachment_list, http_error
from tests.harness.sent import Call, Sent


class RestRoutes(FakeState):
    """Handlers for `discord.http.HTTPClient.request`, one per route (see `REST_ROUTES`)."""

    def _me(self, call: Call) -> Any:
        return self.bot_user.user_json()

    def _application(self, call: Call) -> Any:
        return p.application_json(self.application_id, owner_id=1)

    def _sync(self, call: Call) -> Any:
        # Discord answers user and message menus with an empty description.
        return [
            {
                "description": "",
                **cmd,
                "id": str(p.snowflake()),
                "application_id": str(self.application_id),
                "version": "1",
            }
            for cmd in (call.json or [])
        ]

    def _create_message(self, call: Call) -> Any:
        channel_id = int(call.params["channel_id"])
        data = self._store_message(channel_id, call.json or {}, call.files)
        kind = "dm" if channel_id in self.dm_channels else "message"
        self.sent.append(Sent(kind, call.json or {}, data, channel_id=channel_id, files=call.files))
        return data

    def _edit_message(self, call: Call) -> Any:
        message_id = int(call.params["message_id"])
        data = self._apply_edit(message_id, call.json or {}, call.files)
        self.sent.append(
            Sent("edit", call.json or {}, data, channel_id=int(call.params["channel_id"]))
        )
        return data

    def _get_message(self, call: Call) -> Any:
        message_id = int(call.params["message_id"])
        if message_id not in self.messages:
            raise http_error(404, {"code": 10008, "message": "Unknown Message"})
        return self.messages[message_id]

    def _delete_message(self, call: Call) -> Any:
        message_id = int(call.params["message_id"])
        if self.messages.pop(message_id, None) is None:
            raise http_error(404, {"code": 10008, "message": "Unknown Message"})
        self.sent.append(Sent("delete", {}, None, channel_id=int(call.params["channel_id"])))
        return None

    def _create_dm(self, call: Call) -> Any:
        user_id = int((call.json or {})["recipient_id"])
        for channel_id, owner in self.dm_channels.items():
            if owner == user_id:
                return self.channels[channel_id]
        channel_id = p.snowflake()
        self.dm_channels[channel_id] = user_id
        self.channels[channel_id] = p.dm_channel_json(
            channel_id, p.user_json(user_id, f"user{user_id}")
        )
        return self.channels[channel_id]

    def _create_thread(self, call: Call) -> Any:
        parent_id = int(call.params["channel_id"])
        body = call.json or {}
        parent = self.state.get_channel(parent_id) if self.state else None
        guild_id = parent.guild.id if parent is not None else 0
        thread_id = p.snowflake()
        tags = [int(t) for t in body.get("applied_tags") or []]
        data = p.thread_json(
            thread_id, guild_id, parent_id, body.get("name", ""), self.bot_user.id, tags
        )
        starter = body.get("message")
        if starter is not None:
            message = p.message_json(
                thread_id,
                thread_id,
                self.bot_user.user_json(),
                starter,
                guild_id=guild_id,
                attachments=attachment_list(call.files),
            )
            self.messages[thread_id] = message
            data["message"] = message
            self.sent.append(
                Sent("forum_post", starter, message, channel_id=thread_id, files=call.files)
            )
        self.channels[thread_id] = data
        if self.state is not None:
            self.state.parse_thread_create({**data, "newly_created": True})
        return data

    def _edit_channel(self, call: Call) -> Any:
        channel_id = int(call.params["channel_id"])
        body = dict(call.json or {})
        current = self.channels.get(channel_id)
        channel = self.state.get_channel(channel_id) if self.state else None
        if current is None and channel is not None:
            current = _channel_snapshot(channel)
        if current is None:
            raise http_error(404, {"code": 10003, "message": "Unknown Channel"})
        if "available_tags" in body:
            tags = []
            for tag in body["available_tags"]:
                tag = dict(tag)
                tag.setdefault("id", str(p.snowflake()))
                tag.setdefault("moderated", False)
                tag.setdefault("emoji_id", None)
                tag.setdefault("emoji_name", None)
                tags.append(tag)
            body["available_tags"] = tags
        if "applied_tags" in body:
            body["applied_tags"] = [str(t) for t in body["applied_tags"]]
        for key in ("archived", "locked", "auto_archive_duration"):
            if key in body:
                current.setdefault("thread_metadata", {})[key] = body.pop(key)
        current.update(body)
        self.channels[channel_id] = current
        self.sent.append(Sent("channel_edit", call.json or {}, None, channel_id=channel_id))
        if self.state is not None:
            if current.get("type") in (10, 11, 12):
                self.state.parse_thread_update(current)
            else:
                self.state.parse_channel_update(current)
        return current

    def _get_channel(self, call: Call) -> Any:
        channel_id = int(call.params["channel_id"])
        if channel_id in self.channels:
            return self.channels[channel_id]
        channel = self.state.get_channel(channel_id) if self.state else None
        if channel is None:
            raise http_error(404, {"code": 10003, "message": "Unknown Channel"})
        return _channel_snapshot(channel)

    def _get_member(self, call: Call) -> Any:
        guild = self.state._get_guild(int(call.params["guild_id"])) if self.state else None
        user_id = call.params.get("user_id") or call.params["member_id"]
        member = guild.get_member(int(user_id)) if guild else None
        if member is None:
            raise http_error(404, {"code": 10007, "message": "Unknown Member"})
        return {
            "user": p.user_json(member.id, member.name),
            "roles": [str(r.id) for r in member.roles[1:]],
            "joined_at": p.iso(member.joined_at),
            "deaf": False,
            "mute": False,
            "flags": 0,
        }

    def _member_role(self, call: Call) -> Any:
        """Add or remove a member's role as Discord does: checked, then echoed.

        Refused (403) unless the bot has Manage Roles and the role is below its own and
        not managed by an integration; the change then reaches the bot as the GUILD_MEMBER_UPDATE Discord would send.
        """
        guild = self.state._get_guild(int(call.params["guild_id"])) if self.state else None
        member = guild.get_member(int(call.params["user_id"])) if guild else None
        role = guild.get_role(int(call.params["role_id"])) if guild else None
        if member is None:
            raise http_error(404, {"code": 10007, "message": "Unknown Member"})
        if role is None:
            raise http_error(404, {"code": 10011, "message": "Unknown Role"})
        me = guild.me
        if not me.guild_permissions.manage_roles or role.managed or not role < me.top_role:
            raise http_error(403, {"code": 50013, "message": "Missing Permissions"})
        roles = {r.id for r in member.roles[1:]}
        if call.method == "PUT":
            roles.add(role.id)
        else:
            roles.discard(role.id)
        self.state.parse_guild_member_update(
            {
                "guild_id": str(guild.id),
                "user": p.user_json(member.id, member.name),
                "roles": [str(r) for r in sorted(roles)],
                "joined_at": p.iso(member.joined_at),
                "nick": member.nick,
                "avatar": None,
                "flags": 0,
            }
        )

    def _ok(self, call: Call) -> Any:
        return None


REST_ROUTES: dict[str, Callable[[Any, Call], Any]] = {
    "GET /users/@me": RestRoutes._me,
    "GET /oauth2/applications/@me": RestRoutes._application,
    "GET /applications/@me": RestRoutes._application,
    "PUT /applications/{application_id}/commands": RestRoutes._sync,
    "PUT /applications/{application_id}/guilds/{guild_id}/commands": RestRoutes._sync,
    "POST /channels/{channel_id}/messages": RestRoutes._create_message,
    "PATCH /channels/{channel_id}/messages/{message_id}": RestRoutes._edit_message,
    "GET /channels/{channel_id}/messages/{message_id}": RestRoutes._get_message,
    "DELETE /channels/{channel_id}/messages/{message_id}": RestRoutes._delete_message,
    "POST /users/@me/channels": RestRoutes._create_dm,
    "POST /channels/{channel_id}/threads": RestRoutes._create_thread,
    "POST /channels/{channel_id}/messages/{message_id}/threads": RestRoutes._create_thread,
    "PATCH /channels/{channel_id}": RestRoutes._edit_channel,
    "GET /channels/{channel_id}": RestRoutes._get_channel,
    "GET /guilds/{guild_id}/members/{user_id}": RestRoutes._get_member,
    # `Guild.fetch_member` names the parameter `member_id`
    "GET /guilds/{guild_id}/members/{member_id}": RestRoutes._get_member,
    "PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}": RestRoutes._member_role,
    "DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}": RestRoutes._member_role,
    "PUT /channels/{channel_id}/thread-members/@me": RestRoutes._ok,
    "PUT /channels/{channel_id}/thread-members/{user_id}": RestRoutes._ok,
    "PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me": RestRoutes._ok,
    "PUT /channels/{channel_id}/pins/{message_id}": RestRoutes._ok,
}


def _channel_snapshot(channel: Any) -> dict[str, Any]:
    guild_id = channel.guild.id
    if isinstance(channel, discord.ForumChannel):
        tags = [p.tag_json(t.id, t.name) for t in channel.available_tags]
        return p.forum_channel_json(channel.id, guild_id, channel.name, tags=tags)
    if isinstance(channel, discord.Thread):
        return p.thread_json(
            channel.id,
            guild_id,
            channel.parent_id,
            channel.name,
            channel.owner_id or 0,
            [t.id for t in channel.applied_tags],
        )
    return p.text_channel_json(channel.id, guild_id, channel.name)
