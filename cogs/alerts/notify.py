"""From a posted alert to the DMs of the members whose subscriptions it matches.

The steps, each as cheap as it can be:
1. the database pre-filters the server's subscriptions on indexed columns;
2. the pure rules re-check every filter, the sharer and eligibility, one member once;
3. the database reserves a send for each member under the hourly cap (one statement);
4. each reserved member gets a DM, or, when their DMs are closed, a mention in their own
   private thread (forum post) in the alerts channel.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import discord

from bot.clock import to_epoch
from bot.delivery import configured_channel
from bot.i18n import normalize_locale, t
from bot.ui import NO_PINGS, safe_text, truncate
from cogs.alerts import outbox as outbox_mod
from cogs.alerts import render, rules, views
from cogs.tasks.eligibility import Limits, is_eligible
from db import guilds, requesters, subscriptions

if TYPE_CHECKING:
    from bot.bot import Entraide
    from db.connection import Database
    from db.guilds import GuildSettings
    from db.tasks import Alert

log = logging.getLogger(__name__)

#: What the bot needs in the alerts channel to open a member's fallback thread there.
PRIVATE_THREAD_NEEDS = ("view_channel", "create_private_threads", "send_messages_in_threads")
FORUM_POST_NEEDS = ("view_channel", "send_messages", "create_public_threads", "embed_links")
THREAD_NAME_LIMIT = 100
#: A fallback thread stays open a week without activity before Discord archives it; a
#: new message reopens it.
THREAD_ARCHIVE_MINUTES = 10080
#: Subscriptions matched between two yields to the event loop.
MATCH_CHUNK = 256


def query_of(facts: rules.AlertFacts) -> subscriptions.AlertQuery:
    """The fan-out query for an alert, its text folded as subscriptions store theirs."""
    return subscriptions.AlertQuery(
        guild_id=facts.guild_id,
        platform=facts.platform,
        sharer_id=facts.sharer_id,
        warned=bool(facts.warning),
        currency=facts.currency,
        reward_cents=facts.reward_cents,
        hourly_cents=facts.hourly_cents,
        text=facts.searchable,
        requester_name=rules.fold(facts.requester_name),
        requester_platform_id=rules.fold(facts.requester_platform_id),
    )


def facts_of(alert: Alert) -> rules.AlertFacts:
    """Read what matching needs from the tasks feature's alert."""
    return rules.AlertFacts(
        alert_id=alert.id,
        guild_id=alert.guild_id,
        platform=str(alert.platform),
        title=alert.title or "",
        reward_cents=alert.reward_cents,
        currency=alert.currency,
        hourly_cents=alert.hourly_cents,
        sharer_id=alert.sharer_id,
        notes=alert.notes,
        requester_name=alert.requester_name,
        requester_platform_id=alert.platform_requester_id,
        countries=frozenset(alert.countries or ()),
        qualifications=frozenset(alert.qualifications or ()),
        warning=alert.warning,
    )


@dataclasses.dataclass(frozen=True, slots=True)
class FanOut:
    """What one alert's fan-out decided, member by member (for logs and tests).

    `queued` are the members whose DM was reserved and handed to the outbox; how each
    delivery went is the outbox's business (it runs after the fan-out returns).
    """

    matched: frozenset[int]
    capped: frozenset[int]
    queued: frozenset[int]


class SubscriptionCache:
    """Parsed subscriptions by id, so an alert's fan-out does not rebuild them.

    Subscriptions are never edited in place (a change is a remove and an add, with a
    new id), so an entry can never be stale: the fan-out query decides which ids match,
    and an id it returns that is missing here is read once. Removals only drop entries
    to keep memory bounded (`discard`, `discard_member`).
    """

    def __init__(self) -> None:
        self._subs: dict[int, tuple[subscriptions.Subscription, rules.Filters]] = {}
        #: Equal filter sets share one `Filters` (they are immutable): most members of a
        #: server subscribe to the same few things, so this is parsed a handful of times.
        self._filters: dict[tuple[Any, ...], rules.Filters] = {}

    def __len__(self) -> int:
        return len(self._subs)

    def __contains__(self, subscription_id: object) -> bool:
        return subscription_id in self._subs

    def add(
        self, sub: subscriptions.Subscription
    ) -> tuple[subscriptions.Subscription, rules.Filters]:
        """Remember a subscription read elsewhere (the fan-out query returns misses whole)."""
        key = (
            sub.platform,
            sub.min_hourly_cents,
            sub.min_reward_cents,
            sub.currency,
            sub.keywords,
            sub.requester,
            sub.no_warned,
        )
        filters = self._filters.get(key)
        if filters is None:
            filters = self._filters[key] = render.filters_of(sub)
        entry = self._subs[sub.id] = (sub, filters)
        return entry

    async def get_many(
        self,
        db: Database,
        ids: list[int],
        found: Iterable[subscriptions.Subscription] = (),
    ) -> dict[int, tuple[subscriptions.Subscription, rules.Filters]]:
        """The entries for `ids`, reading only what is neither cached nor in `found`.

        `found` are subscriptions the fan-out query already returned whole, so in the
        usual case no id costs a second database round trip.
        """
        for sub in found:
            if sub.id not in self._subs:
                self.add(sub)
        missing = [i for i in ids if i not in self._subs]
        if missing:
            for sub in await subscriptions.by_ids(db, missing):
                self.add(sub)
        return {i: self._subs[i] for i in ids if i in self._subs}

    def discard(self, subscription_id: int) -> None:
        self._subs.pop(subscription_id, None)

    def discard_member(self, guild_id: int, user_id: int) -> None:
        """Forget a member's subscriptions in a server (they removed them all, or left)."""
        stale = [
            i
            for i, (sub, _) in self._subs.items()
            if sub.guild_id == guild_id and sub.user_id == user_id
        ]
        for i in stale:
            del self._subs[i]


