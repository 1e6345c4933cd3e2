"""What must reach every process, through the real bot on SQLite (the harness).

A process handles an event from another process exactly as its own: `bus.deliver` is
what `PgBus` calls for a notification from elsewhere, so delivering one here stands for
a second process. The bus itself across processes is tested in test_pg_bus.py.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.bus import CACHE_FORGET, REQUESTER_STATUS, RESYNC, Payload
from bot.clock import ManualClock
from db import digests, guilds, requesters
from db import tasks as tasks_db
from tests.bot.test_sharded_process import start, store_alert
from tests.cogs.requesters.helpers import act, cards, report, share_task
from tests.harness.driver import Harness
from tests.harness.sent import Sent

EDITS = ("PATCH", "/channels/{channel_id}/messages/{message_id}")


def record(h: Harness, topic: str) -> list[Payload]:
    seen: list[Payload] = []

    async def handler(payload: Payload) -> None:
        seen.append(payload)

    h.bot.bus.subscribe(topic, handler)
    return seen


def edited(h: Harness, since: int = 0) -> list[str]:
    return [c.params["message_id"] for c in h.api.calls_to(*EDITS)[since:]]


async def shared(h: Harness, number: int, **options: object) -> Sent:
    await share_task(h, h.alice, number, **{"requester": "Acme", **options})
    return h.in_channel(h.world.alerts)[-1]


async def test_confirming_a_scam_publishes_it_and_the_handler_redraws_the_alert(
    configured: Harness,
) -> None:
    h = configured
    events = record(h, REQUESTER_STATUS)
    live = await shared(h, 1)
    await report(h, h.bob, category="harvesting", description="The survey asks for bank logins")
    before = len(h.api.calls_to(*EDITS))
    await act(h, cards(h)[-1], "Confirm", "Login form seen in the screenshot")
    acme = (await requesters.find_by_name(h.db, "Acme"))[0]
    assert acme.status == "scam"
    assert events == [{"requester_id": acme.id}]
    assert str(live.message_id) in edited(h, before)
    assert "flagged this requester as a scam" in h.current(live).embed["description"]


async def test_a_status_changed_in_another_process_is_redrawn_here(configured: Harness) -> None:
    h = configured
    live = await shared(h, 1)
    acme = (await requesters.find_by_name(h.db, "Acme"))[0]
    await h.db.execute(  # what the other process stored
        "UPDATE requesters SET status = 'caution', status_reason = 'late payments' WHERE id = ?",
        (acme.id,),
    )
    before = len(h.api.calls_to(*EDITS))
    h.bot.bus.deliver(REQUESTER_STATUS, {"requester_id": acme.id})
    await h.settle()
    assert edited(h, before) == [str(live.message_id)]
    assert "late payments" in h.current(live).embed["description"]


async def test_only_the_alerts_of_this_process_shards_are_redrawn(
    tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    h, _own, other = await start(tmp_path, clock, monkeypatch, 1)  # shard 1 of 2
    try:
        here = await shared(h, 1)
        acme = (await requesters.find_by_name(h.db, "Acme"))[0]
        there = await store_alert(h, other.guild_id, "theirs", posted=True)
        await h.db.execute(
            "UPDATE task_alerts SET requester_id = ? WHERE id = ?", (acme.id, there.id)
        )
        assert len(await tasks_db.live_for_requester(h.db, acme.id)) == 2
        await h.db.execute("UPDATE requesters SET status = 'caution' WHERE id = ?", (acme.id,))
        before = len(h.api.calls_to(*EDITS))
        h.bot.bus.deliver(REQUESTER_STATUS, {"requester_id": acme.id})
        await h.settle()
        # The other server's alert is redrawn by the process holding shard 0.
        assert edited(h, before) == [str(here.message_id)]
    finally:
        await h.stop()
    assert not h.api.unhandled, h.api.unhandled


async def test_a_settings_change_is_published_and_forgotten_everywhere(
    configured: Harness,
) -> None:
    h = configured
    guild = h.world.guild_id
    forgotten = record(h, CACHE_FORGET)
    await h.slash("setup currency", user=h.admin, currency="EUR")
    assert {"cache": "guild_settings", "key": guild} in forgotten
    assert (await guilds.get(h.db, guild)).currency == "EUR"  # read and cached again

    # Another process changes it: this one's copy is stale until the event arrives.
    await h.db.execute("UPDATE guild_settings SET currency = 'GBP' WHERE guild_id = ?", (guild,))
    assert (await guilds.get(h.db, guild)).currency == "EUR"
    h.bot.bus.deliver(CACHE_FORGET, {"cache": "guild_settings", "key": guild})
    await h.settle()
    assert (await guilds.get(h.db, guild)).currency == "GBP"
    shown = await h.slash("setup show", user=h.admin)
    assert "GBP" in shown.text


async def test_the_exports_channel_is_forgotten_in_every_process(configured: Harness) -> None:
    h = configured
    guild = h.world.guild_id
    forgotten = record(h, CACHE_FORGET)
    await h.slash("setup channel", user=h.admin, kind="exports", target=h.world.general)
    assert {"cache": "intake.exports_channel", "key": guild} in forgotten
    exports = h.bot.get_cog("Intake").exports  # type: ignore[union-attr]
    assert await exports.channel_of(guild) == h.world.general
    await h.db.execute(  # another process moved it
        "UPDATE intake_settings SET exports_channel_id = ? WHERE guild_id = ?",
        (h.world.digest, guild),
    )
    assert await exports.channel_of(guild) == h.world.general
    h.bot.bus.deliver(CACHE_FORGET, {"cache": "intake.exports_channel", "key": guild})
    await h.settle()
    assert await exports.channel_of(guild) == h.world.digest


async def test_after_missed_events_a_resync_rereads_everything(configured: Harness) -> None:
    h = configured
    guild = h.world.guild_id
    live = await shared(h, 1)
    plain = await share_task(h, h.alice, 2)  # no requester: nothing to redraw
    assert plain.ephemeral
    acme = (await requesters.find_by_name(h.db, "Acme"))[0]
    assert (await guilds.get(h.db, guild)).currency == "USD"
    # What other processes changed while this one's connection was down (no events).
    await h.db.execute(
        "UPDATE requesters SET status = 'caution', status_reason = 'missed' WHERE id = ?",
        (acme.id,),
    )
    await h.db.execute("UPDATE guild_settings SET currency = 'CAD' WHERE guild_id = ?", (guild,))
    before = len(h.api.calls_to(*EDITS))
    h.bot.bus.deliver(RESYNC, {})
    await h.settle()
    assert edited(h, before) == [str(live.message_id)]
    assert "missed" in h.current(live).embed["description"]
    assert (await guilds.get(h.db, guild)).currency == "CAD"


async def test_a_malformed_event_is_logged_and_changes_nothing(
    configured: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = configured
    await shared(h, 1)
    before = len(h.api.calls_to(*EDITS))
    with caplog.at_level(logging.ERROR, logger="bot.bus"):
        h.bot.bus.deliver(REQUESTER_STATUS, {"requester_id": "1; DROP TABLE"})
        h.bot.bus.deliver(CACHE_FORGET, {"cache": 5, "key": None})
        await h.settle()
    assert edited(h, before) == []
    failed = [r.getMessage() for r in caplog.records if r.name == "bot.bus"]
    assert failed == [
        "a handler of bus topic 'requester.status' failed (payload {'requester_id': '1; DROP TABLE'})",
        "a handler of bus topic 'cache.forget' failed (payload {'cache': 5, 'key': None})",
    ]


async def test_a_closed_dms_note_is_known_to_every_process(configured: Harness) -> None:
    h = configured
    forgotten = record(h, CACHE_FORGET)
    runner = h.bot.get_cog("DigestsCog").runner  # type: ignore[union-attr]
    assert (await h.slash("digest me", user=h.bob, cadence="daily")).ephemeral
    await runner.dms_closed(h.bob.id)
    assert {"cache": "digests.notes", "key": h.bob.id} in forgotten
    # Another process found Carol's DMs closed: her next command here may carry the note.
    assert h.carol.id not in runner.notes
    h.bot.bus.deliver(CACHE_FORGET, {"cache": "digests.notes", "key": h.carol.id})
    await h.settle()
    assert h.carol.id in runner.notes
    runner.notes.clear()
    h.bot.bus.deliver(RESYNC, {})
    await h.settle()
    assert runner.notes == set(await digests.pending_notes(h.db)) == {h.bob.id}
