"""The exports channel: exports posted there become alerts credited to their author."""

from __future__ import annotations

from typing import Any

import pytest

from bot.settings import Settings
from db import guilds
from tests.cogs.intake.helpers import mark_scam
from tests.cogs.intake.samples import FORMATS, PROLIFIC_JSON, REQ
from tests.cogs.tasks.conftest import stored
from tests.harness.driver import Harness


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The shared fixture's store (each backend in turn), reading message content.
    return settings.model_copy(update={"message_content_intent": True})


@pytest.fixture
async def exports(configured: Harness) -> Harness:
    h = configured
    sent = await h.slash("setup channel", user=h.admin, kind="exports", target=h.world.general)
    assert sent.ephemeral and "Exports channel" in sent.content
    assert "Message Content" not in sent.content  # the intent is on
    return h


def replies_to(h: Harness, message: dict[str, Any]) -> list[Any]:
    return [
        s
        for s in h.in_channel(h.world.general)
        if str((s.payload.get("message_reference") or {}).get("message_id")) == message["id"]
    ]


async def delete(h: Harness, message: dict[str, Any]) -> None:
    """Its author deletes a message (the gateway's MESSAGE_DELETE)."""
    await h.gateway(
        "MESSAGE_DELETE",
        {
            "id": message["id"],
            "channel_id": message["channel_id"],
            "guild_id": str(h.world.guild_id),
        },
    )


async def test_a_complete_export_becomes_an_alert_and_gets_its_link(exports: Harness) -> None:
    h = exports
    message = await h.post_message(PROLIFIC_JSON, user=h.bob, channel=h.world.general)
    [alert] = await stored(h)
    assert alert.sharer_id == h.bob.id and alert.minutes == 10
    [answer] = replies_to(h, message)
    assert "Alert posted" in answer.content and str(alert.message_id) in answer.content
    # The same export posted again merges.
    again = await h.post_message(PROLIFIC_JSON, user=h.carol, channel=h.world.general)
    assert len(await stored(h)) == 1
    assert (await stored(h))[0].seen_count == 2
    [merged] = replies_to(h, again)
    assert "already live" in merged.content
    h.api.assert_never_pinged()


async def test_the_author_posting_the_same_export_again_is_not_counted_again(
    exports: Harness,
) -> None:
    h = exports
    first = await h.post_message(PROLIFIC_JSON, user=h.bob, channel=h.world.general)
    again = await h.post_message(PROLIFIC_JSON, user=h.bob, channel=h.world.general)
    [alert] = await stored(h)
    assert alert.seen_count == 1 and alert.seen_by == ()
    [answer] = replies_to(h, again)
    assert "You already shared this task" in answer.content
    assert str(alert.message_id) in answer.content and "still shared 1 time)" in answer.content
    assert "Shared" not in h.current(h.in_channel(h.world.alerts)[0]).field("Freshness")
    # Nobody else shared it: deleting the first export within the minute takes it back.
    await delete(h, first)
    [after] = await stored(h)
    assert after.state == "removed"


async def test_other_messages_are_left_alone(exports: Harness) -> None:
    h = exports
    before = len(h.api.calls)
    for text in ["hello all", "Title: my day", "see https://example.com", "{not json"]:
        await h.post_message(text, user=h.bob, channel=h.world.general)
    assert await stored(h) == []
    assert not h.in_channel(h.world.general)
    assert not [c for c in h.api.calls[before:] if c.method == "POST"]


async def test_messages_elsewhere_are_ignored(exports: Harness) -> None:
    h = exports
    await h.post_message(PROLIFIC_JSON, user=h.bob, channel=h.world.mods)
    assert await stored(h) == []


async def test_export_without_minutes_asks_its_author(exports: Harness) -> None:
    h = exports
    message = await h.post_message(FORMATS["plain"], user=h.bob, channel=h.world.general)
    assert await stored(h) == []
    [ask] = replies_to(h, message)
    assert "how long did it take" in ask.content and ask.button("Add my minutes")
    # Someone else cannot post it.
    other = await h.click(ask, "Add my minutes", user=h.carol)
    assert "Only the member who posted" in other[-1].content
    modal = (await h.click(ask, "Add my minutes", user=h.bob))[-1]
    replies = await h.submit_modal(modal, {"minutes": "7"}, user=h.bob, message=ask.message)
    [alert] = await stored(h)
    assert alert.sharer_id == h.bob.id and alert.minutes == 7
    assert alert.platform_requester_id == REQ
    assert "Alert posted" in replies[-1].content
    assert [r.kind for r in replies] == ["response"] and replies[0].ephemeral  # not deferred
    assert "Alert posted" in h.current(ask).content and not h.current(ask).buttons