async def fan_out(
    bot: Entraide,
    alert: Alert,
    outbox: outbox_mod.Outbox | None = None,
    cache: SubscriptionCache | None = None,
) -> FanOut:
    """Reserve and queue a DM for every subscriber the alert matches, within the cap.

    Nothing is sent here: the DMs go to the outbox, which sends them at a bounded rate
    in the background, so a burst of alerts never competes with interactions.
    """
    empty = FanOut(frozenset(), frozenset(), frozenset())
    if not alert.is_live:
        return empty
    guild = bot.get_guild(alert.guild_id)
    if guild is None:
        return empty
    settings = await guilds.get(bot.db, guild.id)
    if settings.alert_dms_per_hour <= 0 or settings.left_at is not None:
        return empty
    facts = facts_of(alert)
    if alert.requester_id is not None:
        facts = await with_requester(bot, alert, facts)
    now = to_epoch(bot.clock.now())
    since = rules.window_start(now)
    cache = cache if cache is not None else SubscriptionCache()
    found = await subscriptions.matches(
        bot.db,
        query_of(facts),
        facts.alert_id,
        since=since,
        cap=settings.alert_dms_per_hour,
        known=cache,
    )
    if not found:
        return empty
    subs = await cache.get_many(
        bot.db,
        [m.subscription_id for m in found],
        [m.subscription for m in found if m.subscription is not None],
    )
    by_user = {m.user_id: m for m in found}
    limits = Limits(facts.countries, facts.qualifications)
    verdicts: dict[tuple[str | None, frozenset[str]], bool] = {}

    def eligible(user_id: int) -> bool:
        # Most members share a handful of profiles: judge each profile once per alert.
        match = by_user[user_id]
        key = (match.country, match.qualifications)
        verdict = verdicts.get(key)
        if verdict is None:
            verdict = verdicts[key] = is_eligible(limits, match.country, match.qualifications)
        return verdict

    # The database returned one subscription per member, so chunks can be matched apart;
    # yielding between them keeps a big server's fan-out from stalling the event loop.
    chosen: dict[int, int] = {}
    for start in range(0, len(found), MATCH_CHUNK):
        candidates = [
            rules.Candidate(m.subscription_id, m.user_id, subs[m.subscription_id][1])
            for m in found[start : start + MATCH_CHUNK]
            if m.subscription_id in subs
        ]
        chosen.update(rules.recipients(candidates, facts, eligible))
        await asyncio.sleep(0)
    reachable = await _reachable(bot, guild, alert, chosen)
    admitted = await subscriptions.admit(
        bot.db,
        guild.id,
        facts.alert_id,
        sorted(reachable),
        now=now,
        since=since,
        cap=settings.alert_dms_per_hour,
    )
    out = Outgoing(bot, guild, settings, alert, facts, {})
    letters = []
    for user_id in sorted(admitted):
        sub, filters = subs[reachable[user_id]]
        match = by_user[user_id]
        locale = normalize_locale(match.member_locale or sub.locale)
        letters.append(outbox_mod.Letter(out, sub, filters, locale))
    if outbox is None:
        outbox = outbox_mod.Outbox(bot)
    outbox.put(letters)
    capped = frozenset(reachable) - admitted
    if capped:
        log.info("alert %s: %d subscribers over their hourly cap", facts.alert_id, len(capped))
    return FanOut(frozenset(chosen), capped, frozenset(admitted))


async def with_requester(bot: Entraide, alert: Alert, facts: rules.AlertFacts) -> rules.AlertFacts:
    """Add what the alert's requester record knows.

    Its platform id (and name, if the alert lacks it) for matching, and its status (its
    survivor's, after a merge) for the DM's warning.
    """
    requester_id = alert.requester_id
    if requester_id is None:
        return facts
    requester = await requesters.resolve(bot.db, requester_id)
    if requester is None:
        return facts
    return dataclasses.replace(
        facts,
        requester_name=facts.requester_name or requester.name,
        requester_platform_id=facts.requester_platform_id or requester.platform_requester_id,
        requester_status=requester.status if requester.status != "none" else None,
    )


