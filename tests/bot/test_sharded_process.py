"""A process running some of the shards (SHARD_COUNT=2, SHARD_IDS=1), through the harness.

Two servers share the store: "ours" on shard 1, which this process holds, and "theirs"
on shard 0, which another process holds (its GUILD_CREATE never reaches this one). This
process must schedule digests and sweep alerts of its own server only, leave the other's
rows alone (not even mark it as departed), and leave store-wide jobs to shard 0.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.bot import Entraide, ShardedEntraide, build_bot
from bot.clock import ManualClock, to_epoch
from cogs.admin.ops import BACKUP_JOB, PURGE_JOB
from cogs.alerts.cog import PRUNE_JOB_ID as DM_LOG_PRUNE_JOB
from cogs.digests.runner import PRUNE_JOB_ID as DIGEST_PRUNE_JOB
from cogs.digests.runner import RESYNC_JOB_ID, job_id
from cogs.roles.cog import PRUNE_JOB_ID as PINGS_PRUNE_JOB
from db import digests, guilds
from db import tasks as tasks_db
from db.shards import Shards, shard_of
from tests.cogs.tasks.conftest import share
from tests.harness.driver import Harness
from tests.harness.driver import test_settings as settings_in
from tests.harness.world import World, configure_guild, make_world

#: Server ids whose shard (of 2) is known: `(id >> 22) % 2`.
OURS = (2_000_000_001 << 22) + 12345  # shard 1
THEIRS = (2_000_000_002 << 22) + 678  # shard 0


def world_with_id(guild_id: int) -> World:
    """The default world's people and channels in a server with this id."""
    return dataclasses.replace(make_world(), guild_id=guild_id, everyone_role=guild_id)


async def start(
    tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch, shard: int
) -> tuple[Harness, World, World]:
    """A process holding `shard` of 2, both servers set up in the store; it connected to
    the server of its own shard only. (Its world, the other server's world.)"""
    own, other = world_with_id(OURS), world_with_id(THEIRS)
    if shard == 0:
        own, other = other, own
    settings = settings_in(tmp_path, shard_count=2, shard_ids=(shard,))
    h = await Harness.start(settings, clock, monkeypatch, world=own)
    now = to_epoch(clock.now())
    for world in (own, other):
        await configure_guild(h.db, world, now)
    return h, own, other


@pytest.fixture
async def shard_one(
    tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Harness, World, World]]:
    h, own, other = await start(tmp_path, clock, monkeypatch, 1)
    yield h, own, other
    await h.stop()
    assert not h.api.unhandled, h.api.unhandled


def test_the_servers_are_on_the_shards_the_tests_say() -> None:
    assert shard_of(OURS, 2) == 1 and shard_of(THEIRS, 2) == 0


async def test_the_process_is_an_auto_sharded_bot_with_its_shards(
    shard_one: tuple[Harness, World, World],
) -> None:
    h, own, _ = shard_one
    assert isinstance(h.bot, ShardedEntraide)
    assert h.bot.shard_count == 2 and h.bot.shard_ids == [1]
    assert h.bot.own_shards == Shards(2, (1,))
    assert [guild.id for guild in h.bot.guilds] == [own.guild_id]


async def test_digests_are_scheduled_for_its_own_server_only(
    shard_one: tuple[Harness, World, World],
) -> None:
    h, own, other = shard_one
    now = to_epoch(h.clock.now())
    await digests.save_member(
        h.db,
        own.bob.id,
        now,
        cadence="daily",
        weekday=0,
        send_hour=9,
        send_minute=0,
        timezone=None,
        locale="en",
        thanks_opt_out=False,
        reschedule=True,
    )
    runner = h.bot.get_cog("DigestsCog").runner
    await runner.resync()
    planned = set(runner.planned)
    assert job_id("guild", own.guild_id, "daily") in planned
    assert job_id("guild", other.guild_id, "daily") not in planned
    # A personal digest belongs to no server: the process holding shard 0 sends it.
    assert job_id("member", own.bob.id, "daily") not in planned
    await runner.resync_member(own.bob.id)
    assert job_id("member", own.bob.id, "daily") not in runner.planned
    assert await runner.catch_up_members() == []
    # The other server's digest, asked for directly, is not scheduled here either.
    await runner.resync_guild(other.guild_id)
    assert job_id("guild", other.guild_id, "daily") not in runner.planned
    # Only the store-wide jobs are missing; its own jobs are all there.
    jobs = {job.id for job in h.bot.scheduler.get_jobs()}
    assert {RESYNC_JOB_ID, PURGE_JOB, "tasks.expire", "bot.gc-sweep"} <= jobs
    assert not {BACKUP_JOB, DIGEST_PRUNE_JOB, DM_LOG_PRUNE_JOB, PINGS_PRUNE_JOB} & jobs


