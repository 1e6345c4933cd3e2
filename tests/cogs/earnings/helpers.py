"""Shortcuts for the earnings tests."""

from __future__ import annotations

from typing import Any

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
