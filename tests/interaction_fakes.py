"""Interactions reduced to what `bot.in_flight` reads: an id and whether it was answered."""

from __future__ import annotations


class FakeResponse:
    def __init__(self) -> None:
        self.done = False

    def is_done(self) -> bool:
        return self.done


class FakeInteraction:
    def __init__(self, interaction_id: int) -> None:
        self.id = interaction_id
        self.response = FakeResponse()
