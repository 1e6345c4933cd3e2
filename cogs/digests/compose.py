"""Composing a digest: what happened in a period, read through SQL aggregates.

`compose_server_digest` is what the benchmark times: a handful of indexed range queries
(one per section that is switched on), no row-by-row work in Python.

Given the bot, the tasks a digest lists are only those its readers can see
(`cogs.digests.sight`). Given only the database (a benchmark, a query-plan test), nobody's
roles can be read, so no task is listed: a digest never shows an unfiltered list.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.clock import to_epoch
from cogs.alerts.rules import AlertFacts, Filters, matches
from cogs.digests.content import (
    CurrencyMedian,
    EarningsSummary,
    GoalProgressLine,
    MemberDigest,
    RequesterLine,
    ServerDigest,
    Sharer,
    TaskLine,
    WageLine,
)
from cogs.digests.rules import ALL_SECTIONS, Cadence, Occurrence, Section, work_dates
from cogs.digests.sight import MemberSight, ReadersSight
from cogs.earnings import community
from cogs.earnings import summary as summaries
from cogs.earnings.maths import goal_progress, progress_bar
from cogs.earnings.rules import Period
from cogs.earnings.stats import K_ANONYMITY
from cogs.tasks.eligibility import Limits, is_eligible
from db import digests, earnings, members
from db.tasks import jump_url

if TYPE_CHECKING:
    from bot.bot import Entraide
    from db.connection import Database
    from db.digests import AlertRow, DigestSettings
    from db.subscriptions import Subscription

BEST_TASKS = 10
#: The best tasks read, in pages of BEST_TASKS, to find BEST_TASKS its readers can see.
BEST_CANDIDATES = 100
TOP_SHARERS = 5
REQUESTER_LINES = 15
#: Currencies whose median hourly the digest lists; the others are counted.
MEDIAN_LINES = 5
#: Lines kept for cautions however many new scams there are: a wave of scams never hides
#: every caution.
CAUTION_LINES = 5
WAGE_LINES = 8
MISSED_TASKS = 10
#: Candidate tasks matched against a member's subscriptions between two loop turns.
MATCHES_PER_TURN = 256


def task_line(row: AlertRow) -> TaskLine:
    return TaskLine(
        alert_id=row.id,
        title=row.title,
        platform=row.platform,
        reward_cents=row.reward_cents,
        currency=row.currency,
        minutes=row.minutes,
        hourly_cents=row.hourly_cents,
        live=row.state == "live",
        warning=row.warning,
        jump_url=jump_url(row.guild_id, row.channel_id, row.message_id),
        requester_status=row.requester_status
        if row.requester_status in ("caution", "scam")
        else None,
    )


def _database(source: Any) -> Database:
    """Accept the bot or its database, so the benchmark can call composition alone."""
    return getattr(source, "db", source)


def _bot(source: Any) -> Entraide | None:
    """The bot, when given it: only the bot can tell who sees which channel."""
    return source if hasattr(source, "get_guild") and hasattr(source, "db") else None


async def best_seen(
    db: Database, guild_id: int, start: int, end: int, sees: Callable[[AlertRow], bool]
) -> tuple[tuple[TaskLine, ...], int]:
    """The period's best tasks that `sees` lets through, and how many it left out.

    In the order `best_alerts` ranks them. One page is enough when every task is in a
    channel the readers see (the usual case); otherwise further pages are read, up to
    BEST_CANDIDATES tasks.
    """
    found: list[TaskLine] = []
    left_out = 0
    for offset in range(0, BEST_CANDIDATES, BEST_TASKS):
        rows = await digests.best_alerts(db, guild_id, start, end, BEST_TASKS, offset=offset)
        for row in rows:
            if sees(row):
                found.append(task_line(row))
            else:
                left_out += 1
        if len(found) >= BEST_TASKS or len(rows) < BEST_TASKS:
            break
    return tuple(found[:BEST_TASKS]), left_out


@dataclass(frozen=True, slots=True)
class Window:
    """The instants a digest covers, and the member-dated days its earnings cover."""

    start: int
    end: int
    cadence: Cadence
    local_date: date
    first_day: date
    last_day: date


def window_of(period: Occurrence | tuple[datetime, datetime]) -> Window:
    """Resolve an occurrence, or a raw (start, end) pair for ad-hoc calls (benchmarks)."""
    if isinstance(period, Occurrence):
        first, last = work_dates(period)
        return Window(
            to_epoch(period.window_start),
            to_epoch(period.window_end),
            period.cadence,
            period.local_date,
            first,
            last,
        )
    start, end = period
    days = (end - start).total_seconds() / 86_400
    cadence = Cadence.WEEKLY if days > 2 else Cadence.DAILY
    last = (end - timedelta(seconds=1)).astimezone(UTC).date()
    first = start.astimezone(UTC).date()
    return Window(to_epoch(start), to_epoch(end), cadence, end.astimezone(UTC).date(), first, last)


async def compose_server_digest(
    source: Any,
    guild_id: int,
    period: Occurrence | tuple[datetime, datetime],
    *,
    settings: DigestSettings | None = None,
) -> ServerDigest:
    """What a server's digest says for `period` (an occurrence, or a (start, end) pair).

    `settings` may be passed by a caller that already read them; otherwise they are
    read here (one query). The best tasks are those everyone reading the digest channel
    can see (`ReadersSight`); none without the bot. Counts, medians and thanks cover
    every task shared in the server: they name no task.
    """
    db = _database(source)
    bot = _bot(source)
    window = window_of(period)
    start, end = window.start, window.end
    if settings is None:
        settings = await digests.get_settings(db, guild_id)
    hidden = settings.hidden_sections if settings is not None else frozenset()
    sections = frozenset(s for s in ALL_SECTIONS if s.value not in hidden)

    best: tuple[TaskLine, ...] = ()
    left_out = 0
    medians: tuple[CurrencyMedian, ...] = ()
    shared = 0
    cautions: tuple[RequesterLine, ...] = ()
    scams: tuple[RequesterLine, ...] = ()
    more_scams = more_cautions = more_currencies = 0
    opened = closed = 0
    sharers: tuple[Sharer, ...] = ()
    if Section.BEST_TASKS in sections and bot is not None:
        readers = ReadersSight(bot, guild_id, settings.channel_id if settings else None)
        await readers.load()
        best, left_out = await best_seen(db, guild_id, start, end, readers)
    if Section.STATS in sections:
        counts, shared, more_currencies = await digests.shared_medians(
            db, guild_id, start, end, currencies=MEDIAN_LINES
        )
        medians = tuple(CurrencyMedian(c.currency, c.count, c.median_hourly_cents) for c in counts)
    if Section.REQUESTERS in sections:
        found = {
            status: [
                RequesterLine(
                    c.requester_id, c.name, c.platform, c.status, c.reason, c.source == "reports"
                )
                for c in await digests.status_changes(
                    db, start, end, REQUESTER_LINES, status=status
                )
            ]
            for status in ("scam", "caution")
        }
        caution_room = max(CAUTION_LINES, REQUESTER_LINES - len(found["scam"]))
        cautions = tuple(found["caution"][:caution_room])
        scams = tuple(found["scam"][: REQUESTER_LINES - len(cautions)])
        totals = await digests.status_change_counts(db, start, end)
        more_scams = max(0, totals.get("scam", 0) - len(scams))
        more_cautions = max(0, totals.get("caution", 0) - len(cautions))
    if Section.REPORTS in sections:
        opened, closed = await digests.report_counts(db, guild_id, start, end)
    wages: tuple[WageLine, ...] = ()
    if Section.WAGES in sections:
        stats = await community.snapshot(
            db, guild_id, window.first_day, window.last_day, datetime.fromtimestamp(end, UTC)
        )
        wages = tuple(stats[:WAGE_LINES])
    if Section.THANKS in sections:
        top = await digests.top_sharers(db, guild_id, start, end, TOP_SHARERS)
        sharers = tuple(Sharer(user_id, count) for user_id, count in top)
    return ServerDigest(
        guild_id=guild_id,
        cadence=window.cadence,
        local_date=window.local_date,
        window_start=datetime.fromtimestamp(start, UTC),
        window_end=datetime.fromtimestamp(end, UTC),
        sections=sections,
        best_tasks=best,
        best_left_out=left_out,
        shared_count=shared,
        medians=medians,
        cautions=cautions,
        scams=scams,
        more_currencies=more_currencies,
        more_scams=more_scams,
        more_cautions=more_cautions,
        reports_opened=opened,
        reports_closed=closed,
        wages=wages,
        wage_floor=K_ANONYMITY,
        sharers=sharers,
    )


def _filters(sub: Subscription) -> Filters:
    """A subscription's filters; its currency counts only with a money threshold."""
    filters = Filters.copied_from(sub)
    return filters if filters.has_money else replace(filters, currency=None)


