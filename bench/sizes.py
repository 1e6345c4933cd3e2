"""How big each part of the run is: the issue's sizes, and the `--quick` ones."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True, slots=True)
class Sizes:
    name: str
    # the generated community store
    tasks: int
    subscriptions: int
    earnings: int
    member_entries: int  # earnings rows of the one member whose monthly summary is timed
    guilds: int
    members: int
    requesters: int
    # the interactions
    burst: int  # concurrent /task share (and the dispatch-only twin)
    duplicate_share: float  # fraction of the burst that re-shares an already posted task
    steady_rate: int  # arrivals per second
    steady_seconds: float
    clicks: int
    store_ops: int  # repository share calls, concurrently, and their raw replay
    repeats: int  # digest / summary / chart: best-of-N and median of N
    # the realistic mixed load: shares plus other interactions, each at its own instant
    mixed_seconds: float = 60.0
    mixed_share_rate: float = 20.0
    mixed_other_rate: float = 50.0
    fanout_shares: int = 3  # new shares timed from the share to the last subscriber's DM


FULL = Sizes(
    name="full",
    tasks=1_000_000,
    subscriptions=5_000,
    earnings=1_000_000,
    member_entries=100_000,
    guilds=50,
    members=20_000,
    requesters=20_000,
    burst=1_000,
    duplicate_share=0.3,
    steady_rate=500,
    steady_seconds=4.0,
    clicks=1_000,
    store_ops=2_000,
    repeats=7,
)

QUICK = Sizes(
    name="quick",
    tasks=50_000,
    subscriptions=1_000,
    earnings=50_000,
    member_entries=10_000,
    guilds=10,
    members=2_000,
    requesters=2_000,
    burst=300,
    duplicate_share=0.3,
    steady_rate=500,
    steady_seconds=1.0,
    clicks=300,
    store_ops=500,
    repeats=3,
    mixed_seconds=10.0,
    fanout_shares=3,
)


def describe(sizes: Sizes) -> str:
    data = asdict(sizes)
    name = data.pop("name")
    return f"{name}: " + ", ".join(
        f"{k}={v:,}" if isinstance(v, int) else f"{k}={v}" for k, v in data.items()
    )
