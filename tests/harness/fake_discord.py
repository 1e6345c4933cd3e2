"""A fake of Discord's HTTP side: every REST call and interaction callback the bot makes
is recorded and answered with Discord-shaped JSON, and never leaves the process.

Only two methods are replaced: `discord.http.HTTPClient.request` (the bot's REST client)
and `discord.webhook.async_.AsyncWebhookAdapter.request` (interaction callbacks and
follow-ups), plus `HTTPClient.get_from_cdn` for attachment downloads. Everything above
them (discord.py's models, views, the command tree) runs for real.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import discord
import discord.webhook.async_ as webhook_async
from discord.http import HTTPClient

from tests.harness import payloads as p

EPHEMERAL = 1 << 6


@dataclass
class Call:
    """One request the bot made to Discord."""

    method: str
    path: str  # the route template, e.g. /channels/{channel_id}/messages
    params: dict[str, str]
    json: dict[str, Any] | None
    files: list[tuple[str, bytes]] = field(default_factory=list)
    query: dict[str, Any] | None = None
    reason: str | None = None

    def route(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class Sent:
    """Something a member would see: a message, an edit, a modal, autocomplete choices."""

    kind: (
        str  # response | deferred | update | followup | message | edit | modal | autocomplete | dm
    )
    payload: dict[str, Any]
    message: dict[str, Any] | None = None
    interaction_id: int | None = None
    channel_id: int | None = None
    files: list[tuple[str, bytes]] = field(default_factory=list)

    @property
    def content(self) -> str:
        source = self.message if self.message is not None else self.payload
        return source.get("content") or ""

    @property
    def ephemeral(self) -> bool:
        source = self.message if self.message is not None else self.payload
        return bool((source.get("flags") or 0) & EPHEMERAL)

    @property
    def embeds(self) -> list[dict[str, Any]]:
        source = self.message if self.message is not None else self.payload
        return source.get("embeds") or []

    @property
    def embed(self) -> dict[str, Any]:
        assert self.embeds, f"no embed in {self.kind}: {self.payload}"
        return self.embeds[0]

    def field(self, name: str, embed_index: int = 0) -> str:
        """The value of the embed field whose name contains `name`."""
        for item in self.embeds[embed_index].get("fields", []):
            if name.lower() in item["name"].lower():
                return item["value"]
        names = [f["name"] for f in self.embeds[embed_index].get("fields", [])]
        raise AssertionError(f"no field {name!r} in {names}")

    @property
    def text(self) -> str:
        """Everything readable: content, titles, descriptions, fields, footers."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title", ""), embed.get("description", "")]
            parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
            parts.append((embed.get("footer") or {}).get("text", ""))
            parts.append((embed.get("author") or {}).get("name", ""))
        if self.kind == "modal":
            parts.append(self.payload.get("title", ""))
        return "\n".join(x for x in parts if x)

    @property
    def components(self) -> list[dict[str, Any]]:
        source = self.message if self.message is not None else self.payload
        return source.get("components") or []

    def walk_components(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []

        def walk(items: list[dict[str, Any]]) -> None:
            for item in items:
                found.append(item)
                walk(item.get("components") or [])
                if "component" in item:
                    walk([item["component"]])

        walk(self.components)
        return found

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [c for c in self.walk_components() if c.get("type") == 2]

    def button(self, label: str) -> dict[str, Any]:
        for button in self.buttons:
            if label.lower() in (button.get("label") or "").lower():
                return button
        raise AssertionError(f"no button {label!r} in {[b.get('label') for b in self.buttons]}")

    @property
    def message_id(self) -> int:
        assert self.message is not None
        return int(self.message["id"])


class FakeDiscord:
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

    # -- installation -------------------------------------------------------------------

    def install(self, monkeypatch: Any) -> None:
        fake = self

        async def rest_request(
            http: HTTPClient, route: Any, *, files: Any = None, form: Any = None, **kwargs: Any
        ) -> Any:
            return await fake._rest(route, files=files, form=form, **kwargs)

        async def webhook_request(
            adapter: Any,
            route: Any,
            session: Any,
            *,
            payload: Any = None,
            multipart: Any = None,
            files: Any = None,
            params: Any = None,
            **kwargs: Any,
        ) -> Any:
            return await fake._webhook(
                route, payload=payload, multipart=multipart, files=files, params=params
            )

        async def get_from_cdn(http: HTTPClient, url: str) -> bytes:
            if url not in fake.cdn:
                raise _http_error(404, {"code": 0, "message": "404: Not Found"})
            return fake.cdn[url]

        monkeypatch.setattr(HTTPClient, "request", rest_request)
        monkeypatch.setattr(HTTPClient, "get_from_cdn", get_from_cdn)
        monkeypatch.setattr(webhook_async.AsyncWebhookAdapter, "request", webhook_request)

    # -- failure injection --------------------------------------------------------------

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        *,
        times: int = 1,
        code: int = 0,
        message: str = "",
        match: Callable[[Call], bool] | None = None,
        retry_after: float = 0.0,
    ) -> None:
        """Make the next `times` matching requests fail with `status` (0 = forever)."""
        self._failures.append(
            {
                "method": method,
                "path": path,
                "status": status,
                "times": times,
                "code": code,
                "message": message or f"{status}",
                "match": match,
                "retry_after": retry_after,
            }
        )

    def _check_failure(self, call: Call) -> None:
        for failure in list(self._failures):
            if failure["method"] != call.method or failure["path"] != call.path:
                continue
            if failure["match"] is not None and not failure["match"](call):
                continue
            if failure["times"]:
                failure["times"] -= 1
                if failure["times"] == 0:
                    self._failures.remove(failure)
            if failure["status"] == 429:
                raise discord.RateLimited(failure["retry_after"] or 1.0)
            raise _http_error(
                failure["status"], {"code": failure["code"], "message": failure["message"]}
            )

    # -- request handling ---------------------------------------------------------------

    async def _rest(self, route: Any, *, files: Any, form: Any, **kwargs: Any) -> Any:
        body = kwargs.get("json")
        if form:
            for part in form:
                if part.get("name") == "payload_json":
                    body = json.loads(part["value"])
        call = Call(
            route.method,
            route.path,
            _params(route),
            body,
            _read_files(files),
            kwargs.get("params"),
            kwargs.get("reason"),
        )
        self.calls.append(call)
        await asyncio.sleep(0)
        self._check_failure(call)
        handler = self._REST.get(call.route())
        if handler is None:
            self.unhandled.append(call)
            raise AssertionError(f"the fake Discord does not know {call.route()}")
        return handler(self, call)

    async def _webhook(
        self, route: Any, *, payload: Any, multipart: Any, files: Any, params: Any
    ) -> Any:
        body = payload
        if multipart:
            for part in multipart:
                if part.get("name") == "payload_json":
                    body = json.loads(part["value"])
        call = Call(route.method, route.path, _params(route), body, _read_files(files), params)
        self.calls.append(call)
        await asyncio.sleep(0)
        self._check_failure(call)
        handler = self._WEBHOOK.get(call.route())
        if handler is None:
            self.unhandled.append(call)
            raise AssertionError(f"the fake Discord does not know {call.route()}")
        return handler(self, call)

    # -- REST handlers ------------------------------------------------------------------

    def _me(self, call: Call) -> Any:
        return self.bot_user.user_json()

    def _application(self, call: Call) -> Any:
        return {
            "id": str(self.application_id),
            "name": "Entraide",
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": p.user_json(1, "owner"),
            "summary": "",
            "flags": 0,
            "team": None,
            "rpc_origins": [],
            "tags": [],
        }

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
            raise _http_error(404, {"code": 10008, "message": "Unknown Message"})
        return self.messages[message_id]

    def _delete_message(self, call: Call) -> Any:
        message_id = int(call.params["message_id"])
        if self.messages.pop(message_id, None) is None:
            raise _http_error(404, {"code": 10008, "message": "Unknown Message"})
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
                attachments=_attachment_list(call.files),
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
            raise _http_error(404, {"code": 10003, "message": "Unknown Channel"})
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
            raise _http_error(404, {"code": 10003, "message": "Unknown Channel"})
        return _channel_snapshot(channel)

    def _get_member(self, call: Call) -> Any:
        guild = self.state._get_guild(int(call.params["guild_id"])) if self.state else None
        user_id = call.params.get("user_id") or call.params["member_id"]
        member = guild.get_member(int(user_id)) if guild else None
        if member is None:
            raise _http_error(404, {"code": 10007, "message": "Unknown Member"})
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
            raise _http_error(404, {"code": 10007, "message": "Unknown Member"})
        if role is None:
            raise _http_error(404, {"code": 10011, "message": "Unknown Role"})
        me = guild.me
        if not me.guild_permissions.manage_roles or role.managed or not role < me.top_role:
            raise _http_error(403, {"code": 50013, "message": "Missing Permissions"})
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

    # -- interaction (webhook) handlers ---------------------------------------------------

    def _callback(self, call: Call) -> Any:
        token = call.params["webhook_token"]
        interaction_id = int(call.params["webhook_id"])
        body = call.json or {}
        kind = body.get("type")
        data = body.get("data") or {}
        channel_id = self.interaction_channels.get(token)
        response: dict[str, Any] = {
            "interaction": {
                "id": str(interaction_id),
                "type": 2,
                "response_message_ephemeral": False,
            },
        }
        if kind in (4, 5):
            flags = data.get("flags") or 0
            message = p.message_json(
                p.snowflake(),
                channel_id or 0,
                self.bot_user.user_json(),
                {**data, "flags": flags},
                attachments=_attachment_list(call.files),
                message_type=20,
            )
            self.messages[int(message["id"])] = message
            self.files[int(message["id"])] = call.files
            self.originals[token] = int(message["id"])
            response["interaction"].update(
                {
                    "response_message_id": message["id"],
                    "response_message_loading": kind == 5,
                    "response_message_ephemeral": bool(flags & EPHEMERAL),
                }
            )
            response["resource"] = {"type": kind, "message": message}
            self.sent.append(
                Sent(
                    "response" if kind == 4 else "deferred",
                    data,
                    message,
                    interaction_id,
                    channel_id,
                    call.files,
                )
            )
        elif kind == 7:
            target = self._interaction_message(token)
            message = self._apply_edit(target, data, call.files) if target else None
            response["resource"] = {"type": 7, "message": message} if message else {"type": 7}
            self.sent.append(Sent("update", data, message, interaction_id, channel_id, call.files))
        elif kind == 6:
            response["resource"] = {"type": 6}
            self.sent.append(Sent("deferred_update", data, None, interaction_id, channel_id))
        elif kind == 8:
            response["resource"] = {"type": 8}
            self.sent.append(Sent("autocomplete", data, None, interaction_id, channel_id))
        elif kind == 9:
            response["resource"] = {"type": 9}
            self.sent.append(Sent("modal", data, None, interaction_id, channel_id))
        else:
            self.unhandled.append(call)
        return response

    def _followup(self, call: Call) -> Any:
        token = call.params["webhook_token"]
        channel_id = self.interaction_channels.get(token, 0)
        message = self._store_message(channel_id, call.json or {}, call.files, message_type=19)
        self.sent.append(
            Sent(
                "followup",
                call.json or {},
                message,
                self.interaction_ids.get(token),
                channel_id,
                call.files,
            )
        )
        return message

    def _edit_webhook_message(self, call: Call) -> Any:
        token = call.params["webhook_token"]
        raw_id = call.params.get("message_id", "@original")
        message_id = self.originals.get(token) if raw_id == "@original" else int(raw_id)
        if message_id is None or message_id not in self.messages:
            raise _http_error(404, {"code": 10008, "message": "Unknown Message"})
        message = self._apply_edit(message_id, call.json or {}, call.files)
        self.sent.append(
            Sent(
                "edit",
                call.json or {},
                message,
                self.interaction_ids.get(token),
                message.get("channel_id") and int(message["channel_id"]),
                call.files,
            )
        )
        return message

    def _get_webhook_message(self, call: Call) -> Any:
        token = call.params["webhook_token"]
        raw_id = call.params.get("message_id", "@original")
        message_id = self.originals.get(token) if raw_id == "@original" else int(raw_id)
        if message_id is None or message_id not in self.messages:
            raise _http_error(404, {"code": 10008, "message": "Unknown Message"})
        return self.messages[message_id]

    def _delete_webhook_message(self, call: Call) -> Any:
        token = call.params["webhook_token"]
        raw_id = call.params.get("message_id", "@original")
        message_id = self.originals.get(token) if raw_id == "@original" else int(raw_id)
        self.messages.pop(message_id or 0, None)
        return None

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
            attachments=_attachment_list(files),
            message_type=message_type,
        )
        self.messages[int(message["id"])] = message
        self.files[int(message["id"])] = files
        return message

    def _apply_edit(
        self, message_id: int, body: dict[str, Any], files: list[tuple[str, bytes]]
    ) -> dict[str, Any]:
        if message_id not in self.messages:
            raise _http_error(404, {"code": 10008, "message": "Unknown Message"})
        message = self.messages[message_id]
        for key in ("content", "embeds", "components", "flags"):
            if key in body:
                message[key] = (
                    body[key] if body[key] is not None else ([] if key != "content" else "")
                )
        if files or "attachments" in body:
            message["attachments"] = _attachment_list(files)
            self.files[message_id] = files
        message["edited_timestamp"] = p.iso()
        return message

    def _interaction_message(self, token: str) -> int | None:
        return self.component_messages.get(token)

    # -- queries for tests --------------------------------------------------------------

    def in_channel(self, channel_id: int) -> list[Sent]:
        return [
            s
            for s in self.sent
            if s.channel_id == channel_id and s.kind in ("message", "forum_post")
        ]

    def dms_to(self, user_id: int) -> list[Sent]:
        return [
            s
            for s in self.sent
            if s.kind == "dm" and self.dm_channels.get(s.channel_id or 0) == user_id
        ]

    def for_interaction(self, interaction_id: int) -> list[Sent]:
        return [s for s in self.sent if s.interaction_id == interaction_id]

    def calls_to(self, method: str, path: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path == path]

    def message(self, message_id: int) -> dict[str, Any]:
        return self.messages[message_id]

    def assert_never_pinged(self, allowed_roles: Iterable[int] = ()) -> None:
        """Every message the bot sent or edited carried allowed_mentions that ping no one.

        `allowed_roles`: the one exception, opt-in notification roles (cogs/roles). A
        message may then allow pinging some of these roles, and still nobody else.
        """
        permitted = {int(r) for r in allowed_roles}
        for call in self.calls:
            body = call.json or {}
            if not isinstance(body, dict):
                continue
            if call.path.endswith("/callback"):
                body = body.get("data") or {}
            if not ({"content", "embeds"} & set(body)) and "message" not in body:
                continue
            target = body.get("message", body) if "message" in body else body
            allowed = target.get("allowed_mentions")
            assert allowed is not None, f"{call.route()} sent without allowed_mentions: {target}"
            assert not allowed.get("parse"), f"{call.route()} allows pings: {allowed}"
            assert not allowed.get("users"), allowed
            roles = {int(r) for r in allowed.get("roles") or ()}
            assert roles <= permitted, f"{call.route()} allows pinging roles {roles}: {allowed}"

    _REST: dict[str, Callable[[FakeDiscord, Call], Any]] = {}
    _WEBHOOK: dict[str, Callable[[FakeDiscord, Call], Any]] = {}


