"""`bot.in_flight`: background work waits for members' interactions to be answered.

An interaction counts from its arrival until its first response, or for Discord's three
seconds at most; `until_quiet` waits for none to be counted, never past its bound.
"""

from __future__ import annotations

import asyncio
import gc
import weakref

from bot.in_flight import ANSWER_WINDOW_S, InFlight
from tests.interaction_fakes import FakeInteraction


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_interaction_counts_until_its_first_answer() -> None:
    clock = _Clock()
    waiting = InFlight(clock)
    first, second = FakeInteraction(1), FakeInteraction(2)
    assert not waiting.busy()
    waiting.arrived(first)
    waiting.arrived(second)
    assert waiting.busy() and len(waiting) == 2
    first.response.done = True
    assert waiting.busy() and len(waiting) == 1
    second.response.done = True
    assert not waiting.busy() and len(waiting) == 0


def test_one_never_answered_stops_counting_after_discords_window() -> None:
    clock = _Clock()
    waiting = InFlight(clock)
    waiting.arrived(FakeInteraction(1))
    clock.now += ANSWER_WINDOW_S - 0.01
    assert waiting.busy()
    clock.now += 0.02
    assert not waiting.busy()


async def test_until_quiet_returns_once_the_member_is_answered() -> None:
    waiting = InFlight()
    member = FakeInteraction(1)
    waiting.arrived(member)
    order: list[str] = []

    async def background() -> None:
        await waiting.until_quiet(5.0)
        order.append("background")

    async def answer() -> None:
        await asyncio.sleep(0.02)
        order.append("answer")
        member.response.done = True

    await asyncio.wait_for(asyncio.gather(background(), answer()), timeout=2)
    assert order == ["answer", "background"]


async def test_until_quiet_never_waits_past_its_bound_nor_when_told_not_to() -> None:
    waiting = InFlight()
    waiting.arrived(FakeInteraction(1))  # never answered
    waited = await asyncio.wait_for(waiting.until_quiet(0.05), timeout=2)
    assert waited >= 0.05  # it waited out its bound, and no more (or wait_for would fail)
    loop = asyncio.get_running_loop()
    hurry: asyncio.Future[None] = loop.create_future()
    loop.call_later(0.01, hurry.set_result, None)
    # Bound of 5 s, answered within wait_for's 2: `wake` ended the wait, not the bound.
    await asyncio.wait_for(waiting.until_quiet(5.0, wake=hurry), timeout=2)
    await asyncio.wait_for(waiting.until_quiet(5.0, wake=hurry), timeout=2)  # already done


async def test_many_waiters_share_one_poller() -> None:
    waiting = InFlight()
    member = FakeInteraction(1)
    waiting.arrived(member)
    waiters = [asyncio.create_task(waiting.until_quiet(5.0)) for _ in range(50)]
    await asyncio.sleep(0.01)
    pollers = [t for t in asyncio.all_tasks() if t.get_name() == "entraide: members first"]
    assert len(pollers) == 1
    member.response.done = True
    await asyncio.wait_for(asyncio.gather(*waiters), timeout=2)
    await asyncio.sleep(0.01)
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "entraide: members first"]


async def test_nothing_waiting_means_no_wait_at_all() -> None:
    assert await InFlight().until_quiet(5.0) == 0.0


def test_answered_interactions_are_let_go_though_nothing_waits() -> None:
    """Nothing background may be waiting for hours: arrivals alone must not pile up."""
    clock = _Clock()
    waiting = InFlight(clock)
    answered = [FakeInteraction(n) for n in range(1000)]
    alive = []
    for interaction in answered:
        waiting.arrived(interaction)
        interaction.response.done = True
        alive.append(weakref.ref(interaction))
    del interaction
    answered.clear()
    waiting.arrived(FakeInteraction(1000))
    gc.collect()
    assert sum(1 for ref in alive if ref() is not None) == 0
    assert len(waiting) == 1


def test_the_oldest_waiting_holds_the_rest_only_for_discords_window() -> None:
    clock = _Clock()
    waiting = InFlight(clock)
    slow = FakeInteraction(1)  # its handler never answers
    waiting.arrived(slow)
    quick = FakeInteraction(2)
    waiting.arrived(quick)
    quick.response.done = True
    assert waiting.busy() and len(waiting) == 1
    clock.now += ANSWER_WINDOW_S + 0.01
    assert not waiting.busy() and len(waiting) == 0
    late = FakeInteraction(3)
    waiting.arrived(late)
    assert waiting.busy() and len(waiting) == 1
