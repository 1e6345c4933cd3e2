"""Direct messages: one pace for every DM request the bot makes, and the DM channels it knows.

Discord lets a bot make about 50 requests a second in all (interaction answers aside); past
that it answers 429, and enough of those get the bot's address banned for an hour. Alert
DMs, personal digests and report news are all DMs, and each is one request only if the
member's DM channel is known: discord.py keeps the latest 128 DM channels, so a fan-out to
800 members asked Discord for each channel first (`POST /users/@me/channels`) and made
1,600 requests while the alert outbox counted 800 at 40 a second — 80 requests a second.

So every DM-related request takes a token from one bot-wide bucket (`Pace`), and the DM
channel ids are kept here (ids only, a few MB for tens of thousands of members; in memory,
so a restart asks Discord again once per member). A member's DM channel with the bot never
changes, so a kept id stays right.
"""

from __future__ import annotations

import asyncio
import collections
from typing import TYPE_CHECKING, Any

import discord

from bot.raw_messages import send_message

if TYPE_CHECKING:
    from discord.ext import commands

#: Requests per second for DMs and their fallbacks, for the whole bot. Discord allows about
#: 50 per bot; the rest is left to alert posts, edits and moderators' cards.
DM_REQUESTS_PER_SECOND = 40.0
#: Requests that may go out back to back after a quiet spell (the token bucket's size).
DM_BURST = 10
#: DM channel ids kept (user id → channel id): a community's active members, many times.
CHANNELS_KEPT = 50_000


class Pace:
    """A token bucket: `take` waits until one more request fits in the rate.

    `rate` and `burst` may change while it runs (tests, the benchmark's drain).
    """

    def __init__(self, rate: float = DM_REQUESTS_PER_SECOND, burst: int = DM_BURST) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._refilled: float | None = None
        #: One waiter at a time, first come first served: two senders never both take
        #: the one token the bucket refilled.
        self._turns = asyncio.Lock()

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    async def _sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def _refill(self) -> float:
        now = self._now()
        if self._refilled is None:
            self._refilled = now
        # The bucket holds one token at least, or a waiter's token would be capped away.
        room = max(self.burst, 1)
        self._tokens = min(room, self._tokens + (now - self._refilled) * self.rate)
        self._refilled = now
        return self._tokens

    async def _wait(self) -> None:
        tokens = self._refill()
        await self._sleep(0 if tokens >= 1 else (1 - tokens) / self.rate)
        self._refill()

    async def ready(self) -> None:
        """Wait until a request would go at once (without spending it); always yields.

        A sender that may still change its mind (a queued DM whose alert was removed)
        waits here before it commits to one.
        """
        async with self._turns:
            await self._wait()

    async def take(self) -> None:
        """Wait for one request's turn and spend it. Senders are served in arrival order."""
        async with self._turns:
            await self._wait()
            self._tokens -= 1


class DirectMessages:
    """Sends DMs at the bot's pace, asking Discord for a member's DM channel only once."""

    def __init__(self, bot: commands.Bot, pace: Pace | None = None) -> None:
        self.bot = bot
        self.pace = pace or Pace()
        self._channels: collections.OrderedDict[int, int] = collections.OrderedDict()
        #: DM channels asked of Discord since start-up (each cost a request; the benchmark
        #: reports it).
        self.channels_opened = 0

    async def channel(self, user_id: int) -> discord.PartialMessageable:
        """The member's DM channel, asked of Discord (at the pace) the first time only."""
        channel_id = self._channels.get(user_id)
        if channel_id is None:
            cached = self.bot._connection._get_private_channel_by_user(user_id)
            if cached is not None:
                channel_id = cached.id
            else:
                await self.pace.take()
                data = await self.bot.http.start_private_message(user_id)
                channel_id = int(data["id"])
                self.channels_opened += 1
            self._channels[user_id] = channel_id
            while len(self._channels) > CHANNELS_KEPT:
                self._channels.popitem(last=False)
        else:
            self._channels.move_to_end(user_id)
        return self.bot.get_partial_messageable(channel_id, type=discord.ChannelType.private)

    async def send(self, user_id: int, **fields: Any) -> discord.PartialMessage:
        """DM the member (`channel.send(**fields)`); raises what Discord answers.

        `discord.Forbidden` means their DMs are closed (or they share no server with the
        bot any more). A channel Discord no longer knows is asked for again, once.
        """
        channel = await self.channel(user_id)
        await self.pace.take()
        try:
            return await send_message(channel, **fields)  # type: ignore[arg-type]
        except discord.NotFound:
            self.forget(user_id)
            channel = await self.channel(user_id)
            await self.pace.take()
            return await send_message(channel, **fields)  # type: ignore[arg-type]

    def forget(self, user_id: int) -> None:
        """Drop the member's DM channel id (they erased their data, or Discord forgot it)."""
        self._channels.pop(user_id, None)

    def knows(self, user_id: int) -> bool:
        """Whether the member's DM channel id is kept."""
        return user_id in self._channels
