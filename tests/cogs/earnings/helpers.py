"""Shortcuts for the earnings tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.clock import to_epoch
from db import earnings as E
from tests.harness.driver import Harness
from tests.harness.payloads import FakeUser
from tests.harness.sent import Sent


async def stored(h: Harness, user: FakeUser) -> list[E.Entry]:
    return await E.all_entries(h.db, user.id)


async def log(h: Harness, user: FakeUser, **options: Any) -> Sent:
    values: dict[str, Any] = {"amount": "1.50", "minutes": 10, "platform": "MTurk"}
    values.update(options)
    return await h.slash("earnings log", user=user, **values)


def colour(sent: Sent) -> int:
    return int(sent.embed.get("color") or 0)


async def log_work(
    h: Harness,
    user_id: int,
    day: date,
    *,
    cents: int,
    minutes: int | None,
    currency: str = "USD",
    platform: str = "MTurk",
    status: str = "approved",
) -> None:
    """One task in a member's earnings log, written through the repository."""
    await E.add_entry(
        h.db,
        user_id,
        E.NewEntry(
            kind="task",
            work_date=day.isoformat(),
            status=status,
            amount_cents=cents,
            currency=currency,
            minutes=minutes,
            platform=platform,
        ),
        to_epoch(h.clock.now()),
    )
