"""Members' interactions not answered yet, so background work can let them go first.

Some work the bot does for members is not what they wait for: an alert's subscription
fan-out matches hundreds of subscriptions and queues DMs that leave at Discord's pace
anyway. Run while a burst of shares is being answered, it takes loop turns from every
member in that burst (issue 14: `share_vs_dispatch`). So such work asks `until_quiet`
first: it goes on once no interaction is waiting for its first answer, or after
`at_most` seconds whatever the load, so it is delayed under a burst but never starved.

An interaction counts from its arrival (the `interaction` event, noted in
`Entraide.dispatch`, before any handler runs) until its initial response is sent (the
answer, a deferral, a modal or an autocomplete). One that is never answered stops
counting after Discord's three seconds, when nobody can answer it any more.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

#: Discord accepts an initial response within three seconds of the interaction.
ANSWER_WINDOW_S = 3.0
#: The longest background work for members (an alert's fan-out, a redraw of its message)
#: waits for their interactions to be answered.
MEMBERS_FIRST_MAX_S = 0.25
#: How often waiting background work looks again.
POLL_S = 0.002


class InFlight:
    """Interactions that arrived and have no initial response yet."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._open: dict[int, tuple[float, Any]] = {}

    def __len__(self) -> int:
        self._prune()
        return len(self._open)

    def arrived(self, interaction: Any) -> None:
        """Note an interaction as it arrives (before discord.py runs its handler)."""
        self._open[interaction.id] = (self._clock(), interaction)

    def busy(self) -> bool:
        """True while some member is still waiting for an interaction's first answer."""
        self._prune()
        return bool(self._open)

    def _prune(self) -> None:
        if not self._open:
            return
        expired = self._clock() - ANSWER_WINDOW_S
        answered = [
            key
            for key, (arrived, interaction) in self._open.items()
            if arrived < expired or interaction.response.is_done()
        ]
        for key in answered:
            del self._open[key]

    async def until_quiet(
        self, at_most: float, *, unless: Callable[[], bool] | None = None
    ) -> float:
        """Wait until no interaction is waiting, or `at_most` seconds; the time waited.

        `unless`: stop waiting as soon as it says so (a member now waits for this work).
        """
        if not self.busy():
            return 0.0
        started = self._clock()
        deadline = started + at_most
        # Polled: an answer is a field discord.py sets on the interaction, not an event.
        while (  # noqa: ASYNC110
            self.busy() and self._clock() < deadline and not (unless is not None and unless())
        ):
            await asyncio.sleep(POLL_S)
        return self._clock() - started
