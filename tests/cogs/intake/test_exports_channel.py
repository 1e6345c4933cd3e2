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
from tests.harness.interactions import modal_answers
from tests.harness.sent import Sent


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


def minutes_submission(
    h: Harness, form: Sent, minutes: str, ask: Sent, user: Any
) -> dict[str, Any]:
    """The payload of the "Add my minutes" form submitted, to be fed with others at once."""
    components = modal_answers(form.payload.get("components", []), {"minutes": minutes})
    data = {"custom_id": form.payload["custom_id"], "components": components}
    payload = h._interaction(5, data, user, form.channel_id, "en-US", message=ask.message)
    h.api.component_messages[payload["token"]] = int(ask.message["id"])
    return payload


async def test_two_minutes_forms_submitted_at_once_post_once(exports: Harness) -> None:
    """The author opened the form twice (two devices, a double click) and sent both."""
    h = exports
    message = await h.post_message(FORMATS["plain"], user=h.bob, channel=h.world.general)
    [ask] = replies_to(h, message)
    forms = [(await h.click(ask, "Add my minutes", user=h.bob))[-1] for _ in range(2)]
    payloads = [minutes_submission(h, form, "7", ask, h.bob) for form in forms]
    for payload in payloads:  # both in flight together
        h.bot._connection.parse_interaction_create(payload)
    await h.settle()

    answers = [h.api.for_interaction(int(p["id"]))[-1] for p in payloads]
    assert all(a.ephemeral for a in answers)
    # Either may win (on PostgreSQL's pool they really run together); the other is told.
    assert sorted("Alert posted" in a.content for a in answers) == [False, True]
    assert sum("This export is already being posted." in a.content for a in answers) == 1
    [alert] = await stored(h)
    assert (alert.seen_count, alert.minutes, alert.sharer_id) == (1, 7, h.bob.id)
    rows = await h.db.fetch_all("SELECT alert_id, created FROM export_messages")
    assert [tuple(r) for r in rows] == [(alert.id, 1)]  # not rewritten by the second form
    assert "Alert posted" in h.current(ask).content and not h.current(ask).buttons
    assert len(h.in_channel(h.world.alerts)) == 1
    # Still its own export's alert: deleting the export within the minute takes it back.
    await delete(h, message)
    [after] = await stored(h)
    assert after.state == "removed"


async def test_a_minutes_form_sent_after_the_export_was_posted_is_told_so(
    exports: Harness,
) -> None:
    h = exports
    message = await h.post_message(FORMATS["plain"], user=h.bob, channel=h.world.general)
    [ask] = replies_to(h, message)
    forms = [(await h.click(ask, "Add my minutes", user=h.bob))[-1] for _ in range(2)]
    await h.submit_modal(forms[0], {"minutes": "7"}, user=h.bob, message=ask.message)
    late = await h.submit_modal(forms[1], {"minutes": "9"}, user=h.bob, message=ask.message)
    assert late[-1].ephemeral and "This export has already been posted." in late[-1].content
    [alert] = await stored(h)
    assert (alert.seen_count, alert.minutes) == (1, 7)


async def test_a_minutes_form_that_could_not_post_can_be_sent_again(exports: Harness) -> None:
    h = exports
    message = await h.post_message(FORMATS["plain"], user=h.bob, channel=h.world.general)
    [ask] = replies_to(h, message)
    h.api.fail(
        "POST",
        "/channels/{channel_id}/messages",
        500,
        match=lambda call: call.params.get("channel_id") == str(h.world.alerts),
    )
    # Two forms open; the first one sent fails, and the second is still heard (the failed
    # submission gave its claim back).
    forms = [(await h.click(ask, "Add my minutes", user=h.bob))[-1] for _ in range(2)]
    failed = await h.submit_modal(forms[0], {"minutes": "7"}, user=h.bob, message=ask.message)
    assert "Discord did not take the alert" in failed[-1].content
    assert await stored(h) == []
    retry = await h.submit_modal(forms[1], {"minutes": "7"}, user=h.bob, message=ask.message)
    assert "Alert posted" in retry[-1].content
    [alert] = await stored(h)
    rows = await h.db.fetch_all("SELECT alert_id, created, claimed_at FROM export_messages")
    assert [tuple(r) for r in rows] == [(alert.id, 1, None)]


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
