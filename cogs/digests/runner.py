"""When digests go out: cron jobs rebuilt from rows, once-only claims, missed-digest catch-up.

The database is the source of truth. Jobs are (re)built from `digest_settings` and
`digest_members` at start-up, after every change made through a command, and by a
periodic resync that notices changes made elsewhere (a digest channel chosen at /setup,
a member's time zone changed in their profile, the bot leaving a server).

Split into shards across processes, each process schedules only its own shards' server
digests (`bot.own_shards`); personal digests and the ledger's pruning belong to no
server and run in the process holding shard 0.

Every run — a cron fire, a second fire of the same minute, a start-up catch-up, a test
calling the job directly — goes through the same path: compute the latest occurrence
from the clock, decide (send, skip, not due), claim the period with one INSERT, and only
then compose and send. Whoever loses the claim sends nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

import discord
from apscheduler.jobstores.base import JobLookupError
from apscheduler.triggers.cron import CronTrigger

from bot import shared_events
from bot.clock import from_epoch, to_epoch
from bot.delivery import ChannelProblemError
from cogs.digests import compose, render, send
from cogs.digests.rules import (
    CATCH_UP_GRACE,
    Cadence,
    Decision,
    Occurrence,
    Schedule,
    decide,
    latest_occurrence,
    usable_timezone,
)
from cogs.digests.send import Delivered
from db import digests, guilds

if TYPE_CHECKING:
    from bot.bot import Entraide
    from db.digests import DigestSettings, MemberDigest

log = logging.getLogger(__name__)

JOB_PREFIX = "digest:"
RESYNC_JOB_ID = "digests:resync"
#: How often rows changed outside this feature's commands are picked up.
RESYNC_INTERVAL = timedelta(minutes=5)
PRUNE_JOB_ID = "digests:prune"
#: Ledger rows older than this are deleted: no occurrence that old can ever be due again
#: (the latest occurrence is at most a week old), so once-only sending does not need them.
RUNS_KEPT = timedelta(days=90)
#: Members' digest schedules worked out between two turns of the event loop (~5 ms).
PLANS_PER_TURN = 500


class Outcome(StrEnum):
    SENT = "sent"
    ALREADY = "already"  # someone (an earlier fire, another process) claimed the period
    SKIPPED = "skipped"  # missed by more than the grace, or nothing to say
    NOT_DUE = "not_due"
    INACTIVE = "inactive"  # switched off, not set up, no channel, unknown
    FAILED = "failed"
    DMS_CLOSED = "dms_closed"


class _UnsentError(Exception):
    """A delivery that ended without a message in a way its scope expects.

    Raised by a scope's `deliver` (a server's channel is unusable, a member's DMs are
    closed, there was nothing to say) so the shared path records it in the run's row.
    """

    def __init__(self, status: str, detail: str, outcome: Outcome) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.outcome = outcome


@dataclass(frozen=True, slots=True)
class Plan:
    """One job: whose digest, on which schedule."""

    scope: str
    owner_id: int
    schedule: Schedule

    @property
    def job_id(self) -> str:
        return job_id(self.scope, self.owner_id, self.schedule.cadence)


def job_id(scope: str, owner_id: int, cadence: str) -> str:
    return f"{JOB_PREFIX}{scope}:{owner_id}:{cadence}"


def server_schedules(settings: DigestSettings) -> list[Schedule]:
    cadences = [
        c for c, on in ((Cadence.DAILY, settings.daily), (Cadence.WEEKLY, settings.weekly)) if on
    ]
    return [
        Schedule(
            cadence,
            settings.send_hour,
            settings.send_minute,
            usable_timezone(settings.effective_timezone),
            settings.weekday,
        )
        for cadence in cadences
    ]


def member_schedule(member: MemberDigest) -> Schedule | None:
    if member.cadence == "off":
        return None
    return Schedule(
        Cadence(member.cadence),
        member.send_hour,
        member.send_minute,
        usable_timezone(member.effective_timezone),
        member.weekday,
    )


def cron_trigger(schedule: Schedule) -> CronTrigger:
    """The cron expression of a schedule, in its own zone (APScheduler handles DST)."""
    day_of_week = str(schedule.weekday) if schedule.cadence is Cadence.WEEKLY else "*"
    return CronTrigger(
        day_of_week=day_of_week,
        hour=schedule.hour,
        minute=schedule.minute,
        second=0,
        timezone=schedule.zone,
    )


#: Members owed a closed-DMs note, as every process knows them (`bot.shared_events`): an
#: event's key is a member who may be owed one (the database's claim decides), None: all.
NOTES_CACHE = "digests.notes"


class DigestRunner:
    """Owns the digest jobs of one bot."""

    def __init__(self, bot: Entraide) -> None:
        self.bot = bot
        self._planned: dict[str, Schedule] = {}
        #: Members owed a "your DMs were closed" note (loaded at start-up, kept in memory
        #: so the check on every command is a set lookup rather than a query).
        self.notes: set[int] = set()

    # -- jobs ---------------------------------------------------------------------------

    def start(self) -> None:
        self.bot.scheduler.add_job(
            self.resync,
            "interval",
            seconds=int(RESYNC_INTERVAL.total_seconds()),
            id=RESYNC_JOB_ID,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
        if not self.bot.own_shards.runs_store_wide:
            return
        self.bot.scheduler.add_job(
            self.prune,
            "interval",
            hours=24,
            id=PRUNE_JOB_ID,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )

    async def prune(self) -> int:
        before = to_epoch(self.bot.clock.now() - RUNS_KEPT)
        return await digests.prune_runs(self.bot.db, before)

    def stop(self) -> None:
        for name in [RESYNC_JOB_ID, PRUNE_JOB_ID, *self._planned]:
            self._remove(name)
        self._planned.clear()

    @property
    def planned(self) -> dict[str, Schedule]:
        """The jobs as this runner last scheduled them (job id → schedule)."""
        return dict(self._planned)

    async def resync(self) -> None:
        """Make the scheduler match the rows, touching only jobs whose schedule changed."""
        now = to_epoch(self.bot.clock.now())
        shards = self.bot.own_shards
        await digests.ensure_defaults(self.bot.db, now, shards)
        plans = [
            Plan(digests.GUILD, s.guild_id, schedule)
            for s in await digests.active_settings(self.bot.db, shards)
            for schedule in server_schedules(s)
        ]
        members = await digests.active_members(self.bot.db) if shards.runs_store_wide else []
        for index, member in enumerate(members, start=1):
            if index % PLANS_PER_TURN == 0:
                await asyncio.sleep(0)  # thousands of members' digests: the loop gets turns
            schedule = member_schedule(member)
            if schedule is not None:
                plans.append(Plan(digests.MEMBER, member.user_id, schedule))
        self._apply(plans, stale=set(self._planned))

    async def resync_guild(self, guild_id: int) -> None:
        """Reschedule one server at once (after /digest setup, or when it left)."""
        settings = await digests.get_settings(self.bot.db, guild_id)
        plans = []
        if settings is not None and settings.active and self.bot.own_shards.owns(guild_id):
            plans = [Plan(digests.GUILD, guild_id, s) for s in server_schedules(settings)]
        self._apply(plans, stale=self._owned(digests.GUILD, guild_id))

    async def resync_member(self, user_id: int) -> None:
        """Reschedule one member's digest, where shard 0 runs.

        Elsewhere it is left to the shard-0 process's next resync.
        """
        member = None
        if self.bot.own_shards.runs_store_wide:
            member = await digests.get_member(self.bot.db, user_id)
        schedule = None if member is None else member_schedule(member)
        plans = [] if schedule is None else [Plan(digests.MEMBER, user_id, schedule)]
        self._apply(plans, stale=self._owned(digests.MEMBER, user_id))

    def drop_guild(self, guild_id: int) -> None:
        """The bot left a server: stop its jobs now rather than at the next resync."""
        self._apply([], stale=self._owned(digests.GUILD, guild_id))

    def _owned(self, scope: str, owner_id: int) -> set[str]:
        return {job_id(scope, owner_id, cadence) for cadence in Cadence}

    def _apply(self, plans: list[Plan], *, stale: set[str]) -> None:
        wanted = {plan.job_id: plan for plan in plans}
        for name in stale - set(wanted):
            if self._planned.pop(name, None) is not None:
                self._remove(name)
        for name, plan in wanted.items():
            if self._planned.get(name) == plan.schedule:
                continue
            try:
                trigger = cron_trigger(plan.schedule)
            except (ValueError, KeyError):
                log.warning("digest %s has an unusable schedule %s", name, plan.schedule)
                continue
            self.bot.scheduler.add_job(
                self._fire,
                trigger,
                args=[plan.scope, plan.owner_id, plan.schedule.cadence.value],
                id=name,
                name=name,
                replace_existing=True,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=int(CATCH_UP_GRACE.total_seconds()),
            )
            self._planned[name] = plan.schedule

    def _remove(self, name: str) -> None:
        with contextlib.suppress(JobLookupError):
            self.bot.scheduler.remove_job(name)

    async def _fire(self, scope: str, owner_id: int, cadence: str) -> None:
        """What APScheduler calls: the run, tracked so shutdown waits for it."""
        await self.bot.spawn(self.run(scope, owner_id, Cadence(cadence)), name=f"digest {scope}")

    # -- runs -------------------------------------------------------------------------------

    async def run(self, scope: str, owner_id: int, cadence: Cadence) -> Outcome:
        if scope == digests.GUILD:
            return await self.run_server(owner_id, cadence)
        return await self.run_member(owner_id, cadence)

    async def catch_up_guild(self, guild_id: int) -> list[Outcome]:
        """At start-up (server available): send a missed digest, or record it skipped."""
        settings = await digests.get_settings(self.bot.db, guild_id)
        if settings is None or not settings.active:
            return []
        return [await self.run_server(guild_id, s.cadence) for s in server_schedules(settings)]

    async def catch_up_members(self) -> list[Outcome]:
        outcomes: list[Outcome] = []
        if not self.bot.own_shards.runs_store_wide:
            return outcomes
        for member in await digests.active_members(self.bot.db):
            outcomes.append(await self.run_member(member.user_id, Cadence(member.cadence)))
        return outcomes

    async def _claim(
        self, scope: str, owner_id: int, occurrence: Occurrence, since: int
    ) -> tuple[int | None, Outcome | None]:
        """Decide about the latest occurrence and claim it: (run id, or why not)."""
        now = self.bot.clock.now()
        decision = decide(occurrence, now, from_epoch(since))
        if decision is Decision.NOT_DUE:
            return None, Outcome.NOT_DUE
        key = digests.RunKey(
            scope,
            owner_id,
            occurrence.cadence.value,
            occurrence.period_key,
            to_epoch(occurrence.due_at),
        )
        if decision is Decision.SKIP:
            late = int((now - occurrence.due_at).total_seconds())
            recorded = await digests.record_skipped(self.bot.db, key, to_epoch(now), f"late:{late}")
            if recorded:
                log.info(
                    "%s %s digest %s skipped: %s s late", scope, owner_id, key.period_key, late
                )
            return None, Outcome.SKIPPED if recorded else Outcome.ALREADY
        run_id = await digests.claim(self.bot.db, key, to_epoch(now))
        return run_id, None if run_id is not None else Outcome.ALREADY

    async def run_server(self, guild_id: int, cadence: Cadence) -> Outcome:
        """The server digest job: claim the due period, compose it, post it."""
        cadence = Cadence(cadence)
        settings = await digests.get_settings(self.bot.db, guild_id)
        if settings is None or not settings.active:
            return Outcome.INACTIVE
        schedule = next((s for s in server_schedules(settings) if s.cadence == cadence), None)
        if schedule is None:
            return Outcome.INACTIVE

        async def post(occurrence: Occurrence) -> Delivered:
            try:
                server = await guilds.get(self.bot.db, guild_id)
                content = await compose.compose_server_digest(
                    self.bot, guild_id, occurrence, settings=settings
                )
                layout = render.render_server(content, server.locale)
                return await send.post_server(self.bot, guild_id, layout)
            except ChannelProblemError as exc:
                log.warning(
                    "guild %s digest %s not posted: %s", guild_id, occurrence.period_key, exc.reason
                )
                raise _UnsentError("failed", exc.reason, Outcome.FAILED) from exc

        return await self._send_due(
            digests.GUILD, guild_id, schedule, settings.schedule_since, post
        )

    async def run_member(self, user_id: int, cadence: Cadence) -> Outcome:
        """The personal digest job: claim, compose, DM; closed DMs switch it off."""
        cadence = Cadence(cadence)
        member = await digests.get_member(self.bot.db, user_id)
        schedule = None if member is None else member_schedule(member)
        if member is None or schedule is None or schedule.cadence != cadence:
            return Outcome.INACTIVE
        locale = member.effective_locale

        async def dm(occurrence: Occurrence) -> Delivered:
            try:
                content = await compose.compose_member_digest(self.bot, user_id, occurrence)
                if content.is_empty:
                    raise _UnsentError("skipped", "empty", Outcome.SKIPPED)
                layout = render.render_member(content, locale)
                return await send.send_dm(self.bot, user_id, layout)
            except discord.Forbidden as exc:
                raise _UnsentError("failed", "dms_closed", Outcome.DMS_CLOSED) from exc

        outcome = await self._send_due(digests.MEMBER, user_id, schedule, member.schedule_since, dm)
        if outcome is Outcome.DMS_CLOSED:
            await self.dms_closed(user_id)
        return outcome

    async def _send_due(
        self,
        scope: str,
        owner_id: int,
        schedule: Schedule,
        since: int,
        deliver: Callable[[Occurrence], Awaitable[Delivered]],
    ) -> Outcome:
        """One job's path for either scope: claim the latest occurrence, deliver, record.

        The run's row says how it ended (sent, skipped, failed and why), whatever
        `deliver` raised; `_UnsentError` is how a scope reports an ending of its own.
        """
        occurrence = latest_occurrence(schedule, self.bot.clock.now())
        run_id, outcome = await self._claim(scope, owner_id, occurrence, since)
        if run_id is None:
            return outcome or Outcome.ALREADY
        now = to_epoch(self.bot.clock.now())
        try:
            delivered = await deliver(occurrence)
        except _UnsentError as unsent:
            await digests.finish(self.bot.db, run_id, unsent.status, now, detail=unsent.detail)
            return unsent.outcome
        except discord.HTTPException as exc:
            await digests.finish(self.bot.db, run_id, "failed", now, detail=f"http:{exc.status}")
            log.warning("%s %s digest %s failed: %s", scope, owner_id, occurrence.period_key, exc)
            return Outcome.FAILED
        except Exception:
            await digests.finish(self.bot.db, run_id, "failed", now, detail="error")
            log.exception("%s %s digest %s crashed", scope, owner_id, occurrence.period_key)
            return Outcome.FAILED
        await digests.finish(
            self.bot.db,
            run_id,
            "sent",
            to_epoch(self.bot.clock.now()),
            channel_id=delivered.channel_id,
            message_id=delivered.message_id,
        )
        return Outcome.SENT

    async def dms_closed(self, user_id: int) -> None:
        """Switch the member's digest off and leave the note their next command shows."""
        await digests.dms_closed(self.bot.db, user_id, to_epoch(self.bot.clock.now()))
        self.notes.add(user_id)
        # The member's next command may reach another process: it learns of the note too.
        shared_events.cache_changed(self.bot, NOTES_CACHE, user_id)
        await self.resync_member(user_id)
        log.info("member %s has DMs closed; personal digest switched off", user_id)
