"""One channel of PostgreSQL `LISTEN/NOTIFY` on a dedicated asyncpg connection.

Several bot processes share one PostgreSQL store; what must reach all of them (a
requester's status changed, a cache to forget) travels as notifications on one channel.
This module is the driver's side only: it sends and receives text, keeps one connection
listening, and reconnects by itself with backoff when that connection is lost. What the
text means (topics, who sent it) is the caller's (`bot.pg_bus`).

PostgreSQL drops notifications sent while a listener was disconnected, so after each
reconnection `on_reconnect` is called: the caller must assume it missed something.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import asyncpg

log = logging.getLogger(__name__)

#: PostgreSQL refuses a notification payload of 8,000 bytes or more (in the server's
#: encoding, UTF-8 here).
MAX_PAYLOAD_BYTES = 7999
#: How many notifications wait for the connection while it is down; older ones are
#: dropped past this (and the caller is told, see `Listener.dropped`).
QUEUE_LIMIT = 1000
#: A channel name is an SQL identifier: kept to plain lower-case names.
_CHANNEL = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


#: What a lost or refused connection raises (the server stopping, the socket closing).
_CONNECTION_ERRORS = (
    OSError,
    TimeoutError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
)


class PayloadTooLargeError(ValueError):
    """A notification payload PostgreSQL would refuse (publish ids, not content)."""

    def __init__(self, size: int) -> None:
        super().__init__(
            f"a notification payload is {size:,} bytes; PostgreSQL accepts at most "
            f"{MAX_PAYLOAD_BYTES:,} (publish ids, not content)"
        )
        self.size = size


class ListenUnavailableError(ConnectionError):
    """The first connection to listen on could not be made (the reason, never the DSN)."""


def describe(error: BaseException, dsn: str) -> str:
    """An error's text for logs, with the DSN and its password cut out."""
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    if dsn:
        text = text.replace(dsn, "<database url>")
        try:
            password = urlsplit(dsn).password
        except ValueError:
            password = None
        if password:
            text = text.replace(password, "***")
    return text


def check_payload(text: str) -> None:
    size = len(text.encode("utf-8"))
    if size > MAX_PAYLOAD_BYTES:
        raise PayloadTooLargeError(size)


Received = Callable[[str], None]
Reconnected = Callable[[], None]
Connect = Callable[[str], Awaitable[Any]]


