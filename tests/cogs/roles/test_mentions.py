"""`alert_posted` → one message mentioning the matching roles: exactly those roles may be
pinged, once per alert, never for a scam requester or an ended alert, and a broken
channel is reported like every other alerts-channel problem."""

from __future__ import annotations

from typing import Any

import pytest

from db import notify_roles, requesters
from tests.cogs.roles.helpers import grant_bot, make_alert, make_role, post, ready
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends

MESSAGES = "/channels/{channel_id}/messages"


def mentions_in(h: Harness) -> list[Any]:
    return [s for s in h.in_channel(h.world.alerts) if "<@&" in s.content]


async def test_a_matching_alert_mentions_the_role_once(configured: Harness) -> None:
    h = configured
    role_id = await ready(h, platform="prolific", min_hourly=12)
    alert = make_alert(h, title="Decision @everyone survey <@&1>")
    await post(h, alert)
    [sent] = mentions_in(h)
    assert sent.content.startswith(f"<@&{role_id}> a task matching your notification role")
    assert "@\u200beveryone" in sent.content and "<@\u200b&1>" in sent.content  # defused
    assert sent.payload["allowed_mentions"] == {"parse": [], "roles": [role_id]}
    assert sent.payload["message_reference"]["message_id"] == alert.message_id
    assert sent.payload["message_reference"]["fail_if_not_exists"] is False
    assert await notify_roles.pinged(h.db, h.world.guild_id, alert.id) == [role_id]
    # The same event again (a restart, a re-share of an unposted alert): no second ping.
    await post(h, alert)
    assert len(mentions_in(h)) == 1
    h.api.assert_never_pinged(allowed_roles=[role_id])
    with pytest.raises(AssertionError):
        h.api.assert_never_pinged()  # the exception is explicit, never silent


async def test_only_matching_roles_are_mentioned_together(configured: Harness) -> None:
    h = configured
    cheap = await ready(h, platform="prolific")
    rich = await make_role(h, "Rich")
    mturk = await make_role(h, "MTurk")
    await h.slash("notify-role add", user=h.admin, role=rich, min_hourly=20)
    await h.slash("notify-role add", user=h.admin, role=mturk, platform="mturk")
    await post(h, make_alert(h, hourly_cents=2500))
    [sent] = mentions_in(h)
    assert sorted(sent.payload["allowed_mentions"]["roles"]) == sorted([cheap, rich])
    assert f"<@&{mturk}>" not in sent.content
    h.api.assert_never_pinged(allowed_roles=[cheap, rich])


async def test_nothing_is_mentioned_without_a_match(configured: Harness) -> None:
    h = configured
    await ready(h, platform="mturk")
    await post(h, make_alert(h))
    assert mentions_in(h) == []


async def test_no_mention_for_a_scam_requester_or_an_ended_alert(configured: Harness) -> None:
    h = configured
    await ready(h)
    now = int(h.clock.now().timestamp())
    requester = await requesters.upsert(h.db, "prolific", None, "Oxford Psych Lab", now)
    await requesters.set_status(
        h.db, requester.id, status="scam", reason=None, source="moderator", now=now
    )
    await post(h, make_alert(h, requester_id=requester.id))
    await post(h, make_alert(h, state="expired"))
    assert mentions_in(h) == []


async def test_another_servers_alert_never_mentions_this_servers_roles(
    configured: Harness,
) -> None:
    h = configured
    await ready(h)
    other = await h.add_server()
    await post(h, make_alert(h, guild_id=other.guild_id, channel_id=other.alerts))
    assert h.in_channel(other.alerts) == [] and mentions_in(h) == []


async def test_a_missing_permission_is_reported_and_nothing_is_claimed(
    configured: Harness,
) -> None:
    h = configured
    role_id = await ready(h)
    await grant_bot(h, manage_roles=True, mention_everyone=False)
    problems: list[tuple[int, str, str]] = []

    async def on_channel_problem(guild_id: int, kind: str, detail: str) -> None:
        problems.append((guild_id, kind, detail))

    h.bot.add_listener(on_channel_problem)
    alert = make_alert(h)
    await post(h, alert)
    assert mentions_in(h) == []
    assert (h.world.guild_id, "alerts", "missing:mention_everyone") in problems
    assert await notify_roles.pinged(h.db, h.world.guild_id, alert.id) == []
    # Fixed: the next dispatch of the same alert mentions the role.
    await grant_bot(h, manage_roles=True, mention_everyone=True)
    await post(h, alert)
    assert [s.payload["allowed_mentions"]["roles"] for s in mentions_in(h)] == [[role_id]]


async def test_a_failed_send_gives_the_claim_back(configured: Harness) -> None:
    h = configured
    role_id = await ready(h)
    alert = make_alert(h)
    h.api.fail("POST", MESSAGES, 500)
    await post(h, alert)
    assert mentions_in(h) == []
    assert await notify_roles.pinged(h.db, h.world.guild_id, alert.id) == []
    await post(h, alert)
    assert len(mentions_in(h)) == 1
    assert await notify_roles.pinged(h.db, h.world.guild_id, alert.id) == [role_id]


async def test_a_forbidden_send_is_reported(configured: Harness) -> None:
    h = configured
    await ready(h)
    problems: list[str] = []

    async def on_channel_problem(guild_id: int, kind: str, detail: str) -> None:
        problems.append(detail)

    h.bot.add_listener(on_channel_problem)
    h.api.fail("POST", MESSAGES, 403, code=50013)
    alert = make_alert(h)
    await post(h, alert)
    assert problems == ["forbidden"]
    assert await notify_roles.pinged(h.db, h.world.guild_id, alert.id) == []


async def test_the_mention_is_in_the_servers_language(configured: Harness) -> None:
    h = configured
    from db import guilds

    await guilds.update(h.db, h.world.guild_id, 0, locale="fr")
    await ready(h)
    await post(h, make_alert(h))
    [sent] = mentions_in(h)
    assert "une tâche correspondant à votre rôle d'alerte" in sent.content


async def test_a_content_warned_title_is_behind_a_spoiler_in_the_mention(
    configured: Harness,
) -> None:
    """The alert hides a warned title; the mention right above it must not show it."""
    h = configured
    role_id = await ready(h)
    await post(h, make_alert(h, title="Rate graphic gore images", warning="violence"))
    [sent] = mentions_in(h)
    assert "||Rate graphic gore images||" in sent.content
    assert "Rate graphic gore images" not in sent.content.replace(
        "||Rate graphic gore images||", ""
    )
    h.api.assert_never_pinged(allowed_roles=[role_id])
