"""What must reach every process, wired between the bus and this process's bot events.

Features never talk to the bus's handlers directly: they publish through the helpers
here (`requester_status_changed`, `cache_changed`), and every process, this one
included, turns each event back into what features already listen to:

- `REQUESTER_STATUS` → the `requester_status_changed(requester_id)` bot event (the tasks
  feature redraws that requester's live alerts on this process's servers);
- `CACHE_FORGET` → the `db/` cache of that name forgets the key (`db.caches`), and the
  `shared_cache_forget(name, key)` bot event for caches kept by features;
- `RESYNC` (this process may have missed events) → every `db/` cache forgets all, and
  the `bus_resync()` bot event (features drop their caches and redraw live alerts).

A `db/` module's write announces itself (`db.caches.changed`): that is published here as
`CACHE_FORGET`, so no feature has to remember to.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from bot.bus import CACHE_FORGET, REQUESTER_STATUS, RESYNC, Bus, Payload
from db import caches
from db.connection import Database

log = logging.getLogger(__name__)


class Host(Protocol):
    """What this needs of the bot (`bot.bot.Entraide`): its bus, store and events."""

    bus: Bus
    db: Database

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None: ...


def requester_status_changed(bot: Host, *requester_ids: int) -> None:
    """A requester's status changed (or records merged): every process redraws its alerts."""
    for requester_id in dict.fromkeys(requester_ids):
        bot.bus.publish(REQUESTER_STATUS, {"requester_id": requester_id})


def cache_changed(bot: Host, name: str, key: int | None = None) -> None:
    """Data a feature caches changed: every process forgets its copy (`shared_cache_forget`).

    The caller forgets its own copy at once as well; this process's handler forgetting it
    again a moment later changes nothing.
    """
    bot.bus.publish(CACHE_FORGET, {"cache": name, "key": key})


def _key(payload: Payload, field: str, *, optional: bool = False) -> int | None:
    value = payload.get(field)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        msg = f"{field} must be an integer, not {value!r}"
        raise ValueError(msg)
    return value


def connect(bot: Host) -> Callable[[], None]:
    """Subscribe this bot to the shared events; returns the way to disconnect it."""
    bus, db = bot.bus, bot.db

    async def status(payload: Payload) -> None:
        bot.dispatch("requester_status_changed", _key(payload, "requester_id"))

    async def forget(payload: Payload) -> None:
        name = payload.get("cache")
        if not isinstance(name, str):
            msg = f"cache must be a name, not {name!r}"
            raise ValueError(msg)
        key = _key(payload, "key", optional=True)
        caches.forget(db, name, key)
        bot.dispatch("shared_cache_forget", name, key)

    async def resync(_payload: Payload) -> None:
        log.info("bus: resynchronising (events may have been missed)")
        caches.forget_all(db)
        bot.dispatch("bus_resync")

    def announce(name: str, key: int | None) -> None:
        bus.publish(CACHE_FORGET, {"cache": name, "key": key})

    stops = [
        bus.subscribe(REQUESTER_STATUS, status),
        bus.subscribe(CACHE_FORGET, forget),
        bus.subscribe(RESYNC, resync),
        caches.on_change(db, announce),
    ]

    def disconnect() -> None:
        for stop in stops:
            stop()

    return disconnect
