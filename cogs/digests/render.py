"""Turning digest content into text blocks, then into embeds that fit Discord.

Member-written text (task titles, requester names, reasons) always goes through
`safe_text`; tasks with a content warning are marked and their titles spoilered; links
point at the alerts in the server, never at a member-supplied URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.clock import to_epoch
from bot.i18n import (
    format_date,
    format_duration_minutes,
    format_money,
    format_number,
    t,
)
from bot.ui import Colours, listed_title, safe_text
from cogs.digests.content import (
    EarningsSummary,
    GoalProgressLine,
    MemberDigest,
    RequesterLine,
    ServerDigest,
    TaskLine,
    WageLine,
)
from cogs.digests.layout import Block, EmbedSpec, FieldSpec, paginate
from cogs.digests.rules import Cadence, Section
from cogs.earnings.stats import band_text

TITLE_CHARS = 120
NAME_CHARS = 80
REASON_CHARS = 160


@dataclass(frozen=True, slots=True)
class Rendered:
    """A digest ready to send: messages of embeds, and the title of its forum post."""

    messages: list[list[EmbedSpec]]
    title: str


def stamp(when: datetime, style: str = "f") -> str:
    """A Discord timestamp: every reader sees it in their own zone and language."""
    return f"<t:{to_epoch(when)}:{style}>"


def hourly(cents: int, currency: str, locale: str) -> str:
    return t("digests.money.hourly", locale, amount=format_money(cents, currency, locale))


def task_line(index: int, task: TaskLine, locale: str) -> str:
    """`**1.** [Title](alert) — $12.00/h · $1.50 · 8 min · Prolific · 🟢 live`."""
    linked = listed_title(
        task.title, warning=task.warning, url=task.jump_url, locale=locale, limit=TITLE_CHARS
    )
    if task.requester_status:
        # A flagged requester's task carries its warning here too, first.
        linked = f"{t(f'digests.task.requester_{task.requester_status}', locale)} {linked}"
    facts = " · ".join(
        [
            f"**{hourly(task.hourly_cents, task.currency, locale)}**",
            format_money(task.reward_cents, task.currency, locale),
            format_duration_minutes(task.minutes, locale),
            safe_text(task.platform, 30),
            t("digests.task.live" if task.live else "digests.task.ended", locale),
        ]
    )
    return f"**{index}.** {linked} — {facts}"


def requester_reason(line: RequesterLine, locale: str) -> str:
    if line.reason:
        return safe_text(line.reason, REASON_CHARS)
    key = "digests.server.from_reports" if line.from_reports else "digests.server.no_reason"
    return t(key, locale)


def covering(start: datetime, end: datetime, locale: str) -> str:
    return t("digests.common.covering", locale, start=stamp(start), end=stamp(end))


def _title(kind: str, cadence: Cadence, day: date, locale: str) -> str:
    return t(f"digests.{kind}.title_{cadence.value}", locale, date=format_date(day, locale, "full"))


def more_lines(locale: str, **cut: int) -> tuple[str, ...]:
    """`…and 3 more confirmed scams`: one line per kind cut from a list, then where to look."""
    lines = tuple(
        t(f"digests.server.more_{kind}", locale, count=count)
        for kind, count in cut.items()
        if count
    )
    return (*lines, t("digests.server.more_where", locale)) if lines else ()


def render_server(content: ServerDigest, locale: str) -> Rendered:
    """The public digest, in the server's language."""
    title = _title("server", content.cadence, content.local_date, locale)
    fields: list[FieldSpec] = []
    if Section.STATS in content.sections:
        fields.append(
            FieldSpec(
                t("digests.server.shared", locale), format_number(content.shared_count, locale)
            )
        )
        medians = [
            t(
                "digests.server.median_line",
                locale,
                hourly=hourly(m.median_hourly_cents, m.currency, locale),
                count=m.count,
            )
            for m in content.medians
        ]
        if content.more_currencies:
            medians.append(
                t("digests.server.more_currencies", locale, count=content.more_currencies)
            )
        fields.append(
            FieldSpec(
                t("digests.server.median", locale),
                "\n".join(medians) or t("digests.server.no_median", locale),
            )
        )
    if Section.REPORTS in content.sections:
        fields.append(
            FieldSpec(
                t("digests.server.reports", locale),
                t(
                    "digests.server.reports_value",
                    locale,
                    opened=format_number(content.reports_opened, locale),
                    closed=format_number(content.reports_closed, locale),
                ),
            )
        )
    blocks = [
        Block(
            title,
            (covering(content.window_start, content.window_end, locale),),
            Colours.INFO.value,
            tuple(fields),
        )
    ]
    if Section.BEST_TASKS in content.sections:
        lines = tuple(task_line(i, task, locale) for i, task in enumerate(content.best_tasks, 1))
        # Tasks were shared, but where some of this channel's readers cannot look: saying
        # "none were shared" would contradict the count above.
        empty = (
            "digests.server.no_tasks_seen" if content.best_left_out else "digests.server.no_tasks"
        )
        blocks.append(
            Block(
                t("digests.server.best_tasks", locale),
                lines or (t(empty, locale),),
                Colours.GOOD.value,
            )
        )
    if Section.REQUESTERS in content.sections:
        lines = tuple(
            t(
                f"digests.server.requester_{line.status}",
                locale,
                name=safe_text(line.name, NAME_CHARS),
                platform=safe_text(line.platform, 30),
                reason=requester_reason(line, locale),
            )
            for line in (*content.scams, *content.cautions)
        ) + more_lines(
            locale,
            scams=content.more_scams,
            cautions=content.more_cautions,
        )
        colour = (
            Colours.BAD if content.scams else Colours.FAIR if content.cautions else Colours.MUTED
        )
        blocks.append(
            Block(
                t("digests.server.requesters", locale),
                lines or (t("digests.server.no_requesters", locale),),
                colour.value,
            )
        )
    if Section.WAGES in content.sections:
        blocks.append(
            Block(
                t("digests.server.wages", locale),
                tuple(wage_line(w, locale) for w in content.wages)
                or (t("digests.server.no_wages", locale, floor=content.wage_floor),),
                Colours.INFO.value,
            )
        )
    if Section.THANKS in content.sections and content.sharers:
        thanks = t(
            "digests.server.thanks_line",
            locale,
            names=", ".join(
                t("digests.server.sharer", locale, mention=f"<@{s.user_id}>", count=s.shared)
                for s in content.sharers
            ),
        )
        blocks.append(Block(t("digests.server.thanks", locale), (thanks,), Colours.GOOD.value))
    messages = paginate(
        blocks,
        continued=t("digests.common.continued", locale),
        footer=t("digests.server.footer", locale),
    )
    return Rendered(messages, title)


