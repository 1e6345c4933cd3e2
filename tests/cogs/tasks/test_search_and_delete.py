"""`/task search` (live first, eligibility-aware) and moderators' `/task delete`."""

from __future__ import annotations

import pytest

from db import members
from tests.cogs.tasks.conftest import GREY, MTURK, last_alert, share, stored
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


async def _board(h: Harness) -> None:
    await share(
        h,
        title="Image tagging batch",
        link="https://example.com/a",
        requester="Acme",
        reward=1,
        minutes=5,
    )
    await share(
        h,
        title="Survey about shopping",
        link="https://example.com/b",
        requester="Uni Lab",
        reward=2,
        minutes=30,
        platform="prolific",
    )
    await share(
        h,
        title="Audio transcription",
        link="https://example.com/c",
        requester="Acme",
        reward=3,
        minutes=10,
        limits="US only, Masters",
    )
    await share(
        h,
        title="Shopping receipts",
        link="https://example.com/d",
        requester="Receipts Inc",
        reward=0.5,
        minutes=10,
    )
    await h.click(h.in_channel(h.world.alerts)[0], "Gone", user=h.mod)  # #1 is gone


def titles(sent) -> list[str]:
    return [line.split("**")[1] for line in sent.embed["description"].split("\n\n")]


async def test_search_lists_live_alerts_first_then_recent_ones(configured: Harness) -> None:
    h = configured
    await _board(h)
    sent = await h.slash("task search", user=h.bob)
    assert sent.ephemeral
    found = titles(sent)
    assert [t.split("](")[0].strip("[") for t in found] == [
        "Shopping receipts",
        "Audio transcription",
        "Survey about shopping",
        "Image tagging batch",
    ]
    lines = sent.embed["description"].split("\n\n")
    assert lines[0].startswith("🟢 **[Shopping receipts](https://example.com/d)**")
    assert lines[-1].startswith("⏹️")
    assert "[see alert](https://discord.com/channels/" in lines[0]
    assert "🔴 Other · $0.50 · 10 min · $3.00/h" in lines[0]


async def test_search_filters(configured: Harness) -> None:
    h = configured
    await _board(h)
    by_text = titles(await h.slash("task search", text="shop"))
    assert len(by_text) == 2 and all("hopping" in t for t in by_text)
    by_platform = titles(await h.slash("task search", platform="prolific"))
    assert len(by_platform) == 1 and "Survey" in by_platform[0]
    by_requester = titles(await h.slash("task search", requester="acme"))
    assert len(by_requester) == 2 and "Audio" in by_requester[0] and "Image" in by_requester[1]
    by_hourly = titles(await h.slash("task search", min_hourly=10.0))
    assert len(by_hourly) == 2  # $18/h audio and $12/h images
    combined = titles(await h.slash("task search", text="audio", requester="Acme", min_hourly=15.0))
    assert len(combined) == 1
    none = await h.slash("task search", text="nothing like this")
    assert "No alert matches" in none.embed["description"]
    unknown = await h.slash("task search", requester="Nobody At All")
    assert "No alert matches" in unknown.embed["description"]


async def test_search_leaves_out_tasks_the_member_cannot_take(configured: Harness) -> None:
    h = configured
    await _board(h)
    await members.set_eligibility(h.db, h.bob.id, "FR", frozenset(), 0)
    sent = await h.slash("task search", user=h.bob)
    assert all("Audio" not in t for t in titles(sent))
    assert "1 hidden: your /profile says you cannot take it" in sent.embed["footer"]["text"]
    await members.set_eligibility(h.db, h.carol.id, "US", frozenset({"masters"}), 0)
    assert any("Audio" in t for t in titles(await h.slash("task search", user=h.carol)))


async def test_search_hides_warned_titles_and_speaks_french(configured: Harness) -> None:
    h = configured
    await share(h, title="Violent clips", warning="violence")
    sent = await h.slash("task search", locale="fr")
    assert sent.embed["title"] == "Alertes trouvées"
    # The warning first, then the title and its link behind a spoiler (as every list has it).
    assert f"🟢 **⚠️ violence ou gore : ||[Violent clips]({MTURK})||**" in sent.embed["description"]
    assert "voir l'alerte" in sent.embed["description"]


async def test_requester_autocomplete(configured: Harness) -> None:
    h = configured
    await _board(h)
    choices = await h.autocomplete("task search", "requester", requester="ac")
    assert [c["value"] for c in choices] == ["Acme"]


async def test_a_moderator_deletes_an_alert_and_it_stays_in_history(configured: Harness) -> None:
    h = configured
    await share(h, title="Phishing form")
    alert = last_alert(h)
    choices = await h.autocomplete("task delete", "alert", user=h.mod, alert="phish")
    assert choices == [{"name": "#1 · live · Phishing form", "value": "1"}]
    sent = await h.slash("task delete", user=h.mod, alert="1", reason="asks for passwords")
    assert sent.ephemeral and "Alert #1" in sent.content and "removed" in sent.content
    assert alert.message_id not in h.api.messages  # the message is gone from the channel
    (row,) = await stored(h)
    assert (row.state, row.ended_by, row.removed_reason) == (
        "removed",
        h.mod.id,
        "asks for passwords",
    )
    log = h.in_channel(h.world.mods)[-1]
    assert log.embed["title"] == "Alert #1 removed"
    assert f"<@{h.mod.id}>: asks for passwords" in log.embed["description"]
    again = await h.slash("task delete", user=h.mod, alert="#1", reason="again")
    assert "already removed" in again.content
    assert "No alert matches" in (await h.slash("task search")).embed["description"]


