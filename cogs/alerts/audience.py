"""Who of the matched members may be sent an alert: still in the server, and able to see it.

The rules match subscriptions; this checks the members behind them against Discord: a
member who left is forgotten (their leave event never came), and one who cannot see the
alert's channel is not told about it. Permissions are judged once per set of roles
(`ChannelSight`), so a big server's fan-out stays cheap.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import discord

if TYPE_CHECKING:
    from bot.bot import Entraide
    from db.tasks import Alert

log = logging.getLogger(__name__)

#: Members checked between two yields to the event loop.
CHECK_CHUNK = 256


async def reachable(
    bot: Entraide, guild: discord.Guild, alert: Alert, chosen: dict[int, int]
) -> dict[int, int]:
    """Leave out people who left (forgetting them) or cannot see the alert's channel.

    A member missing from a server's member list has left when the list is complete
    (chunked); otherwise `bot.membership` looks them up, and a member it cannot confirm
    is not sent this alert (nor forgotten).
    """
    channel = guild.get_channel_or_thread(alert.channel_id or 0)
    sees = ChannelSight(channel) if channel is not None else None
    reachable: dict[int, int] = {}
    departed: list[int] = []
    get_member = guild.get_member
    for index, (user_id, subscription_id) in enumerate(chosen.items(), start=1):
        if index % CHECK_CHUNK == 0:
            await asyncio.sleep(0)  # permission checks add up on a big server
        member = get_member(user_id)
        if member is None:
            present = await bot.membership.is_member(guild.id, user_id)
            if present is False:
                # They left while the bot was away: the leave event never came.
                departed.append(user_id)
            if present is not True:
                continue
        elif sees is not None and not sees(member):
            continue
        reachable[user_id] = subscription_id
    if departed:
        removed = await bot.membership.forget(bot.db, guild.id, departed)
        log.info(
            "guild %s: forgot %d rows of %d departed members",
            guild.id,
            removed,
            len(departed),
        )
    return reachable


class ChannelSight:
    """Whether members can see one channel, judged once per set of roles.

    A member's view of a channel depends only on their roles, unless they own the
    server or the channel (or, for a thread, its parent) has an overwrite for them by
    name: those few are judged by discord.py one by one. Meant to live for one fan-out,
    so a role or overwrite edited since is picked up by the next alert.
    """

    def __init__(self, channel: Any) -> None:
        self.channel = channel
        source = channel.parent if isinstance(channel, discord.Thread) else channel
        overwrites = getattr(source, "_overwrites", None)
        #: None when the overwrites cannot be read: then every member is judged alone.
        self.named: frozenset[int] | None = (
            None if overwrites is None else frozenset(o.id for o in overwrites if o.is_member())
        )
        self.verdicts: dict[bytes, bool] = {}

    def __call__(self, member: discord.Member) -> bool:
        named = self.named
        if named is None or member.id in named or member.id == member.guild.owner_id:
            return self.channel.permissions_for(member).view_channel
        # discord.py keeps a member's role ids sorted, so their bytes name the role set
        # (and cost far less to build than a frozenset, once per member per alert).
        roles = member._roles.tobytes()
        verdict = self.verdicts.get(roles)
        if verdict is None:
            verdict = self.verdicts[roles] = self.channel.permissions_for(member).view_channel
        return verdict
