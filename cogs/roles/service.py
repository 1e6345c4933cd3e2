"""From a posted alert to one message mentioning the notification roles it matches.

The one place where the bot pings on purpose: the message allows exactly the roles it
mentions (`AllowedMentions(roles=[…])`) and nothing else, so neither @everyone, nor a
member, nor a role named in the alert's text can be pinged. The alert's own text is
quoted through `safe_text` like everywhere else.

The decision to speak at all mirrors the subscription fan-out (`cogs.alerts.notify`):
only live alerts of servers the bot is still in, with the requester's record read the
same way (`notify.with_requester`), and never for a requester flagged as a scam.

The mention quotes the alert's title, so it goes when a moderator removes the alert
(`withdraw`, on the tasks feature's `alert_removed` event): its message is recorded when
sent, and a removal that overtook the send is caught by reading the alert again after
recording it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.clock import to_epoch
from bot.i18n import t
from bot.ui import CONTENT_LIMIT, listed_title, truncate
from cogs.alerts import notify
from cogs.alerts.rules import Filters
from cogs.roles import rules
from db import guilds, notify_roles
from db import tasks as tasks_db

if TYPE_CHECKING:
    from bot.bot import Entraide
    from db.tasks import Alert

log = logging.getLogger(__name__)

#: What the bot needs where the alert is to reply to it with role mentions. Mention
#: @everyone is what lets a bot mention a role that is not "mentionable by anyone";
#: `allowed_mentions` keeps it from pinging anything but the roles it names.
TEXT_NEEDS = ("view_channel", "send_messages", "read_message_history", "mention_everyone")
THREAD_NEEDS = (
    "view_channel",
    "send_messages_in_threads",
    "read_message_history",
    "mention_everyone",
)
TITLE_SHOWN = 200


def filters_of(role: notify_roles.NotifyRole) -> Filters:
    return Filters.copied_from(role)


def only_roles(role_ids: list[int]) -> discord.AllowedMentions:
    """Exactly these roles may be pinged: no @everyone, no member, no other role."""
    return discord.AllowedMentions(
        everyone=False,
        users=False,
        roles=[discord.Object(role_id) for role_id in role_ids],
        replied_user=False,
    )


def missing_permissions(channel: object, me: discord.Member) -> tuple[str, ...]:
    """What the bot lacks in the alert's channel (or forum post) to mention roles there."""
    permissions_for = getattr(channel, "permissions_for", None)
    if permissions_for is None:
        return ()
    perms = permissions_for(me)
    needs = THREAD_NEEDS if isinstance(channel, discord.Thread) else TEXT_NEEDS
    return tuple(name for name in needs if not getattr(perms, name))


def mention_content(alert: Alert, role_ids: list[int], locale: str) -> str:
    """The mention's text: the roles, and the alert's title as the alert shows it."""
    return truncate(
        t(
            "roles.notify.content",
            locale,
            mentions=" ".join(f"<@&{role_id}>" for role_id in role_ids),
            # A content-warned title stays behind a spoiler, as on the alert itself.
            title=listed_title(
                alert.title, warning=alert.warning, url=None, locale=locale, limit=TITLE_SHOWN
            ),
        ).strip(),
        CONTENT_LIMIT,
    )


