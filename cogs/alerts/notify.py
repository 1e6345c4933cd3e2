"""From a posted alert to the DMs of the members whose subscriptions it matches.

The steps, each as cheap as it can be:
1. the database pre-filters the server's subscriptions on indexed columns;
2. the pure rules re-check every filter, the sharer and eligibility, one member once;
3. the database reserves a send for each member under the hourly cap (one statement);
4. each reserved member gets a DM, or, when their DMs are closed, a mention in their own
   private thread (forum post) in the alerts channel.

This module is the matching (steps 1 to 3). Who of the matched may be told (still in
the server, able to see the channel) is `audience`; the letters go to the `outbox`,
which sends each through `delivery` (step 4).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from bot.clock import to_epoch
from bot.i18n import normalize_locale
from cogs.alerts import audience, delivery, render, rules
from cogs.alerts import outbox as outbox_mod
from cogs.alerts.letters import Letter, Outgoing
from cogs.tasks.eligibility import Limits, is_eligible
from db import guilds, requesters, subscriptions

if TYPE_CHECKING:
    from bot.bot import Entraide
    from db.connection import Database
    from db.tasks import Alert

log = logging.getLogger(__name__)

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
    reachable = await audience.reachable(bot, guild, alert, chosen)
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
    languages: dict[str, str] = {}  # a handful of distinct locale strings per server
    for index, user_id in enumerate(sorted(admitted), start=1):
        if index % MATCH_CHUNK == 0:
            await asyncio.sleep(0)  # thousands of letters must not stall the loop either
        sub, filters = subs[reachable[user_id]]
        wanted = by_user[user_id].member_locale or sub.locale
        locale = languages.get(wanted)
        if locale is None:
            locale = languages[wanted] = normalize_locale(wanted)
        letters.append(Letter(out, sub, filters, locale))
    if outbox is None:
        outbox = outbox_mod.Outbox(bot, delivery.deliver)
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
