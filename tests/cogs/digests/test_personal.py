"""The personal digest by DM: opt-in, earnings and goal, missed tasks, closed DMs."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot.ui import reply
from cogs.alerts.rules import build_filters
from cogs.digests.compose import compose_member_digest
from db import digests, earnings, guilds, members, subscriptions, tasks
from tests.cogs.alerts.helpers import CountingPace, stored
from tests.cogs.digests.conftest import cog_of, runs, share
from tests.cogs.earnings.helpers import log_work
from tests.harness import payloads as p
from tests.harness.channel_access import overwrite, set_overwrites
from tests.harness.driver import Harness

PARIS = ZoneInfo("Europe/Paris")


def at_paris(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=PARIS).astimezone(UTC)


async def subscribe(h: Harness, user, **filters) -> None:
    built = build_filters(
        platform=filters.get("platform"),
        min_hourly_cents=filters.get("min_hourly_cents"),
        min_reward_cents=None,
        currency=filters.get("currency"),
        keywords=filters.get("keywords"),
        requester=None,
        no_warned=filters.get("no_warned", False),
    )
    result = await subscriptions.add(
        h.db,
        h.world.guild_id,
        user.id,
        stored(built),
        0,
        limit=10,
    )
    assert not isinstance(result, str)


async def opt_in(h: Harness, user, **options) -> dict:
    sent = await h.slash("digest me", user=user, **options)
    assert sent.ephemeral
    return sent.embed


async def test_opting_in_stores_the_choice_and_schedules_at_once(configured: Harness) -> None:
    h = configured
    embed = await opt_in(h, h.bob, cadence="daily", time="07:00", timezone="europe/paris")
    assert embed["title"] == "Your digest"
    assert "Every day at 07:00 (Europe/Paris), by DM." in embed["description"]
    assert f"<t:{int(at_paris(27, 7).timestamp())}:F>" in embed["description"]
    assert (await members.get(h.db, h.bob.id)).timezone == "Europe/Paris"  # shared profile
    stored = await digests.get_member(h.db, h.bob.id)
    assert stored is not None and (stored.cadence, stored.send_hour) == ("daily", 7)
    job = h.bot.scheduler.get_job(f"digest:member:{h.bob.id}:daily")
    assert job.trigger.get_next_fire_time(None, h.clock.now()) == datetime(
        2026, 11, 27, 7, tzinfo=PARIS
    )
    embed = await opt_in(h, h.bob, cadence="weekly", weekday=6)
    assert "Every Sunday at 07:00 (Europe/Paris)" in embed["description"]
    assert h.bot.scheduler.get_job(f"digest:member:{h.bob.id}:daily") is None
    embed = await opt_in(h, h.bob, cadence="off")
    assert "Your personal digest is off." in embed["description"]
    assert h.bot.scheduler.get_job(f"digest:member:{h.bob.id}:weekly") is None


async def test_without_a_zone_the_servers_is_used_and_said(configured: Harness) -> None:
    h = configured
    embed = await opt_in(h, h.carol, cadence="daily")
    assert "Every day at 08:00 (America/Los_Angeles)" in embed["description"]
    assert "No time zone in your profile" in embed["description"]


async def test_bad_choices_are_refused_and_nothing_is_stored(configured: Harness) -> None:
    h = configured
    for options, text in [
        ({"cadence": "hourly"}, "is not a choice"),
        ({"cadence": "daily", "time": "25:00"}, "not a time of day"),
        ({"cadence": "daily", "timezone": "Mars/Base"}, "not a time zone"),
        ({"cadence": "weekly", "weekday": 9}, "not a day of the week"),
        ({"thanks": "maybe"}, "could not understand"),
    ]:
        sent = await h.slash("digest me", user=h.dave, **options)
        assert sent.ephemeral and text in sent.content, (options, sent.content)
    assert await digests.get_member(h.db, h.dave.id) is None
    assert (await members.get(h.db, h.dave.id)).timezone is None


async def test_the_personal_digest_reports_earnings_goal_and_missed_tasks(
    configured: Harness,
) -> None:
    h = configured
    await members.set_eligibility(h.db, h.bob.id, "FR", frozenset(), 0)
    await opt_in(h, h.bob, cadence="daily", time="07:00", timezone="Europe/Paris")
    day = date(2026, 11, 26)
    await log_work(h, h.bob.id, day, cents=600, minutes=30)
    await log_work(h, h.bob.id, day, cents=450, minutes=30, status="pending")
    await log_work(h, h.bob.id, day, cents=300, minutes=30, status="rejected")
    await earnings.set_goal(h.db, h.bob.id, 2000, "USD", 0)
    await subscribe(h, h.bob, platform="prolific", min_hourly_cents=1000, currency="USD")
    window = at_paris(26, 12)
    match = await share(h, title="Great study", hourly_cents=2400, at=window)
    await share(h, title="Too cheap", hourly_cents=800, at=window)
    await share(h, title="Other platform", platform="mturk", hourly_cents=3000, at=window)
    await share(h, title="Bob's own", sharer=h.bob.id, hourly_cents=3000, at=window)
    await share(h, title="US only", hourly_cents=3000, at=window, countries=frozenset({"US"}))
    voted = await share(h, title="Already voted", hourly_cents=3000, at=window)
    now = int(window.timestamp())
    await tasks.vote(
        h.db,
        voted.id,
        h.bob.id,
        "live",
        guild_id=voted.guild_id,
        now=now,
        extend_to=now,
        gone_needed=3,
        moderator=False,
    )
    await share(h, title="Day before", hourly_cents=3000, at=at_paris(26, 6))

    h.clock.set(at_paris(27, 7))
    assert await cog_of(h).runner.run_member(h.bob.id, "daily") == "sent"
    [dm] = h.dms_to(h.bob)
    assert dm.embeds[0]["title"] == "Your daily digest — Friday, November 27, 2026"
    earned = next(e for e in dm.embeds if e["title"] == "Your earnings")["description"]
    assert earned.split("\n") == [
        "Earned **$10.50** · paid hourly $10.50/h · effective hourly $7.00/h · 1 h 30 min of "
        "work (3 entries)",
        "Daily goal $20.00: met on 0 of 1 day worked · last day $10.50 (53 %) ▰▰▰▰▰▱▱▱▱▱",
    ]
    missed = next(e for e in dm.embeds if e["title"].startswith("Tasks for you"))["description"]
    assert missed.split("\n") == [
        f"**1.** [Great study]({match.jump_url}) — **$24.00/h** · $1.00 · 5 min · prolific · 🟢 live"
    ]
    assert await runs(h, "member", h.bob.id) == [("2026-11-27", "sent", None)]
    assert await cog_of(h).runner.run_member(h.bob.id, "daily") == "already"
    assert len(h.dms_to(h.bob)) == 1
    h.api.assert_never_pinged()


async def test_a_member_with_nothing_to_report_gets_no_dm(configured: Harness) -> None:
    h = configured
    await opt_in(h, h.carol, cadence="daily")
    h.clock.set(datetime(2026, 11, 27, 16, tzinfo=UTC))
    assert await cog_of(h).runner.run_member(h.carol.id, "daily") == "skipped"
    assert h.dms_to(h.carol) == []
    assert await runs(h, "member", h.carol.id) == [("2026-11-27", "skipped", "empty")]


async def test_the_personal_digest_speaks_the_members_language(configured: Harness) -> None:
    h = configured
    await h.slash("digest me", user=h.bob, locale="fr", cadence="daily", timezone="Europe/Paris")
    await log_work(h, h.bob.id, date(2026, 11, 26), cents=500, minutes=20)
    h.clock.set(at_paris(27, 8))
    assert await cog_of(h).runner.run_member(h.bob.id, "daily") == "sent"
    [dm] = h.dms_to(h.bob)
    assert dm.embeds[0]["title"] == "Votre bilan du jour — vendredi 27 novembre 2026"
    assert any(e["title"] == "Vos gains" for e in dm.embeds)


class Probe(commands.Cog):
    """Any other command of the bot."""

    @app_commands.command(name="probe", description="test")
    async def probe(self, interaction: discord.Interaction) -> None:
        await reply(interaction, "fine")


async def test_closed_dms_switch_the_digest_off_with_a_note_shown_once(
    configured: Harness,
) -> None:
    h = configured
    await h.bot.add_cog(Probe())
    await opt_in(h, h.bob, cadence="daily", timezone="Europe/Paris")
    await log_work(h, h.bob.id, date(2026, 11, 26), cents=500, minutes=20)
    h.api.fail("POST", "/channels/{channel_id}/messages", 403, code=50007)
    h.clock.set(at_paris(27, 8))
    assert await cog_of(h).runner.run_member(h.bob.id, "daily") == "dms_closed"
    stored = await digests.get_member(h.db, h.bob.id)
    assert stored is not None and stored.cadence == "off" and stored.note_pending
    assert h.bot.scheduler.get_job(f"digest:member:{h.bob.id}:daily") is None
    assert await runs(h, "member", h.bob.id) == [("2026-11-27", "failed", "dms_closed")]

    # Someone else's command carries no note.
    assert [s.content for s in await h.slash_all("probe", user=h.alice)] == ["fine"]
    # Bob's next command, whatever it is, carries it once, in his language.
    answers = await h.slash_all("probe", user=h.bob, locale="fr")
    assert next(s.content for s in answers) == "fine"
    assert answers[1].kind == "followup" and answers[1].ephemeral
    assert "vos MP sont fermés" in answers[1].content
    assert [s.content for s in await h.slash_all("probe", user=h.bob)] == ["fine"]
    assert not (await digests.get_member(h.db, h.bob.id)).note_pending


async def test_the_note_survives_a_restart_and_opting_in_again_clears_it(
    configured: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await opt_in(configured, configured.bob, cadence="daily")
    await cog_of(configured).runner.dms_closed(configured.bob.id)
    h = await configured.restart(monkeypatch=monkeypatch)
    assert h.bob.id in cog_of(h).runner.notes
    embed = await opt_in(h, h.bob, cadence="daily")
    assert "Every day at 08:00" in embed["description"]
    stored = await digests.get_member(h.db, h.bob.id)
    assert stored is not None and not stored.note_pending and stored.dm_closed_at is None
    assert h.bob.id not in cog_of(h).runner.notes
    await h.stop()


async def test_a_missed_personal_digest_is_caught_up_at_start_up(
    configured: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await opt_in(configured, configured.bob, cadence="daily", timezone="Europe/Paris")
    await log_work(configured, configured.bob.id, date(2026, 11, 26), cents=500, minutes=20)
    configured.clock.set(at_paris(27, 9))  # an hour late
    h = await configured.restart(monkeypatch=monkeypatch)
    assert len(h.dms_to(h.bob)) == 1
    h2 = await h.restart(monkeypatch=monkeypatch)
    assert h2.dms_to(h2.bob) == []
    await h2.stop()


async def test_personal_preview_shows_now_what_the_dm_would_say(configured: Harness) -> None:
    h = configured
    await log_work(h, h.alice.id, date(2026, 11, 26), cents=900, minutes=45)
    sent = await h.slash_all("digest preview", user=h.alice, which="personal")
    answer = sent[-1]
    assert answer.ephemeral
    assert "Your personal digest is off" in answer.content
    assert any(e["title"] == "Your earnings" for e in answer.embeds)
    assert h.dms_to(h.alice) == []


async def test_the_personal_digest_counts_the_tasks_it_does_not_list(configured: Harness) -> None:
    h = configured
    await opt_in(h, h.bob, cadence="daily", time="07:00", timezone="Europe/Paris")
    await subscribe(h, h.bob, platform="prolific")
    window = at_paris(26, 12)
    for n in range(13):
        await share(h, title=f"Study {n}", hourly_cents=2000 + n, at=window)
    h.clock.set(at_paris(27, 7))
    assert await cog_of(h).runner.run_member(h.bob.id, "daily") == "sent"
    [dm] = h.dms_to(h.bob)
    missed = next(e for e in dm.embeds if e["title"].startswith("Tasks for you"))["description"]
    lines = missed.split("\n")
    assert len(lines) == 11
    assert lines[-1] == "…and 3 more tasks matching your alerts: /task search lists them."


async def test_a_country_alone_does_not_hide_tasks_needing_a_qualification(
    configured: Harness,
) -> None:
    """#12.18: the digest uses the same rule as alerts and search."""
    h = configured
    await members.set_eligibility(h.db, h.bob.id, "US", frozenset(), 0)
    await opt_in(h, h.bob, cadence="daily", time="07:00", timezone="Europe/Paris")
    await subscribe(h, h.bob, platform="prolific", min_hourly_cents=1000, currency="USD")
    window = at_paris(26, 12)
    await share(
        h,
        title="US Masters study",
        hourly_cents=2400,
        at=window,
        countries=frozenset({"US"}),
        qualifications=frozenset({"masters"}),
    )
    await share(h, title="UK only", hourly_cents=2400, at=window, countries=frozenset({"GB"}))
    h.clock.set(at_paris(27, 7))
    assert await cog_of(h).runner.run_member(h.bob.id, "daily") == "sent"
    [dm] = h.dms_to(h.bob)
    missed = next(e for e in dm.embeds if e["title"].startswith("Tasks for you"))["description"]
    assert "US Masters study" in missed and "UK only" not in missed


