"""`alert_posted` → the DMs subscribers get: filters, eligibility, one DM per member, the
hourly cap, content warnings, the stop button. Closed DMs are in test_fanout_closed_dms.py,
who may be told (members who leave, channel sight) in test_fanout_audience.py."""

from __future__ import annotations

from typing import Any

import pytest

from db import guilds, subscriptions
from tests.cogs.alerts.helpers import dms_closed, grant_bot, make_alert, post, subscribe
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


async def test_a_matching_share_sends_the_essentials_by_dm(configured: Harness) -> None:
    h = configured
    await subscribe(h, h.alice, platform="prolific", min_hourly=10)
    alert = make_alert(h, countries=frozenset({"US", "GB"}), qualifications=frozenset({"masters"}))
    await post(h, alert)
    [dm] = h.dms_to(h.alice)
    assert dm.content == "A task matching your alert was just shared on **Turkers United**."
    embed = dm.embed
    assert embed["title"] == "Decision making survey"
    assert embed["url"] == alert.jump_url
    assert embed["color"] == 0x2ECC71  # $12.50/h is above the server's fair threshold
    assert dm.field("Platform") == "Prolific"
    assert dm.field("Reward") == "$2.50"
    assert dm.field("Time") == "12 min"
    assert dm.field("Hourly") == "$12.50/h"
    assert dm.field("Requester") == "Oxford Psych Lab"
    assert "United Kingdom, United States" in dm.field("Who can take it")
    assert embed["footer"]["text"] == "Turkers United · your alert: Prolific · ≥ $10.00/h"
    assert dm.button("Open the alert")["url"] == alert.jump_url
    assert dm.button("Open the task")["url"] == alert.link
    assert dm.button("Stop these alerts")["custom_id"].startswith("alerts:stop:")
    assert h.dms_to(h.bob) == []  # not subscribed
    h.api.assert_never_pinged()


def sub(**options: Any) -> dict[str, Any]:
    return options


@pytest.mark.parametrize(
    ("options", "alert_overrides", "told"),
    [
        (sub(platform="prolific"), {}, True),
        (sub(platform="mturk"), {}, False),
        (sub(min_hourly=12.5), {}, True),
        (sub(min_hourly=12.51), {}, False),
        (sub(min_hourly=5, currency="GBP"), {}, False),  # a USD task: no conversion
        (sub(min_hourly=5, currency="GBP"), {"currency": "GBP"}, True),
        (sub(min_reward=2.5), {}, True),
        (sub(min_reward=3), {}, False),
        (sub(keywords="DÉCISION survey"), {}, True),
        (sub(keywords="survey audio"), {}, False),
        (sub(keywords="attention"), {"notes": "Two attention checks"}, True),
        (sub(requester="oxford"), {}, True),
        (sub(requester="cambridge"), {}, False),
        (sub(requester="a9z8y7x6"), {"platform_requester_id": "A9Z8Y7X6"}, True),
        (sub(no_warned=True), {}, True),
        (sub(no_warned=True), {"warning": "violence"}, False),
    ],
)
async def test_filters(
    configured: Harness, options: dict[str, Any], alert_overrides: dict[str, Any], told: bool
) -> None:
    h = configured
    await subscribe(h, h.alice, **options)
    await post(h, make_alert(h, **alert_overrides))
    assert len(h.dms_to(h.alice)) == (1 if told else 0)


async def test_requester_filter_reads_the_registry_when_the_alert_lacks_the_id(
    configured: Harness,
) -> None:
    from db import requesters

    h = configured
    requester = await requesters.upsert(h.db, "mturk", "A1B2C3D4", "Acme Research", 0)
    await subscribe(h, h.alice, requester="a1b2c3d4")
    await post(h, make_alert(h, platform="mturk", requester_id=requester.id, requester_name=None))
    [dm] = h.dms_to(h.alice)
    assert dm.field("Requester") == "Acme Research"


async def test_never_for_the_members_own_share(configured: Harness) -> None:
    h = configured
    await subscribe(h, h.dave)
    await subscribe(h, h.alice)
    await post(h, make_alert(h, sharer_id=h.dave.id, anonymous=True))
    assert h.dms_to(h.dave) == []
    assert len(h.dms_to(h.alice)) == 1


