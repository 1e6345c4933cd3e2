"""Helpers for the platform tests: quick reviews, earnings contributors, stored rows."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.clock import to_epoch
from db import earnings, reviews
from tests.cogs.earnings.helpers import log_work
from tests.harness.driver import Harness
from tests.harness.payloads import FakeUser
from tests.harness.sent import Sent

GREEN, ORANGE, RED, BLUE, GREY = 0x2ECC71, 0xE67E22, 0xE74C3C, 0x5865F2, 0x95A5A6
PROLIFIC_ID = 2
MTURK_ID = 1

SCORES = {"pay": 4, "rejections": 4, "support": 3, "payouts": 5, "unpaid_work": 2}


async def review(
    h: Harness,
    user: FakeUser | None = None,
    *,
    locale: str = "en-US",
    **options: Any,
) -> Sent:
    """`/platform review` with sensible defaults (Prolific, 1–6 months)."""
    values: dict[str, Any] = {"platform": "prolific", "worked_for": "1_6m", **SCORES}
    values.update(options)
    values = {k: v for k, v in values.items() if v is not None}
    return await h.slash("platform review", user=user or h.alice, locale=locale, **values)


async def seed_reviews(
    h: Harness,
    platform_id: int,
    count: int,
    *,
    scores: dict[str, int] | None = None,
    first_author: int = 9_000,
) -> list[int]:
    """Store `count` reviews directly (setup only; the command is tested separately)."""
    now = to_epoch(h.clock.now())
    ids = []
    for n in range(count):
        saved = await reviews.save(
            h.db,
            "platform",
            platform_id,
            author_id=first_author + n,
            guild_id=h.world.guild_id,
            scores=scores or SCORES,
            experience="6_24m",
            body=None,
            now=now,
        )
        ids.append(saved.id)
    return ids


#: The platforms every server starts with, in the order members are offered them.
DEFAULT_PLATFORMS = ["mturk", "prolific", "clickworker", "toloka", "uhrs", "appen"]


async def contribute(
    h: Harness,
    user_id: int,
    *,
    platform: str = "Prolific",
    cents: int = 500,
    minutes: int = 30,
    currency: str = "USD",
    day: date = date(2026, 11, 20),
    share_with: int | None = None,
    sharing: bool = True,
) -> None:
    """One member's approved task in their earnings log, opted in to a server's stats."""
    now = to_epoch(h.clock.now())
    await log_work(
        h, user_id, day, cents=cents, minutes=minutes, currency=currency, platform=platform
    )
    if sharing:
        # opted in two weeks ago: past the delay before an opt-in counts (#12.19)
        since = now - 14 * 86400
        await earnings.set_sharing(h.db, share_with or h.world.guild_id, user_id, True, since)


async def platform_reviews(h: Harness) -> list[Any]:
    return await h.db.fetch_all("SELECT * FROM reviews WHERE subject_kind = 'platform' ORDER BY id")


def table_line(sent: Sent, name: str) -> str:
    """The line of the comparison's code-block table that starts with `name`."""
    description = sent.embed.get("description", "")
    for line in description.splitlines():
        if line.startswith(name):
            return line
    raise AssertionError(f"no row {name!r} in {description!r}")