async def test_the_personal_digest_leaves_out_servers_the_member_left(
    configured: Harness,
) -> None:
    """#12.5: Bob left while the bot was offline; his subscription is still stored (the
    server was not reconciled yet), yet the digest checks membership itself."""
    h = configured
    for user in (h.alice, h.bob):
        await opt_in(h, user, cadence="daily", time="07:00", timezone="Europe/Paris")
        await subscribe(h, user, platform="prolific")
    await share(h, title="Server task", sharer=h.dave.id, hourly_cents=2400, at=at_paris(26, 12))
    h.guild._remove_member(h.guild.get_member(h.bob.id))  # no leave event, no GUILD_CREATE
    assert await subscriptions.for_member(h.db, h.world.guild_id, h.bob.id)
    h.clock.set(at_paris(27, 7))
    assert await cog_of(h).runner.run_member(h.bob.id, "daily") == "skipped"
    assert h.dms_to(h.bob) == []
    assert await cog_of(h).runner.run_member(h.alice.id, "daily") == "sent"
    [dm] = h.dms_to(h.alice)
    assert any("Server task" in (e.get("description") or "") for e in dm.embeds)


def missed_section(dm) -> str | None:
    found = [e for e in dm.embeds if e["title"].startswith("Tasks for you")]
    return found[0]["description"] if found else None


