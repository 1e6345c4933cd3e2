"""The bus across processes on a real PostgreSQL (started here with pgserver).

Two buses on one server stand for two bot processes: an event reaches each of them once,
a payload PostgreSQL would refuse is refused before sending, a restarted server is
reconnected to by both (each then resynchronises), a settings write through one
process's store is forgotten by the other's cache, and the real bot (the harness, its
bus a `PgBus`) and another process hear each other's status changes.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

import bot.bot as bot_module
from bot import shared_events
from bot.bus import CACHE_FORGET, REQUESTER_STATUS, RESYNC, BusPayloadError, Payload
from bot.clock import ManualClock
from bot.pg_bus import PgBus
from db import guilds, requesters
from db.connection import Database
from db.migrate import migrate
from db.postgres.notify import ListenUnavailableError, describe
from tests.cogs.tasks.conftest import share
from tests.harness.driver import Harness, configure_server
from tests.harness.driver import test_settings as settings_in

WAIT = 30  # seconds: a bound on every wait, never a timing assertion


@pytest.fixture(scope="module")
def pg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    try:
        with warnings.catch_warnings():  # platformdirs: XDG_RUNTIME_DIR is not set
            warnings.simplefilter("ignore")
            import pgserver

            server = pgserver.get_server(tmp_path_factory.mktemp("pg"), cleanup_mode="stop")
    except Exception as exc:
        pytest.skip(f"PostgreSQL could not be started with pgserver: {exc}")
    yield server
    server.cleanup()


class Recorder:
    """Every payload a topic's handler got, and a way to wait for the n-th."""

    def __init__(self) -> None:
        self.got: list[Payload] = []
        self._changed = asyncio.Event()

    async def __call__(self, payload: Payload) -> None:
        self.got.append(payload)
        self._changed.set()

    async def wait_for(self, count: int) -> None:
        async def reached() -> None:
            while len(self.got) < count:
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(reached(), WAIT)


@pytest.fixture
async def buses(pg: Any) -> AsyncIterator[tuple[PgBus, PgBus]]:
    a = PgBus(pg.get_uri(), backoff_min=0.05, backoff_max=0.5, ping_every=0.5)
    b = PgBus(pg.get_uri(), backoff_min=0.05, backoff_max=0.5, ping_every=0.5)
    await a.start()
    await b.start()
    yield a, b
    await a.stop()
    await b.stop()


async def test_an_event_reaches_every_process_once(buses: tuple[PgBus, PgBus]) -> None:
    a, b = buses
    on_a, on_b, marks_a = Recorder(), Recorder(), Recorder()
    a.subscribe("requester.status", on_a)
    b.subscribe("requester.status", on_b)
    a.subscribe("mark", marks_a)
    b.subscribe("mark", lambda p: asyncio.sleep(0))

    a.publish("requester.status", {"requester_id": 7})
    await on_b.wait_for(1)
    # B answers after it got A's event, so A's listener has read its own echo (ignored)
    # before B's mark; B has likewise had every copy of A's event it would ever get.
    b.publish("mark", {})
    await marks_a.wait_for(1)
    await on_a.wait_for(1)
    assert on_a.got == [{"requester_id": 7}]
    assert on_b.got == [{"requester_id": 7}]


async def test_a_payload_postgresql_would_refuse_is_refused(buses: tuple[PgBus, PgBus]) -> None:
    a, b = buses
    on_a, on_b = Recorder(), Recorder()
    a.subscribe("big", on_a)
    b.subscribe("big", on_b)
    with pytest.raises(BusPayloadError, match=r"at most 7,999 \(publish ids, not content\)"):
        a.publish("big", {"text": "x" * 8000})
    with pytest.raises(BusPayloadError, match="JSON-able"):
        a.publish("big", {"when": object()})
    a.publish("big", {"text": "é" * 3000})  # 6,000 bytes: fits
    await on_b.wait_for(1)
    assert on_a.got == on_b.got == [{"text": "é" * 3000}]


async def test_both_reconnect_after_a_restart_and_resync(
    pg: Any, buses: tuple[PgBus, PgBus], caplog: pytest.LogCaptureFixture
) -> None:
    from pgserver.postgres_server import pg_ctl

    a, b = buses
    resync_a, resync_b, on_b = Recorder(), Recorder(), Recorder()
    a.subscribe(RESYNC, resync_a)
    b.subscribe(RESYNC, resync_b)
    b.subscribe("after", on_b)
    caplog.set_level(logging.INFO)

    def restart() -> None:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pg.pgdata, user=pg.system_user)
        pg.ensure_postgres_running()  # started as pgserver starts it

    await asyncio.to_thread(restart)
    await resync_a.wait_for(1)
    await resync_b.wait_for(1)
    assert a.listener.reconnections == b.listener.reconnections == 1
    a.publish("after", {"n": 1})
    await on_b.wait_for(1)
    assert on_b.got == [{"n": 1}]
    assert pg.get_uri() not in caplog.text