async def test_several_matching_subscriptions_give_one_dm(configured: Harness) -> None:
    h = configured
    await subscribe(h, h.alice, platform="prolific")
    await subscribe(h, h.alice, keywords="survey")
    await subscribe(h, h.alice)
    await post(h, make_alert(h))
    [dm] = h.dms_to(h.alice)
    assert dm.embed["footer"]["text"].endswith("your alert: Prolific")


async def test_the_same_alert_is_never_sent_twice(configured: Harness) -> None:
    h = configured
    await subscribe(h, h.alice)
    alert = make_alert(h)
    await post(h, alert)
    await post(h, alert)
    assert len(h.dms_to(h.alice)) == 1


async def test_alerts_no_longer_live_are_not_sent(configured: Harness) -> None:
    h = configured
    await subscribe(h, h.alice)
    await post(h, make_alert(h, state="gone"))
    assert h.dms_to(h.alice) == []


async def test_a_warned_alert_hides_its_title_behind_a_spoiler(configured: Harness) -> None:
    h = configured
    await subscribe(h, h.alice)
    await subscribe(h, h.bob, no_warned=True)
    await post(h, make_alert(h, title="Rate these videos", warning="violence"))
    [dm] = h.dms_to(h.alice)
    assert dm.embed["title"] == "⚠️ Content warning: violence or gore"
    assert dm.embed["description"] == "||Rate these videos||"
    assert dm.embed["color"] == 0xF1C40F
    assert "Rate these videos" not in dm.embed["title"] + dm.content
    assert h.dms_to(h.bob) == []


async def test_the_dm_speaks_the_subscribers_language(configured: Harness) -> None:
    h = configured
    await h.slash("alerts subscribe", user=h.alice, locale="fr", platform="prolific")
    await post(h, make_alert(h, warning="self_harm"))
    [dm] = h.dms_to(h.alice)
    assert dm.content.startswith("Une tâche correspondant à votre alerte")
    assert dm.embed["title"] == "⚠️ Avertissement de contenu : automutilation"
    assert dm.field("Rémunération") == "2,50\xa0$US"
    assert dm.button("Arrêter ces alertes")


async def test_hostile_alert_text_never_pings_or_breaks_the_embed(configured: Harness) -> None:
    h = configured
    await subscribe(h, h.alice)
    await post(
        h,
        make_alert(
            h,
            title="@everyone **FREE** <@&123> ||x|| " + "y" * 5000,
            requester_name="@here [click](javascript:alert(1))",
            link="javascript:alert(1)",
        ),
    )
    [dm] = h.dms_to(h.alice)
    assert "@everyone" not in dm.embed["title"] and "**FREE**" not in dm.embed["title"]
    assert len(dm.embed["title"]) <= 256
    assert "@here" not in dm.field("Requester")
    assert [b["label"] for b in dm.buttons] == ["Open the alert", "Stop these alerts"]
    h.api.assert_never_pinged()


# -- eligibility ---------------------------------------------------------------------------


async def test_the_profile_leaves_out_tasks_the_member_cannot_take(configured: Harness) -> None:
    h = configured
    for user in (h.alice, h.bob, h.carol):
        await subscribe(h, user)
    await h.slash("profile country", user=h.alice, country="FR")
    await h.slash("profile country", user=h.carol, country="United States")
    await post(h, make_alert(h, countries=frozenset({"US"})))
    assert h.dms_to(h.alice) == []  # in France
    assert len(h.dms_to(h.bob)) == 1  # no profile: nothing is hidden
    assert len(h.dms_to(h.carol)) == 1


async def test_qualifications_are_compared_by_value(configured: Harness) -> None:
    h = configured
    await subscribe(h, h.alice)
    modal = await h.slash("profile qualifications", user=h.alice)
    await h.submit_modal(modal, {"qualifications": "HIT approval 99%"}, user=h.alice)
    await post(h, make_alert(h, id=501, qualifications=frozenset({"approval ≥98%"})))
    assert len(h.dms_to(h.alice)) == 1
    await post(h, make_alert(h, id=502, qualifications=frozenset({"masters"})))
    assert len(h.dms_to(h.alice)) == 1  # not a Master: left out


