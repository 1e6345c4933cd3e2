"""The in-memory caches of `db/` modules, by name, so a change can be forgotten everywhere.

Some repository modules keep what is read on every interaction in memory (a server's
settings, its notification roles) and forget it when they write. With one process that
is enough; with several processes on one store, the others must forget their copy too.
So each such module registers a `forget(db, key)` here under a name, and calls
`changed(db, name, key)` after it wrote: that forgets the local copy and tells whoever
listens on this database (the bot publishes it on its bus, see `bot.shared_events`).
An event from another process calls `forget` (local only: it is not announced again).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from db.connection import Database

T = TypeVar("T")

#: Forget a cache's entry for `key` (None: the whole cache) on this database.
Forget = Callable[[Database, int | None], None]
#: Told of every change on a database: (cache name, key).
Listener = Callable[[str, int | None], None]

_forgetters: dict[str, Forget] = {}
_listeners: weakref.WeakKeyDictionary[Database, list[Listener]] = weakref.WeakKeyDictionary()


def register(name: str, forget: Forget) -> None:
    """Declare a cache (at import of the module that keeps it)."""
    _forgetters[name] = forget


def names() -> list[str]:
    return sorted(_forgetters)


def changed(db: Database, name: str, key: int | None = None) -> None:
    """A write changed what `name` caches for `key`: forget it here and announce it."""
    forget(db, name, key)
    for listener in list(_listeners.get(db, ())):
        listener(name, key)


def forget(db: Database, name: str, key: int | None = None) -> bool:
    """Forget a cache's entry in this process only; False for a cache nobody registered."""
    forgetter = _forgetters.get(name)
    if forgetter is None:
        return False
    forgetter(db, key)
    return True


def forget_all(db: Database) -> None:
    """Forget every registered cache of this database (after missing events)."""
    for forgetter in list(_forgetters.values()):
        forgetter(db, None)


def on_change(db: Database, listener: Listener) -> Callable[[], None]:
    """Be told of every `changed` on this database; returns the way to stop."""
    _listeners.setdefault(db, []).append(listener)

    def stop() -> None:
        listeners = _listeners.get(db, [])
        if listener in listeners:
            listeners.remove(listener)

    return stop


class SingleFlight:
    """Concurrent misses of one key share one load.

    A burst of shares arriving at a cold cache (after a restart, or right after a
    moderator's change) would otherwise send the same query once per share before the
    first answer fills the cache: seven hundred identical reads in front of the members.
    The load that runs is the first caller's; the others wait for its result (or its
    error). If that first caller is cancelled, the others run the load themselves.
    """

    def __init__(self) -> None:
        self._loading: dict[Hashable, asyncio.Future[Any]] = {}

    def forget(self, key: Hashable | None = None) -> None:
        """Let the next miss of `key` (None: of any key) load afresh.

        It will not join a load that started before a write; whoever already waits still
        gets that load's result.
        """
        if key is None:
            self._loading.clear()
        else:
            self._loading.pop(key, None)

    async def run(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        while (pending := self._loading.get(key)) is not None:
            try:
                return await asyncio.shield(pending)  # type: ignore[no-any-return]
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if pending.cancelled() and not (task is not None and task.cancelling()):
                    continue  # the loader was cancelled, not this caller: load it here
                raise
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._loading[key] = future
        try:
            value = await load()
        except asyncio.CancelledError:
            future.cancel()
            raise
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # waiters re-raise it; nobody else has to look
            raise
        finally:
            if self._loading.get(key) is future:
                del self._loading[key]
        future.set_result(value)
        return value
