"""The fan-out backlog lets members' interactions go first (`bot.in_flight`)."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.in_flight import InFlight
from cogs.alerts.backlog import FanOutBacklog


class _Response:
    def __init__(self) -> None:
        self.done = False

    def is_done(self) -> bool:
        return self.done


class _Interaction:
    def __init__(self, interaction_id: int) -> None:
        self.id = interaction_id
        self.response = _Response()


class _Bot:
    """What the backlog uses of the bot: `in_flight` and `spawn`."""

    def __init__(self) -> None:
        self.in_flight = InFlight()
        self.tasks: list[asyncio.Task[Any]] = []

    def spawn(self, coro: Any, *, name: str) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro, name=name)
        self.tasks.append(task)
        return task


async def test_the_fan_out_waits_for_the_members_being_answered() -> None:
    bot = _Bot()
    handled: list[int] = []

    async def handle(alert: Any) -> None:
        handled.append(alert)

    backlog = FanOutBacklog(bot, handle)  # type: ignore[arg-type]
    member = _Interaction(1)
    bot.in_flight.arrived(member)
    backlog.put(7)  # type: ignore[arg-type]
    await asyncio.sleep(0.05)
    assert handled == []  # the member sharing is still waiting for an answer
    member.response.done = True
    await asyncio.wait_for(asyncio.gather(*bot.tasks), timeout=2)
    assert handled == [7]


async def test_a_load_that_never_pauses_still_moves_the_fan_out() -> None:
    bot = _Bot()
    handled: list[int] = []

    async def handle(alert: Any) -> None:
        handled.append(alert)

    backlog = FanOutBacklog(bot, handle)  # type: ignore[arg-type]
    bot.in_flight.arrived(_Interaction(1))  # never answered while the test runs
    backlog.put(1)  # type: ignore[arg-type]
    backlog.put(2)  # type: ignore[arg-type]
    await asyncio.wait_for(asyncio.gather(*bot.tasks), timeout=3)
    assert handled == [1, 2]  # each waited at most MEMBERS_FIRST_MAX_S
