"""Which of a digest's tasks its readers can see: the alert's channel, judged by Discord.

A live alert is DMed only to members who can see the channel it was posted in
(`cogs.alerts.audience`). A digest lists tasks hours or days later, to one member (the
personal digest) or to everyone who reads the digest channel (the server digest), so it
asks the same question of its own readers: a task posted where they cannot look is left
out, whatever its title says.

Only the bot knows roles and overwrites; the composer given a database alone lists no
task at all (`cogs.digests.compose`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import discord

from bot.delivery import configured_channel
from cogs.alerts.audience import ChannelSight
from db import guilds

if TYPE_CHECKING:
    from bot.bot import Entraide
    from db.digests import AlertRow

#: A channel whose view permission decides who sees a task: its text channel or forum.
Place = discord.abc.GuildChannel


class TaskPlaces:
    """Where each task of a digest was posted, as the channel that decides who sees it.

    A forum post is seen by whoever sees its forum. discord.py forgets a post once it is
    archived (an ended task's is), so an unknown post is judged by the forum the server's
    alerts go to now; a task whose channel is gone, or was never posted, has no place and
    is shown to nobody.
    """

    def __init__(self, bot: Entraide) -> None:
        self.bot = bot
        self._forums: dict[int, discord.ForumChannel | None] = {}

    async def load(self, guild_ids: Iterable[int]) -> None:
        """Read the servers' alerts channels once, before `of` is asked about their tasks."""
        for guild_id in guild_ids:
            if guild_id in self._forums:
                continue
            settings = await guilds.get(self.bot.db, guild_id)
            channel = configured_channel(self.bot, guild_id, settings.alerts_channel_id)
            self._forums[guild_id] = channel if isinstance(channel, discord.ForumChannel) else None

    def of(self, row: AlertRow) -> Place | None:
        guild = self.bot.get_guild(row.guild_id)
        if guild is None or row.channel_id is None:
            return None
        channel = guild.get_channel_or_thread(row.channel_id)
        if isinstance(channel, discord.Thread):
            return channel.parent
        if channel is None and row.is_forum:
            return self._forums.get(row.guild_id)
        return channel


class MemberSight:
    """Whether one member can see each task's channel, as the live alert DMs judge it.

    The member is looked up in each server's member list: one the bot does not hold (a
    large server not yet chunked) cannot be judged, and is shown none of that server's
    tasks. One verdict per channel: a digest's tasks share a handful of channels.
    """

    def __init__(self, bot: Entraide, user_id: int) -> None:
        self.bot = bot
        self.user_id = user_id
        self.places = TaskPlaces(bot)
        self._verdicts: dict[int, bool] = {}

    async def present_in(self, guild_ids: Iterable[int]) -> set[int]:
        """The servers among `guild_ids` the member is still in (`bot.membership`)."""
        return await self.bot.membership.present_guilds(self.user_id, guild_ids)

    async def load(self, guild_ids: Iterable[int]) -> None:
        await self.places.load(guild_ids)

    def __call__(self, row: AlertRow) -> bool:
        place = self.places.of(row)
        if place is None:
            return False
        verdict = self._verdicts.get(place.id)
        if verdict is None:
            member = place.guild.get_member(self.user_id)
            verdict = member is not None and ChannelSight(place)(member)
            self._verdicts[place.id] = verdict
        return verdict


class ReadersSight:
    """Whether everyone who reads a server's digest channel can see each task's channel.

    Judged role by role, as Discord computes a role's permissions (the server's and the
    channel's overwrites for @everyone and that role): every role that can see the
    digest channel must see the task's channel too. A public digest channel (@everyone
    sees it) therefore lists only tasks @everyone can see. With no usable digest channel
    every role counts, the strictest reading.

    Members named in an overwrite (of the digest channel, or of the task's) are judged
    one by one, as Discord would: one let into the digest channel by name, or shut out
    of the task's channel by name, must see the task's channel too. A named member the
    bot's member list lacks is judged by their overwrite alone, strictly.
    """

    def __init__(self, bot: Entraide, guild_id: int, digest_channel_id: int | None) -> None:
        self.guild_id = guild_id
        self.places = TaskPlaces(bot)
        guild = self._guild = bot.get_guild(guild_id)
        self._readers: list[discord.Role] = []
        self._source: Place | None = None
        if guild is not None:
            digest = configured_channel(bot, guild_id, digest_channel_id)
            source = digest.parent if isinstance(digest, discord.Thread) else digest
            self._source = source
            self._readers = [
                role
                for role in guild.roles
                if source is None or source.permissions_for(role).view_channel
            ]
        self._verdicts: dict[int, bool] = {}

    async def load(self) -> None:
        await self.places.load([self.guild_id])

    def __call__(self, row: AlertRow) -> bool:
        if not self._readers:
            return False  # the bot is not in the server, or nobody reads the digest
        place = self.places.of(row)
        if place is None:
            return False
        verdict = self._verdicts.get(place.id)
        if verdict is None:
            verdict = all(
                place.permissions_for(role).view_channel for role in self._readers
            ) and self._named_readers_see(place)
            self._verdicts[place.id] = verdict
        return verdict

    def _named_readers_see(self, place: Place) -> bool:
        """Whether every member named in an overwrite who reads the digest sees `place`."""
        guild, source = self._guild, self._source
        if guild is None:
            return False
        named = _named_members(place) | (_named_members(source) if source is not None else set())
        for member_id in named:
            member = guild.get_member(member_id)
            if member is None:
                # Their roles are unknown: judged by the overwrites that name them alone
                # (one shut out of the digest channel by name reads none of it).
                barred = source is not None and (
                    source.overwrites_for(discord.Object(member_id)).view_channel is False
                )
                if not barred and not _sees_by_name(place, member_id):
                    return False
                continue
            reads = source is None or source.permissions_for(member).view_channel
            if reads and not place.permissions_for(member).view_channel:
                return False
        return True


def _named_members(channel: Place) -> set[int]:
    """The members a channel's permission overwrites name one by one."""
    overwrites = getattr(channel, "_overwrites", None) or ()
    return {o.id for o in overwrites if o.is_member()}


def _sees_by_name(channel: Place, member_id: int) -> bool:
    """Whether a member with no role but @everyone would see `channel`."""
    own = channel.overwrites_for(discord.Object(member_id)).view_channel
    if own is not None:
        return own
    return channel.permissions_for(channel.guild.default_role).view_channel