FakeDiscord._REST = {
    "GET /users/@me": FakeDiscord._me,
    "GET /oauth2/applications/@me": FakeDiscord._application,
    "GET /applications/@me": FakeDiscord._application,
    "PUT /applications/{application_id}/commands": FakeDiscord._sync,
    "PUT /applications/{application_id}/guilds/{guild_id}/commands": FakeDiscord._sync,
    "POST /channels/{channel_id}/messages": FakeDiscord._create_message,
    "PATCH /channels/{channel_id}/messages/{message_id}": FakeDiscord._edit_message,
    "GET /channels/{channel_id}/messages/{message_id}": FakeDiscord._get_message,
    "DELETE /channels/{channel_id}/messages/{message_id}": FakeDiscord._delete_message,
    "POST /users/@me/channels": FakeDiscord._create_dm,
    "POST /channels/{channel_id}/threads": FakeDiscord._create_thread,
    "POST /channels/{channel_id}/messages/{message_id}/threads": FakeDiscord._create_thread,
    "PATCH /channels/{channel_id}": FakeDiscord._edit_channel,
    "GET /channels/{channel_id}": FakeDiscord._get_channel,
    "GET /guilds/{guild_id}/members/{user_id}": FakeDiscord._get_member,
    # `Guild.fetch_member` names the parameter `member_id`
    "GET /guilds/{guild_id}/members/{member_id}": FakeDiscord._get_member,
    "PUT /guilds/{guild_id}/members/{user_id}/roles/{role_id}": FakeDiscord._member_role,
    "DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}": FakeDiscord._member_role,
    "PUT /channels/{channel_id}/thread-members/@me": FakeDiscord._ok,
    "PUT /channels/{channel_id}/thread-members/{user_id}": FakeDiscord._ok,
    "PUT /channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me": FakeDiscord._ok,
    "PUT /channels/{channel_id}/pins/{message_id}": FakeDiscord._ok,
}
FakeDiscord._WEBHOOK = {
    "POST /interactions/{webhook_id}/{webhook_token}/callback": FakeDiscord._callback,
    "POST /webhooks/{webhook_id}/{webhook_token}": FakeDiscord._followup,
    "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/@original": FakeDiscord._edit_webhook_message,
    "PATCH /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}": FakeDiscord._edit_webhook_message,
    "GET /webhooks/{webhook_id}/{webhook_token}/messages/@original": FakeDiscord._get_webhook_message,
    "GET /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}": FakeDiscord._get_webhook_message,
    "DELETE /webhooks/{webhook_id}/{webhook_token}/messages/@original": FakeDiscord._delete_webhook_message,
    "DELETE /webhooks/{webhook_id}/{webhook_token}/messages/{message_id}": FakeDiscord._delete_webhook_message,
}


def _params(route: Any) -> dict[str, str]:
    """Recover the route's parameters by matching its URL against its template."""
    pattern = re.escape(route.path)
    pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/?]+)", pattern)
    match = re.search(pattern + r"$", route.url.split("?", 1)[0])
    return dict(match.groupdict()) if match else {}


def _read_files(files: Any) -> list[tuple[str, bytes]]:
    result = []
    for file in files or []:
        fp = file.fp
        position = fp.tell()
        fp.seek(0)
        result.append((file.filename, fp.read()))
        fp.seek(position)
    return result


def _attachment_list(files: list[tuple[str, bytes]]) -> list[dict[str, Any]]:
    return [p.attachment_json(p.snowflake(), name, len(data)) for name, data in files]


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


def _http_error(status: int, body: dict[str, Any]) -> discord.HTTPException:
    response = SimpleNamespace(status=status, reason=str(body.get("message", "")))
    if status == 403:
        return discord.Forbidden(response, body)  # type: ignore[arg-type]
    if status == 404:
        return discord.NotFound(response, body)  # type: ignore[arg-type]
    if status >= 500:
        return discord.DiscordServerError(response, body)  # type: ignore[arg-type]
    return discord.HTTPException(response, body)  # type: ignore[arg-type]