async def test_delete_by_message_link(configured: Harness) -> None:
    h = configured
    sent = await share(h)
    link = sent.content.split(": ", 1)[1].split("\n")[0]
    done = await h.slash("task delete", user=h.admin, alert=link, reason="duplicate of another")
    assert "removed" in done.content
    assert (await stored(h))[0].state == "removed"


async def test_members_cannot_delete_and_unknown_alerts_are_explained(configured: Harness) -> None:
    h = configured
    await share(h)
    sent = await h.slash("task delete", user=h.bob, alert="1", reason="I do not like it")
    assert sent.ephemeral and "Only moderators" in sent.content
    assert (await stored(h))[0].state == "live"
    sent = await h.slash("task delete", user=h.mod, alert="42", reason="spam")
    assert "cannot find that alert" in sent.content


async def test_deleting_a_forum_alert_closes_its_post(forum: Harness) -> None:
    h = forum
    await share(h)
    post = next(s for s in h.api.sent if s.kind == "forum_post")
    await h.slash("task delete", user=h.mod, alert="1", reason="scam link")
    thread = h.api.channels[post.channel_id]["thread_metadata"]
    assert thread["archived"] and thread["locked"]
    assert h.api.channels[post.channel_id]["name"] == "Alert #1 removed"
    now = h.current(post)
    assert now.embed["color"] == GREY and "Removed by moderators" in now.embed["description"]
    assert now.embed["title"] == "Alert #1 removed" and "Rate images" not in now.text
    assert "scam link" in now.embed["description"]
    assert now.embed.get("url") is None and all(b.get("disabled") for b in now.buttons)


async def test_a_cut_search_says_how_many_more_and_how_to_narrow_it(configured: Harness) -> None:
    h = configured
    for n in range(13):
        await share(h, title=f"Batch {n}", link=f"https://example.com/t/{n}", reward=1, minutes=5)
    sent = await h.slash("task search", user=h.bob)
    assert sent.embed["description"].count("Batch") == 10
    notes = " ".join(f["value"] for f in sent.embed.get("fields", []))
    assert "…and 3 more alerts: narrow the search" in notes
    few = await h.slash("task search", user=h.bob, text="Batch 12")
    assert "more" not in " ".join(f["value"] for f in few.embed.get("fields", []))


async def test_a_country_alone_does_not_hide_tasks_needing_a_qualification(
    configured: Harness,
) -> None:
    """#12.18: qualification filtering starts only once qualifications are listed."""
    h = configured
    await _board(h)
    await h.slash("profile country", user=h.bob, country="US")
    sent = await h.slash("task search", user=h.bob)
    assert any("Audio" in t for t in titles(sent))  # "US only, Masters"
    assert "hidden" not in (sent.embed.get("footer") or {}).get("text", "")
    await h.slash("profile country", user=h.bob, country="FR")
    sent = await h.slash("task search", user=h.bob)
    assert all("Audio" not in t for t in titles(sent))  # the country still counts


async def test_a_warned_alert_is_never_named_in_the_clear_when_deleted(
    configured: Harness,
) -> None:
    """Choices cannot hold spoilers: a warned alert is offered by its warning. The reply
    and the moderators' log quote its title behind a spoiler, as every list does."""
    h = configured
    await share(h, title="Violent clips", warning="violence")
    choices = await h.autocomplete("task delete", "alert", user=h.mod, alert="violent")
    assert choices == [{"name": "#1 · live · ⚠️ Content warning: violence or gore", "value": "1"}]
    sent = await h.slash("task delete", user=h.mod, alert="1", reason="duplicate")
    assert sent.content.startswith("🗑️ Alert #1 (⚠️ violence or gore: ||Violent clips||) removed.")
    log = h.in_channel(h.world.mods)[-1]
    assert log.embed["description"].startswith("“⚠️ violence or gore: ||Violent clips||”\n")
    assert (await stored(h))[0].state == "removed"


async def test_a_task_moderators_removed_cannot_be_shared_again(configured: Harness) -> None:
    """Found by a hostile probe: right after a moderator removed an alert (a phishing task),
    its sharer posted it again by sharing the same link."""
    h = configured
    await share(h, title="Verify your account here")
    await h.slash("task delete", user=h.mod, alert="#1", reason="phishing")
    sent = await share(h, h.bob, title="Verify your account")
    assert sent.ephemeral and "Moderators removed" in sent.content, sent.content
    assert [a.state for a in await stored(h)] == ["removed"]
    assert len([m for m in h.in_channel(h.world.alerts) if m.message_id in h.api.messages]) == 0


async def test_a_gone_task_can_still_be_shared_again(configured: Harness) -> None:
    h = configured
    await share(h)
    await h.click(last_alert(h), "Gone", user=h.mod)
    sent = await share(h, h.bob)
    assert "Alert posted" in sent.content, sent.content
