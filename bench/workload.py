"""What the members do during the run: deterministic shares and clicks.

A share is a dict of `/task share` options. A burst mixes new tasks (each with its own
MTurk or Prolific link) and re-shares of tasks shared earlier in the same burst, which
the tasks feature merges into a bump of the live alert.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from bench import world
from tests.harness import payloads as p

WORDS = (
    "survey",
    "psychology",
    "study",
    "decision",
    "quick",
    "transcription",
    "audio",
    "image",
    "tagging",
    "receipt",
    "video",
    "sentiment",
    "research",
    "academic",
    "consumer",
    "opinion",
    "game",
    "memory",
    "attention",
    "writing",
    "relevance",
    "translation",
    "voice",
    "health",
    "nutrition",
    "finance",
    "product",
    "feedback",
)
REQUESTER_POOL = 60


@dataclass(frozen=True, slots=True)
class Share:
    options: dict[str, Any]
    user: p.FakeUser
    duplicate: bool


class ShareMaker:
    """Deterministic shares; numbering continues across bursts so links stay unique."""

    def __init__(self, seed: int, members: int) -> None:
        self.rng = random.Random(seed)
        self.members = members
        self.counter = 0

    def _new(self) -> dict[str, Any]:
        self.counter += 1
        n = self.counter
        rng = self.rng
        if rng.random() < 0.6:
            link = f"https://worker.mturk.com/projects/3BENCH{n:016d}/tasks"
        else:
            link = f"https://app.prolific.com/studies/{n:024x}"
        options: dict[str, Any] = {
            "reward": round(rng.uniform(0.1, 15.0), 2),
            "minutes": rng.randint(1, 60),
            "link": link,
            "title": " ".join(rng.sample(WORDS, rng.randint(2, 6))).capitalize(),
        }
        if rng.random() < 0.5:
            options["requester"] = f"Bench Lab {rng.randrange(REQUESTER_POOL)}"
        return options

    def burst(self, count: int, duplicate_share: float) -> list[Share]:
        shares: list[Share] = []
        originals: list[dict[str, Any]] = []
        for _ in range(count):
            user = world.member(self.rng.randrange(self.members))
            if originals and self.rng.random() < duplicate_share:
                shares.append(Share(dict(self.rng.choice(originals)), user, True))
            else:
                options = self._new()
                originals.append(options)
                shares.append(Share(options, user, False))
        return shares


def clickers(count: int, offset: int) -> list[p.FakeUser]:
    """Distinct members (each click is a different person, as in a real rush)."""
    return [world.member(offset + n) for n in range(count)]
