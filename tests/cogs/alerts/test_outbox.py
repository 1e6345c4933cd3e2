"""The fan-out's fast path: one query with profiles and the cap, a shared rendering, the
rate-bounded outbox, and what happens to queued DMs at shutdown."""

from __future__ import annotations

import dataclasses
import importlib
from types import ModuleType
from typing import Any

import pytest

from db import guilds, members, subscriptions
from db.connection import Database
from tests.cogs.alerts.helpers import make_alert, post, subscribe
from tests.cogs.alerts.test_db import GUILD, NOW, new
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


def live(name: str) -> ModuleType:
    """The module as the running bot has it: loading an extension re-imports its package."""
    return importlib.import_module(f"cogs.alerts.{name}")


def _query(**overrides: Any) -> subscriptions.AlertQuery:
    base: dict[str, Any] = {
        "guild_id": GUILD,
        "platform": "prolific",
        "sharer_id": None,
        "warned": False,
        "currency": "USD",
        "reward_cents": 250,
        "hourly_cents": 1250,
        "text": "decision making survey",
    }
    return subscriptions.AlertQuery(**(base | overrides))


async def test_matches_bring_the_profile_and_leave_out_capped_and_told(db: Database) -> None:
    for user in (1, 2, 3, 4):
        await subscriptions.add(db, GUILD, user, new(), NOW, limit=10)
    await members.set_locale(db, 1, "fr", NOW)
    await members.set_eligibility(db, 1, "FR", frozenset({"masters"}), NOW)
    since = NOW - 3600
    # member 2 is at the cap of 2; member 3 was already told about alert 99
    await subscriptions.admit(db, GUILD, 1, [2], now=NOW, since=since, cap=2)
    await subscriptions.admit(db, GUILD, 2, [2], now=NOW, since=since, cap=2)
    await subscriptions.admit(db, GUILD, 99, [3], now=NOW, since=since, cap=2)
    found = await subscriptions.matches(db, _query(), 99, since=since, cap=2)
    by_user = {m.user_id: m for m in found}
    assert set(by_user) == {1, 4}
    assert (by_user[1].member_locale, by_user[1].country) == ("fr", "FR")
    assert by_user[1].qualifications == frozenset({"masters"})
    assert (by_user[4].member_locale, by_user[4].country) == (None, None)
    assert by_user[4].qualifications == frozenset() and by_user[4].locale == "en"
    # the same members as `candidates`, minus the capped and the told
    every = await subscriptions.candidates(db, _query())
    assert {s.user_id for s in every} == {1, 2, 3, 4}


async def test_release_many_gives_back_only_those_reservations(db: Database) -> None:
    await subscriptions.admit(db, GUILD, 7, [1, 2, 3], now=NOW, since=0, cap=5)
    assert await subscriptions.release_many(db, [(GUILD, 1, 7), (GUILD, 2, 7), (GUILD, 9, 7)]) == 2
    rows = await db.fetch_all("SELECT user_id FROM alert_dm_log")
    assert [r["user_id"] for r in rows] == [3]
    assert await subscriptions.release_many(db, []) == 0


async def test_by_ids_reads_several_subscriptions(db: Database) -> None:
    a = await subscriptions.add(db, GUILD, 1, new(platform="mturk"), NOW, limit=10)
    b = await subscriptions.add(db, GUILD, 2, new(keywords=("audio",)), NOW, limit=10)
    assert isinstance(a, subscriptions.Subscription) and isinstance(b, subscriptions.Subscription)
    found = await subscriptions.by_ids(db, [b.id, a.id, 12345])
    assert sorted(found, key=lambda s: s.id) == [a, b]
    assert await subscriptions.by_ids(db, []) == []


async def test_the_dm_is_rendered_once_per_language_and_filters(
    configured: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = configured
    people = [await h.add_member(f"worker{n}") for n in range(12)]
    for person in people:
        await subscribe(h, person, platform="prolific")
    render = live("render")
    calls: list[str] = []
    real = render.alert_embed

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["locale"])
        return real(*args, **kwargs)

    monkeypatch.setattr(render, "alert_embed", counting)
    await post(h, make_alert(h))
    dms = [dm for person in people for dm in h.dms_to(person)]
    assert len(dms) == 12
    assert calls == ["en"]  # one rendering shared by twelve DMs
    assert {dm.embed["footer"]["text"] for dm in dms} == {"Turkers United · your alert: Prolific"}
    # each DM still has its own "Stop" button, for its own subscription
    stops = {dm.button("Stop these alerts")["custom_id"] for dm in dms}
    assert len(stops) == 12
    # and discord.py does not keep a view per DM (the button is a registered DynamicItem)
    assert not h.bot._connection._view_store._synced_message_views


