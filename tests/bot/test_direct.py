"""`bot.direct.Pace`: the one bucket every DM request waits for keeps Discord's rate."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.direct import DM_REQUESTS_PER_SECOND, Pace


class ClockedPace(Pace):
    """The bucket on a clock that moves only when it sleeps."""

    def __init__(self, rate: float, burst: int) -> None:
        super().__init__(rate, burst)
        self.clock = 0.0

    def _now(self) -> float:
        return self.clock

    async def _sleep(self, seconds: float) -> None:
        self.clock += seconds
        await asyncio.sleep(0)


@settings(max_examples=50, deadline=None)
@given(
    rate=st.sampled_from([1.0, 4.0, 40.0]),
    burst=st.integers(0, 10),
    takes=st.integers(1, 60),
    senders=st.integers(1, 3),
)
def test_n_requests_take_the_time_the_rate_allows_after_the_burst(
    rate: float, burst: int, takes: int, senders: int
) -> None:
    """However many senders share it, n requests need (n - burst) / rate seconds."""
    pace = ClockedPace(rate, burst)

    async def sender(share: int) -> None:
        for _ in range(share):
            await pace.take()

    async def run() -> None:
        shares = [takes // senders + (i < takes % senders) for i in range(senders)]
        await asyncio.gather(*(sender(n) for n in shares))

    asyncio.run(run())
    expected = max(0, takes - burst) / rate
    assert abs(pace.clock - expected) < 1e-6


def test_the_rate_leaves_room_under_discords_limit() -> None:
    assert DM_REQUESTS_PER_SECOND <= 45  # Discord allows about 50 requests a second per bot
