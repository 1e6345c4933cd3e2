"""Building alerts and subscriptions for the alerts tests."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

from bot.direct import Pace
from cogs.alerts.rules import Filters
from db.subscriptions import NewSubscription
from db.tasks import Alert
from tests.harness.driver import Harness

_ids = itertools.count(1)


def stored(filters: Filters, locale: str = "en") -> NewSubscription:
    """The subscription /alerts subscribe stores for `filters`: every filter, the member's
    locale and the filters' signature."""
    return NewSubscription(
        **dataclasses.asdict(filters), locale=locale, signature=filters.signature()
    )


def make_alert(h: Harness, **overrides: Any) -> Alert:
    """A live alert as the tasks feature dispatches it (`alert_posted`)."""
    alert_id = overrides.pop("id", None) or next(_ids)
    message_id = 9_000_000 + alert_id
    channel_id = overrides.pop("channel_id", h.world.alerts)
    values: dict[str, Any] = {
        "id": alert_id,
        "guild_id": h.world.guild_id,
        "platform": "prolific",
        "title": "Decision making survey",
        "requester_id": None,
        "requester_name": "Oxford Psych Lab",
        "reward_cents": 250,
        "currency": "USD",
        "minutes": 12,
        "hourly_cents": 1250,
        "link": "https://app.prolific.com/studies/abc123",
        "countries": frozenset(),
        "qualifications": frozenset(),
        "warning": None,
        "sharer_id": h.dave.id,
        "channel_id": channel_id,
        "message_id": message_id,
        "jump_url": f"https://discord.com/channels/{h.world.guild_id}/{channel_id}/{message_id}",
        "state": "live",
        "created_at": int(h.clock.now().timestamp()),
    }
    values.update(overrides)
    return Alert(**values)


async def post(h: Harness, alert: Alert) -> None:
    """Dispatch `alert_posted` as the tasks feature does, and wait for the fan-out."""
    h.bot.dispatch("alert_posted", alert)
    await h.settle()


async def subscribe(h: Harness, user: Any, **options: Any) -> Any:
    sent = await h.slash("alerts subscribe", user=user, **options)
    assert sent.ephemeral, sent
    assert "saved" in sent.text.lower(), sent.text
    return sent


def dms_closed(h: Harness, user: Any = None) -> None:
    """Every DM (to `user`, or anyone) fails as Discord does when DMs are closed."""

    def is_dm(call: Any) -> bool:
        owner = h.api.dm_channels.get(int(call.params.get("channel_id", 0)))
        return owner is not None and (user is None or owner == user.id)

    h.api.fail(
        "POST",
        "/channels/{channel_id}/messages",
        403,
        code=50007,
        message="Cannot send messages to this user",
        times=0,
        match=is_dm,
    )


async def grant_bot(h: Harness, **perms: bool) -> None:
    """Give the bot's role more permissions (a GUILD_ROLE_UPDATE, as Discord sends it)."""
    import discord

    from tests.harness import payloads as p

    permissions = discord.Permissions(p.BOT_PERMS.value)
    permissions.update(**perms)
    await h.gateway(
        "GUILD_ROLE_UPDATE",
        {
            "guild_id": str(h.world.guild_id),
            "role": p.role_json(h.world.bot_role, "Entraide", permissions, 4),
        },
    )


class CountingPace(Pace):
    """The real bucket, fast, counting the requests it lets through."""

    def __init__(self) -> None:
        super().__init__(rate=1e6, burst=1000)
        self.taken = 0

    async def take(self) -> None:
        await super().take()
        self.taken += 1