async def test_the_outbox_sends_a_backlog_in_order_within_the_rate(
    configured: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = configured
    outbox, notify = live("outbox"), live("notify")
    monkeypatch.setattr(outbox, "SENDS_PER_WORKER", 3)  # hand over between tasks too
    people = [await h.add_member(f"worker{n}") for n in range(8)]
    for person in people:
        await subscribe(h, person)
    cog = h.bot.get_cog("AlertsCog")
    cog.outbox.rate = 1000.0  # the real rate would make this test wait for real
    cog.outbox.burst = 2
    result = await notify.fan_out(h.bot, make_alert(h), outbox=cog.outbox)
    assert result.queued == {p.id for p in people}
    assert h.dms_to(people[0]) == []  # nothing is sent inside the fan-out itself
    await h.settle()
    assert [len(h.dms_to(p)) for p in people] == [1] * 8
    assert len(cog.outbox) == 0
    assert set(cog.outbox.outcomes.values()) == {"dm"}
    assert importlib.import_module("bot.direct").DM_REQUESTS_PER_SECOND <= 50  # Discord's limit


async def test_queued_dms_are_dropped_at_shutdown_and_their_allowance_given_back(
    configured: Harness,
) -> None:
    h = configured
    people = [await h.add_member(f"worker{n}") for n in range(5)]
    for person in people:
        await subscribe(h, person)
    alert = make_alert(h)
    outbox, notify = live("outbox"), live("notify")
    box = outbox.Outbox(h.bot, live("delivery").deliver)
    result = await notify.fan_out(h.bot, alert, outbox=box)
    assert len(result.queued) == 5  # reserved (alert_dm_log) and queued
    # shutdown before the worker got a turn: nothing sent, every reservation given back
    assert await box.close() == 5
    await h.settle()
    assert sum(len(h.dms_to(p)) for p in people) == 0
    assert await h.db.fetch_value("SELECT count(*) FROM alert_dm_log") == 0
    # after the restart the alert can still be sent, once
    await post(h, alert)
    await post(h, alert)
    assert [len(h.dms_to(p)) for p in people] == [1] * 5


async def test_unloading_the_cog_closes_the_outbox(configured: Harness) -> None:
    h = configured
    notify = live("notify")
    cog = h.bot.get_cog("AlertsCog")
    await subscribe(h, h.alice)
    await h.bot.remove_cog("AlertsCog")
    box = cog.outbox
    # a fan-out finishing during shutdown cannot queue anything new either
    await notify.fan_out(h.bot, make_alert(h), outbox=box)
    await h.settle()
    assert h.dms_to(h.alice) == []
    assert await h.db.fetch_value("SELECT count(*) FROM alert_dm_log") == 0


async def test_the_subscription_cache_follows_removals(configured: Harness) -> None:
    h = configured
    cog = h.bot.get_cog("AlertsCog")
    await subscribe(h, h.alice, platform="prolific")
    await post(h, make_alert(h))
    assert len(cog.subscription_cache) == 1
    await h.slash("alerts remove", user=h.alice, which="all")
    assert len(cog.subscription_cache) == 0
    await subscribe(h, h.alice, platform="mturk")
    await post(h, make_alert(h))  # a Prolific task: the old subscription is gone
    assert len(h.dms_to(h.alice)) == 1


async def test_matches_return_whole_subscriptions_the_caller_does_not_know(
    db: Database,
) -> None:
    a = await subscriptions.add(db, GUILD, 1, new(keywords=("survey",)), NOW, limit=10)
    b = await subscriptions.add(db, GUILD, 2, new(platform="prolific"), NOW, limit=10)
    assert isinstance(a, subscriptions.Subscription) and isinstance(b, subscriptions.Subscription)
    found = {m.user_id: m for m in await subscriptions.matches(db, _query(), 9, since=0, cap=5)}
    assert found[1].subscription == a
    assert found[2].subscription == b
    assert (found[1].subscription_id, found[2].subscription_id) == (a.id, b.id)
    known = await subscriptions.matches(db, _query(), 9, since=0, cap=5, known={a.id})
    assert {m.user_id: m.subscription for m in known} == {1: None, 2: b}


async def test_a_cached_subscription_is_never_read_or_parsed_again(
    configured: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = configured
    await subscribe(h, h.alice, keywords="survey")
    await subscribe(h, h.bob, keywords="survey")
    await post(h, make_alert(h))
    assert len(h.dms_to(h.alice)) == 1 and len(h.dms_to(h.bob)) == 1
    render_mod = live("render")
    parsed: list[int] = []
    real_filters_of = render_mod.filters_of

    def counting(sub: subscriptions.Subscription) -> Any:
        parsed.append(sub.id)
        return real_filters_of(sub)

    async def no_round_trip(*_: Any, **__: Any) -> Any:
        raise AssertionError("by_ids should not be needed")

    monkeypatch.setattr(render_mod, "filters_of", counting)
    monkeypatch.setattr(subscriptions, "by_ids", no_round_trip)
    await post(h, make_alert(h, title="Another survey"))
    assert len(h.dms_to(h.alice)) == 2 and len(h.dms_to(h.bob)) == 2
    assert parsed == []


def test_equal_filters_are_shared_between_subscriptions() -> None:
    cache = live("notify").SubscriptionCache()
    base: dict[str, Any] = {
        "guild_id": GUILD,
        "platform": "prolific",
        "min_hourly_cents": None,
        "min_reward_cents": None,
        "currency": None,
        "keywords": ("survey",),
        "requester": None,
        "no_warned": False,
        "locale": "en",
        "created_at": NOW,
    }
    _, one = cache.add(subscriptions.Subscription(id=1, user_id=1, **base))
    _, two = cache.add(subscriptions.Subscription(id=2, user_id=2, **base))
    _, other = cache.add(
        subscriptions.Subscription(id=3, user_id=3, **(base | {"keywords": ("audio",)}))
    )
    assert one is two and one != other
    assert len(cache) == 3 and 2 in cache and 4 not in cache


async def test_alerts_fan_out_one_at_a_time_in_order(configured: Harness) -> None:
    """A burst of alerts is taken by one worker: at most one fan-out on the loop at once."""
    h = configured
    cog = h.bot.get_cog("AlertsCog")
    assert cog is not None
    running: list[int] = []
    order: list[int] = []
    most = 0
    real = cog.backlog.handle

    async def watched(alert: Any) -> None:
        nonlocal most
        running.append(alert.id)
        most = max(most, len(running))
        try:
            await real(alert)
        finally:
            running.remove(alert.id)
            order.append(alert.id)

    cog.backlog.handle = watched
    await subscribe(h, h.alice)
    alerts = [make_alert(h) for _ in range(45)]  # more than one worker's share
    for alert in alerts:
        h.bot.dispatch("alert_posted", alert)
    await h.settle()
    assert order == [a.id for a in alerts] and most == 1
    settings = await guilds.get(h.db, h.world.guild_id)
    assert len(h.dms_to(h.alice)) == settings.alert_dms_per_hour  # every one reached the cap


async def test_alerts_still_waiting_at_shutdown_are_dropped(configured: Harness) -> None:
    h = configured
    cog = h.bot.get_cog("AlertsCog")
    assert cog is not None
    await subscribe(h, h.alice)
    for _ in range(3):
        cog.backlog.put(make_alert(h))
    assert await cog.backlog.close() == 3  # the worker had not started on any of them
    cog.backlog.put(make_alert(h))  # closed: not taken
    await h.settle()
    assert len(cog.backlog) == 0 and h.dms_to(h.alice) == []


async def test_a_removed_alerts_queued_dms_are_never_sent(configured: Harness) -> None:
    """Moderators removed the alert while its DMs waited in the outbox: they would quote
    its title to every subscriber after the removal, so they are dropped."""
    h = configured
    people = [await h.add_member(f"worker{n}") for n in range(5)]
    for person in people:
        await subscribe(h, person)
    cog = h.bot.get_cog("AlertsCog")
    cog.outbox.burst = 0  # the worker waits a quarter second before its first DM
    cog.outbox.rate = 4.0
    alert = make_alert(h, title="Send your ID card scan")
    result = await live("notify").fan_out(h.bot, alert, outbox=cog.outbox)
    assert len(result.queued) == 5 and len(cog.outbox) == 5
    h.bot.dispatch("alert_removed", dataclasses.replace(alert, state="removed"))
    await h.settle()
    assert [h.dms_to(p) for p in people] == [[]] * 5
    assert set(cog.outbox.outcomes.values()) == {"withdrawn"}
    assert await h.db.fetch_value("SELECT count(*) FROM alert_dm_log") == 0  # given back
    # Other alerts still reach them.
    cog.outbox.burst, cog.outbox.rate = 10, 1000.0
    await post(h, make_alert(h))
    assert [len(h.dms_to(p)) for p in people] == [1] * 5


async def test_an_alert_removed_before_its_fan_out_tells_nobody(configured: Harness) -> None:
    """Removed while waiting in the backlog, or while its fan-out was matching: no DM."""
    h = configured
    await subscribe(h, h.alice)
    for alert in (make_alert(h), make_alert(h)):
        h.bot.dispatch("alert_posted", alert)
        h.bot.dispatch("alert_removed", dataclasses.replace(alert, state="removed"))
        await h.settle()
    # And once removed, a late fan-out of it (a duplicate event) queues nothing either.
    await live("notify").fan_out(h.bot, alert, outbox=h.bot.get_cog("AlertsCog").outbox)
    await h.settle()
    assert h.dms_to(h.alice) == []
    assert await h.db.fetch_value("SELECT count(*) FROM alert_dm_log") == 0