async def test_the_expiry_sweep_ends_its_own_servers_alerts_only(
    shard_one: tuple[Harness, World, World],
) -> None:
    h, own, other = shard_one
    for world in (own, other):
        await guilds.update(h.db, world.guild_id, to_epoch(h.clock.now()), alert_expiry_minutes=30)
    await share(h)  # in our server, posted for real
    (row,) = await h.db.fetch_all("SELECT id FROM task_alerts WHERE guild_id = ?", (OURS,))
    ours = await tasks_db.get_alert(h.db, row["id"])
    assert ours is not None and ours.message_id is not None
    theirs = await store_alert(h, other.guild_id, "posted", posted=True)
    unposted = await store_alert(h, other.guild_id, "never posted", posted=False)

    h.clock.advance(hours=3)
    assert await h.bot.get_cog("Tasks").expire_due() == 1
    assert (await tasks_db.get_alert(h.db, ours.id)).state == "expired"
    for alert in (theirs, unposted):
        assert (await tasks_db.get_alert(h.db, alert.id)).state == "live"  # theirs to end
    edits = h.api.calls_to("PATCH", "/channels/{channel_id}/messages/{message_id}")
    assert {call.params["message_id"] for call in edits} == {str(ours.message_id)}


async def test_servers_of_other_shards_are_not_taken_for_departed(
    shard_one: tuple[Harness, World, World],
) -> None:
    """At start-up the process sees its own servers only: the others are out of sight,
    not gone, and are neither marked as left nor purged."""
    h, own, other = shard_one
    gone = to_epoch(h.clock.now())
    departed = world_with_id(OURS + (2 << 22))  # shard 1, configured, and left long ago
    await configure_guild(h.db, departed, gone)
    await h.bot.get_cog("OperationsCog").catch_up()
    assert (await guilds.get(h.db, other.guild_id)).left_at is None
    assert (await guilds.get(h.db, own.guild_id)).left_at is None
    assert (await guilds.get(h.db, departed.guild_id)).left_at == gone
    h.clock.advance(days=31)
    assert await h.bot.get_cog("OperationsCog").purge_departed_guilds() == [departed.guild_id]
    await h.db.execute(
        "UPDATE guild_settings SET left_at = ? WHERE guild_id = ?",
        (to_epoch(h.clock.now() - timedelta(days=40)), other.guild_id),
    )
    assert await h.bot.get_cog("OperationsCog").purge_departed_guilds() == []  # shard 0's


async def test_the_process_holding_shard_0_runs_the_store_wide_jobs(
    tmp_path: Path, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    h, own, other = await start(tmp_path, clock, monkeypatch, 0)
    try:
        runner = h.bot.get_cog("DigestsCog").runner
        await runner.resync()
        assert job_id("guild", own.guild_id, "daily") in runner.planned
        assert job_id("guild", other.guild_id, "daily") not in runner.planned
        jobs = {job.id for job in h.bot.scheduler.get_jobs()}
        assert {BACKUP_JOB, DIGEST_PRUNE_JOB, DM_LOG_PRUNE_JOB, PINGS_PRUNE_JOB} <= jobs
    finally:
        await h.stop()


async def store_alert(h: Harness, guild_id: int, title: str, *, posted: bool) -> tasks_db.Alert:
    """An alert the other process stored in its server (and, if `posted`, posted)."""
    now = to_epoch(h.clock.now())
    new = tasks_db.NewAlert(
        guild_id=guild_id,
        platform="prolific",
        task_key=f"test:{title}",
        title=title,
        reward_cents=100,
        currency="USD",
        minutes=5,
        hourly_cents=1200,
        sharer_id=h.alice.id,
    )
    alert = (await tasks_db.share(h.db, new, now=now, expires_at=now + 1800)).alert
    if posted:
        await tasks_db.set_message(
            h.db, alert.id, channel_id=guild_id + 1, message_id=guild_id + 2, is_forum=False
        )
    return alert


def test_publishing_commands_ignores_the_shards(tmp_path: Path) -> None:
    """`sync`, `commands` and `check` build the tree-only bot: one plain, unsharded client."""
    settings = settings_in(tmp_path, shard_count=4, shard_ids=(2,))
    tree_only = build_bot(settings, tree_only=True)
    assert type(tree_only) is Entraide and tree_only.shard_count is None
    assert tree_only.own_shards.is_whole
    running = build_bot(settings)
    assert isinstance(running, ShardedEntraide) and running.shard_ids == [2]
