"""Fixtures for the digest tests: a bot with only this feature loaded (other features are
read through their tables and repository modules), and helpers that create real data."""

from __future__ import annotations

from datetime import datetime

import pytest

from cogs.digests.cog import DigestsCog
from db import digests, requesters, tasks
from db.tasks import Alert, NewAlert
from tests.harness.driver import Harness

#: Only this feature: the others are read through their repositories and tables, so their
#: commands (and their listeners) are not needed here.
EXTENSIONS = ["cogs.digests"]


@pytest.fixture
def extensions() -> list[str]:
    return EXTENSIONS


def cog_of(h: Harness) -> DigestsCog:
    """The loaded cog. Compared by name: a restarted bot re-imports the extension, so its
    classes are not the ones this test module imported."""
    cog = h.bot.get_cog("DigestsCog")
    assert cog is not None and type(cog).__name__ == "DigestsCog"
    return cog  # type: ignore[return-value]


def epoch(when: datetime) -> int:
    return int(when.timestamp())


_keys = iter(range(1, 10**9))


async def share(
    h: Harness,
    *,
    title: str = "Quick survey",
    hourly_cents: int = 1200,
    reward_cents: int = 100,
    minutes: int = 5,
    currency: str = "USD",
    platform: str = "prolific",
    sharer: int | None = None,
    anonymous: bool = False,
    warning: str | None = None,
    at: datetime | None = None,
    state: str = "live",
    guild_id: int | None = None,
    requester_name: str | None = None,
    countries: frozenset[str] = frozenset(),
    qualifications: frozenset[str] = frozenset(),
) -> Alert:
    """A task shared through the tasks feature's own repository, posted in #alerts."""
    now = epoch(at or h.clock.now())
    result = await tasks.share(
        h.db,
        NewAlert(
            guild_id=guild_id or h.world.guild_id,
            platform=platform,
            task_key=f"test:{next(_keys)}",
            title=title,
            reward_cents=reward_cents,
            currency=currency,
            minutes=minutes,
            hourly_cents=hourly_cents,
            sharer_id=sharer if sharer is not None else h.alice.id,
            anonymous=anonymous,
            warning=warning,
            requester_name=requester_name,
            countries=countries,
            qualifications=qualifications,
        ),
        now=now,
        expires_at=now + 7200,
    )
    alert = result.alert
    await tasks.set_message(
        h.db, alert.id, channel_id=h.world.alerts, message_id=alert.id + 10**12, is_forum=False
    )
    if state != "live":
        await tasks.end_alert(h.db, alert.id, state, guild_id=alert.guild_id, by=None, now=now)
    found = await tasks.get_alert(h.db, alert.id)
    assert found is not None
    return found


async def set_requester_status(
    h: Harness,
    name: str,
    status: str,
    *,
    reason: str | None,
    at: datetime,
    source: str = "moderator",
) -> int:
    requester = await requesters.upsert(h.db, "mturk", None, name, epoch(at))
    await requesters.set_status(
        h.db, requester.id, status=status, reason=reason, source=source, now=epoch(at)
    )
    return requester.id


async def runs(h: Harness, scope: str, owner_id: int) -> list[tuple[str, str, str | None]]:
    """(period, status, detail) of every recorded run, oldest first."""
    found = await digests.runs_for(h.db, scope, owner_id)
    return [(r.period_key, r.status, r.detail) for r in reversed(found)]


async def configure(h: Harness, **options: object) -> None:
    """Run /digest setup as the moderator; fails the test if it was refused."""
    sent = await h.slash("digest setup", user=h.mod, **options)
    assert sent.ephemeral and sent.embeds, sent.content
    assert "saved" in sent.content, sent.content
