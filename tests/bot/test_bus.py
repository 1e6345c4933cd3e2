"""The bus of one process (`LocalBus`), and which bus a store gets (`build_bus`)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.bot import build_bot
from bot.bus import MAX_TOPIC_LENGTH, BusPayloadError, LocalBus, Payload, envelope
from bot.bus_factory import build_bus
from bot.pg_bus import PgBus
from tests.harness import driver

pytestmark = pytest.mark.both_backends


async def _delivered(bus: LocalBus) -> None:
    """Let the deliveries a publish started run to the end."""
    for _ in range(10):
        await asyncio.sleep(0)
    await bus.stop()


async def test_an_event_reaches_every_handler_of_its_topic_once() -> None:
    bus = LocalBus()
    first: list[Payload] = []
    second: list[Payload] = []
    other: list[Payload] = []

    async def one(payload: Payload) -> None:
        first.append(payload)

    async def two(payload: Payload) -> None:
        second.append(payload)

    async def elsewhere(payload: Payload) -> None:
        other.append(payload)

    bus.subscribe("requester.status", one)
    bus.subscribe("requester.status", two)
    bus.subscribe("cache.forget", elsewhere)
    bus.publish("requester.status", {"requester_id": 3})
    await _delivered(bus)
    assert first == second == [{"requester_id": 3}]
    assert other == []


async def test_publishing_never_waits_for_a_handler() -> None:
    bus = LocalBus()
    started = asyncio.Event()
    release = asyncio.Event()

    async def slow(_payload: Payload) -> None:
        started.set()
        await release.wait()

    bus.subscribe("t", slow)
    bus.publish("t", {})  # returns before the handler has even started
    assert not started.is_set()
    await asyncio.wait_for(started.wait(), 10)
    release.set()
    await bus.stop()


async def test_an_unsubscribed_handler_hears_nothing_more() -> None:
    bus = LocalBus()
    got: list[Payload] = []

    async def handler(payload: Payload) -> None:
        got.append(payload)

    stop = bus.subscribe("t", handler)
    bus.publish("t", {"n": 1})
    await _delivered(bus)
    stop()
    stop()  # twice is harmless
    bus.publish("t", {"n": 2})
    await _delivered(bus)
    assert got == [{"n": 1}]


async def test_a_failing_handler_is_logged_and_the_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bus = LocalBus()
    got: list[Payload] = []

    async def broken(_payload: Payload) -> None:
        raise RuntimeError("boom")

    async def fine(payload: Payload) -> None:
        got.append(payload)

    bus.subscribe("t", broken)
    bus.subscribe("t", fine)
    with caplog.at_level(logging.ERROR, logger="bot.bus"):
        bus.publish("t", {"n": 1})  # does not raise
        await _delivered(bus)
    assert got == [{"n": 1}]
    (record,) = caplog.records
    assert "a handler of bus topic 't' failed" in record.getMessage()
    assert record.exc_info is not None and "boom" in str(record.exc_info[1])


async def test_deliveries_go_through_the_given_spawn() -> None:
    names: list[str] = []

    def spawn(coro: Any, *, name: str) -> asyncio.Task[Any]:
        names.append(name)
        return asyncio.get_running_loop().create_task(coro)

    bus = LocalBus(spawn=spawn)
    got: list[Payload] = []

    async def handler(payload: Payload) -> None:
        got.append(payload)

    bus.subscribe("requester.status", handler)
    bus.publish("requester.status", {"requester_id": 1})
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert names == ["bus requester.status"]
    assert got == [{"requester_id": 1}]


@pytest.mark.parametrize(
    ("topic", "payload", "message"),
    [
        ("t", {"blob": "x" * 8000}, r"PostgreSQL accepts at most 7,999 \(publish ids"),
        ("t", {"when": object()}, "must be JSON-able"),
        ("t", {"n": float("nan")}, "must be JSON-able"),
        ("t", ["not", "a", "dict"], "a payload is a dict, not list"),
        ("", {}, "a topic is a short non-empty string"),
        ("x" * (MAX_TOPIC_LENGTH + 1), {}, "a topic is a short non-empty string"),
    ],
)
async def test_what_postgresql_would_refuse_is_refused_here_too(
    topic: str, payload: Any, message: str
) -> None:
    bus = LocalBus()
    got: list[Payload] = []

    async def handler(p: Payload) -> None:
        got.append(p)

    bus.subscribe(topic, handler)
    with pytest.raises(BusPayloadError, match=message):
        bus.publish(topic, payload)
    await _delivered(bus)
    assert got == []


def test_the_envelope_names_origin_topic_and_payload_compactly() -> None:
    text = envelope("ab" * 16, "requester.status", {"requester_id": 5})
    assert text == '{"o":"' + "ab" * 16 + '","t":"requester.status","p":{"requester_id":5}}'


def test_the_store_chooses_the_bus() -> None:
    assert isinstance(build_bus(None), LocalBus)
    assert isinstance(build_bus("sqlite:///data/entraide.db"), LocalBus)
    assert isinstance(build_bus("postgresql://entraide:pw@db.example/entraide"), PgBus)
    assert isinstance(build_bus("postgres://db.example/entraide"), PgBus)


async def test_the_bot_has_a_local_bus_by_default(harness: Any) -> None:
    bus = harness.bot.bus
    expected = LocalBus if harness.bot.db.dialect == "sqlite" else PgBus  # a shared store
    assert isinstance(bus, expected) and bus.started
    got: list[Payload] = []

    async def handler(payload: Payload) -> None:
        got.append(payload)

    bus.subscribe("t", handler)
    bus.publish("t", {"n": 1})
    await harness.settle()  # deliveries are the bot's background work
    assert got == [{"n": 1}]


def test_the_bot_listens_on_its_postgresql_store_and_stays_local_on_sqlite(tmp_path: Path) -> None:
    on_sqlite = build_bot(driver.test_settings(tmp_path))
    assert isinstance(on_sqlite.bus, LocalBus)
    on_pg = driver.test_settings(tmp_path).model_copy(
        update={"database_url": "postgresql://entraide:secret@db.example:5432/entraide"}
    )
    assert isinstance(build_bot(on_pg).bus, PgBus)
