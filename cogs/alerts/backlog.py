"""Posted alerts waiting for their fan-out, matched one at a time in the background.

A burst of shares posts hundreds of alerts in a second, and each alert's fan-out turns
hundreds of matched subscriptions into recipients. Run as one task per alert (as
discord.py runs listeners), every fan-out takes a turn of the event loop on every
iteration, so the more alerts are in flight the more of the loop goes to them, and the
members sharing in that burst wait behind it (issue 14: `share_vs_dispatch`). Here one
worker takes the alerts in order: whatever the burst, the fan-out holds at most one
slice of the loop per turn, and its database statements queue behind the members'.
The backlog it leaves drains as soon as the burst is over; DMs are paced by the outbox
anyway, so a member is told a moment later, never less.

Members first: before each alert the worker waits until no interaction is waiting for
its first answer (`bot.in_flight`), or until that alert has waited `MEMBERS_FIRST_MAX_S`
since it was posted. During a burst the members sharing are answered before the matching
starts; under a load that never pauses, no alert's fan-out starts later than that.

Nothing here is stored: on a clean shutdown alerts still waiting are dropped, like the
outbox's unsent letters (nobody was told they would be sent).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from bot.in_flight import MEMBERS_FIRST_MAX_S

if TYPE_CHECKING:
    from bot.bot import Entraide
    from db.tasks import Alert

log = logging.getLogger(__name__)

#: A worker handles at most this many alerts, then hands over to a fresh task, so a
#: shutdown (which waits for the background tasks it sees) never waits for a backlog.
ALERTS_PER_WORKER = 20


class FanOutBacklog:
    """A FIFO of posted alerts and the one background worker that fans them out."""

    def __init__(self, bot: Entraide, handle: Callable[[Alert], Awaitable[None]]) -> None:
        self.bot = bot
        self.handle = handle
        #: Alerts waiting, with when each was queued (`time.monotonic`).
        self._queue: collections.deque[tuple[Alert, float]] = collections.deque()
        self._worker: asyncio.Task[None] | None = None
        self._closed = False

    def __len__(self) -> int:
        return len(self._queue)

    def put(self, alert: Alert) -> None:
        """Queue an alert's fan-out; a worker starts if none is running."""
        if self._closed:
            return
        self._queue.append((alert, time.monotonic()))
        if self._worker is None:
            self._worker = self.bot.spawn(self._run(), name="alerts: fan-out")

    def drop(self, alert_id: int) -> bool:
        """A moderator removed an alert still waiting: it is never fanned out."""
        kept = [entry for entry in self._queue if entry[0].id != alert_id]
        if len(kept) == len(self._queue):
            return False
        self._queue.clear()
        self._queue.extend(kept)
        return True

    def replace(self, alert: Alert) -> bool:
        """An alert still waiting changed (its content warning): match it as it is now."""
        found = False
        for index, (queued, queued_at) in enumerate(self._queue):
            if queued.id == alert.id:
                self._queue[index] = (alert, queued_at)
                found = True
        return found

    async def _run(self) -> None:
        done = 0
        try:
            while self._queue and not self._closed and done < ALERTS_PER_WORKER:
                queued_at = self._queue[0][1]
                left = queued_at + MEMBERS_FIRST_MAX_S - time.monotonic()
                await self.bot.in_flight.until_quiet(max(0.0, left))
                if not self._queue or self._closed:
                    break
                alert, _ = self._queue.popleft()
                done += 1
                try:
                    await self.handle(alert)
                except Exception:
                    log.exception("subscription fan-out failed for alert %s", alert.id)
        finally:
            self._worker = None
            if self._queue and not self._closed:
                self._worker = self.bot.spawn(self._run(), name="alerts: fan-out")

    async def close(self, grace: float = 5.0) -> int:
        """Stop taking alerts: let the fan-out in progress finish, drop the ones waiting.

        Returns how many were dropped. Waiting for the one in progress means its letters
        reach the outbox (closed next, which gives their reservations back) before the
        database closes.
        """
        self._closed = True
        dropped = len(self._queue)
        self._queue.clear()
        worker = self._worker
        if worker is not None and not worker.done() and worker is not asyncio.current_task():
            try:
                await asyncio.wait_for(asyncio.shield(worker), timeout=grace)
            except TimeoutError:
                worker.cancel()
        if dropped:
            log.info("dropped the fan-out of %d alerts on shutdown", dropped)
        return dropped
