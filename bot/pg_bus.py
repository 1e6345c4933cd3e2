"""The bus across processes: events travel by PostgreSQL `LISTEN/NOTIFY` on one channel.

`publish` hands an event to this process's handlers at once and sends it, with this
process's origin id, as a notification; every process's listener hands the notifications
of other origins to its handlers, so each process handles each event once. Notifications
sent while a listener was disconnected are lost (PostgreSQL keeps none), so when the
connection comes back the bus delivers `RESYNC` here: caches drop everything and live
alerts are redrawn. The driver's side (connection, reconnecting) is `db.postgres.notify`.
"""

from __future__ import annotations

import json
import logging
import uuid

from bot.bus import RESYNC, Bus, BusPayloadError, Payload, Spawn, envelope
from db.postgres.notify import Listener, PayloadTooLargeError

log = logging.getLogger(__name__)

#: The one channel every Entraide process on a store listens on.
CHANNEL = "entraide_bus"


class PgBus(Bus):
    """Events for every process on one PostgreSQL store (see the module)."""

    def __init__(
        self,
        dsn: str,
        *,
        channel: str = CHANNEL,
        spawn: Spawn | None = None,
        backoff_min: float = 0.5,
        backoff_max: float = 30.0,
        ping_every: float = 15.0,
    ) -> None:
        super().__init__(spawn=spawn)
        self.origin = uuid.uuid4().hex
        self._last_dropped = 0
        self.listener = Listener(
            dsn,
            channel,
            on_message=self._received,
            on_reconnect=self._reconnected,
            backoff_min=backoff_min,
            backoff_max=backoff_max,
            ping_every=ping_every,
        )

    async def start(self) -> None:
        """Listen (raises `ListenUnavailableError`, without the DSN, if it cannot)."""
        await self.listener.start()
        await super().start()

    async def stop(self) -> None:
        await self.listener.stop()
        await super().stop()

    def publish(self, topic: str, payload: Payload) -> None:
        text = envelope(self.origin, topic, payload)
        self.deliver(topic, payload)
        try:
            self.listener.notify(text)
        except PayloadTooLargeError as exc:  # checked by `envelope` already
            raise BusPayloadError(str(exc)) from None

    def _received(self, text: str) -> None:
        try:
            event = json.loads(text)
            origin, topic, payload = event["o"], event["t"], event["p"]
        except (ValueError, TypeError, KeyError):
            log.warning("bus: ignored a notification that is not an event (%d bytes)", len(text))
            return
        if origin == self.origin:
            return
        if not isinstance(topic, str) or not isinstance(payload, dict):
            log.warning("bus: ignored a malformed event from %s", origin)
            return
        self.deliver(topic, payload)

    def _reconnected(self) -> None:
        """Back after a loss: what others sent meanwhile is gone, so resynchronise."""
        dropped = self.listener.dropped - self._last_dropped
        self._last_dropped = self.listener.dropped
        if dropped:
            # Others missed events of ours that did not fit the queue: they resync too.
            log.warning("bus: %d events could not be sent while disconnected", dropped)
            self.publish(RESYNC, {})
        else:
            self.deliver(RESYNC, {})
