"""Every request a DM costs waits for the bot's one DM pace, and a member's DM channel is
asked of Discord once: discord.py keeps only the latest 128, so a fan-out to more members
made two requests per DM while the outbox counted one (80 requests a second at 40 DMs).

Personal digests share the same pace (tests/cogs/digests/test_personal.py)."""

from __future__ import annotations

import pytest

from db import subscriptions
from tests.cogs.alerts.helpers import (
    CountingPace,
    dms_closed,
    grant_bot,
    make_alert,
    post,
    subscribe,
)
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends

#: The requests a DM or its thread fallback makes.
DM_ROUTES = {
    "POST /users/@me/channels",
    "POST /channels/{channel_id}/threads",
    "PUT /channels/{channel_id}/thread-members/{user_id}",
}


async def dm_requests(h: Harness, since: int) -> int:
    """Requests made for DMs and alert threads after call number `since`."""
    threads = {
        record.thread_id
        for member in (h.alice, h.bob, h.carol)
        if (record := await subscriptions.get_thread(h.db, h.world.guild_id, member.id))
    }
    count = 0
    for call in h.api.calls[since:]:
        if call.route() in DM_ROUTES:
            count += 1
        elif call.route() == "POST /channels/{channel_id}/messages":
            channel_id = int(call.params["channel_id"])
            count += channel_id in h.api.dm_channels or channel_id in threads
    return count


def forget_discordpys_dm_channels(h: Harness) -> None:
    """As after 128 other DM channels: discord.py's own cache no longer has them."""
    state = h.bot._connection
    state._private_channels.clear()
    state._private_channels_by_user.clear()


async def test_every_dm_request_is_paced_and_a_dm_channel_is_asked_for_once(
    configured: Harness,
) -> None:
    h = configured
    await grant_bot(h, create_private_threads=True)
    pace = h.bot.direct.pace = CountingPace()
    for member in (h.alice, h.bob, h.carol):
        await subscribe(h, member)
    dms_closed(h, h.carol)  # Carol's letters go to her thread: three requests the first time
    since = len(h.api.calls)
    await post(h, make_alert(h, title="First"))
    assert len(h.dms_to(h.alice)) == len(h.dms_to(h.bob)) == 1
    opened = h.api.calls_to("POST", "/users/@me/channels")
    assert sorted(int(c.json["recipient_id"]) for c in opened) == sorted(
        [h.alice.id, h.bob.id, h.carol.id]
    )
    assert pace.taken == await dm_requests(h, since) > 0

    forget_discordpys_dm_channels(h)
    pace.taken, since = 0, len(h.api.calls)
    await post(h, make_alert(h, title="Second"))
    assert len(h.dms_to(h.alice)) == len(h.dms_to(h.bob)) == 2
    assert len(h.api.calls_to("POST", "/users/@me/channels")) == 3  # none asked again
    assert pace.taken == await dm_requests(h, since) == 4  # two DMs, Carol's failed DM, her thread