async def test_a_country_alone_does_not_hide_tasks_needing_a_qualification(
    configured: Harness,
) -> None:
    """#12.18: `/profile country US` and nothing else still gets "US only, Masters"."""
    h = configured
    await subscribe(h, h.alice)
    await subscribe(h, h.carol)
    await h.slash("profile country", user=h.alice, country="US")
    await h.slash("profile country", user=h.carol, country="FR")
    limits = {"countries": frozenset({"US"}), "qualifications": frozenset({"masters"})}
    await post(h, make_alert(h, id=601, **limits))
    assert len(h.dms_to(h.alice)) == 1
    assert h.dms_to(h.carol) == []  # the country limit still applies


# -- the hourly cap ------------------------------------------------------------------------


async def test_never_more_than_the_servers_hourly_cap(
    configured: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = configured
    await guilds.update(h.db, h.world.guild_id, 0, alert_dms_per_hour=2)
    await subscribe(h, h.alice)
    await subscribe(h, h.bob)
    for n in range(3):
        await post(h, make_alert(h, title=f"Task {n}"))
        h.clock.advance(minutes=10)
    assert [d.embed["title"] for d in h.dms_to(h.alice)] == ["Task 0", "Task 1"]
    assert len(h.dms_to(h.bob)) == 2
    listing = await h.slash("alerts list", user=h.alice)
    assert listing.embed["footer"]["text"] == (
        "Alert messages this hour: 2 of 2. The next one can go out in 30 min."
    )

    # The count lives in the database: a restart does not reset it.
    h2 = await h.restart(monkeypatch=monkeypatch)
    await post(h2, make_alert(h2, title="After restart"))
    assert h2.dms_to(h2.alice) == []

    h2.clock.advance(minutes=31)  # the first DM has left the hour
    await post(h2, make_alert(h2, title="Later"))
    assert [d.embed["title"] for d in h2.dms_to(h2.alice)] == ["Later"]
    await h2.stop()


async def test_a_server_can_turn_alert_dms_off(configured: Harness) -> None:
    h = configured
    await subscribe(h, h.alice)
    await guilds.update(h.db, h.world.guild_id, 0, alert_dms_per_hour=0)
    await post(h, make_alert(h))
    assert h.dms_to(h.alice) == []
    listing = await h.slash("alerts list", user=h.alice)
    assert "turned off" in listing.embed["footer"]["text"]


async def test_old_send_records_are_pruned_by_the_scheduled_job(configured: Harness) -> None:
    h = configured
    assert h.bot.scheduler.get_job("alerts:prune-dm-log") is not None
    await subscribe(h, h.alice)
    await post(h, make_alert(h))
    cog = h.bot.get_cog("AlertsCog")
    assert cog is not None
    assert await cog.prune_dm_log() == 0
    h.clock.advance(days=2)
    assert await cog.prune_dm_log() == 1
    assert await subscriptions.sent_times(h.db, h.world.guild_id, h.alice.id, 0) == []


# -- the stop button -----------------------------------------------------------------------


async def test_stop_these_alerts_from_the_dm(configured: Harness) -> None:
    h = configured
    await subscribe(h, h.alice, platform="prolific")
    await subscribe(h, h.alice, keywords="audio")
    await post(h, make_alert(h))
    [dm] = h.dms_to(h.alice)
    replies = await h.click(dm, "Stop these alerts", user=h.alice)
    assert replies[-1].ephemeral
    assert replies[-1].content == (
        "Done: you will not be told about tasks matching “Prolific” any more."
    )
    remaining = await subscriptions.for_member(h.db, h.world.guild_id, h.alice.id)
    assert [s.keywords for s in remaining] == [("audio",)]
    again = await h.click(dm, "Stop these alerts", user=h.alice)
    assert "already removed" in again[-1].content


async def test_someone_else_cannot_stop_a_members_alerts(configured: Harness) -> None:
    h = configured
    await grant_bot(h, create_private_threads=True)
    await subscribe(h, h.alice)
    dms_closed(h, h.alice)
    await post(h, make_alert(h))
    record = await subscriptions.get_thread(h.db, h.world.guild_id, h.alice.id)
    assert record is not None
    [message] = h.in_channel(record.thread_id)
    replies = await h.click(message, "Stop these alerts", user=h.mod)
    assert replies[-1].ephemeral and "belong to someone else" in replies[-1].content
    assert len(await subscriptions.for_member(h.db, h.world.guild_id, h.alice.id)) == 1