async def test_scam_requester_refused_with_the_reason(exports: Harness) -> None:
    h = exports
    scam = "A9Z8Y7X6W5V4U3"
    sent = await h.slash(
        "task share",
        user=h.alice,
        reward=1.0,
        minutes=5,
        link="https://worker.mturk.com/projects/3Z8UJEJOCZEG603II9CQDYWSGSQY70/tasks",
        requester="Evil Corp",
        requester_id=scam,
    )
    assert "Alert posted" in sent.content
    sent = await mark_scam(h, scam)
    assert "scam" in sent.content.lower()
    text = FORMATS["plain"].replace(REQ, scam).replace("Acme Research", "Evil Corp")
    text += "\nTime taken: 6 min"
    message = await h.post_message(text, user=h.bob, channel=h.world.general)
    [answer] = replies_to(h, message)
    assert "scam" in answer.content and "fake tasks" in answer.content
    assert len(await stored(h)) == 1
    # With the "warn" policy it is posted, with the warning.
    await guilds.update(h.db, h.world.guild_id, 0, scam_policy="warn")
    message = await h.post_message(text, user=h.carol, channel=h.world.general)
    [answer] = replies_to(h, message)
    assert "Alert posted" in answer.content and "scam" in answer.content
    assert len(await stored(h)) == 2
    h.api.assert_never_pinged()


async def test_delete_within_a_minute_takes_the_alert_back(exports: Harness) -> None:
    h = exports
    message = await h.post_message(PROLIFIC_JSON, user=h.bob, channel=h.world.general)
    assert len(await stored(h)) == 1
    await delete(h, message)
    [after] = await stored(h)
    assert after.state == "removed"
    assert await h.db.fetch_all("SELECT * FROM export_messages") == []
    assert h.api.calls_to("DELETE", "/channels/{channel_id}/messages/{message_id}")


async def test_delete_after_a_minute_leaves_the_alert(exports: Harness) -> None:
    h = exports
    message = await h.post_message(PROLIFIC_JSON, user=h.bob, channel=h.world.general)
    h.clock.advance(minutes=2)
    await delete(h, message)
    [after] = await stored(h)
    assert after.state == "live"


async def test_edit_within_a_minute_is_followed(exports: Harness) -> None:
    h = exports
    message = await h.post_message(PROLIFIC_JSON, user=h.bob, channel=h.world.general)
    edited = {
        **message,
        "content": PROLIFIC_JSON.replace('"reward": 150', '"reward": 250'),
        "edited_timestamp": message["timestamp"],
        "guild_id": str(h.world.guild_id),
    }
    await h.gateway("MESSAGE_UPDATE", edited)
    alerts = await stored(h)
    assert [a.state for a in alerts] == ["removed", "live"]
    assert alerts[-1].reward_cents == 250 and alerts[-1].sharer_id == h.bob.id


async def test_setup_explains_the_intent_when_off(configured: Harness) -> None:
    h = configured
    h.bot.settings.message_content_intent = False
    sent = await h.slash("setup channel", user=h.admin, kind="exports", target=h.world.general)
    assert "Message Content" in sent.content and "MESSAGE_CONTENT_INTENT" in sent.content
    await h.post_message(PROLIFIC_JSON, user=h.bob, channel=h.world.general)
    assert await stored(h) == []
    sent = await h.slash("setup channel", user=h.alice, kind="exports", target=h.world.general)
    assert "manage" in sent.content.lower()


async def test_editing_a_merged_export_does_not_bump_again(exports: Harness) -> None:
    h = exports
    await h.post_message(PROLIFIC_JSON, user=h.bob, channel=h.world.general)
    message = await h.post_message(PROLIFIC_JSON, user=h.carol, channel=h.world.general)
    for n in range(3):
        edited = {
            **message,
            "content": PROLIFIC_JSON + " " * n,
            "edited_timestamp": message["timestamp"],
            "guild_id": str(h.world.guild_id),
        }
        await h.gateway("MESSAGE_UPDATE", edited)
    [alert] = await stored(h)
    assert alert.seen_count == 2 and alert.state == "live"


async def test_an_edit_that_changes_nothing_keeps_the_alert(exports: Harness) -> None:
    h = exports
    message = await h.post_message(PROLIFIC_JSON, user=h.bob, channel=h.world.general)
    edited = {
        **message,
        "content": PROLIFIC_JSON + "\n",
        "edited_timestamp": message["timestamp"],
        "guild_id": str(h.world.guild_id),
    }
    await h.gateway("MESSAGE_UPDATE", edited)
    [alert] = await stored(h)
    assert alert.state == "live"
