"""Discord failing under the bot: 403 on a DM, 404 on a deleted channel or message,
429 with retry-after, 500.

Each failure is injected into the fake (`h.api.fail`) on the real paths members use:
sharing a task, the subscription fan-out that DMs members, clicking an alert's buttons,
the expiry job redrawing alerts. Each must be survived (the bot keeps serving), logged
once (not per retry, not as an error traceback unless it is one), told to the member or
the moderators where they can act on it, and must not undo what was already stored.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot import answering
from bot.i18n import t
from db import guilds
from tests.harness.driver import Harness
from tests.harness.sent import Call

SHARE = {
    "reward": 3.0,
    "minutes": 10,
    "link": "https://worker.mturk.com/projects/3FAILTEST0000000000001/tasks",
    "title": "Decision making study",
}
CHANNEL_MESSAGES = "/channels/{channel_id}/messages"
CALLBACK = "/interactions/{webhook_id}/{webhook_token}/callback"
FOLLOWUP = "/webhooks/{webhook_id}/{webhook_token}"


def _to_channel(channel_id: int) -> Any:
    return lambda call: int(call.params.get("channel_id", 0)) == channel_id


def _records(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= level]


async def _alert_rows(h: Harness) -> list[Any]:
    return await h.db.fetch_all("SELECT id, state, message_id, seen_count FROM task_alerts")


async def _share(h: Harness, **extra: Any) -> Any:
    return await h.slash("task share", user=h.alice, **{**SHARE, **extra})


# -- sharing into a broken alerts channel -------------------------------------------------------


async def test_alerts_channel_deleted_404(
    configured: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = configured
    h.api.fail("POST", CHANNEL_MESSAGES, 404, code=10003, match=_to_channel(h.world.alerts))
    with caplog.at_level(logging.INFO):
        sent = await _share(h)
    assert sent.ephemeral
    assert sent.content == t("common.delivery.deleted", "en", channel="alerts", perms="")
    assert await _alert_rows(h) == []  # nothing half-stored: no alert without its message
    settings = await guilds.get(h.db, h.world.guild_id)
    assert settings.alerts_channel_id is None  # forgotten, so nothing retries forever
    # the moderators were told, once, in their channel
    notices = [s for s in h.in_channel(h.world.mods) if "alerts" in s.text.lower()]
    assert len(notices) == 1
    assert not _records(caplog, logging.ERROR)
    assert len([r for r in _records(caplog, logging.WARNING) if "unusable" in r.getMessage()]) == 1


async def test_alert_post_server_error_500(
    configured: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = configured
    h.api.fail("POST", CHANNEL_MESSAGES, 500, match=_to_channel(h.world.alerts))
    with caplog.at_level(logging.INFO):
        sent = await _share(h)
    assert sent.ephemeral and sent.content == t("tasks.share.post_failed", "en")
    assert await _alert_rows(h) == []  # the member was told nothing was saved: true
    assert not _records(caplog, logging.ERROR)
    assert len(_records(caplog, logging.WARNING)) == 1
    again = await _share(h)  # Discord is back: the same share goes through
    assert "posted" in again.content.lower()
    assert len(await _alert_rows(h)) == 1


async def test_alert_post_rate_limited_429(
    configured: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = configured
    h.api.fail("POST", CHANNEL_MESSAGES, 429, retry_after=12.5, match=_to_channel(h.world.alerts))
    with caplog.at_level(logging.INFO):
        sent = await _share(h)
    assert sent.ephemeral
    assert sent.content != t("common.errors.unexpected", "en")
    assert await _alert_rows(h) == []
    assert not _records(caplog, logging.ERROR)


# -- failures after something was stored -----------------------------------------------------


async def test_share_reply_500_keeps_the_posted_alert(
    configured: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = configured
    # /task share posts the alert, then answers at once: that answer's callback fails
    h.api.fail("POST", CALLBACK, 500)
    with caplog.at_level(logging.INFO):
        sent = await h.slash_all("task share", user=h.alice, **SHARE)
    assert h.api.calls_to("POST", CALLBACK) and not h.api.calls_to("POST", FOLLOWUP)
    rows = await _alert_rows(h)
    assert len(rows) == 1 and rows[0]["message_id"] is not None  # not rolled back
    assert len(h.in_channel(h.world.alerts)) == 1
    errors = _records(caplog, logging.ERROR)
    assert len(errors) <= 1  # logged once, not per attempt
    assert [s.kind for s in sent] == ["response"] and sent[0].ephemeral  # then the apology


async def test_slow_share_followup_500_keeps_the_posted_alert(
    configured: Harness, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = configured
    # Slow enough to be deferred: posts the alert, then the follow-up fails
    monkeypatch.setattr(answering, "ANSWER_DEADLINE_S", 0.0)
    h.api.fail("POST", FOLLOWUP, 500)
    with caplog.at_level(logging.INFO):
        sent = await h.slash_all("task share", user=h.alice, **SHARE)
    rows = await _alert_rows(h)
    assert len(rows) == 1 and rows[0]["message_id"] is not None  # not rolled back
    assert len(h.in_channel(h.world.alerts)) == 1
    assert len(_records(caplog, logging.ERROR)) <= 1
    assert [s.kind for s in sent] == ["deferred", "followup"]  # the apology follows up


async def test_click_callback_500_keeps_the_vote(
    configured: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = configured
    await _share(h)
    alert_message = h.in_channel(h.world.alerts)[-1]
    h.api.fail("POST", CALLBACK, 500)  # the in-place update of the alert fails once
    with caplog.at_level(logging.INFO):
        replies = await h.click(alert_message, "Still live", user=h.bob)
    votes = await h.db.fetch_all("SELECT user_id, kind FROM task_votes")
    assert [(v["user_id"], v["kind"]) for v in votes] == [(h.bob.id, "live")]
    assert replies, "bob was told nothing at all"
    assert len(_records(caplog, logging.ERROR)) <= 1
    # the bot keeps serving: the next click goes through normally
    after = await h.click(alert_message, "Still live", user=h.carol)
    assert after and after[0].kind == "update"


async def test_deleted_alert_message_404_on_expiry(
    configured: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = configured
    await _share(h)
    posted = h.in_channel(h.world.alerts)[-1]
    await h.gateway(
        "MESSAGE_DELETE",
        {
            "id": str(posted.message_id),
            "channel_id": str(h.world.alerts),
            "guild_id": str(h.world.guild_id),
        },
    )
    h.api.messages.pop(posted.message_id, None)  # Discord no longer has it: edits get 404
    h.clock.advance(days=1)
    cog = h.bot.get_cog("Tasks")
    assert cog is not None
    with caplog.at_level(logging.INFO):
        expired = await cog.expire_due()  # type: ignore[attr-defined]
        await h.settle()
    assert expired == 1
    rows = await _alert_rows(h)
    assert [r["state"] for r in rows] == ["expired"]  # the expiry stands
    assert not _records(caplog, logging.ERROR)
    assert len(_records(caplog, logging.WARNING)) <= 1


# -- the subscription fan-out --------------------------------------------------------------------


def _dm_to(h: Harness, user_id: int) -> Any:
    def match(call: Call) -> bool:
        channel_id = int(call.params.get("channel_id", 0))
        return h.api.dm_channels.get(channel_id) == user_id

    return match


async def test_dm_closed_403_falls_back_and_the_alert_stands(
    configured: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = configured
    sub = await h.slash("alerts subscribe", user=h.bob)
    assert sub.ephemeral
    h.api.fail("POST", CHANNEL_MESSAGES, 403, code=50007, times=0, match=_dm_to(h, h.bob.id))
    with caplog.at_level(logging.INFO):
        sent = await _share(h)
    assert "posted" in sent.content.lower()
    assert len(await _alert_rows(h)) == 1  # the DM failure undid nothing
    assert not h.dms_to(h.bob)  # the DM never arrived…
    # …so Bob is reached in his own thread in the alerts channel instead (or told later),
    # and the failure is not an error
    assert not _records(caplog, logging.ERROR)
    assert len(_records(caplog, logging.WARNING)) <= 1
    # the next alert does not pile up more warnings or errors for the same closed DMs
    await _share(h, link="https://worker.mturk.com/projects/3FAILTEST0000000000002/tasks")
    assert not _records(caplog, logging.ERROR)


async def test_dm_server_error_500_is_released_not_lost(
    configured: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = configured
    await h.slash("alerts subscribe", user=h.bob)
    h.api.fail("POST", CHANNEL_MESSAGES, 500, match=_dm_to(h, h.bob.id))
    with caplog.at_level(logging.INFO):
        await _share(h)
    assert len(await _alert_rows(h)) == 1
    assert not _records(caplog, logging.ERROR)
    assert len(_records(caplog, logging.WARNING)) == 1  # logged once
    # the failed DM did not use up Bob's hourly allowance
    logged = await h.db.fetch_value(
        "SELECT count(*) FROM alert_dm_log WHERE user_id = ?", (h.bob.id,)
    )
    assert logged == 0