def _facts(row: AlertRow) -> AlertFacts:
    return AlertFacts(
        alert_id=row.id,
        guild_id=row.guild_id,
        platform=row.platform,
        title=row.title,
        reward_cents=row.reward_cents,
        currency=row.currency,
        hourly_cents=row.hourly_cents,
        sharer_id=row.sharer_id,
        notes=row.notes,
        requester_name=row.requester_name,
        requester_platform_id=row.platform_requester_id,
        countries=row.country_set,
        qualifications=row.qualification_set,
        warning=row.warning,
    )


async def missed_tasks(
    db: Database, user_id: int, start: int, end: int, sight: MemberSight
) -> tuple[TaskLine, ...]:
    """Tasks matching the member's subscriptions, that they can take, see and never touched.

    The same matching rules as the live alerts (`cogs.alerts.rules.matches`), the same
    eligibility rule (`cogs.tasks.eligibility`) and the same sight (`sight`: the member's
    roles and overwrites in the task's channel), so the digest never suggests a task the
    alerts would have filtered out, nor names one posted where the member cannot look.
    Only servers the member is still in are read (`bot.membership`): one they left while
    the bot was offline is never shown, even before its subscriptions are forgotten.
    """
    subscriptions = await digests.member_subscriptions(db, user_id)
    if not subscriptions:
        return ()
    by_guild: dict[int, list[Filters]] = {}
    for sub in subscriptions:
        by_guild.setdefault(sub.guild_id, []).append(_filters(sub))
    present = await sight.present_in(sorted(by_guild))
    by_guild = {g: f for g, f in by_guild.items() if g in present}
    if not by_guild:
        return ()
    rows = await digests.unseen_alerts(db, user_id, sorted(by_guild), start, end)
    if not rows:
        return ()
    await sight.load(by_guild)
    prefs = await members.get(db, user_id)
    found: list[TaskLine] = []
    for index, row in enumerate(rows, start=1):
        if index % MATCHES_PER_TURN == 0:
            await asyncio.sleep(0)  # up to MISSED_CANDIDATES rows: the loop gets turns
        facts = _facts(row)
        if not any(matches(f, facts) for f in by_guild.get(row.guild_id, [])):
            continue
        limits = Limits(row.country_set, row.qualification_set)
        if not is_eligible(limits, prefs.country, prefs.qualifications):
            continue
        if not sight(row):
            continue
        found.append(task_line(row))
    return tuple(found)  # every match: the digest lists MISSED_TASKS and counts the rest


