"""The notification-role repository: server-scoped writes and one claim per alert and role."""

from __future__ import annotations

import pytest

from db import notify_roles
from db.connection import Database
from db.notify_roles import RoleFilters

pytestmark = pytest.mark.both_backends

ANY = RoleFilters(None, None, None, None, (), None, False)
GUILD, OTHER = 100, 200


async def test_add_is_scoped_and_limited(db: Database) -> None:
    first = await notify_roles.add(db, GUILD, 1, ANY, 0, limit=2)
    assert not isinstance(first, str) and first.role_id == 1
    assert await notify_roles.add(db, GUILD, 1, ANY, 0, limit=2) == "duplicate"
    assert not isinstance(await notify_roles.add(db, GUILD, 2, ANY, 0, limit=2), str)
    assert await notify_roles.add(db, GUILD, 3, ANY, 0, limit=2) == "limit"
    # Another server's limit and rows are its own.
    assert not isinstance(await notify_roles.add(db, OTHER, 3, ANY, 0, limit=2), str)
    assert await notify_roles.get(db, OTHER, 1) is None
    assert await notify_roles.remove(db, OTHER, 1) is None
    assert [r.role_id for r in await notify_roles.for_guild(db, GUILD)] == [1, 2]


async def test_filters_round_trip(db: Database) -> None:
    filters = RoleFilters("mturk", 1200, None, "USD", ("street", "images"), "acme", True)
    await notify_roles.add(db, GUILD, 9, filters, 5, limit=10)
    stored = await notify_roles.get(db, GUILD, 9)
    assert stored is not None
    assert (stored.platform, stored.min_hourly_cents, stored.currency) == ("mturk", 1200, "USD")
    assert (stored.keywords, stored.requester, stored.no_warned) == (
        ("street", "images"),
        "acme",
        True,
    )


async def test_a_mention_is_claimed_once(db: Database) -> None:
    assert await notify_roles.claim(db, GUILD, 7, 1, now=10)
    assert not await notify_roles.claim(db, GUILD, 7, 1, now=11)
    assert await notify_roles.claim(db, GUILD, 7, 2, now=11)
    await notify_roles.release(db, GUILD, 7, 1)
    assert await notify_roles.claim(db, GUILD, 7, 1, now=12)
    assert await notify_roles.prune_pings(db, before=12) == 1
    assert await notify_roles.pinged(db, GUILD, 7) == [1]


async def test_remove_and_purge_take_the_claims_along(db: Database) -> None:
    await notify_roles.add(db, GUILD, 1, ANY, 0, limit=5)
    await notify_roles.add(db, GUILD, 2, ANY, 0, limit=5)
    await notify_roles.add(db, OTHER, 3, ANY, 0, limit=5)
    await notify_roles.claim(db, GUILD, 7, 1, now=1)
    await notify_roles.claim(db, GUILD, 7, 2, now=1)
    assert await notify_roles.remove(db, GUILD, 1) is not None
    assert await notify_roles.pinged(db, GUILD, 7) == [2]
    assert await notify_roles.purge_guild(db, GUILD) == 1
    assert await notify_roles.pinged(db, GUILD, 7) == []
    assert [r.role_id for r in await notify_roles.for_guild(db, OTHER)] == [3]


async def test_mention_messages_outlive_the_claims_and_go_with_the_server(db: Database) -> None:
    """Kept for the alert's removal, whenever it comes: neither the week's pruning of the
    claims nor unregistering the role forgets the message that still quotes the title."""
    await notify_roles.add(db, GUILD, 1, ANY, 0, limit=5)
    await notify_roles.claim(db, GUILD, 7, 1, now=1)
    await notify_roles.record_message(db, GUILD, 7, channel_id=50, message_id=500, now=1)
    await notify_roles.record_message(
        db, GUILD, 7, channel_id=50, message_id=500, now=2
    )  # a retry: one row
    await notify_roles.record_message(db, OTHER, 7, channel_id=60, message_id=600, now=1)
    assert await notify_roles.prune_pings(db, before=10) == 1
    assert await notify_roles.remove(db, GUILD, 1) is not None
    [kept] = await notify_roles.messages_for(db, GUILD, 7)
    assert (kept.channel_id, kept.message_id, kept.sent_at) == (50, 500, 1)
    # Scoped by server: another server's alert 7 is another alert.
    await notify_roles.forget_message(db, OTHER, 7, 500)
    assert [m.message_id for m in await notify_roles.messages_for(db, GUILD, 7)] == [500]
    await notify_roles.purge_guild(db, GUILD)
    assert await notify_roles.messages_for(db, GUILD, 7) == []
    assert [m.message_id for m in await notify_roles.messages_for(db, OTHER, 7)] == [600]
    await notify_roles.forget_message(db, OTHER, 7, 600)
    assert await notify_roles.messages_for(db, OTHER, 7) == []