async def test_missed_tasks_leave_out_channels_the_members_roles_cannot_see(
    configured: Harness,
) -> None:
    """As the live alerts judge it: #task-alerts is for moderators only, so Bob (no role)
    is never told of its tasks, the moderator is."""
    h = configured
    for user in (h.bob, h.mod):
        await opt_in(h, user, cadence="daily", time="07:00", timezone="Europe/Paris")
        await subscribe(h, user, platform="prolific")
    await set_overwrites(
        h,
        h.world.alerts,
        "task-alerts",
        1,
        overwrite(h.world.everyone_role),
        overwrite(h.world.mod_role, allow=True),
    )
    staff = await share(h, title="Staff-only study", sharer=h.dave.id, at=at_paris(26, 12))
    h.clock.set(at_paris(27, 7))
    assert await cog_of(h).runner.run_member(h.bob.id, "daily") == "skipped"
    assert h.dms_to(h.bob) == []
    assert await runs(h, "member", h.bob.id) == [("2026-11-27", "skipped", "empty")]
    assert await cog_of(h).runner.run_member(h.mod.id, "daily") == "sent"
    [dm] = h.dms_to(h.mod)
    assert missed_section(dm) == (
        f"**1.** [Staff-only study]({staff.jump_url}) — **$12.00/h** · $1.00 · 5 min · "
        "prolific · 🟢 live"
    )


