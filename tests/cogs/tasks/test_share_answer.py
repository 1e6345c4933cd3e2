"""How a share is answered: one ephemeral callback when the work is quick, a deferral then
a follow-up with the same words when it is slow (issue 14: fewer Discord calls per share).

"Slow" is the alert service's `share` held on an event the test opens once the deferral
was recorded, with `bot.answering`'s deadline at 0: nothing sleeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

import pytest

from bot import answering
from tests.cogs.intake.samples import PROLIFIC_JSON
from tests.cogs.tasks.conftest import MTURK, PROLIFIC
from tests.harness.answers import callback_types, deferred_then_open, followups
from tests.harness.driver import Harness
from tests.harness.sent import Sent

pytestmark = pytest.mark.both_backends

ALERTS_POST = "/channels/{channel_id}/messages"
OTHER_MTURK = MTURK.replace("3Z8UJEJOCZ", "3Z8UJEJOCY")
OPTIONS = {"reward": 1.5, "minutes": 6, "title": "Rate images"}


def _with_url_of(sent: Sent, h: Harness) -> str:
    """The answer with the alert's own link (the only part two shares differ in) masked."""
    url = h.in_channel(h.world.alerts)[-1].message or {}
    return sent.content.replace(str(url.get("id")), "<alert>")


async def test_a_quick_share_is_answered_with_one_callback(configured: Harness) -> None:
    h = configured
    sent = await h.slash_all("task share", user=h.alice, link=MTURK, **OPTIONS)
    assert [s.kind for s in sent] == ["response"]
    assert sent[0].ephemeral and "Alert posted" in sent[0].content
    assert callback_types(h) == [4] and not followups(h)
    assert len(h.in_channel(h.world.alerts)) == 1


async def test_a_slow_share_defers_then_says_the_same(
    configured: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = configured
    quick = await h.slash_all("task share", user=h.alice, link=MTURK, **OPTIONS)
    quick_text = _with_url_of(quick[0], h)
    event = asyncio.Event()
    await _hold_shares(h, monkeypatch, event)
    run = h.slash_all("task share", user=h.alice, link=OTHER_MTURK, **OPTIONS)
    slow = await deferred_then_open(h, run, event)
    assert [s.kind for s in slow] == ["deferred", "followup"]
    assert slow[0].ephemeral and slow[1].ephemeral
    assert _with_url_of(slow[1], h) == quick_text
    assert callback_types(h) == [4, 5] and len(followups(h)) == 1


async def test_a_refused_share_is_one_callback(configured: Harness) -> None:
    h = configured
    sent = await h.slash_all("task share", user=h.alice, link=MTURK, reward=-1, minutes=6)
    assert [s.kind for s in sent] == ["response"] and sent[0].ephemeral
    assert "Sorry" not in sent[0].content
    assert not h.in_channel(h.world.alerts)


async def _hold_shares(h: Harness, monkeypatch: pytest.MonkeyPatch, event: asyncio.Event) -> None:
    service = h.bot.get_cog("Tasks").service  # type: ignore[union-attr]
    share = service.share

    async def held(**kwargs: Any) -> Any:
        await event.wait()
        return await share(**kwargs)

    monkeypatch.setattr(service, "share", held)
    monkeypatch.setattr(answering, "ANSWER_DEADLINE_S", 0.0)


async def _answered(
    h: Harness, monkeypatch: pytest.MonkeyPatch, run: Awaitable[list[Sent]], *, slow: bool
) -> Sent:
    """Run a share, held until deferred if `slow`; the answer, after checking its path."""
    event = asyncio.Event()
    if slow:
        await _hold_shares(h, monkeypatch, event)
    sent = await (deferred_then_open(h, run, event) if slow else run)
    assert [s.kind for s in sent] == (["deferred", "followup"] if slow else ["response"])
    assert sent[-1].ephemeral
    return sent[-1]


@pytest.mark.parametrize("slow", [False, True])
async def test_a_share_that_fails_on_discord_is_answered_on_either_path(
    configured: Harness, monkeypatch: pytest.MonkeyPatch, slow: bool
) -> None:
    """The alerts channel is gone (404): the member is told so, on either path."""
    h = configured
    alerts = str(h.world.alerts)
    h.api.fail(
        "POST", ALERTS_POST, 404, code=10003, match=lambda c: c.params.get("channel_id") == alerts
    )
    run = h.slash_all("task share", user=h.alice, link=MTURK, **OPTIONS)
    answer = await _answered(h, monkeypatch, run, slow=slow)
    assert "Sorry" not in answer.content and "channel" in answer.content.lower()


@pytest.mark.parametrize("slow", [False, True])
async def test_the_share_form_on_either_path(
    configured: Harness, monkeypatch: pytest.MonkeyPatch, slow: bool
) -> None:
    h = configured
    modal = await h.slash("task share-form", user=h.bob, reward=3, minutes=20, platform="prolific")
    assert modal.kind == "modal"
    run = h.submit_modal(modal, {"link": PROLIFIC, "title": "Decision study"}, user=h.bob)
    answer = await _answered(h, monkeypatch, run, slow=slow)
    assert "Alert posted" in answer.content


@pytest.mark.parametrize("slow", [False, True])
async def test_the_paste_confirm_on_either_path(
    configured: Harness, monkeypatch: pytest.MonkeyPatch, slow: bool
) -> None:
    h = configured
    modal = await h.slash("task paste")
    preview = (await h.submit_modal(modal, {"export": PROLIFIC_JSON}))[-1]
    answer = await _answered(h, monkeypatch, h.click(preview, "Post"), slow=slow)
    assert "Alert posted" in answer.content
