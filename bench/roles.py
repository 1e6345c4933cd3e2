"""The notification role the fan-out phase times beside the DMs (`fanout_role_notified_s`).

An opt-in role (`/notify-role`, cogs/roles) reaches every member who holds it with one
message that mentions it, however many they are, where DMs leave one by one at Discord's
pace. The phase registers one catch-all role held by as many members as there are
subscriptions, notes when each alert's mention is posted, and unregisters the role
afterwards so the later phases measure what they always measured.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import discord

from bench.datagen import NOW
from db import notify_roles
from tests.harness import payloads as p

if TYPE_CHECKING:
    from bench.runtime import BenchBot

#: The most roles a server may register (the feature's own limit is far above one).
LIMIT = 25


class RoleWatch:
    """One registered role, and when a message mentioning it reached the fake Discord."""

    def __init__(self, bench: BenchBot, role_id: int, holders: int) -> None:
        self.bench = bench
        self.role_id = role_id
        self.holders = holders
        self.mention = f"<@&{role_id}>"
        self.posted: list[float] = []
        api = bench.h.api
        self._rest = api._rest

        async def timed_rest(route: Any, **kwargs: Any) -> Any:
            before = len(api.sent)
            try:
                return await self._rest(route, **kwargs)
            finally:
                now = time.perf_counter()
                if any(self.mention in s.content for s in api.sent[before:]):
                    self.posted.append(now)

        api._rest = timed_rest  # type: ignore[method-assign]

    def first_after(self, moment: float) -> float | None:
        """Seconds from `moment` to the first mention posted after it, if any."""
        later = [t for t in self.posted if t >= moment]
        return min(later) - moment if later else None

    async def close(self) -> None:
        """Unregister the role and stop watching."""
        h = self.bench.h
        del h.api._rest  # the instance attribute goes; the class's method is back
        await notify_roles.remove(h.db, h.world.guild_id, self.role_id)


async def register(bench: BenchBot, holders: int) -> RoleWatch:
    """A catch-all notification role, mentionable, held by `holders` members."""
    h = bench.h
    guild_id = h.world.guild_id
    # The bot may mention roles in the alerts channel (a moderator would grant it).
    perms = discord.Permissions(p.BOT_PERMS.value)
    perms.update(mention_everyone=True, manage_roles=True)
    await h.gateway(
        "GUILD_ROLE_UPDATE",
        {"guild_id": str(guild_id), "role": p.role_json(h.world.bot_role, "Entraide", perms, 4)},
    )
    role_id = p.snowflake()
    data = p.role_json(role_id, "Every task", discord.Permissions.none(), 1)
    data["mentionable"] = True
    await h.gateway("GUILD_ROLE_CREATE", {"guild_id": str(guild_id), "role": data})
    # Members who joined it (`/notify-role join`): as the member cache holds them after
    # Discord's GUILD_MEMBER_UPDATE events. Nothing on the bot's path walks them.
    guild = h.guild
    given = 0
    for member in guild.members:
        if given >= holders:
            break
        if not member.bot:
            member._roles.add(role_id)
            given += 1
    filters = notify_roles.RoleFilters(
        platform=None,
        min_hourly_cents=None,
        min_reward_cents=None,
        currency=None,
        keywords=(),
        requester=None,
        no_warned=False,
    )
    stored = await notify_roles.add(h.db, guild_id, role_id, filters, NOW, limit=LIMIT)
    if not isinstance(stored, notify_roles.NotifyRole):
        msg = f"the bench's notification role was not registered: {stored}"
        raise RuntimeError(msg)
    return RoleWatch(bench, role_id, given)