async def test_missed_tasks_leave_out_a_channel_closed_to_the_member_by_name(
    configured: Harness,
) -> None:
    """Bob's own overwrite hides #task-alerts from him; Carol, with the same roles, sees
    it. Bob's digest still goes (his earnings) but names no task."""
    h = configured
    for user in (h.bob, h.carol):
        await opt_in(h, user, cadence="daily", time="07:00", timezone="Europe/Paris")
        await subscribe(h, user, platform="prolific")
    await log_work(h, h.bob.id, date(2026, 11, 26), cents=500, minutes=20)
    await set_overwrites(h, h.world.alerts, "task-alerts", 1, overwrite(h.bob.id, member=True))
    await share(h, title="Secret study", sharer=h.dave.id, hourly_cents=2400, at=at_paris(26, 12))
    h.clock.set(at_paris(27, 7))
    assert await cog_of(h).runner.run_member(h.bob.id, "daily") == "sent"
    [dm] = h.dms_to(h.bob)
    assert missed_section(dm) is None
    assert "Secret study" not in json.dumps(dm.embeds)
    assert await cog_of(h).runner.run_member(h.carol.id, "daily") == "sent"
    [dm] = h.dms_to(h.carol)
    assert "Secret study" in (missed_section(dm) or "")


async def test_an_archived_forum_post_is_judged_by_the_alerts_forum(configured: Harness) -> None:
    """An ended task's forum post is archived, and discord.py forgets it: whether the
    member may see it is read from the forum the alerts go to."""
    h = configured
    await guilds.update(h.db, h.world.guild_id, 0, alerts_channel_id=h.world.forum)
    forum = p.forum_channel_json(h.world.forum, h.world.guild_id, "task-forum", position=4)
    forum["permission_overwrites"] = [overwrite(h.bob.id, member=True)]
    await h.gateway("CHANNEL_UPDATE", forum)
    for user in (h.bob, h.carol):
        await opt_in(h, user, cadence="daily", time="07:00", timezone="Europe/Paris")
        await subscribe(h, user, platform="prolific")
    ended = await share(h, title="Forum study", sharer=h.dave.id, at=at_paris(26, 12), state="gone")
    post = p.snowflake()  # a thread id the bot's cache does not hold
    await tasks.set_message(h.db, ended.id, channel_id=post, message_id=post, is_forum=True)
    assert h.guild.get_channel_or_thread(post) is None
    h.clock.set(at_paris(27, 7))
    assert await cog_of(h).runner.run_member(h.bob.id, "daily") == "skipped"
    assert h.dms_to(h.bob) == []
    assert await cog_of(h).runner.run_member(h.carol.id, "daily") == "sent"
    [dm] = h.dms_to(h.carol)
    assert "Forum study" in (missed_section(dm) or "")


