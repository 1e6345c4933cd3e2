"""How a large server's members reach the benchmarked bot: as Discord sends them.

A server with more than a few hundred members is "large": its GUILD_CREATE carries only a
handful of members (the bot itself, members in voice), and a bot with the members intent
asks for the rest (discord.py's `chunk_guild`, op 8 REQUEST_GUILD_MEMBERS). Discord answers
with GUILD_MEMBERS_CHUNK events of up to 1,000 members, each its own websocket message, so
the event loop gets a turn between them; discord.py announces the server
(`guild_available`) once the last chunk is in.

The harness's GUILD_CREATE carries the whole member list instead (a small test server is
not "large"). Parsed in one go, 20,000 members are one 130 ms loop iteration that no real
gateway produces, so the start-up figure would measure the benchmark's feeding rather than
the bot. `ChunkedMembers` reshapes that GUILD_CREATE into a large server's and answers
discord.py's chunk request chunk by chunk, each decoded from JSON on arrival as discord.py
decodes a websocket message. Building the payloads is the benchmark's own bookkeeping and
runs outside the loop probe (`bookkeeping`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from discord.state import ConnectionState

#: Discord's GUILD_MEMBERS_CHUNK size.
CHUNK_SIZE = 1000
#: Members a large server's GUILD_CREATE still carries (the bot and the named people).
KEPT_IN_GUILD_CREATE = 8


class ChunkedMembers:
    """Patches discord.py's state so a big member list arrives in chunks, as from Discord."""

    def __init__(
        self,
        monkeypatch: pytest.MonkeyPatch,
        *,
        on_gateway: Callable[[], None] | None = None,
        bookkeeping: Callable[[], AbstractContextManager[None]] = contextlib.nullcontext,
    ) -> None:
        self.on_gateway = on_gateway
        self.bookkeeping = bookkeeping
        #: Set once discord.py has every member and dispatched the server's arrival.
        self.loaded = asyncio.Event()
        self._chunks: dict[int, list[str]] = {}
        parse = ConnectionState.parse_guild_create
        chunk_and_dispatch = ConnectionState._chunk_and_dispatch

        def parse_guild_create(state: ConnectionState, data: Any) -> None:
            with self.bookkeeping():
                data = self._as_large(data)
            if self.on_gateway is not None:
                self.on_gateway()
            parse(state, data)
            if int(data["id"]) not in self._chunks:
                self.loaded.set()  # not chunked: discord.py announced it already

        async def chunked_then_dispatched(
            state: ConnectionState, guild: Any, unavailable: Any
        ) -> None:
            try:
                await chunk_and_dispatch(state, guild, unavailable)
            finally:
                self.loaded.set()

        async def chunker(
            state: ConnectionState,
            guild_id: int,
            query: str = "",
            limit: int = 0,
            presences: bool = False,
            *,
            nonce: str | None = None,
        ) -> None:
            # REQUEST_GUILD_MEMBERS sent; Discord's answers arrive as separate messages.
            asyncio.get_running_loop().create_task(
                self._answer(state, guild_id, nonce), name="bench: member chunks"
            )

        monkeypatch.setattr(ConnectionState, "parse_guild_create", parse_guild_create)
        monkeypatch.setattr(ConnectionState, "_chunk_and_dispatch", chunked_then_dispatched)
        monkeypatch.setattr(ConnectionState, "chunker", chunker)

    def _as_large(self, data: Any) -> Any:
        """A large server's GUILD_CREATE; the other members wait, as JSON, for the request."""
        members = data.get("members") or []
        if len(members) <= KEPT_IN_GUILD_CREATE:
            return data
        kept, rest = members[:KEPT_IN_GUILD_CREATE], members[KEPT_IN_GUILD_CREATE:]
        self._chunks[int(data["id"])] = [
            json.dumps(rest[start : start + CHUNK_SIZE])
            for start in range(0, len(rest), CHUNK_SIZE)
        ]
        return {**data, "members": kept, "member_count": len(members), "large": True}

    async def _answer(self, state: ConnectionState, guild_id: int, nonce: str | None) -> None:
        chunks = self._chunks.pop(guild_id, [])
        for index, raw in enumerate(chunks):
            await asyncio.sleep(0)  # one websocket message per loop turn
            state.parse_guild_members_chunk(
                {
                    "guild_id": str(guild_id),
                    "members": json.loads(raw),
                    "chunk_index": index,
                    "chunk_count": len(chunks),
                    "nonce": nonce,  # type: ignore[typeddict-item]
                }
            )
