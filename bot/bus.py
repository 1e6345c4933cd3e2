"""The event bus: what one process changes that every process must hear about.

One process on SQLite hears only itself (`LocalBus`); several processes on one
PostgreSQL store hear each other through `LISTEN/NOTIFY` (`bot.pg_bus.PgBus`). Both have
one interface: `publish(topic, payload)` hands a small JSON-able dict to every handler
`subscribe`d to the topic, in this process at once and, on PostgreSQL, in every other
process too. Handlers run as background work of their own: an error in one is logged,
never raised into the publisher, and publishing never waits.

The topics (see docs/postgresql.md, "Across processes"):

- `REQUESTER_STATUS` `{"requester_id": int}`: a requester's status changed (or records
  were merged); each process redraws the live alerts of that requester on its servers.
- `CACHE_FORGET` `{"cache": str, "key": int | None}`: cached data changed; each process
  forgets its copy (`key` None: all of that cache).
- `RESYNC` `{}`: delivered by the bus itself, in this process only, when it may have missed
  events (its connection to the database came back); caches drop everything and live
  alerts are redrawn.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from db.postgres.notify import MAX_PAYLOAD_BYTES, PayloadTooLargeError

log = logging.getLogger(__name__)

REQUESTER_STATUS = "requester.status"
CACHE_FORGET = "cache.forget"
RESYNC = "bus.resync"

Payload = dict[str, Any]
Handler = Callable[[Payload], Awaitable[None]]
Spawn = Callable[..., asyncio.Task[Any]]
#: The length of an origin id (a process's random hex id) in the envelope.
ORIGIN_LENGTH = 32
MAX_TOPIC_LENGTH = 64


class BusPayloadError(ValueError):
    """A payload the bus refuses: not a JSON-able dict, or too large for PostgreSQL."""


def envelope(origin: str, topic: str, payload: Payload) -> str:
    """The text one event travels as (`o`rigin, `t`opic, `p`ayload), size-checked.

    Checked the same way on both buses, so what works on SQLite works on PostgreSQL.
    """
    if not isinstance(topic, str) or not 0 < len(topic) <= MAX_TOPIC_LENGTH:
        msg = f"a topic is a short non-empty string, not {topic!r}"
        raise BusPayloadError(msg)
    if not isinstance(payload, dict):
        msg = f"a payload is a dict, not {type(payload).__name__}"
        raise BusPayloadError(msg)
    try:
        text = json.dumps(
            {"o": origin, "t": topic, "p": payload},
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
        )
    except (TypeError, ValueError) as exc:
        msg = f"a payload must be JSON-able: {exc}"
        raise BusPayloadError(msg) from None
    size = len(text.encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        raise BusPayloadError(str(PayloadTooLargeError(size)))
    return text


class Bus:
    """Subscriptions and this process's deliveries; `LocalBus` and `PgBus` add the rest."""

    def __init__(self, *, spawn: Spawn | None = None) -> None:
        self._handlers: dict[str, list[Handler]] = {}
        #: Deliveries run through the bot's `spawn` when given (shutdown and tests wait
        #: for them); otherwise as tasks of the bus's own, awaited by `stop`.
        self._spawn = spawn
        self._own: set[asyncio.Task[Any]] = set()
        self.started = False

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.started = False
        if self._own:
            await asyncio.wait(set(self._own), timeout=10)

    def subscribe(self, topic: str, handler: Handler) -> Callable[[], None]:
        """Call `handler(payload)` for every event on `topic`; returns the unsubscribe."""
        self._handlers.setdefault(topic, []).append(handler)

        def unsubscribe() -> None:
            handlers = self._handlers.get(topic, [])
            if handler in handlers:
                handlers.remove(handler)

        return unsubscribe

    def publish(self, topic: str, payload: Payload) -> None:
        """Deliver an event to every handler of `topic` (never waits; see the module)."""
        envelope(self.origin_placeholder, topic, payload)
        self.deliver(topic, payload)

    #: Stands for the origin id in the size check of a bus that sends nothing away.
    origin_placeholder = "0" * ORIGIN_LENGTH

    def deliver(self, topic: str, payload: Payload) -> None:
        """Hand an event to this process's handlers, each in a task of its own."""
        for handler in list(self._handlers.get(topic, ())):
            self._run(self._call(handler, topic, payload), f"bus {topic}")

    def _run(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        if self._spawn is not None:
            self._spawn(coro, name=name)
            return
        task = asyncio.get_running_loop().create_task(coro, name=f"entraide: {name}")
        self._own.add(task)
        task.add_done_callback(self._own.discard)

    @staticmethod
    async def _call(handler: Handler, topic: str, payload: Payload) -> None:
        try:
            await handler(payload)
        except Exception:
            log.exception("a handler of bus topic %r failed (payload %r)", topic, payload)


class LocalBus(Bus):
    """The bus of one process (SQLite): events reach this process's handlers only."""