class Listener:
    """LISTEN on one channel, NOTIFY on it, and stay connected.

    `on_message(text)` is called for every notification on the channel (this
    connection's own included; the caller tells them apart). `on_reconnect()` is called
    after the connection came back (notifications sent meanwhile are lost). Neither may
    block: they run on the event loop, between the driver's reads.

    Sends never wait for the server: `notify` queues the text and a sender task writes
    it, in order, once connected. While the connection is down texts wait in the queue
    (at most `QUEUE_LIMIT`; `dropped` counts what did not fit).
    """

    def __init__(
        self,
        dsn: str,
        channel: str,
        *,
        on_message: Received,
        on_reconnect: Reconnected,
        backoff_min: float = 0.5,
        backoff_max: float = 30.0,
        ping_every: float = 15.0,
        connect: Connect | None = None,
    ) -> None:
        if not _CHANNEL.match(channel):
            msg = f"not a usable channel name: {channel!r}"
            raise ValueError(msg)
        self._dsn = dsn
        self.channel = channel
        self._on_message = on_message
        self._on_reconnect = on_reconnect
        self.backoff_min = backoff_min
        self.backoff_max = backoff_max
        self.ping_every = ping_every
        self._connect = connect or asyncpg.connect
        self._conn: Any = None
        #: One statement at a time on the connection (the sender's and the ping's).
        self._busy = asyncio.Lock()
        self._lost = asyncio.Event()
        self._ready = asyncio.Event()
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        #: Notifications dropped because the queue was full while disconnected.
        self.dropped = 0
        #: How many times the connection was made again after a loss.
        self.reconnections = 0

    @property
    def connected(self) -> bool:
        return self._conn is not None and not self._conn.is_closed()

    @property
    def server_pid(self) -> int | None:
        """The server process of the listening connection (None while disconnected)."""
        return self._conn.get_server_pid() if self.connected else None

    async def start(self) -> None:
        """Connect and LISTEN; raises `ListenUnavailableError` if the first try fails."""
        try:
            await self._open()
        except (*_CONNECTION_ERRORS, asyncpg.PostgresError) as exc:
            msg = f"cannot listen for events on the database: {describe(exc, self._dsn)}"
            raise ListenUnavailableError(msg) from None
        self._tasks = [
            asyncio.create_task(self._supervise(), name="entraide: bus listener"),
            asyncio.create_task(self._send_loop(), name="entraide: bus sender"),
        ]

    async def stop(self, grace: float = 5.0) -> None:
        """Send what is queued (for up to `grace` seconds), then close the connection."""
        if self._stopping:
            return
        self._stopping = True
        if self.connected and not self._queue.empty():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queue.join(), grace)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._close_connection()

    def notify(self, text: str) -> None:
        """Queue one notification (checked against PostgreSQL's size limit first)."""
        check_payload(text)
        if self._stopping:
            return
        if self._queue.qsize() >= QUEUE_LIMIT:
            self._queue.get_nowait()
            self._queue.task_done()
            self.dropped += 1
        self._queue.put_nowait(text)

    # -- the connection ---------------------------------------------------------------------

    async def _open(self) -> None:
        conn = await asyncio.wait_for(self._connect(self._dsn), timeout=30)
        try:
            await conn.add_listener(self.channel, self._received)
        except BaseException:
            await conn.close()
            raise
        conn.add_termination_listener(self._terminated)
        self._conn = conn
        self._lost.clear()
        self._ready.set()

    def _received(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            self._on_message(payload)
        except Exception:
            log.exception("a bus notification could not be handled")

    def _terminated(self, conn: object) -> None:
        if conn is self._conn:  # not one this listener closed or replaced itself
            self._connection_lost()

    def _connection_lost(self) -> None:
        self._ready.clear()
        self._lost.set()

    async def _close_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None or conn.is_closed():
            return
        try:
            await asyncio.wait_for(conn.close(), timeout=5)
        except Exception:  # already broken: nothing left to close cleanly
            conn.terminate()

    async def _supervise(self) -> None:
        """Watch the connection (a ping now and then) and make it again when lost."""
        while True:
            try:
                await asyncio.wait_for(self._lost.wait(), timeout=self.ping_every)
            except TimeoutError:
                if await self._alive():
                    continue
                self._connection_lost()
            log.warning("bus: the database connection was lost; reconnecting")
            await self._close_connection()
            await self._reconnect()

    async def _alive(self) -> bool:
        conn = self._conn
        if conn is None or conn.is_closed():
            return False
        try:
            async with self._busy:
                await asyncio.wait_for(conn.fetchval("SELECT 1"), timeout=self.ping_every)
        except Exception:
            return False
        return True

    async def _reconnect(self) -> None:
        delay = self.backoff_min
        while True:
            try:
                await self._open()
            except (*_CONNECTION_ERRORS, asyncpg.PostgresError) as exc:
                log.warning(
                    "bus: reconnecting failed (%s); next try in %.1f s",
                    describe(exc, self._dsn),
                    delay,
                )
                await asyncio.sleep(delay * random.uniform(0.8, 1.2))  # noqa: S311 - jitter
                delay = min(delay * 2, self.backoff_max)
                continue
            self.reconnections += 1
            log.info("bus: listening again on %r", self.channel)
            try:
                self._on_reconnect()
            except Exception:
                log.exception("bus: the reconnection could not be handled")
            return

    async def _send_loop(self) -> None:
        while True:
            text = await self._queue.get()
            try:
                await self._send(text)
            finally:
                self._queue.task_done()

    async def _send(self, text: str) -> None:
        """Send one text, waiting for the connection; a send cut by a loss is retried."""
        while True:
            await self._ready.wait()
            conn = self._conn
            if conn is None:  # lost between the wake-up and now
                self._connection_lost()
                continue
            try:
                async with self._busy:
                    await conn.execute("SELECT pg_notify($1, $2)", self.channel, text)
            except _CONNECTION_ERRORS as exc:
                log.warning("bus: a notification waits for the connection (%s)", type(exc).__name__)
                self._connection_lost()
                continue
            except asyncpg.PostgresError as exc:
                log.error("bus: PostgreSQL refused a notification (%s)", describe(exc, self._dsn))
            return
