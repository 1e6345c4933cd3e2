"""A hot task: a hundred members share the same task at the same moment.

All hundred interactions are in flight together (fed without waiting, as a gateway would
deliver them), so the duplicate merge is exercised under real concurrency: exactly one
alert is stored and posted, the other ninety-nine are counted as bumps of it, and every
sharer gets an answer pointing at that one alert.
"""

from __future__ import annotations

import re

import pytest

from db import tasks as tasks_db
from tests.harness import payloads as p
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends

LINK = "https://worker.mturk.com/projects/3HOTTASK000000000000001/tasks"
SHARERS = 100


async def test_hundred_concurrent_shares_of_one_task_make_one_alert(configured: Harness) -> None:
    h = configured
    people = [p.FakeUser(p.snowflake(), f"turker{n}") for n in range(SHARERS)]
    options = {"reward": 2.5, "minutes": 10, "link": LINK, "title": "Hot survey"}
    payloads = [
        h._interaction(2, h._command_data("task share", options), person, None, "en-US")
        for person in people
    ]
    for payload in payloads:
        h.bot._connection.parse_interaction_create(payload)
    await h.settle()

    rows = await h.db.fetch_all("SELECT id, seen_count, state FROM task_alerts")
    assert len(rows) == 1, f"expected one alert, got {len(rows)}"
    alert = await tasks_db.get_alert(h.db, rows[0]["id"])
    assert alert is not None and alert.state == "live"
    assert alert.seen_count == SHARERS  # the first share and 99 bumps

    posts = h.in_channel(h.world.alerts)
    assert len(posts) == 1, "the task was posted more than once"
    assert alert.message_id == posts[0].message_id

    # Every sharer was answered, privately, with the link to that one alert.
    answers = []
    for payload in payloads:
        replies = [s for s in h.api.for_interaction(int(payload["id"])) if s.kind != "deferred"]
        assert replies, "a sharer got no answer"
        answers.append(replies[-1])
    assert all(a.ephemeral for a in answers)
    assert all(alert.jump_url and alert.jump_url in a.content for a in answers)
    assert sum("Alert posted" in a.content for a in answers) == 1
    counts = sorted(
        int(m.group(1)) for a in answers if (m := re.search(r"shared (\d+) times", a.content))
    )
    assert len(counts) == SHARERS - 1
    assert counts[-1] == SHARERS  # the last bump saw them all
    assert not [a for a in answers if a.content.startswith("Sorry")]
    h.api.assert_never_pinged()
