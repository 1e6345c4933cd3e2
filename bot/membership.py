"""Which members are still in which server, and forgetting per-server data of those who left.

Some features keep data that only makes sense while a member is in a server: alert
subscriptions (DMs with that server's tasks), community-statistics sharing. Each registers
here how to list the members it holds data for in a server and how to forget some of them.

A leave (or ban) seen live is handled at once. One that happened while the bot was offline
never arrives as an event, so every server is reconciled when it arrives (GUILD_CREATE, at
start-up (discord.py dispatches every server's arrival, after chunking it) and after an
outage) against its member list, and the features that act for a
member in a server (an alert DM, the personal digest) ask `is_member` first.

A large server's member list may be incomplete (not chunked): a member missing from it is
then looked up (`GET /guilds/{id}/members/{user}`), and forgotten only on Discord's
"Unknown Member"; any other failure keeps the data (absence unproven).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

if TYPE_CHECKING:
    from discord.ext import commands

    from db.connection import Database

log = logging.getLogger(__name__)

Holders = Callable[["Database", int], Awaitable[set[int]]]
Forget = Callable[["Database", int, list[int]], Awaitable[int]]

#: How long a member found by a lookup is taken as present (the leave event, if it comes,
#: still forgets them at once).
PRESENT_TTL = 600.0
#: Lookups per reconciliation pass of one server whose member list is incomplete; the rest
#: wait for the next pass (members are still checked one by one before each DM).
LOOKUPS_PER_PASS = 500


@dataclass(frozen=True, slots=True)
class MemberData:
    name: str
    holders: Holders  # ids of members this feature keeps data for in a server
    forget: Forget  # forget those members in that server; returns rows removed


class Membership:
    """The registry of per-server member data, and membership checks."""

    def __init__(self, client: commands.Bot) -> None:
        self.client = client
        self._features: dict[str, MemberData] = {}
        self._present: dict[tuple[int, int], float] = {}
        # Bot-wide listeners, so they work whichever features are loaded.
        client.add_listener(self._on_raw_member_remove, "on_raw_member_remove")
        client.add_listener(self._on_member_ban, "on_member_ban")
        client.add_listener(self._on_guild_arrived, "on_guild_available")
        client.add_listener(self._on_guild_arrived, "on_guild_join")

    @property
    def _db(self) -> Database:
        return self.client.db  # type: ignore[attr-defined]

    def _spawn(self, coro: Any, name: str) -> None:
        spawn = getattr(self.client, "spawn", None)
        if spawn is not None:
            spawn(coro, name=name)
        else:  # pragma: no cover - the Entraide bot always has spawn
            asyncio.get_running_loop().create_task(coro, name=name)

    # -- events ----------------------------------------------------------------------------

    async def _on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        removed = await self.forget(self._db, payload.guild_id, [payload.user.id])
        if removed:
            log.info(
                "member %s left guild %s: %d rows forgotten",
                payload.user.id,
                payload.guild_id,
                removed,
            )

    async def _on_member_ban(self, guild: discord.Guild, user: discord.abc.User) -> None:
        await self.forget(self._db, guild.id, [user.id])

    async def _on_guild_arrived(self, guild: discord.Guild) -> None:
        self._spawn(self.reconcile(self._db, guild), f"membership: reconcile {guild.id}")

    # -- registry --------------------------------------------------------------------------

    def register(self, name: str, holders: Holders, forget: Forget) -> None:
        self._features[name] = MemberData(name, holders, forget)

    def unregister(self, name: str) -> None:
        self._features.pop(name, None)

    @property
    def features(self) -> list[MemberData]:
        return [self._features[k] for k in sorted(self._features)]

    # -- checks ----------------------------------------------------------------------------

    async def is_member(self, guild_id: int, user_id: int) -> bool | None:
        """True or False when known; None when it could not be found out (keep, skip)."""
        guild = self.client.get_guild(guild_id)
        if guild is None:
            return False  # the bot is not in that server: nothing of it is shown
        if guild.get_member(user_id) is not None:
            return True
        if guild.chunked:
            return False
        seen = self._present.get((guild_id, user_id))
        if seen is not None and time.monotonic() - seen < PRESENT_TTL:
            return True
        try:
            await guild.fetch_member(user_id)
        except discord.NotFound:
            return False
        except discord.HTTPException as exc:
            log.warning("could not check member %s of guild %s: %s", user_id, guild_id, exc)
            return None
        self._present[(guild_id, user_id)] = time.monotonic()
        return True

    async def present_guilds(self, user_id: int, guild_ids: Iterable[int]) -> set[int]:
        """The servers among `guild_ids` the member is known to still be in."""
        return {g for g in dict.fromkeys(guild_ids) if await self.is_member(g, user_id) is True}

    # -- forgetting ------------------------------------------------------------------------

    async def forget(self, db: Database, guild_id: int, user_ids: Collection[int]) -> int:
        """Every registered feature forgets these members in this server."""
        people = sorted(set(user_ids))
        for user_id in people:
            self._present.pop((guild_id, user_id), None)
        if not people:
            return 0
        removed = 0
        for feature in self.features:
            try:
                removed += await feature.forget(db, guild_id, people)
            except Exception:
                log.exception("forgetting departed members failed in %s", feature.name)
        return removed

    async def reconcile(self, db: Database, guild: discord.Guild) -> int:
        """Forget the members of `guild` that features hold data for but who left it.

        Returns how many rows were removed. A member the lookup cannot settle is kept.
        """
        if guild.unavailable:
            return 0
        held: set[int] = set()
        for feature in self.features:
            try:
                held |= await feature.holders(db, guild.id)
            except Exception:
                log.exception("listing members with data failed in %s", feature.name)
                return 0
        missing = sorted(u for u in held if guild.get_member(u) is None)
        if not missing:
            return 0
        if guild.chunked:
            departed = missing
        else:
            departed = []
            for index, user_id in enumerate(missing):
                if index >= LOOKUPS_PER_PASS:
                    break
                if await self.is_member(guild.id, user_id) is False:
                    departed.append(user_id)
                await asyncio.sleep(0)
        removed = await self.forget(db, guild.id, departed)
        if departed:
            log.info(
                "guild %s: %d members left while the bot was away; %d rows forgotten",
                guild.id,
                len(departed),
                removed,
            )
        return removed
