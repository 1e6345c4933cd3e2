"""What the server digest says, from real data in every section, as members see it."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from cogs.digests.compose import compose_server_digest
from cogs.digests.rules import Cadence, Section
from db import earnings, guilds, reports, tasks
from tests.cogs.digests.conftest import (
    cog_of,
    configure,
    set_requester_status,
    share,
)
from tests.cogs.digests.test_scheduling import at_la
from tests.cogs.earnings.helpers import log_work
from tests.harness.channel_access import overwrite, set_overwrites
from tests.harness.driver import Harness

# The digest sent 2026-11-27 08:00 (Los Angeles) covers 11-26 08:00 → 11-27 08:00,
# and the members' work dated 2026-11-26.
IN_WINDOW = at_la(2026, 11, 26, 12)
BEFORE_WINDOW = at_la(2026, 11, 26, 7, 59)
SEND = at_la(2026, 11, 27, 8)


async def send_digest(h: Harness) -> list:
    h.clock.set(SEND)
    outcome = await cog_of(h).runner.run_server(h.world.guild_id, Cadence.DAILY)
    assert outcome == "sent"
    return h.in_channel(h.world.digest)


def all_embeds(messages: list) -> list[dict]:
    return [e for m in messages for e in m.embeds]


def section(messages: list, title: str) -> str:
    found = [
        e.get("description", "")
        for e in all_embeds(messages)
        if e.get("title", "").startswith(title)
    ]
    assert found, f"no section {title!r} in {[e.get('title') for e in all_embeds(messages)]}"
    return "\n".join(found)


def header_field(messages: list, name: str) -> str:
    for field in all_embeds(messages)[0].get("fields", []):
        if field["name"] == name:
            return field["value"]
    raise AssertionError(f"no field {name}")


async def test_best_tasks_live_first_by_hourly_linked_and_warned_spoilered(
    configured: Harness,
) -> None:
    h = configured
    await configure(h)
    gone = await share(h, title="Gone gem", hourly_cents=5000, at=IN_WINDOW, state="gone")
    top = await share(h, title="Top live", hourly_cents=3000, at=IN_WINDOW)
    warned = await share(
        h, title="Disturbing images study", hourly_cents=2500, warning="violence", at=IN_WINDOW
    )
    await share(h, title="Removed spam", hourly_cents=9000, at=IN_WINDOW, state="removed")
    await share(h, title="Yesterday's", hourly_cents=8000, at=BEFORE_WINDOW)
    for n in range(10):
        await share(h, title=f"Filler {n}", hourly_cents=500 + n, at=IN_WINDOW)
    messages = await send_digest(h)
    best = section(messages, "Best tasks")
    lines = best.split("\n")
    assert len(lines) == 10
    assert lines[0].startswith(f"**1.** [Top live]({top.jump_url}) — **$30.00/h**")
    assert "🟢 live" in lines[0]
    assert lines[1] == (
        f"**2.** ⚠️ violence or gore: ||[Disturbing images study]({warned.jump_url})|| — "
        "**$25.00/h** · $1.00 · 5 min · prolific · 🟢 live"
    )
    # Live ones first: the ended task paying more comes after every live one shown.
    assert "Gone gem" not in best  # eight live fillers outrank it for the last places
    assert "Removed spam" not in best and "Yesterday's" not in best
    assert gone.jump_url not in best
    h.api.assert_never_pinged()


async def test_an_ended_task_still_appears_after_the_live_ones(configured: Harness) -> None:
    h = configured
    await configure(h)
    await share(h, title="Gone gem", hourly_cents=5000, at=IN_WINDOW, state="expired")
    await share(h, title="Live but low", hourly_cents=700, at=IN_WINDOW)
    best = section(await send_digest(h), "Best tasks").split("\n")
    assert "Live but low" in best[0] and "Gone gem" in best[1] and "⚪ ended" in best[1]


async def test_hostile_titles_cannot_ping_break_markdown_or_link_elsewhere(
    configured: Harness,
) -> None:
    h = configured
    await configure(h)
    alert = await share(
        h,
        title="@everyone <@&123> **free** [click](javascript:alert(1)) ||x|| " + "y" * 150,
        hourly_cents=1500,
        at=IN_WINDOW,
    )
    best = section(await send_digest(h), "Best tasks")
    assert "@everyone" not in best.replace("@\u200beveryone", "")
    assert "<@&123>" not in best
    assert "\\*\\*free\\*\\*" in best
    # Every bracket of the title is escaped: the only link is to the alert in the server.
    assert "\\[click\\](javascript:" in best
    assert re.findall(r"(?<!\\)\]\(([^)]+)\)", best) == [alert.jump_url]
    assert len(best.split("\n")[0]) < 400
    h.api.assert_never_pinged()


async def test_counts_and_median_hourly_per_currency(configured: Harness) -> None:
    h = configured
    await configure(h)
    for cents in (1000, 1500, 1200, 2000):
        await share(h, hourly_cents=cents, at=IN_WINDOW)
    await share(h, hourly_cents=900, currency="GBP", at=IN_WINDOW)
    await share(h, hourly_cents=99999, at=IN_WINDOW, state="removed")
    await share(h, hourly_cents=1, at=BEFORE_WINDOW)
    messages = await send_digest(h)
    assert header_field(messages, "Tasks shared") == "5"
    assert header_field(messages, "Median hourly") == "$13.50/h (4 tasks)\n£9.00/h (1 task)"


async def test_an_empty_period_still_makes_a_calm_digest(configured: Harness) -> None:
    h = configured
    await configure(h)
    messages = await send_digest(h)
    assert len(messages) == 1
    assert header_field(messages, "Tasks shared") == "0"
    assert section(messages, "Best tasks") == "No tasks were shared in this period."
    assert section(messages, "Requesters to watch") == "No new cautions or scams."
    assert "Thank you" not in [e.get("title") for e in all_embeds(messages)]


async def test_new_cautions_and_confirmed_scams(configured: Harness) -> None:
    h = configured
    await configure(h)
    await set_requester_status(h, "Shady Labs", "scam", reason="never paid @everyone", at=IN_WINDOW)
    await set_requester_status(
        h, "Slow Payer", "caution", reason=None, at=IN_WINDOW, source="reports"
    )
    await set_requester_status(h, "Old News", "scam", reason="old", at=BEFORE_WINDOW)
    messages = await send_digest(h)
    text = section(messages, "Requesters to watch")
    assert text.split("\n") == [
        "🔴 **Shady Labs** (mturk) — confirmed scam: never paid @\u200beveryone",
        "🟠 **Slow Payer** (mturk) — caution: after confirmed reports",
    ]
    embed = next(e for e in all_embeds(messages) if e.get("title") == "Requesters to watch")
    assert embed["color"] == 0xE74C3C


async def test_reports_opened_and_closed_are_counted_never_attributed(
    configured: Harness,
) -> None:
    h = configured
    await configure(h)
    requester_id = await set_requester_status(h, "Someone", "caution", reason="x", at=BEFORE_WINDOW)
    opened = []
    for reporter in (h.alice, h.bob, h.carol):
        report = await reports.create(
            h.db,
            guild_id=h.world.guild_id,
            requester_id=requester_id,
            reporter_id=reporter.id,
            category="non_payment",
            description="did not pay",
            evidence=[],
            attachment_url=None,
            attachment_name=None,
            new_member=False,
            now=int(IN_WINDOW.timestamp()),
            since=0,
            daily_limit=10,
        )
        opened.append(report)
    await reports.close(
        h.db,
        opened[0].id,
        guild_id=h.world.guild_id,
        state="confirmed",
        moderator_id=h.mod.id,
        reason="checked",
        now=int(IN_WINDOW.timestamp()) + 60,
    )
    messages = await send_digest(h)
    assert header_field(messages, "Reports") == "3 opened · 1 closed"
    text = "\n".join(str(e) for e in all_embeds(messages))
    for person in (h.alice, h.bob, h.carol, h.mod):
        assert str(person.id) not in text and person.name not in text


async def test_community_wages_only_above_the_k_anonymity_floor(configured: Harness) -> None:
    h = configured
    await configure(h)
    workers = [h.alice, h.bob, h.carol, h.dave]
    day = date(2026, 11, 26)
    for n, person in enumerate(workers):
        await earnings.set_sharing(h.db, h.world.guild_id, person.id, True, 0)
        await log_work(h, person.id, day, cents=1000 + 100 * n, minutes=60)
    messages = await send_digest(h)
    assert "at least 5 are needed" in section(messages, "Community wages")
    assert "MTurk" not in section(messages, "Community wages")

    # A fifth member joins in for the next day: now the figures can be shown.
    fifth = await h.add_member("erin")
    for n, person in enumerate([*workers, fifth]):
        await earnings.set_sharing(h.db, h.world.guild_id, person.id, True, 0)
        await log_work(h, person.id, date(2026, 11, 27), cents=1000 + 100 * n, minutes=60)
    h.clock.set(at_la(2026, 11, 28, 8))
    assert await cog_of(h).runner.run_server(h.world.guild_id, Cadence.DAILY) == "sent"
    latest = [h.in_channel(h.world.digest)[-1]]
    wages = section(latest, "Community wages")
    assert wages == ("**MTurk**: median $12.00/h, middle half $11.00–$13.00 per hour (5–9 members)")


async def test_top_sharers_thanked_but_never_opted_out_or_anonymous_ones(
    configured: Harness,
) -> None:
    h = configured
    await configure(h)
    for _ in range(3):
        await share(h, sharer=h.alice.id, at=IN_WINDOW)
    await share(h, sharer=h.bob.id, at=IN_WINDOW)
    for _ in range(2):
        await share(h, sharer=h.bob.id, anonymous=True, at=IN_WINDOW)
    for _ in range(5):
        await share(h, sharer=h.carol.id, at=IN_WINDOW)
    for _ in range(4):
        await share(h, sharer=h.dave.id, anonymous=True, at=IN_WINDOW)
    sent = await h.slash("digest me", user=h.carol, thanks="off")
    assert "Thanked by name in the server digest: no" in sent.embed["description"]
    messages = await send_digest(h)
    thanks = section(messages, "Thank you")
    assert thanks == f"Thanks for sharing: <@{h.alice.id}> (3), <@{h.bob.id}> (1)."
    text = "\n".join(str(e) for e in all_embeds(messages))
    assert str(h.carol.id) not in text and str(h.dave.id) not in text
    h.api.assert_never_pinged()


async def test_sections_can_be_turned_off_by_moderators_only(configured: Harness) -> None:
    h = configured
    sent = await h.slash("digest setup", user=h.mod)
    select = next(c for c in sent.walk_components() if c.get("custom_id") == "digests:sections")
    assert [o["value"] for o in select["options"] if o.get("default")] == [s.value for s in Section]
    # Another member pressing the moderator's picker is refused.
    refused = await h.select(sent, "digests:sections", ["stats"], user=h.alice)
    assert refused[-1].ephemeral and "someone else" in refused[-1].content
    updated = await h.select(sent, "digests:sections", ["best_tasks", "stats"], user=h.mod)
    assert updated[-1].kind == "update"
    assert updated[-1].field("Sections shown") == "Best tasks\nTasks shared and median hourly"
    await share(h, sharer=h.alice.id, at=IN_WINDOW)
    messages = await send_digest(h)
    titles = [e.get("title", "") for e in all_embeds(messages)]
    assert titles[1:] == ["Best tasks"]
    assert [f["name"] for f in all_embeds(messages)[0]["fields"]] == [
        "Tasks shared",
        "Median hourly",
    ]


async def test_a_moderator_who_lost_the_role_cannot_use_an_old_picker(
    configured: Harness,
) -> None:
    h = configured
    sent = await h.slash("digest setup", user=h.mod)
    h.mod.roles.clear()
    await h.gateway(
        "GUILD_MEMBER_UPDATE",
        {**h.mod.member_json(), "guild_id": str(h.world.guild_id)},
    )
    refused = await h.select(sent, "digests:sections", ["stats"], user=h.mod)
    assert refused[-1].ephemeral and "Only moderators" in refused[-1].content


async def test_a_french_server_gets_a_french_digest(configured: Harness) -> None:
    h = configured
    await guilds.update(h.db, h.world.guild_id, 0, locale="fr")
    await configure(h)
    await share(h, title="Sondage", hourly_cents=1234, at=IN_WINDOW)
    messages = await send_digest(h)
    embeds = all_embeds(messages)
    assert embeds[0]["title"] == "Bilan du jour — vendredi 27 novembre 2026"
    assert "12,34\u00a0$US/h" in section(messages, "Meilleures tâches")
    assert header_field(messages, "Tâches partagées") == "1"


async def test_a_long_digest_splits_cleanly_over_several_messages(configured: Harness) -> None:
    h = configured
    await configure(h)
    for n in range(12):
        await share(h, title=f"Task {n} " + "long title " * 22, hourly_cents=1000 + n, at=IN_WINDOW)
    for n in range(15):
        await set_requester_status(
            h, f"Requester {n} " + "x" * 60, "scam", reason="r" * 500, at=IN_WINDOW
        )
    messages = await send_digest(h)
    assert len(messages) >= 2
    for message in messages:
        embeds = message.embeds
        assert 1 <= len(embeds) <= 10
        total = sum(
            len(e.get("title", ""))
            + len(e.get("description", ""))
            + len((e.get("footer") or {}).get("text", ""))
            + sum(len(f["name"]) + len(f["value"]) for f in e.get("fields", []))
            for e in embeds
        )
        assert total <= 6000
        assert all(len(e.get("description", "")) <= 4096 for e in embeds)
    titles = [e.get("title", "") for e in all_embeds(messages)]
    assert titles[0].startswith("Daily digest")
    assert titles.index("Best tasks") < titles.index("Requesters to watch")
    requesters = section(messages, "Requesters to watch").split("\n")
    assert len(requesters) == 15  # every line whole, none lost at a split
    assert (all_embeds(messages)[-1].get("footer") or {}).get("text", "").startswith("Entraide")


async def test_composition_alone_for_a_raw_window(configured: Harness) -> None:
    """What the benchmark calls: the bot or its database, a server, a (start, end) pair.

    The database alone cannot tell who sees which channel: everything but the list of
    tasks is the same, and that list is empty rather than unfiltered.
    """
    h = configured
    await share(h, hourly_cents=1500, at=IN_WINDOW)
    start = datetime(2026, 11, 26, tzinfo=UTC)
    content = await compose_server_digest(
        h.bot, h.world.guild_id, (start, start + timedelta(days=1))
    )
    assert content.shared_count == 1 and content.best_tasks[0].hourly_cents == 1500
    same = await compose_server_digest(h.db, h.world.guild_id, (start, start + timedelta(days=1)))
    assert same == replace(content, best_tasks=())
    week = await compose_server_digest(h.db, h.world.guild_id, (start, start + timedelta(days=7)))
    assert week.cadence == Cadence.WEEKLY


async def test_a_wave_of_scams_never_hides_the_cautions_and_says_what_was_cut(
    configured: Harness,
) -> None:
    h = configured
    await configure(h)
    for n in range(20):
        await set_requester_status(h, f"Scammer {n}", "scam", reason="never paid", at=IN_WINDOW)
    for n in range(8):
        await set_requester_status(h, f"Slow {n}", "caution", reason="slow", at=IN_WINDOW)
    messages = await send_digest(h)
    lines = section(messages, "Requesters to watch").split("\n")
    scams = [line for line in lines if line.startswith("🔴")]
    cautions = [line for line in lines if line.startswith("🟠")]
    assert len(scams) == 10 and len(cautions) == 5  # cautions keep their share
    assert lines[-3:] == [
        "…and 10 more confirmed scams",
        "…and 3 more cautions",
        "Look any requester up with /requester info before taking their tasks.",
    ]


async def test_a_list_that_fits_says_nothing_more(configured: Harness) -> None:
    h = configured
    await configure(h)
    for n in range(3):
        await set_requester_status(h, f"Slow {n}", "caution", reason="slow", at=IN_WINDOW)
    messages = await send_digest(h)
    text = section(messages, "Requesters to watch")
    assert "more" not in text and len(text.split("\n")) == 3


async def test_the_median_list_counts_the_currencies_it_leaves_out(configured: Harness) -> None:
    h = configured
    await configure(h)
    for currency in ("USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF"):
        cents = 1200 if currency != "JPY" else 12
        await share(
            h, title=f"Task {currency}", currency=currency, hourly_cents=cents, at=IN_WINDOW
        )
    messages = await send_digest(h)
    lines = header_field(messages, "Median hourly").splitlines()
    assert len(lines) == 6
    assert lines[-1] == "…and 2 more currencies (/task search lists their tasks)"
    assert lines[0] == "A$12.00/h (1 task)"  # one task, not "1 tasks"
    assert header_field(messages, "Tasks shared") == "7"  # every currency is counted


def staff_only(h: Harness) -> list[dict]:
    """Hidden from @everyone, open to the moderators' role and the bot's."""
    return [
        overwrite(h.world.everyone_role),
        overwrite(h.world.mod_role, allow=True),
        overwrite(h.world.bot_role, allow=True),
    ]


async def test_a_public_digest_lists_no_task_from_a_channel_everyone_cannot_see(
    configured: Harness,
) -> None:
    """#daily-digest is public, #task-alerts is for moderators: its tasks are counted but
    never named. A task in a public channel (#general, where alerts used to go) is listed,
    however many hidden ones rank above it."""
    h = configured
    await configure(h)
    await set_overwrites(h, h.world.alerts, "task-alerts", 1, *staff_only(h))
    for n in range(11):
        await share(h, title=f"Staff-only study {n}", hourly_cents=3000 + n, at=IN_WINDOW)
    public = await share(h, title="Open study", hourly_cents=1000, at=IN_WINDOW)
    await tasks.set_message(
        h.db, public.id, channel_id=h.world.general, message_id=public.id + 1, is_forum=False
    )
    messages = await send_digest(h)
    assert section(messages, "Best tasks") == (
        f"**1.** [Open study](https://discord.com/channels/{h.world.guild_id}/"
        f"{h.world.general}/{public.id + 1}) — **$10.00/h** · $1.00 · 5 min · prolific · "
        "🟢 live"
    )
    assert "Staff-only" not in json.dumps(all_embeds(messages))
    assert header_field(messages, "Tasks shared") == "12"


async def test_the_preview_says_why_no_task_is_listed(configured: Harness) -> None:
    h = configured
    await configure(h)
    await set_overwrites(h, h.world.alerts, "task-alerts", 1, *staff_only(h))
    await share(h, title="Staff-only study", hourly_cents=3000)
    shown = (await h.slash_all("digest preview", user=h.mod))[-1]
    assert shown.ephemeral
    assert "Staff-only" not in shown.text
    best = next(e for e in shown.embeds if e["title"] == "Best tasks")
    assert best["description"] == (
        "None of this period's tasks was shared where everyone reading this channel can see it."
    )


async def test_a_staff_digest_lists_the_staff_channels_tasks(configured: Harness) -> None:
    """The digest channel's readers are the moderators, who see #task-alerts too."""
    h = configured
    await configure(h)
    await set_overwrites(h, h.world.alerts, "task-alerts", 1, *staff_only(h))
    await set_overwrites(h, h.world.digest, "daily-digest", 3, *staff_only(h))
    staff = await share(h, title="Staff-only study", hourly_cents=3000, at=IN_WINDOW)
    messages = await send_digest(h)
    assert section(messages, "Best tasks").startswith(
        f"**1.** [Staff-only study]({staff.jump_url}) — **$30.00/h**"
    )


async def test_a_member_let_into_the_digest_channel_by_name_is_a_reader_too(
    configured: Harness,
) -> None:
    """Found by a hostile probe: readers were judged by role only, so a member given the
    staff digest channel by name (a member overwrite) read the staff channel's tasks."""
    h = configured
    await configure(h)
    await set_overwrites(h, h.world.alerts, "task-alerts", 1, *staff_only(h))
    await set_overwrites(
        h,
        h.world.digest,
        "daily-digest",
        3,
        *staff_only(h),
        overwrite(h.alice.id, member=True, allow=True),
    )
    await share(h, title="Staff-only study", hourly_cents=3000, at=IN_WINDOW)
    messages = await send_digest(h)
    assert "Staff-only" not in json.dumps(all_embeds(messages))


async def test_a_reader_shut_out_of_the_task_channel_by_name_is_not_shown_its_tasks(
    configured: Harness,
) -> None:
    h = configured
    await configure(h)
    await set_overwrites(
        h,
        h.world.alerts,
        "task-alerts",
        1,
        *staff_only(h),
        overwrite(h.mod.id, member=True),
    )
    await set_overwrites(h, h.world.digest, "daily-digest", 3, *staff_only(h))
    await share(h, title="Staff-only study", hourly_cents=3000, at=IN_WINDOW)
    messages = await send_digest(h)
    assert "Staff-only" not in json.dumps(all_embeds(messages))