async def _reachable(
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
    for index, (user_id, subscription_id) in enumerate(chosen.items(), start=1):
        if index % MATCH_CHUNK == 0:
            await asyncio.sleep(0)  # permission checks add up on a big server
        member = guild.get_member(user_id)
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
        self.verdicts: dict[frozenset[int], bool] = {}

    def __call__(self, member: discord.Member) -> bool:
        named = self.named
        if named is None or member.id in named or member.id == member.guild.owner_id:
            return self.channel.permissions_for(member).view_channel
        roles = frozenset(member._roles)
        verdict = self.verdicts.get(roles)
        if verdict is None:
            verdict = self.verdicts[roles] = self.channel.permissions_for(member).view_channel
        return verdict


@dataclasses.dataclass(frozen=True, slots=True)
class Outgoing:
    """One alert on its way to subscribers: what every message about it is built from.

    The content and embed depend only on the language and the subscription's filters
    (its footer), so they are rendered once per (language, filters) and shared by every
    recipient; only the view (whose "Stop" button names the subscription) is per message.
    """

    bot: Entraide
    guild: discord.Guild
    settings: GuildSettings
    alert: Alert
    facts: rules.AlertFacts
    rendered: dict[tuple[str, rules.Filters, str | None], tuple[str, discord.Embed]]

    def _render(
        self, filters: rules.Filters, locale: str, mention: str | None
    ) -> tuple[str, discord.Embed]:
        key = (locale, filters, mention)
        found = self.rendered.get(key)
        if found is None:
            guild_name = safe_text(self.guild.name, 100)
            found = self.rendered[key] = (
                render.notification_content(guild_name, locale, mention),
                render.alert_embed(
                    self.facts,
                    minutes=self.alert.minutes,
                    jump_url=self.alert.jump_url,
                    filters=filters,
                    settings=self.settings,
                    guild_name=guild_name,
                    locale=locale,
                ),
            )
        return found

    def message(
        self,
        sub: subscriptions.Subscription,
        locale: str,
        mention: str | None = None,
        filters: rules.Filters | None = None,
    ) -> dict[str, Any]:
        """Content, embed and buttons for one subscriber, in their language."""
        content, embed = self._render(filters or render.filters_of(sub), locale, mention)
        view = views.notification_view(
            render.safe_link(self.alert.jump_url),
            render.safe_link(self.alert.link),
            sub.id,
            locale,
        )
        # The view only carries the buttons: "Stop" is a registered DynamicItem, so
        # discord.py must not keep one view per DM in its view store forever.
        view.stop()
        return {"content": content, "embed": embed, "view": view}


async def deliver(
    out: Outgoing,
    sub: subscriptions.Subscription,
    locale: str,
    filters: rules.Filters | None = None,
) -> str:
    """DM the member; if their DMs are closed, use their thread. Returns how it went."""
    user = out.guild.get_member(sub.user_id) or discord.Object(sub.user_id)
    try:
        channel = await out.bot.create_dm(user)
        await channel.send(**out.message(sub, locale, filters=filters), allowed_mentions=NO_PINGS)
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
    record = await subscriptions.get_thread(bot.db, guild.id, user_id)
    if record is not None and record.parent_id == channel.id:
        target = bot.get_partial_messageable(record.thread_id, guild_id=guild.id)
        try:
            await target.send(**out.message(sub, locale, mention), allowed_mentions=_only(user_id))
        except discord.HTTPException as exc:
            log.info(
                "alert thread %s unusable (%s); opening a new one", record.thread_id, exc.status
            )
            await subscriptions.drop_thread(bot.db, guild.id, user_id, record.thread_id)
        else:
            return True
    forum = isinstance(channel, discord.ForumChannel)
    needs = FORUM_POST_NEEDS if forum else PRIVATE_THREAD_NEEDS
    perms = channel.permissions_for(guild.me)
    missing = [name for name in needs if not getattr(perms, name)]
    if missing:
        bot.dispatch("channel_problem", guild.id, "alerts", "missing:" + ",".join(missing))
        return False
    member = guild.get_member(user_id)
    name = truncate(
        t("alerts.notify.thread_name", locale, name=member.display_name if member else user_id),
        THREAD_NAME_LIMIT,
    )
    now = to_epoch(bot.clock.now())
    try:
        if isinstance(channel, discord.ForumChannel):
            created = await channel.create_thread(
                name=name,
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                **out.message(sub, locale, mention),
                allowed_mentions=_only(user_id),
            )
            thread_id = created.thread.id
        else:
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
            await thread.add_user(discord.Object(user_id))
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