async def test_composed_from_the_database_alone_no_task_is_listed(configured: Harness) -> None:
    """Without the bot nobody's roles can be read: the missed tasks stay empty rather
    than unfiltered (the benchmark and query-plan tests compose this way)."""
    h = configured
    await subscribe(h, h.bob, platform="prolific")
    await share(h, title="Visible study", sharer=h.dave.id, at=at_paris(26, 12))
    period = (at_paris(26, 7), at_paris(27, 7))
    assert [t.title for t in (await compose_member_digest(h.bot, h.bob.id, period)).missed] == [
        "Visible study"
    ]
    assert (await compose_member_digest(h.db, h.bob.id, period)).missed == ()


async def test_personal_digests_and_other_dms_share_the_bots_dm_pace(configured: Harness) -> None:
    h = configured
    pace = h.bot.direct.pace = CountingPace()
    await opt_in(h, h.bob, cadence="daily", time="07:00", timezone="UTC")
    await log_work(h, h.bob.id, date(2026, 11, 26), cents=600, minutes=30)
    h.clock.set(datetime(2026, 11, 27, 7, tzinfo=UTC))
    since = len(h.api.calls)
    assert await cog_of(h).runner.run_member(h.bob.id, "daily") == "sent"
    assert len(h.dms_to(h.bob)) == 1
    dm_routes = [
        c.route()
        for c in h.api.calls[since:]
        if "/users/@me" in c.path
        or (
            c.route() == "POST /channels/{channel_id}/messages"
            and int(c.params["channel_id"]) in h.api.dm_channels
        )
    ]
    assert dm_routes == ["POST /users/@me/channels", "POST /channels/{channel_id}/messages"]
    assert pace.taken == 2  # each waited for the pace
    pace.taken = 0
    await h.bot.direct.send(h.bob.id, content="one more")
    assert pace.taken == 1  # its channel is known now
    assert len(h.api.calls_to("POST", "/users/@me/channels")) == 1
