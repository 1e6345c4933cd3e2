"""Sending one letter: a DM, or, when the member's DMs are closed, their own thread.

The outbox calls `deliver` (its `Deliver` callback) for each letter it sends. The
fallback is a private thread (or a forum post) in the alerts channel, opened once per
member and reused; when the bot lacks what it needs there, it raises a channel problem
(`channel_problem` event) for the server's moderators instead.
"""

from __future__ import annotations

import logging

import discord

from bot.clock import to_epoch
from bot.delivery import configured_channel
from bot.i18n import t
from bot.ui import NO_PINGS, truncate
from cogs.alerts.letters import Letter, Outgoing
from db import subscriptions

log = logging.getLogger(__name__)

#: What the bot needs in the alerts channel to open a member's fallback thread there.
PRIVATE_THREAD_NEEDS = ("view_channel", "create_private_threads", "send_messages_in_threads")
FORUM_POST_NEEDS = ("view_channel", "send_messages", "create_public_threads", "embed_links")
THREAD_NAME_LIMIT = 100
#: A fallback thread stays open a week without activity before Discord archives it; a
#: new message reopens it.
THREAD_ARCHIVE_MINUTES = 10080


async def deliver(letter: Letter) -> str:
    """DM the member; if their DMs are closed, use their thread. Returns how it went.

    The outbox's `Deliver` callback. Every request here waits for the bot's DM pace
    (`bot.direct`), the thread fallback's too.
    """
    out, sub, locale = letter.out, letter.sub, letter.locale
    try:
        await out.bot.direct.send(
            sub.user_id,
            **out.message(sub, locale, filters=letter.filters),
            allowed_mentions=NO_PINGS,
        )
    except discord.Forbidden:
        log.debug("member %s has DMs closed; using their alert thread", sub.user_id)
    except discord.HTTPException:
        log.warning(
            "could not DM alert %s to member %s", out.facts.alert_id, sub.user_id, exc_info=True
        )
        return "failed"
    else:
        return "dm"
    return "thread" if await thread_fallback(out, sub, locale) else "failed"


def _only(user_id: int) -> discord.AllowedMentions:
    """The one intended ping: the member the thread belongs to, nobody else."""
    return discord.AllowedMentions(
        everyone=False, roles=False, users=[discord.Object(user_id)], replied_user=False
    )


async def thread_fallback(out: Outgoing, sub: subscriptions.Subscription, locale: str) -> bool:
    """Mention the member in their own thread (or forum post) in the alerts channel.

    Created once and reused; a deleted or unusable thread is replaced.
    """
    bot, guild = out.bot, out.guild
    channel = configured_channel(bot, guild.id, out.settings.alerts_channel_id)
    if channel is None or isinstance(channel, discord.Thread):
        return False
    user_id = sub.user_id
    mention = f"<@{user_id}>"
    # A forum post is public: whoever reads the forum reads it (a private thread is not).
    forum = isinstance(channel, discord.ForumChannel)
    record = await subscriptions.get_thread(bot.db, guild.id, user_id)
    if record is not None and record.parent_id == channel.id:
        target = bot.get_partial_messageable(record.thread_id, guild_id=guild.id)
        try:
            await bot.direct.pace.take()
            await target.send(
                **out.message(sub, locale, mention, public=forum), allowed_mentions=_only(user_id)
            )
        except discord.HTTPException as exc:
            log.info(
                "alert thread %s unusable (%s); opening a new one", record.thread_id, exc.status
            )
            await subscriptions.drop_thread(bot.db, guild.id, user_id, record.thread_id)
        else:
            return True
    needs = FORUM_POST_NEEDS if forum else PRIVATE_THREAD_NEEDS
    perms = channel.permissions_for(guild.me)
    missing = [name for name in needs if not getattr(perms, name)]
    if missing:
        bot.dispatch("channel_problem", guild.id, "alerts", "missing:" + ",".join(missing))
        return False
    member = guild.get_member(user_id)
    # A display name is member-chosen: shown as typed in a thread's name, it must not
    # read as a mention there either.
    shown = " ".join(member.display_name.split()).replace("@", "@\u200b") if member else user_id
    name = truncate(t("alerts.notify.thread_name", locale, name=shown), THREAD_NAME_LIMIT)
    now = to_epoch(bot.clock.now())
    pace = bot.direct.pace.take
    try:
        if isinstance(channel, discord.ForumChannel):
            await pace()
            created = await channel.create_thread(
                name=name,
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                **out.message(sub, locale, mention, public=True),
                allowed_mentions=_only(user_id),
            )
            thread_id = created.thread.id
        else:
            await pace()
            thread = await channel.create_thread(
                name=name,
                type=discord.ChannelType.private_thread,
                invitable=False,
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
            )
            thread_id = thread.id
            await subscriptions.set_thread(
                bot.db, guild.id, user_id, parent_id=channel.id, thread_id=thread_id, now=now
            )
            await pace()
            await thread.add_user(discord.Object(user_id))
            await pace()
            await thread.send(**out.message(sub, locale, mention), allowed_mentions=_only(user_id))
    except discord.Forbidden:
        bot.dispatch("channel_problem", guild.id, "alerts", "forbidden")
        return False
    except discord.HTTPException:
        log.warning("could not open an alert thread for member %s", user_id, exc_info=True)
        return False
    if forum:
        await subscriptions.set_thread(
            bot.db, guild.id, user_id, parent_id=channel.id, thread_id=thread_id, now=now
        )
    return True
