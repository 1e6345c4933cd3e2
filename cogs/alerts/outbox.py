"""The alert-DM outbox: reserved DMs, sent in the background at a bounded rate.

A burst of shares can reserve thousands of DMs in seconds. Sending them inline would
hold the event loop and compete with members' interactions; Discord would rate-limit
them anyway. The outbox sends them one at a time, at the bot's DM pace (`bot/direct.py`:
one bucket for every DM request, so a DM whose channel must first be asked for counts
twice, and digests and report news share it), yielding to the event loop between sends.

Restart safety (a conscious choice): a DM is reserved in `alert_dm_log` before it is
queued, so it can never be sent twice. On a clean shutdown (`close`, from the cog's
unload) the DMs still queued are dropped and their reservations given back, so they do
not count against anyone's hourly cap; nobody was told they would get them, and an
alert re-sent after a restart could already be gone. After a crash the reservations of
unsent DMs stay until they leave the hourly window: at worst a member's allowance is one
DM lower for up to an hour, never a duplicate.

How a letter is sent is not the outbox's business: it is handed a `Deliver` callback
(`delivery.deliver`), so it needs only the letter types (`letters`), not the sender.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from db import subscriptions

if TYPE_CHECKING:
    from bot.bot import Entraide
    from cogs.alerts.letters import Deliver, Letter, Outgoing
    from db.tasks import Alert

log = logging.getLogger(__name__)

#: A worker task sends at most this many DMs, then hands over to a fresh task, so
#: shutdown (which waits for the background tasks it sees) never waits for a whole
#: backlog.
SENDS_PER_WORKER = 50
#: Removed alerts remembered so a fan-out still running for one queues nothing: far
#: more than can be in flight at once.
WITHDRAWN_KEPT = 1000


class Outbox:
    """A FIFO of reserved DMs and the background worker that sends them."""

    def __init__(self, bot: Entraide, deliver: Deliver) -> None:
        self.bot = bot
        self.deliver = deliver
        self._queue: collections.deque[Letter] = collections.deque()
        self._worker: asyncio.Task[None] | None = None
        self._closed = False
        #: How each delivery went, by (alert id, member id); kept for the latest alerts
        #: only (tests and logs read it).
        self.outcomes: collections.OrderedDict[tuple[int, int], str] = collections.OrderedDict()
        #: Alerts moderators removed (`withdraw`): their letters are never sent.
        self._withdrawn: collections.OrderedDict[int, None] = collections.OrderedDict()

    # The pace is the bot's (every DM request shares it); these let tests and the
    # benchmark's drain change it from the outbox they hold.
    @property
    def rate(self) -> float:
        return self.bot.direct.pace.rate

    @rate.setter
    def rate(self, value: float) -> None:
        self.bot.direct.pace.rate = value

    @property
    def burst(self) -> int:
        return self.bot.direct.pace.burst

    @burst.setter
    def burst(self, value: int) -> None:
        self.bot.direct.pace.burst = value

    def __len__(self) -> int:
        return len(self._queue)

    def put(self, letters: list[Letter]) -> None:
        """Queue reserved DMs; a worker starts if none is running."""
        withdrawn = [x for x in letters if x.out.alert.id in self._withdrawn]
        if withdrawn:
            # Removed while its fan-out was running: the DM would quote a removed alert.
            letters = [x for x in letters if x.out.alert.id not in self._withdrawn]
            self.bot.spawn(self._release(withdrawn), name="alerts: release withdrawn DMs")
        if not letters:
            return
        if self._closed:
            # Unloading: these will never be sent, so their reservations go back.
            self.bot.spawn(self._release(letters), name="alerts: release unsent DMs")
            return
        self._queue.extend(letters)
        self._ensure_worker()

    def _ensure_worker(self) -> None:
        if self._worker is None or self._worker.done():
            self._worker = self.bot.spawn(self._run(), name="alerts: DM outbox")

    async def _take_token(self) -> None:
        """Wait until the pace lets a request go; always gives the loop a turn.

        Waiting happens before a letter leaves the queue, so an alert removed meanwhile
        still has its letters dropped (`withdraw`); the delivery spends the tokens.
        """
        await self.bot.direct.pace.ready()

    async def _run(self) -> None:
        sent = 0
        try:
            while self._queue and not self._closed and sent < SENDS_PER_WORKER:
                await self._take_token()
                if self._closed or not self._queue:
                    break
                letter = self._queue.popleft()
                sent += 1
                try:
                    # A member may have left since the fan-out: check again before the DM.
                    present = await self.bot.membership.is_member(
                        letter.sub.guild_id, letter.sub.user_id
                    )
                    if present is not True:
                        outcome = "departed"
                    else:
                        outcome = await self.deliver(letter)
                except Exception:
                    log.exception(
                        "alert %s: DM to member %s failed",
                        letter.out.facts.alert_id,
                        letter.sub.user_id,
                    )
                    outcome = "failed"
                self._note(letter, outcome)
                if outcome in ("failed", "departed"):
                    await subscriptions.release(
                        self.bot.db, letter.sub.guild_id, letter.sub.user_id, letter.out.alert.id
                    )
        finally:
            if asyncio.current_task() is self._worker:
                self._worker = None
            if self._queue and not self._closed:
                self._ensure_worker()

    def _note(self, letter: Letter, outcome: str) -> None:
        self.outcomes[(letter.out.alert.id, letter.sub.user_id)] = outcome
        while len(self.outcomes) > 10_000:
            self.outcomes.popitem(last=False)

    async def withdraw(self, alert_id: int) -> int:
        """A moderator removed this alert: its DMs not sent yet never will be.

        The removed alert's title must not reach members after the removal; a DM already
        sent stays (its message id is not kept, so it cannot be taken back). The unsent
        ones' reservations are given back, as at shutdown. Returns how many were dropped.
        """
        self._withdrawn[alert_id] = None
        while len(self._withdrawn) > WITHDRAWN_KEPT:
            self._withdrawn.popitem(last=False)
        dropped = [x for x in self._queue if x.out.alert.id == alert_id]
        if not dropped:
            return 0
        # No await before the queue is filtered: the worker cannot pick one meanwhile.
        kept = [x for x in self._queue if x.out.alert.id != alert_id]
        self._queue.clear()
        self._queue.extend(kept)
        for letter in dropped:
            self._note(letter, "withdrawn")
        await self._release(dropped)
        return len(dropped)

    async def rewarn(self, alert: Alert) -> int:
        """The alert's content warning changed: its queued letters say so, or are dropped.

        A letter drawn before a warning would show the title in the clear, and reach a
        member who asked for no warned tasks: those letters are dropped (their
        reservations given back) and the others redrawn from `alert`. Returns how many
        were dropped.
        """
        redrawn: dict[int, Outgoing] = {}
        kept: list[Letter] = []
        dropped: list[Letter] = []
        # No await before the queue is rebuilt: the worker cannot pick one meanwhile.
        for letter in self._queue:
            if letter.out.alert.id != alert.id:
                kept.append(letter)
                continue
            if alert.warning and letter.filters.no_warned:
                dropped.append(letter)
                continue
            old = letter.out
            out = redrawn.get(id(old))
            if out is None:
                facts = dataclasses.replace(old.facts, warning=alert.warning)
                out = redrawn[id(old)] = dataclasses.replace(
                    old, alert=alert, facts=facts, rendered={}
                )
            kept.append(dataclasses.replace(letter, out=out))
        if not redrawn and not dropped:
            return 0
        self._queue.clear()
        self._queue.extend(kept)
        for letter in dropped:
            self._note(letter, "withdrawn")
        if dropped:
            await self._release(dropped)
        return len(dropped)

    async def redraw_where(
        self,
        wanted: Callable[[Letter], bool],
        redraw: Callable[[Outgoing], Awaitable[Outgoing]],
    ) -> int:
        """Redraw the queued letters `wanted` picks (each alert's once); returns how many.

        For what changed about an alert after its letters were drawn (its requester was
        flagged). The queue is rebuilt after the redraws, from the letters still in it.
        """
        stale = {id(x.out): x.out for x in self._queue if wanted(x)}
        if not stale:
            return 0
        fresh = {key: await redraw(out) for key, out in stale.items()}
        redrawn = 0
        letters: list[Letter] = []
        for letter in self._queue:
            out = fresh.get(id(letter.out))
            if out is None:
                letters.append(letter)
            else:
                letters.append(dataclasses.replace(letter, out=out))
                redrawn += 1
        self._queue.clear()
        self._queue.extend(letters)
        return redrawn

    async def _release(self, letters: list[Letter]) -> int:
        released = await subscriptions.release_many(
            self.bot.db,
            [(x.sub.guild_id, x.sub.user_id, x.out.alert.id) for x in letters],
        )
        if released:
            log.info("dropped %d queued alert DMs; their reservations were given back", released)
        return released

    async def close(self, grace: float = 5.0) -> int:
        """Stop sending: let the DM in flight finish, give back the rest. Returns how many."""
        self._closed = True
        worker = self._worker
        if worker is not None and not worker.done() and worker is not asyncio.current_task():
            try:
                await asyncio.wait_for(asyncio.shield(worker), timeout=grace)
            except TimeoutError:
                worker.cancel()
        unsent = list(self._queue)
        self._queue.clear()
        return await self._release(unsent) if unsent else 0
