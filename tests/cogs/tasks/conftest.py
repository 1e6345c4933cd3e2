"""Helpers for the task alert tests: links, a forum-configured server, quick shares."""

from __future__ import annotations

from typing import Any

import pytest

from cogs.tasks.rules import ShareDraft
from db import guilds
from db import tasks as tasks_db
from tests.harness.driver import Harness
from tests.harness.payloads import FakeUser
from tests.harness.sent import Sent

GROUP = "3Z8UJEJOCZEG603II9CQDYWSGSQY7F"
MTURK = f"https://worker.mturk.com/projects/{GROUP}/tasks"
STUDY = "5f0c1e2d3b4a59687766aabb"
PROLIFIC = f"https://app.prolific.com/studies/{STUDY}"

GREEN, ORANGE, RED, BLUE, GREY = 0x2ECC71, 0xE67E22, 0xE74C3C, 0x5865F2, 0x95A5A6


#: The fields a share's draft hands to its stored alert unchanged.
DRAFT_FIELDS = (
    "platform",
    "task_key",
    "title",
    "reward_cents",
    "currency",
    "minutes",
    "hourly_cents",
    "link",
)


def new_alert(
    draft: ShareDraft, *, guild_id: int, sharer_id: int, **more: Any
) -> tasks_db.NewAlert:
    """The alert a share stores for `draft` (for tests that write it without the cog)."""
    values = {name: getattr(draft, name) for name in DRAFT_FIELDS}
    return tasks_db.NewAlert(guild_id=guild_id, sharer_id=sharer_id, **values, **more)


def record_posted(h: Harness) -> list[tasks_db.Alert]:
    """Every alert the bot dispatches `alert_posted` for from now on, in order."""
    posted: list[tasks_db.Alert] = []

    async def on_alert_posted(alert: tasks_db.Alert) -> None:
        posted.append(alert)

    h.bot.add_listener(on_alert_posted)
    return posted


async def share(
    h: Harness, user: FakeUser | None = None, *, locale: str = "en-US", **options: Any
) -> Sent:
    """`/task share` with sensible defaults (a green MTurk task)."""
    values: dict[str, Any] = {"link": MTURK, "reward": 1.5, "minutes": 6, "title": "Rate images"}
    values.update(options)
    values = {k: v for k, v in values.items() if v is not None}
    return await h.slash("task share", user=user or h.alice, locale=locale, **values)


def last_alert(h: Harness, channel: int | None = None) -> Sent:
    posted = h.in_channel(channel or h.world.alerts)
    assert posted, "no alert was posted"
    return posted[-1]


async def stored(h: Harness) -> list[tasks_db.Alert]:
    rows = await h.db.fetch_all("SELECT id FROM task_alerts ORDER BY id")
    return [a for r in rows if (a := await tasks_db.get_alert(h.db, r[0])) is not None]


async def set_guild(h: Harness, **changes: Any) -> None:
    await guilds.update(h.db, h.world.guild_id, int(h.clock.now().timestamp()), **changes)


@pytest.fixture
async def forum(configured: Harness) -> Harness:
    """A set-up server whose alerts channel is a forum."""
    await set_guild(configured, alerts_channel_id=configured.world.forum)
    return configured
