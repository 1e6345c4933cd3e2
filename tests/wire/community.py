"""The loopback Discord with real communities in it, for bots that post, edit and DM.

`WireDiscord` answers enough for a bot to log in and reply to `/about`. The two-process
tests need what a community does: servers set up like the harness's default world (an
alerts, moderators and digest channel, a moderator role, members), one per shard;
slash commands with options from any member; and a memory of what the bots did there —
messages posted and edited, direct messages, every interaction's answers (callback,
deferral, follow-up, edit of the original). Every wait here is bounded (`until`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import discord

from tests.harness import payloads as p
from tests.harness.world import World, guild_payload, make_world
from tests.wire.processes import owner_of_connection
from tests.wire.server import EPHEMERAL, GatewaySession, Request, WireDiscord, _on_shard

#: Discord's option types for the Python values a test passes.
OPTION_TYPES: tuple[tuple[type, int], ...] = ((bool, 5), (int, 4), (float, 10), (str, 3))
MOD_PERMS = discord.Permissions(manage_messages=True)


@dataclass
class Reply:
    """One answer to an interaction: its kind and what it carried."""

    kind: str  # "message" (callback 4), "deferred" (callback 5), "followup", "edit"
    data: dict[str, Any]

    @property
    def content(self) -> str:
        embeds = " ".join(str(e.get("description") or "") for e in self.data.get("embeds") or [])
        return f"{self.data.get('content') or ''} {embeds}".strip()

    @property
    def ephemeral(self) -> bool:
        return bool((self.data.get("flags") or 0) & EPHEMERAL)


@dataclass
class Asked:
    """An interaction a test sent, and the replies it got (by its token)."""

    token: str
    interaction_id: int
    replies: list[Reply] = field(default_factory=list)
    #: The process ("A", "B") whose callback answered it.
    by: str | None = None

    @property
    def answer(self) -> Reply | None:
        """The reply the member reads last (a deferral alone is not an answer)."""
        shown = [r for r in self.replies if r.kind != "deferred"]
        return shown[-1] if shown else None

    @property
    def ephemeral(self) -> bool:
        """Private to the member: said in the first reply (a deferral's flags included)."""
        return bool(self.replies) and self.replies[0].ephemeral


def world_on(shard: int, count: int, bot_user: p.FakeUser) -> World:
    """The harness's default world in a server Discord puts on `shard` of `count`."""
    world = make_world()
    guild_id = _on_shard(shard, count)
    bot = p.FakeUser(bot_user.id, bot_user.name, roles=[world.bot_role], bot=True)
    return dataclasses.replace(world, guild_id=guild_id, everyone_role=guild_id, bot_user=bot)


class CommunityWire(WireDiscord):
    """`WireDiscord` with one set-up community per shard and a log of what bots did."""

    def __init__(self, *, shards: int = 2, crowd: int = 0, **options: Any) -> None:
        super().__init__(shards=shards, **options)
        #: Shard i's community is `worlds[i]`.
        self.worlds = [world_on(shard, shards, self.bot_user) for shard in range(shards)]
        #: `crowd` more members in each community (by server id), beyond the world's people.
        self.crowds = {
            w.guild_id: [p.FakeUser(p.snowflake(), f"member{i}") for i in range(crowd)]
            for w in self.worlds
        }
        self.channels = {w.guild_id: w.general for w in self.worlds}
        self.guild_id = self.worlds[0].guild_id
        self.channel_id = self.worlds[0].general
        self._guild_of_channel = {
            channel: w.guild_id
            for w in self.worlds
            for channel in (w.general, w.alerts, w.mods, w.digest, w.forum)
        }
        #: Every message by id, as it is now (after edits).
        self.messages: dict[int, dict[str, Any]] = {}
        #: Created messages in order: (channel id, message id).
        self.posts: list[tuple[int, int]] = []
        #: Channel message edits in order: (channel id, message id, what the edit sent).
        self.edits: list[tuple[int, int, dict[str, Any]]] = []
        #: DM channel id → the member it reaches.
        self.dm_channels: dict[int, int] = {}
        self.asked: dict[str, Asked] = {}
        #: The bot processes by pid ("A", "B"): who made a post or an edit (`by`).
        self.processes: dict[int, str] = {}
        #: Message id → which process created it; edits: (message id, process) in order.
        self.posted_by: dict[int, str | None] = {}
        self.edited_by: list[tuple[int, str | None]] = []
        #: Each interaction's original response message, by token.
        self._originals: dict[str, dict[str, Any]] = {}

    # -- what bots did ---------------------------------------------------------------------

    def posted_in(self, channel_id: int) -> list[dict[str, Any]]:
        """Messages created in a channel, oldest first, as they are now."""
        return [self.messages[m] for c, m in self.posts if c == channel_id]

    def dms_to(self, user: p.FakeUser) -> list[dict[str, Any]]:
        return [self.messages[m] for c, m in self.posts if self.dm_channels.get(c) == user.id]

    def edits_of(self, message_id: int) -> list[dict[str, Any]]:
        return [sent for _, m, sent in self.edits if m == message_id]

    async def until(self, check: Callable[[], bool], within: float, what: str) -> None:
        """Wait until `check()` is true (re-checked after every REST call), at most `within`
        seconds; then fail naming `what`."""

        async def reached() -> None:
            while not check():
                self.changed.clear()
                await self.changed.wait()

        try:
            await asyncio.wait_for(reached(), within)
        except TimeoutError:
            raise AssertionError(f"not within {within:.0f} s: {what}") from None

    # -- members acting --------------------------------------------------------------------

    def permissions_of(self, world: World, user: p.FakeUser) -> int:
        perms = p.EVERYONE_PERMS.value
        if world.mod_role in user.roles:
            perms |= MOD_PERMS.value
        if world.manager_role in user.roles:
            perms |= p.MANAGER_PERMS.value
        return perms

    async def command(
        self,
        path: str,
        *,
        world: World,
        user: p.FakeUser,
        session: GatewaySession | None = None,
        **options: Any,
    ) -> Asked:
        """`/path option:value …` by `user` in `world`'s general channel, sent on `session`
        (default: the newest connection of the server's shard)."""
        entries = [{"name": k, "type": _option_type(v), "value": v} for k, v in options.items()]
        names = path.split()
        for sub in reversed(names[1:]):
            entries = [{"type": 1, "name": sub, "options": entries}]
        data = {"id": str(p.snowflake()), "name": names[0], "type": 1, "options": entries}
        interaction_id, token = p.snowflake(), secrets.token_urlsafe(24)
        asked = self.asked[token] = Asked(token, interaction_id)
        payload = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": 2,
            "data": data,
            "guild_id": str(world.guild_id),
            "guild_locale": "en-US",
            "channel_id": str(world.general),
            "channel": {
                "id": str(world.general),
                "type": 0,
                "guild_id": str(world.guild_id),
                "name": "general",
            },
            "member": user.member_json(self.permissions_of(world, user)),
            "app_permissions": str(p.BOT_PERMS.value | p.EVERYONE_PERMS.value),
            "token": token,
            "version": 1,
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(world.guild_id)},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        await self.dispatch(
            "INTERACTION_CREATE",
            payload,
            shard=self.shard_of(world.guild_id),
            session=session,
        )
        return asked

    async def answered(self, asked: Asked, within: float = 60) -> Reply:
        await self.until(lambda: asked.answer is not None, within, f"an answer to {asked}")
        assert asked.answer is not None
        return asked.answer

    # -- the routes ------------------------------------------------------------------------

    def _guild(self, guild_id: int) -> dict[str, Any]:
        (world,) = [w for w in self.worlds if w.guild_id == guild_id]
        name = f"Community {self.worlds.index(world)}"
        return guild_payload(world, "en-US", name, self.crowds[guild_id])

    def _route(self, method: str, parts: list[str]) -> Any:
        match (method, parts):
            case ("PATCH", ["channels", _, "messages", _]):
                return self._edit
            case ("GET", ["channels", _, "messages", _]):
                return lambda call, parts: self.messages[int(parts[3])]
            case ("POST", ["users", "@me", "channels"]):
                return self._dm_channel
            case ("POST", ["webhooks", _, _]):
                return self._followup
            case ("PATCH", ["webhooks", _, _, "messages", _]):
                return self._edit_reply
            case ("GET", ["webhooks", _, _, "messages", "@original"]):
                return lambda call, parts: self._original(parts[2])
        return super()._route(method, parts)

    def _store(self, channel_id: int, data: dict[str, Any], message_type: int = 0) -> dict:
        message = p.message_json(
            p.snowflake(),
            channel_id,
            self.bot_user.user_json(),
            data,
            guild_id=self._guild_of_channel.get(channel_id),
            message_type=message_type,
        )
        self.messages[int(message["id"])] = message
        return message

    def by(self, call: Request) -> str | None:
        """The process ("A", "B") that made this call, while its connection is open."""
        pid = owner_of_connection(call.peer_port, list(self.processes))
        return None if pid is None else self.processes[pid]

    def _message(self, call: Request, parts: list[str]) -> Any:
        channel_id = int(parts[1])
        message = self._store(channel_id, call.json or {})
        self.posts.append((channel_id, int(message["id"])))
        self.posted_by[int(message["id"])] = self.by(call)
        return message

    def _edit(self, call: Request, parts: list[str]) -> Any:
        channel_id, message_id = int(parts[1]), int(parts[3])
        sent = call.json or {}
        self.edits.append((channel_id, message_id, sent))
        self.edited_by.append((message_id, self.by(call)))
        message = self.messages.setdefault(
            message_id,
            p.message_json(message_id, channel_id, self.bot_user.user_json(), {}),
        )
        message.update({k: v for k, v in sent.items() if k in {"content", "embeds", "components"}})
        return message

    def _dm_channel(self, call: Request, parts: list[str]) -> Any:
        user_id = int((call.json or {})["recipient_id"])
        channel_id = next((c for c, u in self.dm_channels.items() if u == user_id), None)
        if channel_id is None:
            channel_id = p.snowflake()
            self.dm_channels[channel_id] = user_id
        return p.dm_channel_json(channel_id, p.user_json(user_id, f"member{user_id}"))

    def _reply(self, token: str, kind: str, data: dict[str, Any]) -> None:
        asked = self.asked.get(token)
        if asked is not None:
            asked.replies.append(Reply(kind, data))

    def _callback(self, call: Request, parts: list[str]) -> Any:
        answer = super()._callback(call, parts)
        kind = (call.json or {}).get("type")
        data = (call.json or {}).get("data") or {}
        self._reply(parts[2], {4: "message", 5: "deferred"}.get(kind, f"callback:{kind}"), data)
        if parts[2] in self.asked:
            self.asked[parts[2]].by = self.by(call)
        self.messages[int(answer["resource"]["message"]["id"])] = answer["resource"]["message"]
        self._originals[parts[2]] = answer["resource"]["message"]
        return answer

    def _original(self, token: str) -> dict[str, Any]:
        return self._originals.get(token) or self._store(self.channel_id, {}, message_type=20)

    def _followup(self, call: Request, parts: list[str]) -> Any:
        self._reply(parts[2], "followup", call.json or {})
        return self._store(self.channel_id, call.json or {}, message_type=20)

    def _edit_reply(self, call: Request, parts: list[str]) -> Any:
        self._reply(parts[2], "edit", call.json or {})
        message = dict(self._original(parts[2]))
        message.update({k: v for k, v in (call.json or {}).items() if k in {"content", "embeds"}})
        return message


def _option_type(value: object) -> int:
    return next(kind for python, kind in OPTION_TYPES if isinstance(value, python))
