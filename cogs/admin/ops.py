"""Operations the bot runs on its own: the daily backup, and servers it leaves.

Both jobs are sweeps over durable state (the backup folder, `guild_settings.left_at`),
so a missed run is caught up by the next one, and a restart needs no bookkeeping: the
files and rows are the source of truth, the scheduler only says when to look.

Split into shards across processes, the backup is store-wide: only the process holding
shard 0 makes it. Departed servers are per-server: each process marks and purges only
its own shards' servers (another process's servers are out of its sight, not gone).
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from apscheduler.jobstores.base import JobLookupError
from apscheduler.triggers.cron import CronTrigger
from discord.ext import commands

from bot.clock import to_epoch
from cogs.admin.rules import backup_due, purge_cutoff
from db import guild_setup, guilds, ops

if TYPE_CHECKING:
    from bot.bot import Entraide

log = logging.getLogger(__name__)

BACKUP_JOB = "admin.daily-backup"
PURGE_JOB = "admin.purge-departed-guilds"


class OperationsCog(commands.Cog):
    """Backups, and what happens to a server's configuration when the bot is removed."""

    def __init__(self, bot: Entraide) -> None:
        self.bot = bot
        self._caught_up = False

    async def cog_load(self) -> None:
        hour = self.bot.settings.backup_hour_utc
        # The purge runs half an hour after the backup, so a purged configuration is
        # still in that night's copy if an operator needs it back.
        jobs = [(self.purge_departed_guilds, 30, PURGE_JOB)]
        if self.bot.own_shards.runs_store_wide:
            jobs.append((self.daily_backup, 0, BACKUP_JOB))
        for job, minute, job_id in jobs:
            self.bot.scheduler.add_job(
                job,
                CronTrigger(hour=hour, minute=minute, timezone="UTC"),
                id=job_id,
                replace_existing=True,
                coalesce=True,
                misfire_grace_time=3600,
            )

    async def cog_unload(self) -> None:
        for job_id in (BACKUP_JOB, PURGE_JOB):
            with suppress(JobLookupError):
                self.bot.scheduler.remove_job(job_id)

    # -- the daily backup ------------------------------------------------------------------

    async def daily_backup(self) -> Path | None:
        """The scheduled job; tracked by `spawn` so a shutdown waits for the copy."""
        return await self.bot.spawn(self.run_backup(), name="daily backup")

    async def run_backup(self) -> Path | None:
        """Copy the live database into BACKUP_DIR and keep the newest BACKUP_KEEP copies.

        The copy is made from a separate read connection in a worker thread: members keep
        being served while a large database is copied.
        """
        settings = self.bot.settings
        source = settings.database_path
        if str(source) == ":memory:":
            return None
        target = settings.backup_dir / ops.backup_name(self.bot.clock.now())
        if target.exists():
            return target
        try:
            await asyncio.to_thread(ops.copy_database, source, target)
            removed = await asyncio.to_thread(
                ops.prune_backups, settings.backup_dir, settings.backup_keep
            )
        except Exception:
            log.exception("daily backup to %s failed", target)
            return None
        log.info("backed up the database to %s (%d old copies removed)", target, len(removed))
        return target

    # -- servers the bot leaves ------------------------------------------------------------

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """Kicked or the server deleted: keep its setup 30 days, in case it comes back."""
        await guilds.mark_left(self.bot.db, guild.id, to_epoch(self.bot.clock.now()))
        log.info("left guild %s; its configuration is kept for 30 days", guild.id)

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        if await guild_setup.clear_left(self.bot.db, guild.id):
            log.info("back in guild %s; its configuration is kept", guild.id)

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        # Re-added while the bot was offline: the server arrives at start-up, not as a join.
        await self.on_guild_join(guild)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Once per process: catch up on what happened while the bot was offline."""
        if self._caught_up:
            return
        self._caught_up = True
        await self.catch_up()

    async def catch_up(self) -> None:
        now = self.bot.clock.now()
        present = [guild.id for guild in self.bot.guilds]
        gone = await guild_setup.mark_absent_as_left(
            self.bot.db, present, to_epoch(now), self.bot.own_shards
        )
        if gone:
            log.info("%d configured servers removed the bot while it was offline", gone)
        await self.purge_departed_guilds()
        if not self.bot.own_shards.runs_store_wide:
            return
        backups = await asyncio.to_thread(ops.list_backups, self.bot.settings.backup_dir)
        newest = ops.backup_time(backups[-1]) if backups else None
        if backup_due(newest, now):
            self.bot.spawn(self.run_backup(), name="catch-up backup")

    async def purge_departed_guilds(self) -> list[int]:
        """Delete the configuration of servers the bot left more than 30 days ago.

        Members' own data (earnings, preferences, reviews) is not touched: it belongs to
        them, in every server, and follows `/privacy delete`. Other features drop their
        per-server configuration on the `guild_config_purged(guild_id)` event.
        """
        cutoff = purge_cutoff(self.bot.clock.now())
        purged: list[int] = []
        for guild_id in await guild_setup.left_before(self.bot.db, cutoff, self.bot.own_shards):
            if self.bot.get_guild(guild_id) is not None:  # back, and we missed the join
                await guild_setup.clear_left(self.bot.db, guild_id)
                continue
            if await guild_setup.purge_guild(self.bot.db, guild_id, cutoff):
                purged.append(guild_id)
                self.bot.dispatch("guild_config_purged", guild_id)
        if purged:
            log.info("purged the configuration of %d departed servers", len(purged))
        return purged