async def test_an_event_published_while_the_connection_is_down_arrives_after_it(
    pg: Any, buses: tuple[PgBus, PgBus]
) -> None:
    a, b = buses
    resync_a, resync_b, on_a, on_b = Recorder(), Recorder(), Recorder(), Recorder()
    a.subscribe(RESYNC, resync_a)
    b.subscribe(RESYNC, resync_b)
    a.subscribe("late", on_a)
    b.subscribe("late", on_b)
    admin = await asyncpg.connect(pg.get_uri())
    try:
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", a.listener.server_pid)
    finally:
        await admin.close()
    a.publish("late", {"n": 1})  # A's connection is gone (whether A knows yet or not)
    await resync_a.wait_for(1)
    await on_b.wait_for(1)
    assert on_a.got == on_b.got == [{"n": 1}]
    assert resync_b.got == []  # B never lost its connection
    assert a.listener.reconnections == 1


async def test_a_server_that_cannot_be_reached_is_reported_without_the_url(
    tmp_path: Path,
) -> None:
    dsn = f"postgresql://entraide:s3cret-pass@/entraide?host={tmp_path}"
    bus = PgBus(dsn)
    with pytest.raises(ListenUnavailableError) as raised:
        await bus.start()
    assert str(raised.value).startswith("cannot listen for events on the database: ")
    assert "s3cret-pass" not in str(raised.value)
    await bus.stop()


class Process:
    """What `shared_events` needs of a bot: its bus, its store and its events."""

    def __init__(self, bus: PgBus, db: Database) -> None:
        self.bus = bus
        self.db = db
        self.events: list[tuple[str, tuple[Any, ...]]] = []

    def dispatch(self, event_name: str, /, *args: Any, **_kwargs: Any) -> None:
        self.events.append((event_name, args))


async def test_a_settings_write_in_one_process_is_read_afresh_in_the_other(
    buses: tuple[PgBus, PgBus], tmp_path: Path
) -> None:
    a, b = buses
    # Two connections to one store stand for two processes, each with its own cache.
    db_a = await Database.open(tmp_path / "store.db")
    await migrate(db_a)
    db_b = await Database.open(tmp_path / "store.db")
    try:
        first, second = Process(a, db_a), Process(b, db_b)
        stop_a, stop_b = shared_events.connect(first), shared_events.connect(second)
        forgotten = Recorder()
        b.subscribe(CACHE_FORGET, forgotten)
        assert (await guilds.get(db_b, 42)).currency == "USD"  # cached in B

        await guilds.update(db_a, 42, 1_700_000_000, currency="EUR")
        await forgotten.wait_for(1)
        assert forgotten.got == [{"cache": "guild_settings", "key": 42}]
        await asyncio.sleep(0)  # B's own handler runs in the same turn as the recorder
        assert (await guilds.get(db_b, 42)).currency == "EUR"
        assert ("shared_cache_forget", ("guild_settings", 42)) in second.events
        stop_a()
        stop_b()
    finally:
        await db_a.close()
        await db_b.close()


def test_errors_never_show_the_database_url_or_its_password() -> None:
    dsn = "postgresql://entraide:s3cret-pass@db.example/entraide"
    assert describe(OSError(f"no route to {dsn}"), dsn) == "OSError: no route to <database url>"
    assert describe(ValueError("bad s3cret-pass"), dsn) == "ValueError: bad ***"
    assert describe(TimeoutError(), dsn) == "TimeoutError"


@pytest.fixture
async def bot_on_pg(
    pg: Any, tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Harness]:
    """The real bot (harness) whose bus is a `PgBus` on the test server."""

    def pg_bus(_dsn: str | None, *, spawn: Any) -> PgBus:
        return PgBus(pg.get_uri(), spawn=spawn, backoff_min=0.05, ping_every=0.5)

    monkeypatch.setattr(bot_module, "build_bus", pg_bus)
    h = await Harness.start(settings_in(tmp_path), clock, monkeypatch)
    await configure_server(h)
    yield h
    await h.stop()
    assert not h.api.unhandled, h.api.unhandled


async def test_the_bot_and_another_process_hear_each_other(
    bot_on_pg: Harness, buses: tuple[PgBus, PgBus]
) -> None:
    h = bot_on_pg
    other, _ = buses  # another process on the same store
    assert isinstance(h.bot.bus, PgBus) and h.bot.bus.listener.connected
    heard_here, heard_there = Recorder(), Recorder()
    h.bot.bus.subscribe(REQUESTER_STATUS, heard_here)
    other.subscribe(REQUESTER_STATUS, heard_there)
    await share(h, requester="Acme")
    live = h.in_channel(h.world.alerts)[-1]
    acme = (await requesters.find_by_name(h.db, "Acme"))[0]

    # A moderator here sets a status: the other process hears of it.
    await h.slash(
        "requester status", user=h.mod, requester="Acme", status="caution", reason="Slow pay"
    )
    await heard_there.wait_for(1)
    assert heard_there.got == [{"requester_id": acme.id}]

    # The other process changes it: this one redraws its live alert.
    await h.db.execute(
        "UPDATE requesters SET status = 'scam', status_reason = 'fake tasks' WHERE id = ?",
        (acme.id,),
    )
    other.publish(REQUESTER_STATUS, {"requester_id": acme.id})
    await heard_here.wait_for(2)
    await h.settle()
    assert "flagged this requester as a scam" in h.current(live).embed["description"]
    assert heard_here.got == [{"requester_id": acme.id}] * 2