async def compose_member_digest(
    source: Any, user_id: int, period: Occurrence | tuple[datetime, datetime]
) -> MemberDigest:
    """A member's personal digest: their own earnings, goal, and tasks they may have missed.

    The tasks need the bot (not only its database): they come only from servers the
    member is still in, from channels they can see (`missed_tasks`). Given the database
    alone, none is listed.

    Earnings come from the earnings feature's own summary (the same figures /earnings
    summary shows); nothing of anyone else's is read.
    """
    db = _database(source)
    window = window_of(period)
    summary = await summaries.summary(
        db, user_id, Period("custom", window.first_day, window.last_day), top=0
    )
    lines = tuple(
        EarningsSummary(
            currency=total.currency,
            entries=total.entries,
            earned_cents=total.earned,
            minutes=int(total.time),
            paid_hourly_cents=total.paid_hourly,
            effective_hourly_cents=total.effective_hourly,
        )
        for total in summary.currencies
    )
    goals: tuple[GoalProgressLine, ...] = ()
    context = await earnings.context(db, user_id, None)
    if context.goal is not None:
        goal_cents, currency = context.goal
        progress = goal_progress(summary, window.last_day, goal_cents, currency)
        if progress.days_worked:
            goals = (
                GoalProgressLine(
                    goal_cents=goal_cents,
                    currency=currency,
                    days_met=progress.days_met,
                    days_worked=progress.days_worked,
                    last_day_cents=progress.today_cents,
                    percent=progress.percent,
                    bar=progress_bar(progress.percent),
                ),
            )
    bot = _bot(source)
    all_missed = (
        await missed_tasks(db, user_id, window.start, window.end, MemberSight(bot, user_id))
        if bot is not None
        else ()
    )
    missed = all_missed[:MISSED_TASKS]
    return MemberDigest(
        user_id=user_id,
        cadence=window.cadence,
        local_date=window.local_date,
        window_start=datetime.fromtimestamp(window.start, UTC),
        window_end=datetime.fromtimestamp(window.end, UTC),
        earnings=lines,
        goals=goals,
        missed=missed,
        more_missed=len(all_missed) - len(missed),
    )
