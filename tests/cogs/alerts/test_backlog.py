"""The fan-out backlog lets members' interactions go first (`bot.in_flight`)."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.in_flight import InFlight
from cogs.alerts.backlog import FanOutBacklog
from tests.interaction_fakes import FakeInteraction


class _Bot:
    """What the backlog uses of the bot: `in_flight` and `spawn`."""

    def __init__(self) -> None:
        self.in_flight = InFlight()
        self.tasks: list[asyncio.Task[Any]] = []

    def spawn(self, coro: Any, *, name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro, name=name)
        self.tasks.append(task)
        return task


def _backlog() -> tuple[_Bot, list[int], FanOutBacklog]:
    bot = _Bot()
    handled: list[int] = []

    async def handle(alert: Any) -> None:
        handled.append(alert)

    return bot, handled, FanOutBacklog(bot, handle)  # type: ignore[arg-type]


async def test_the_fan_out_waits_for_the_members_being_answered() -> None:
    bot, handled, backlog = _backlog()
    member = FakeInteraction(1)
    bot.in_flight.arrived(member)
    backlog.put(7)  # type: ignore[arg-type]
    await asyncio.sleep(0.05)
    assert handled == []  # the member sharing is still waiting for an answer
    member.response.done = True
    await asyncio.wait_for(asyncio.gather(*bot.tasks), timeout=2)
    assert handled == [7]


async def test_a_load_that_never_pauses_still_moves_the_fan_out() -> None:
    bot, handled, backlog = _backlog()
    bot.in_flight.arrived(FakeInteraction(1))  # never answered while the test runs
    backlog.put(1)  # type: ignore[arg-type]
    backlog.put(2)  # type: ignore[arg-type]
    await asyncio.wait_for(asyncio.gather(*bot.tasks), timeout=3)
    assert handled == [1, 2]  # each waited at most MEMBERS_FIRST_MAX_S from its posting
