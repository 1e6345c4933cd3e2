"""A small Discord-shaped server on 127.0.0.1: REST routes and a gateway websocket.

Enough of Discord for the unmodified `python -m bot run` to log in, sync its commands,
connect to the gateway (HELLO, IDENTIFY, READY, GUILD_CREATE, heartbeats), answer an
interaction and RESUME after a dropped connection. With `shards=N` it is split as Discord
splits a bot: `/gateway/bot` recommends N shards, one server per shard lives here, and
each connection's IDENTIFY names its shard (`[id, N]`) and gets READY and GUILD_CREATEs
for that shard's servers only (`(guild_id >> 22) % N`); a wrong shard count is closed with
4010 (Invalid shard), as Discord does. Nothing here leaves the loopback
interface. Facts it relies on (discord.py 2.7.1) are in /work/shared/STYLE.md's
"Over the wire" section: a body is JSON only with `Content-Type: application/json` exactly,
and the gateway URL carries `compress=zlib-stream` unless compression is turned off.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import zlib
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.harness import payloads as p

API = "/api/v10"
EPHEMERAL = 1 << 6


def json_response(data: Any, status: int = 200) -> web.Response:
    """JSON with the exact content type discord.py checks for (no `; charset=…`)."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json"},
    )


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    peer_port: int = 0  # the caller's end of the connection (which process sent it)


@dataclass
class GatewaySession:
    """One websocket connection: what it asked for and every op the bot sent."""

    path: str
    query: dict[str, str]
    received: list[dict[str, Any]] = field(default_factory=list)
    ws: web.WebSocketResponse | None = None
    compressor: Any = None
    shard_id: int = 0  # from IDENTIFY's `shard` (or the session a RESUME names)

    def ops(self) -> list[int]:
        return [frame["op"] for frame in self.received]


