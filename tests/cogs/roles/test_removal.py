"""A moderator removes an alert (`/task delete`): the role mention quoting its title goes too.

These run the tasks feature as well, so the alert is shared and removed the way members
and moderators do it, and the mention is taken down on the tasks feature's own
`alert_removed` event.
"""

from __future__ import annotations

import pytest

from db import notify_roles
from db import tasks as tasks_db
from tests.cogs.roles.conftest import FEATURES
from tests.cogs.roles.helpers import ready
from tests.cogs.tasks.conftest import set_guild, share, stored
from tests.harness.driver import Harness
from tests.harness.sent import Sent

pytestmark = pytest.mark.both_backends

MENTION = "/channels/{channel_id}/messages/{message_id}"
SECRET = "Send your ID card scan SECRETWORD"


@pytest.fixture
def extensions() -> list[str]:
    return [*FEATURES, "cogs.tasks"]


def mentions_in(h: Harness, channel_id: int) -> list[Sent]:
    """The role mentions posted in a channel (or forum post), deleted ones included."""
    return [s for s in h.in_channel(channel_id) if "<@&" in s.content]


def still_there(h: Harness, channel_id: int) -> list[str]:
    """What members can still read in a channel: the messages not deleted, as they are now."""
    return [h.current(s).text for s in h.in_channel(channel_id) if s.message_id in h.api.messages]


async def recorded(h: Harness, alert_id: int) -> list[int]:
    found = await notify_roles.messages_for(h.db, h.world.guild_id, alert_id)
    return [m.message_id for m in found]


async def test_removing_an_alert_deletes_its_role_mention(configured: Harness) -> None:
    h = configured
    await ready(h)
    await share(h, title=SECRET)
    await share(h, title="Rate images", link="https://app.prolific.com/studies/5f0c1e2d3b4a5968")
    await h.settle()
    [removed, kept] = mentions_in(h, h.world.alerts)
    assert SECRET in removed.content and "Rate images" in kept.content
    assert await recorded(h, 1) == [removed.message_id]

    sent = await h.slash("task delete", user=h.mod, alert="#1", reason="asks for ID scans")
    await h.settle()

    assert "removed" in sent.content
    assert removed.message_id not in h.api.messages
    assert not any("SECRETWORD" in text for text in still_there(h, h.world.alerts))
    # Only that alert's mention: the other alert and its mention are still there.
    assert kept.message_id in h.api.messages
    assert await recorded(h, 1) == [] and await recorded(h, 2) == [kept.message_id]


async def test_a_mention_already_deleted_is_no_problem(configured: Harness) -> None:
    h = configured
    await ready(h)
    await share(h, title=SECRET)
    await h.settle()
    [mention] = mentions_in(h, h.world.alerts)
    del h.api.messages[mention.message_id]  # a moderator deleted it by hand: Discord says 404

    sent = await h.slash("task delete", user=h.mod, alert="#1", reason="asks for ID scans")
    await h.settle()

    assert "removed" in sent.content
    tried = [int(c.params["message_id"]) for c in h.api.calls_to("DELETE", MENTION)]
    assert mention.message_id in tried
    alert = await tasks_db.get_alert(h.db, 1)
    assert alert is not None and alert.state == "removed"
    assert await recorded(h, 1) == []  # gone either way: nothing left to find


async def test_a_mention_that_could_not_be_deleted_stays_recorded(configured: Harness) -> None:
    h = configured
    await ready(h)
    await share(h, title=SECRET)
    await h.settle()
    [mention] = mentions_in(h, h.world.alerts)
    h.api.fail(
        "DELETE",
        MENTION,
        500,
        match=lambda call: int(call.params["message_id"]) == mention.message_id,
    )

    sent = await h.slash("task delete", user=h.mod, alert="#1", reason="asks for ID scans")
    await h.settle()

    assert "removed" in sent.content  # the removal stands
    tried = [int(c.params["message_id"]) for c in h.api.calls_to("DELETE", MENTION)]
    assert mention.message_id in tried and mention.message_id in h.api.messages
    assert await recorded(h, 1) == [mention.message_id]  # not forgotten while it is there


async def test_a_removal_that_overtakes_the_mention_still_takes_it_down(
    configured: Harness,
) -> None:
    """The alert is removed while its mention is on its way: the mention goes once sent."""
    h = configured
    await share(h, title=SECRET)  # no role registered yet: nothing mentioned
    await h.settle()
    [posted] = await stored(h)
    await ready(h)
    now = int(h.clock.now().timestamp())
    ended = await tasks_db.end_alert(
        h.db, posted.id, "removed", guild_id=h.world.guild_id, by=h.mod.id, now=now, reason="x"
    )
    assert ended is not None
    h.bot.dispatch("alert_removed", ended)  # finds nothing to take down yet
    await h.settle()

    h.bot.dispatch("alert_posted", posted)  # the live copy the mention was sent for
    await h.settle()

    [mention] = mentions_in(h, h.world.alerts)
    assert SECRET in mention.content and mention.message_id not in h.api.messages
    assert await recorded(h, posted.id) == []


async def test_removing_a_forum_alert_deletes_the_mention_in_its_post(
    configured: Harness,
) -> None:
    h = configured
    await set_guild(h, alerts_channel_id=h.world.forum)
    await ready(h)
    await share(h, title=SECRET)
    await h.settle()
    post = next(s for s in h.api.sent if s.kind == "forum_post")
    [mention] = mentions_in(h, post.channel_id)

    await h.slash("task delete", user=h.mod, alert="#1", reason="asks for ID scans")
    await h.settle()

    assert mention.message_id not in h.api.messages
    assert not any("SECRETWORD" in text for text in still_there(h, post.channel_id))


async def test_a_warning_set_after_the_mention_hides_its_title_there_too(
    configured: Harness,
) -> None:
    """Found by a hostile probe: the role mention quotes the title, and kept it in the
    clear when a content warning was confirmed after it was sent."""
    h = configured
    await ready(h)
    await share(h, title="Label crash victim photos")
    await h.settle()
    [mention] = mentions_in(h, h.world.alerts)
    assert "Label crash victim photos" in mention.content
    alert = h.in_channel(h.world.alerts)[0]
    picker = (await h.click(alert, "Add a warning", user=h.mod))[-1]
    await h.select(picker, picker.walk_components()[1]["custom_id"], ["violence"], user=h.mod)
    await h.settle()
    now = h.current(mention).content
    assert "||" in now and "violence or gore" in now, now
    assert "Label crash victim photos" not in now.replace("||Label crash victim photos||", "")
    assert "<@&" in now  # still says which role it was for
    h.api.assert_never_pinged(allowed_roles=[r.role_id for r in await registered(h)])


async def registered(h: Harness) -> list[notify_roles.NotifyRole]:
    return await notify_roles.for_guild(h.db, h.world.guild_id)
