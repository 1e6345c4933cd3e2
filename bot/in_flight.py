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
from collections import deque
from collections.abc import Callable
from typing import Any

#: Discord accepts an initial response within three seconds of the interaction.
ANSWER_WINDOW_S = 3.0
#: The longest background work for members (an alert's fan-out, a redraw of its message)
#: waits for their interactions to be answered: a burst of a thousand shares is answered
#: in well under a second, and a notification role's ping still lands within two.
MEMBERS_FIRST_MAX_S = 1.0
#: How often waiting background work looks again.
POLL_S = 0.002


class InFlight:
    """Interactions that arrived and have no initial response yet.

    Kept in order of arrival, and only the oldest is ever looked at: once it is answered
    (or its three seconds are up) it goes, and the next one becomes the oldest. Whether
    any member is waiting is then a look at one interaction, however many are in flight
    (a thousand in a burst: scanning them all on every poll was 9% of the burst's CPU),
    and an answered interaction is let go on the next arrival, whether or not any
    background work ever asks.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._open: deque[tuple[float, Any]] = deque()
        #: Resolved by the one poller once nothing is waiting; shared by every waiter, so
        #: a hundred background tasks waiting cost one poll per `POLL_S`, not a hundred.
        self._quiet: asyncio.Future[None] | None = None
        self._poller: asyncio.Task[None] | None = None
        self._waiters = 0

    def __len__(self) -> int:
        """How many are waiting: a count of every one (`busy` needs the oldest only)."""
        self._prune()
        expired = self._clock() - ANSWER_WINDOW_S
        return sum(
            1
            for arrived, interaction in self._open
            if arrived >= expired and not interaction.response.is_done()
        )

    def arrived(self, interaction: Any) -> None:
        """Note an interaction as it arrives (before discord.py runs its handler)."""
        self._prune()
        self._open.append((self._clock(), interaction))

    def busy(self) -> bool:
        """True while some member is still waiting for an interaction's first answer."""
        self._prune()
        return bool(self._open)

    def _prune(self) -> None:
        """Let the oldest go while it is answered or past Discord's window."""
        waiting = self._open
        if not waiting:
            return
        expired = self._clock() - ANSWER_WINDOW_S
        while waiting:
            arrived, interaction = waiting[0]
            if arrived >= expired and not interaction.response.is_done():
                return
            waiting.popleft()

    async def until_quiet(
        self, at_most: float, *, wake: asyncio.Future[Any] | None = None
    ) -> float:
        """Wait until no interaction is waiting, or `at_most` seconds; the time waited.

        `wake`: stop waiting as soon as it is done (a member now waits for this work).
        """
        if not self.busy():
            return 0.0
        loop = asyncio.get_running_loop()
        started = self._clock()
        if self._quiet is None or self._quiet.done():
            self._quiet = loop.create_future()
        if self._poller is None:
            self._poller = loop.create_task(self._poll(), name="entraide: members first")
        waits: set[asyncio.Future[Any]] = {self._quiet}
        if wake is not None:
            waits.add(wake)
        self._waiters += 1
        try:
            await asyncio.wait(waits, timeout=at_most, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self._waiters -= 1
        return self._clock() - started

    async def _poll(self) -> None:
        """Look every `POLL_S` while someone waits; an answer is a field, not an event."""
        try:
            while self._waiters and self._quiet is not None and not self._quiet.done():
                if not self.busy():
                    self._quiet.set_result(None)
                    break
                await asyncio.sleep(POLL_S)
        finally:
            self._poller = None