class WireDiscord:
    """The server. Use as `async with WireDiscord() as server:`; `server.api_base`."""

    def __init__(
        self,
        *,
        gateway_url: str | None = None,
        gateway_bot: bool = True,
        token: str = "wire.token.value",
        refuse_identify: bool = False,
        shards: int = 1,
    ) -> None:
        self.token = token
        self.shard_count = shards
        self.refuse_identify = refuse_identify  # True: close with 4004 (authentication failed)
        self.gateway_bot = gateway_bot  # False: a server without GET /gateway/bot
        self.application_id = p.snowflake()
        self.bot_user = p.FakeUser(p.snowflake(), "entraide", bot=True)
        self.member = p.FakeUser(p.snowflake(), "alice")
        #: One server per shard, server i on shard i; `guild_id` is shard 0's.
        self.channels = {_on_shard(shard, shards): p.snowflake() for shard in range(shards)}
        self.guild_id = next(iter(self.channels))
        self.channel_id = self.channels[self.guild_id]
        self.identifies: list[dict[str, Any]] = []
        self.requests: list[Request] = []
        self.unknown: list[Request] = []
        self.sessions: list[GatewaySession] = []
        self.callbacks: asyncio.Queue[Request] = asyncio.Queue()
        self.session_id = secrets.token_hex(8)
        #: Each shard's session and its sequence (shard 0's session is `session_id`).
        self.session_ids = {
            shard: self.session_id if shard == 0 else secrets.token_hex(8)
            for shard in range(shards)
        }
        self.sequences = dict.fromkeys(range(shards), 0)
        self._gateway_url = gateway_url  # None: this server's own /gateway
        self._events: dict[str, asyncio.Event] = {}
        #: Set after every REST call is answered (`until` waits on it; cleared there).
        self.changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- life cycle -------------------------------------------------------------------------

    async def __aenter__(self) -> WireDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/resume", self._gateway)
        app.router.add_route("*", API + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for session in self.sessions:
            if session.ws is not None and not session.ws.closed:
                await session.ws.close()
        assert self._runner is not None
        await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API}"

    @property
    def gateway_url(self) -> str:
        return self._gateway_url or f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def resume_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/resume"

    def event(self, name: str) -> asyncio.Event:
        return self._events.setdefault(name, asyncio.Event())

    async def wait(self, name: str, within: float = 60) -> None:
        await asyncio.wait_for(self.event(name).wait(), within)

    # -- REST -------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        body = None
        if request.can_read_body and request.content_type == "application/json":
            body = await request.json()
        path = "/" + request.match_info["tail"]
        peer = request.transport.get_extra_info("peername") if request.transport else None
        call = Request(request.method, path, dict(request.query), body, dict(request.headers))
        call.peer_port = peer[1] if peer else 0
        self.requests.append(call)
        # Interaction callbacks and webhooks (follow-ups, edits) carry no bot token.
        is_interaction = path.startswith(("/interactions/", "/webhooks/"))
        if not is_interaction and request.headers.get("Authorization") != f"Bot {self.token}":
            return json_response({"message": "401: Unauthorized", "code": 0}, 401)
        parts = path.strip("/").split("/")
        handler = self._route(request.method, parts)
        if handler is None:
            self.unknown.append(call)
            self.changed.set()
            return json_response({"message": "Unknown route", "code": 0}, 404)
        response = json_response(handler(call, parts))
        self.changed.set()
        return response

    def _route(self, method: str, parts: list[str]) -> Any:
        match (method, parts):
            case ("GET", ["users", "@me"]):
                return lambda call, parts: self.bot_user.user_json()
            case ("GET", ["oauth2", "applications", "@me"]):
                return self._application
            case ("GET", ["gateway", "bot"]) if self.gateway_bot:
                return self._gateway_bot
            case ("PUT", ["applications", _, "commands"]) | (
                "PUT",
                ["applications", _, "guilds", _, "commands"],
            ):
                return self._sync
            case ("POST", ["interactions", _, _, "callback"]):
                return self._callback
            case ("POST", ["channels", _, "messages"]):
                return self._message
        return None

    def _application(self, call: Request, parts: list[str]) -> Any:
        return p.application_json(self.application_id, owner_id=p.snowflake())

    def _gateway_bot(self, call: Request, parts: list[str]) -> Any:
        return {
            "url": self.gateway_url,
            "shards": self.shard_count,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 86_400_000,
                "max_concurrency": 1,
            },
        }

    def _sync(self, call: Request, parts: list[str]) -> Any:
        self.event("synced").set()
        # Discord answers with every command's description, "" for context menus.
        return [
            {"description": "", **cmd}
            | {"id": str(p.snowflake()), "application_id": str(self.application_id)}
            | {"version": "1"}
            for cmd in call.json or []
        ]

    def _message(self, call: Request, parts: list[str]) -> Any:
        author = self.bot_user.user_json()
        return p.message_json(p.snowflake(), int(parts[1]), author, call.json or {})

    def _callback(self, call: Request, parts: list[str]) -> Any:
        interaction_id, kind = parts[1], (call.json or {}).get("type")
        data = (call.json or {}).get("data") or {}
        flags = data.get("flags") or 0
        message = p.message_json(
            p.snowflake(), self.channel_id, self.bot_user.user_json(), data, message_type=20
        )
        self.callbacks.put_nowait(call)
        return {
            "interaction": {
                "id": interaction_id,
                "type": 2,
                "response_message_id": message["id"],
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(flags & EPHEMERAL),
            },
            "resource": {"type": kind, "message": message},
        }

    # -- gateway ----------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        session = GatewaySession(request.path, dict(request.query), ws=ws)
        compression = request.query.get("compress")
        if compression == "zlib-stream":
            session.compressor = zlib.compressobj()
        elif compression:  # a compression this server does not speak: refuse, as Discord would
            await ws.close(code=4000, message=b"unsupported compression")
            return ws
        self.sessions.append(session)
        await self._send(session, {"op": 10, "d": {"heartbeat_interval": 41_250}})
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                break
            frame = json.loads(message.data)
            session.received.append(frame)
            await self._on_frame(session, frame)
        self.event("disconnected").set()
        return ws

    async def _send(self, session: GatewaySession, frame: dict[str, Any]) -> None:
        assert session.ws is not None
        text = json.dumps(frame)
        if session.compressor is None:
            await session.ws.send_str(text)
        else:
            compressed = session.compressor.compress(text.encode())
            await session.ws.send_bytes(compressed + session.compressor.flush(zlib.Z_SYNC_FLUSH))

    def shard_of(self, guild_id: int) -> int:
        return (guild_id >> 22) % self.shard_count

    def session_of(self, shard: int) -> GatewaySession:
        """The newest connection of a shard."""
        return next(s for s in reversed(self.sessions) if s.shard_id == shard)

    async def dispatch(
        self,
        event: str,
        data: dict[str, Any],
        *,
        shard: int | None = None,
        session: GatewaySession | None = None,
    ) -> None:
        """Send a DISPATCH (op 0) on `session`, else the shard's newest connection (else
        the newest)."""
        if session is None:
            session = self.sessions[-1] if shard is None else self.session_of(shard)
        self.sequences[session.shard_id] += 1
        sequence = self.sequences[session.shard_id]
        await self._send(session, {"op": 0, "t": event, "s": sequence, "d": data})

    @property
    def sequence(self) -> int:
        return self.sequences[0]

    async def _on_frame(self, session: GatewaySession, frame: dict[str, Any]) -> None:
        op, data = frame.get("op"), frame.get("d")
        if op == 1:  # heartbeat
            await self._send(session, {"op": 11, "d": None})
            self.event("heartbeat").set()
        elif op == 2:  # identify
            if data["token"] != self.token or self.refuse_identify:
                await session.ws.close(code=4004, message=b"Authentication failed")  # type: ignore[union-attr]
                return
            shard, count = data.get("shard") or (0, 1)
            if count != self.shard_count or not 0 <= shard < count:
                await session.ws.close(code=4010, message=b"Invalid shard")  # type: ignore[union-attr]
                return
            session.shard_id = shard
            self.identify = data
            self.identifies.append(data)
            self.event("identified").set()
            self.event(f"identified:{shard}").set()
            await self.dispatch("READY", self._ready(shard), shard=shard)
            for guild_id in self.guilds_of(shard):
                await self.dispatch("GUILD_CREATE", self._guild(guild_id), shard=shard)
        elif op == 6:  # resume
            self.resume = data
            shards = [k for k, sid in self.session_ids.items() if sid == data["session_id"]]
            if data["token"] != self.token or not shards:
                await self._send(session, {"op": 9, "d": False})
                return
            session.shard_id = shards[0]
            await self.dispatch("RESUMED", {}, shard=session.shard_id)
            self.event("resumed").set()

    async def drop(self) -> None:
        """Drop the newest connection as Discord does before asking for a resume."""
        session = self.sessions[-1]
        assert session.ws is not None
        await session.ws.close(code=4000, message=b"Unknown error")

    def guilds_of(self, shard: int) -> list[int]:
        return [guild_id for guild_id in self.channels if self.shard_of(guild_id) == shard]

    def _ready(self, shard: int) -> dict[str, Any]:
        return {
            "v": 10,
            "user": self.bot_user.user_json(),
            "guilds": [{"id": str(g), "unavailable": True} for g in self.guilds_of(shard)],
            "session_id": self.session_ids[shard],
            "resume_gateway_url": self.resume_url,
            "shard": [shard, self.shard_count],
            "application": {"id": str(self.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
        }

    def _guild(self, guild_id: int) -> dict[str, Any]:
        everyone = p.role_json(guild_id, "@everyone", p.EVERYONE_PERMS, 0)
        return p.guild_json(
            guild_id,
            "Wire Server",
            owner_id=self.member.id,
            roles=[everyone],
            channels=[p.text_channel_json(self.channels[guild_id], guild_id, "general")],
            members=[self.bot_user.member_json(), self.member.member_json()],
        )

    async def slash(self, name: str, *, locale: str = "en-US", guild_id: int | None = None) -> str:
        """Send an INTERACTION_CREATE for `/name` (no options) in a server (by default
        shard 0's), on its shard's connection; return its id."""
        guild_id = guild_id or self.guild_id
        channel_id = self.channels[guild_id]
        interaction_id = p.snowflake()
        await self.dispatch(
            "INTERACTION_CREATE",
            {
                "id": str(interaction_id),
                "application_id": str(self.application_id),
                "type": 2,
                "data": {"id": str(p.snowflake()), "name": name, "type": 1},
                "guild_id": str(guild_id),
                "guild_locale": "en-US",
                "channel_id": str(channel_id),
                "channel": {
                    "id": str(channel_id),
                    "type": 0,
                    "guild_id": str(guild_id),
                    "name": "general",
                },
                "member": self.member.member_json(p.EVERYONE_PERMS.value),
                "app_permissions": str(p.BOT_PERMS.value),
                "token": secrets.token_urlsafe(24),
                "version": 1,
                "locale": locale,
                "entitlements": [],
                "authorizing_integration_owners": {"0": str(guild_id)},
                "context": 0,
                "attachment_size_limit": 10 * 1024 * 1024,
            },
            shard=self.shard_of(guild_id),
        )
        return str(interaction_id)


def _on_shard(shard: int, count: int) -> int:
    """A fresh server id that Discord's rule puts on `shard` of `count`."""
    base = p.snowflake() >> 22
    return ((base - base % count + shard) << 22) | (p.snowflake() & ((1 << 22) - 1))
