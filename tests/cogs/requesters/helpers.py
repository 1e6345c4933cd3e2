"""Shortcuts shared by this feature's harness tests."""

from __future__ import annotations

from typing import Any

from db import reports
from db.connection import Database
from tests.harness.driver import Harness
from tests.harness.payloads import FakeUser
from tests.harness.sent import Sent

RATINGS = {"pay": 4, "fast": 5, "fair": 4, "communication": 3, "tasks_done": "6-20"}
DESCRIPTION = "Rejected 40 finished HITs the day after I submitted them"
GROUP = "3Z8UJEJOCZEG603II9CQDYWSGSQY7F"
REPORT_NOW = 1_790_000_000


async def review(h: Harness, user: FakeUser, requester: str = "Acme", **options: Any) -> Sent:
    values: dict[str, Any] = {"platform": "mturk", **RATINGS, **options}
    return await h.slash("requester review", user=user, requester=requester, **values)


async def report(h: Harness, user: FakeUser, requester: str = "Acme", **options: Any) -> Sent:
    values: dict[str, Any] = {
        "platform": "mturk",
        "category": "non_payment",
        "description": DESCRIPTION,
        **options,
    }
    return await h.slash("requester report", user=user, requester=requester, **values)


def cards(h: Harness, channel: int | None = None) -> list[Sent]:
    """Report cards posted in the moderators' channel (text channel or forum)."""
    target = channel or h.world.mods
    return [
        s
        for s in h.api.sent
        if s.kind in ("message", "forum_post")
        and s.embeds
        and (s.channel_id == target or s.kind == "forum_post")
    ]


async def act(
    h: Harness, card: Sent | dict[str, Any], button: str, reason: str, user: FakeUser | None = None
) -> list[Sent]:
    """A moderator clicks a card button and submits the reason form."""
    who = user or h.mod
    opened = await h.click(card, button, user=who)
    assert opened[-1].kind == "modal", opened[-1].text
    return await h.submit_modal(opened[-1], {"reason": reason}, user=who)


async def count(h: Harness, table: str) -> int:
    return int(await h.db.fetch_value(f"SELECT COUNT(*) FROM {table}"))


async def share_task(h: Harness, user: FakeUser, number: int, **options: Any) -> Sent:
    """Share MTurk task group `number` (a link of its own, so each share is a new task)."""
    values: dict[str, Any] = {
        "link": f"https://worker.mturk.com/projects/{GROUP[:-2]}{number:02d}/tasks",
        "reward": 1.5,
        "minutes": 6,
        "title": f"Rate images {number}",
        **options,
    }
    return await h.slash("task share", user=user, **values)


async def file_report(
    db: Database, requester_id: int, reporter_id: int, **kw: Any
) -> reports.Report:
    """File a report straight through the repository (defaults: server 1, limit 3 a day)."""
    values: dict[str, Any] = {
        "guild_id": 1,
        "requester_id": requester_id,
        "reporter_id": reporter_id,
        "category": "non_payment",
        "description": "Rejected everything without reason",
        "evidence": (),
        "attachment_url": None,
        "attachment_name": None,
        "new_member": False,
        "now": REPORT_NOW,
        "since": REPORT_NOW - 86_400,
        "daily_limit": 3,
    }
    values.update(kw)
    return await reports.create(db, **values)