async def announce(bot: Entraide, alert: Alert) -> list[int]:
    """Mention every registered role the alert matches, once; returns the roles mentioned.

    Each (alert, role) is claimed in the database before the message goes out, so a
    duplicate `alert_posted` (or a restart) never pings a role twice; a failed send
    gives its claims back.
    """
    if not alert.is_live or alert.channel_id is None:
        return []
    guild = bot.get_guild(alert.guild_id)
    if guild is None:
        return []
    settings = await guilds.get(bot.db, guild.id)
    if settings.left_at is not None:
        return []
    registered = await notify_roles.for_guild(bot.db, guild.id)
    present = [(r.role_id, filters_of(r)) for r in registered if guild.get_role(r.role_id)]
    if not present:
        return []
    facts = notify.facts_of(alert)
    if alert.requester_id is not None:
        facts = await notify.with_requester(bot, alert, facts)
    wanted = rules.roles_to_mention(present, facts)
    if not wanted:
        return []
    channel = guild.get_channel_or_thread(alert.channel_id)
    if channel is not None:
        missing = missing_permissions(channel, guild.me)
        if missing:
            bot.dispatch("channel_problem", guild.id, "alerts", "missing:" + ",".join(missing))
            return []
    now = to_epoch(bot.clock.now())
    claimed = [
        role_id
        for role_id in wanted
        if await notify_roles.claim(bot.db, guild.id, alert.id, role_id, now)
    ]
    if not claimed:
        return []
    target = bot.get_partial_messageable(alert.channel_id, guild_id=guild.id)
    content = mention_content(alert, claimed, settings.locale)
    reference = (
        discord.MessageReference(
            message_id=alert.message_id,
            channel_id=alert.channel_id,
            guild_id=guild.id,
            fail_if_not_exists=False,
        )
        if alert.message_id is not None
        else None
    )
    try:
        sent = await target.send(
            content,
            reference=reference,
            allowed_mentions=only_roles(claimed),
        )
    except discord.HTTPException as exc:
        for role_id in claimed:
            await notify_roles.release(bot.db, guild.id, alert.id, role_id)
        if isinstance(exc, discord.Forbidden):
            bot.dispatch("channel_problem", guild.id, "alerts", "forbidden")
        else:
            log.warning("alert %s: could not mention its roles (%s)", alert.id, exc.status)
        return []
    await notify_roles.record_message(
        bot.db, guild.id, alert.id, channel_id=sent.channel.id, message_id=sent.id, now=now
    )
    # A moderator may have removed the alert while the mention was on its way: its
    # `alert_removed` then found nothing recorded, so take the mention down here.
    current = await tasks_db.get_alert(bot.db, alert.id)
    if current is not None and current.state == "removed":
        await withdraw(bot, guild.id, alert.id)
    return claimed


async def withdraw(bot: Entraide, guild_id: int, alert_id: int) -> int:
    """Delete the messages that mentioned a removed alert's roles; returns how many went.

    A message already deleted (by a moderator, or with its channel) counts as gone. One
    that could not be deleted stays recorded and is logged, so it is not forgotten
    while its title is still in the channel.
    """
    gone = 0
    for mention in await notify_roles.messages_for(bot.db, guild_id, alert_id):
        message = bot.get_partial_messageable(
            mention.channel_id, guild_id=guild_id
        ).get_partial_message(mention.message_id)
        try:
            await message.delete()
        except discord.NotFound:
            log.info("alert %s: role mention %s already deleted", alert_id, mention.message_id)
        except discord.HTTPException as exc:
            log.warning(
                "alert %s: could not delete role mention %s (%s)",
                alert_id,
                mention.message_id,
                exc.status,
            )
            continue
        await notify_roles.forget_message(bot.db, guild_id, alert_id, mention.message_id)
        gone += 1
    return gone


async def rewarn(bot: Entraide, alert: Alert) -> int:
    """The alert's content warning changed: its mentions quote the title as it now shows.

    A warning confirmed after the mention was sent puts its title behind a spoiler there
    too (a cleared one gives it back). The edit pings nobody. Returns how many changed.
    """
    mentions = await notify_roles.messages_for(bot.db, alert.guild_id, alert.id)
    if not mentions:
        return 0
    settings = await guilds.get(bot.db, alert.guild_id)
    role_ids = await notify_roles.pinged(bot.db, alert.guild_id, alert.id)
    content = mention_content(alert, role_ids, settings.locale)
    edited = 0
    for mention in mentions:
        message = bot.get_partial_messageable(
            mention.channel_id, guild_id=alert.guild_id
        ).get_partial_message(mention.message_id)
        try:
            await message.edit(content=content, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as exc:
            log.warning(
                "alert %s: could not redraw role mention %s (%s)",
                alert.id,
                mention.message_id,
                exc.status,
            )
            continue
        edited += 1
    return edited