def wage_line(wage: WageLine, locale: str) -> str:
    return t(
        "digests.server.wage_line",
        locale,
        platform=safe_text(wage.platform, 30) or t("digests.server.any_platform", locale),
        median=hourly(wage.median_cents, wage.currency, locale),
        low=format_money(wage.q1_cents, wage.currency, locale),
        high=format_money(wage.q3_cents, wage.currency, locale),
        members=band_text(wage.members, lambda n: format_number(n, locale)),
    )


def earnings_line(summary: EarningsSummary, locale: str) -> str:
    money = {
        "earned": format_money(summary.earned_cents, summary.currency, locale),
        "worked": format_duration_minutes(summary.minutes, locale),
    }
    paid = (
        hourly(summary.paid_hourly_cents, summary.currency, locale)
        if summary.paid_hourly_cents is not None
        else t("digests.member.no_rate", locale)
    )
    effective = (
        hourly(summary.effective_hourly_cents, summary.currency, locale)
        if summary.effective_hourly_cents is not None
        else t("digests.member.no_rate", locale)
    )
    return t(
        "digests.member.earnings_line",
        locale,
        paid=paid,
        effective=effective,
        count=summary.entries,
        **money,
    )


def goal_line(goal: GoalProgressLine, locale: str) -> str:
    return t(
        "digests.member.goal_line",
        locale,
        goal=format_money(goal.goal_cents, goal.currency, locale),
        met=goal.days_met,
        count=goal.days_worked,
        last=format_money(goal.last_day_cents, goal.currency, locale),
        percent=goal.percent,
        bar=goal.bar,
    )


def render_member(content: MemberDigest, locale: str) -> Rendered:
    """A member's personal digest, in their language."""
    title = _title("member", content.cadence, content.local_date, locale)
    blocks = [
        Block(
            title,
            (covering(content.window_start, content.window_end, locale),),
            Colours.INFO.value,
        )
    ]
    earnings = [earnings_line(e, locale) for e in content.earnings]
    earnings += [goal_line(g, locale) for g in content.goals]
    blocks.append(
        Block(
            t("digests.member.earnings", locale),
            tuple(earnings) or (t("digests.member.no_earnings", locale),),
            Colours.GOOD.value,
        )
    )
    if content.missed:
        blocks.append(
            Block(
                t("digests.member.missed", locale),
                tuple(task_line(i, task, locale) for i, task in enumerate(content.missed, 1))
                + (
                    (t("digests.member.more_missed", locale, count=content.more_missed),)
                    if content.more_missed
                    else ()
                ),
                Colours.FAIR.value,
            )
        )
    messages = paginate(
        blocks,
        continued=t("digests.common.continued", locale),
        footer=t("digests.member.footer", locale),
    )
    return Rendered(messages, title)
