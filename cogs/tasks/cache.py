"""A small time-limited cache with single-flight loading (no discord)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from db.caches import SingleFlight

K = TypeVar("K")
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    """A small least-recently-used cache whose entries also go stale after `ttl` seconds.

    Requesters and their reputation are read on every share and click; caching them for a
    minute saves database round trips on the busiest path, and `requester_status_changed`
    clears them at once when a moderator changes a status. Concurrent misses for one key
    share a single load (`get_or_load`), so a burst of shares reads the database once.
    """

    def __init__(self, ttl: float, size: int) -> None:
        self.ttl = ttl
        self.size = size
        self._data: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._flights = SingleFlight()
        self._generation = 0

    async def get_or_load(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        value = self.get(key)
        if value is not None:
            return value
        generation = self._generation

        async def load_and_keep() -> V:
            loaded = await load()
            if generation == self._generation:  # not cleared while loading
                self.put(key, loaded)
            return loaded

        return await self._flights.run(key, load_and_keep)

    def get(self, key: K) -> V | None:
        entry = self._data.get(key)
        if entry is None:
            return None
        if entry[0] < time.monotonic():
            del self._data[key]
            return None
        self._data.move_to_end(key)
        return entry[1]

    def put(self, key: K, value: V) -> None:
        self._data[key] = (time.monotonic() + self.ttl, value)
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)

    def pop(self, key: K) -> None:
        self._data.pop(key, None)
        self._flights.forget(key)
        self._generation += 1

    def clear(self) -> None:
        self._data.clear()
        self._flights.forget()
        self._generation += 1
