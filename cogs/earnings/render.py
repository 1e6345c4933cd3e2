"""What a member sees of their earnings: entry cards, summaries, community statistics.

Every string comes from the catalogs in the reader's language, money is formatted with
Babel, and member-written text (platform, requester, title) goes through `safe_text`.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import discord

from bot.i18n import format_date, format_duration_minutes, format_money, format_number, t
from bot.ui import FIELD_VALUE_LIMIT, Colours, safe_text, truncate
from cogs.earnings.maths import (
    GoalProgress,
    Summary,
    Totals,
    progress_bar,
    rate,
    round_half_up,
)
from cogs.earnings.rules import STATUSES, Period
from cogs.earnings.stats import PlatformHourly, band_text
from db.earnings import Entry, MemberContext

STATUS_COLOURS = {
    "approved": Colours.GOOD,
    "pending": Colours.WARNING,
    "rejected": Colours.BAD,
    "returned": Colours.MUTED,
}


def money(cents: int, currency: str, locale: str) -> str:
    return format_money(cents, currency, locale)


def per_hour(cents: int | None, currency: str, locale: str) -> str:
    if cents is None:
        return "—"
    return t("earnings.common.per_hour", locale, amount=money(cents, currency, locale))


def duration(minutes: int | float, locale: str) -> str:
    return format_duration_minutes(minutes, locale)


def status_label(status: str | None, locale: str) -> str:
    return t(f"earnings.status.{status}", locale) if status else ""


def reason_label(reason: str | None, locale: str) -> str:
    return t(f"earnings.reason.{reason or 'other'}", locale)


def period_label(period: Period, locale: str) -> str:
    name = t(f"earnings.period.{period.name}", locale)
    if period.start == period.end:
        return t(
            "earnings.summary.period_one", locale, name=name, day=format_date(period.start, locale)
        )
    return t(
        "earnings.summary.period_range",
        locale,
        name=name,
        start=format_date(period.start, locale),
        end=format_date(period.end, locale),
    )


# -- entries ----------------------------------------------------------------------------------


def entry_line(e: Entry, locale: str, *, plain: bool = False) -> str:
    """One line per entry in lists (`#12 · 26 Nov · MTurk · Acme — $1.50 · 10 min · pending`).

    `plain` leaves markdown unescaped, for places that do not render it (autocomplete).
    """

    def show(text: str | None, limit: int) -> str:
        return truncate(text or "", limit) if plain else safe_text(text, limit)

    day = format_date(date.fromisoformat(e.work_date), locale, "short")
    parts = [f"#{e.number}", day]
    if e.kind == "unpaid":
        parts.append(t("earnings.kind.unpaid", locale) + " · " + reason_label(e.reason, locale))
        if e.platform:
            parts.append(show(e.platform, 40))
        return " · ".join(parts) + f" — {duration(e.minutes or 0, locale)}"
    parts.append(show(e.platform, 40))
    if e.requester_name:
        parts.append(show(e.requester_name, 40))
    if e.kind == "bonus":
        parts.append(t("earnings.kind.bonus", locale))
    tail = [money(e.amount_cents, e.currency or "USD", locale)]
    if e.minutes:
        tail.append(duration(e.minutes, locale))
    tail.append(status_label(e.status, locale))
    return " · ".join(parts) + " — " + " · ".join(tail)


def entry_card(e: Entry, locale: str, *, note: str | None = None) -> discord.Embed:
    """The private confirmation of one entry."""
    if e.kind == "unpaid":
        embed = discord.Embed(
            title=t("earnings.entry.unpaid_title", locale, number=e.number),
            colour=Colours.INFO,
        )
        embed.add_field(
            name=t("earnings.entry.time", locale), value=duration(e.minutes or 0, locale)
        )
        embed.add_field(
            name=t("earnings.entry.reason", locale), value=reason_label(e.reason, locale)
        )
        if e.platform:
            embed.add_field(
                name=t("earnings.entry.platform", locale), value=safe_text(e.platform, 40)
            )
    else:
        key = "earnings.entry.bonus_title" if e.kind == "bonus" else "earnings.entry.title"
        embed = discord.Embed(
            title=t(key, locale, number=e.number),
            colour=STATUS_COLOURS.get(e.status or "", Colours.INFO),
        )
        currency = e.currency or "USD"
        embed.add_field(
            name=t("earnings.entry.amount", locale), value=money(e.amount_cents, currency, locale)
        )
        if e.minutes:
            embed.add_field(
                name=t("earnings.entry.time", locale), value=duration(e.minutes, locale)
            )
            embed.add_field(
                name=t("earnings.entry.hourly", locale),
                value=per_hour(rate(e.amount_cents, e.minutes), currency, locale),
            )
        elif e.minutes is None:
            embed.add_field(
                name=t("earnings.entry.time", locale), value=t("earnings.entry.untimed", locale)
            )
        embed.add_field(
            name=t("earnings.entry.status", locale), value=status_label(e.status, locale)
        )
        embed.add_field(name=t("earnings.entry.platform", locale), value=safe_text(e.platform, 40))
        if e.requester_name:
            embed.add_field(
                name=t("earnings.entry.requester", locale), value=safe_text(e.requester_name, 100)
            )
        if e.title:
            embed.add_field(
                name=t("earnings.entry.task", locale), value=safe_text(e.title, 256), inline=False
            )
    embed.add_field(
        name=t("earnings.entry.date", locale),
        value=format_date(date.fromisoformat(e.work_date), locale),
    )
    if note:
        embed.description = note
    embed.set_footer(text=t("earnings.common.private_footer", locale))
    return embed


def deleted_card(e: Entry, locale: str) -> discord.Embed:
    return discord.Embed(
        title=t("earnings.entry.deleted_title", locale, number=e.number),
        description=entry_line(e, locale),
        colour=Colours.MUTED,
    )


def other_statuses(e: Entry) -> list[str]:
    return [s for s in STATUSES if s != e.status] if e.kind != "unpaid" else []


# -- summary --------------------------------------------------------------------------------------


def _money_lines(totals: Totals, locale: str) -> str:
    c = totals.currency
    lines = [
        t("earnings.summary.approved", locale, amount=money(totals.approved, c, locale)),
        t("earnings.summary.pending", locale, amount=money(totals.pending, c, locale)),
    ]
    lost = (
        ("rejected", totals.rejected, totals.rejected_count),
        ("returned", totals.returned, totals.returned_count),
    )
    for status, amount, count in lost:
        if count:
            key = f"earnings.summary.{status}"
            lines.append(t(key, locale, amount=money(amount, c, locale), count=count))
    if totals.bonus:
        lines.append(t("earnings.summary.bonus", locale, amount=money(totals.bonus, c, locale)))
    return "\n".join(lines)


def _hourly_lines(totals: Totals, wage: tuple[int, str], locale: str) -> tuple[str, bool | None]:
    """Paid and effective hourly, against the minimum wage when in the same currency.

    Returns the text and whether the effective hourly is at least the minimum wage
    (None when it cannot be compared).
    """
    c = totals.currency
    paid, effective = totals.paid_hourly, totals.effective_hourly
    lines = [
        t("earnings.summary.paid_hourly", locale, rate=per_hour(paid, c, locale)),
        t("earnings.summary.effective_hourly", locale, rate=per_hour(effective, c, locale)),
    ]
    wage_cents, wage_currency = wage
    verdict: bool | None = None
    if wage_currency != c:
        lines.append(t("earnings.summary.wage_other_currency", locale, currency=wage_currency))
    elif effective is not None and wage_cents > 0:
        verdict = effective >= wage_cents
        share = round_half_up(Fraction(effective * 100, wage_cents))
        key = "earnings.summary.above_wage" if verdict else "earnings.summary.below_wage"
        lines.append(
            t(key, locale, wage=per_hour(wage_cents, wage_currency, locale), percent=share)
        )
        if paid is not None and paid >= wage_cents > effective:
            lines.append(t("earnings.summary.unpaid_pulls_down", locale))
    return "\n".join(lines), verdict


def summary_embed(
    summary: Summary,
    ctx: MemberContext,
    locale: str,
    *,
    goal: GoalProgress | None = None,
) -> discord.Embed:
    """The member's private summary for a period."""
    title = t("earnings.summary.title", locale, period=period_label(summary.period, locale))
    if summary.is_empty:
        embed = discord.Embed(
            title=title, description=t("earnings.summary.empty", locale), colour=Colours.MUTED
        )
        embed.set_footer(text=t("earnings.common.private_footer", locale))
        return embed
    wage = ctx.wage
    embed = discord.Embed(
        title=title,
        description=t(
            "earnings.summary.settings_line",
            locale,
            timezone=ctx.timezone,
            wage=per_hour(wage[0], wage[1], locale),
        ),
    )
    verdicts: list[bool] = []
    several = len(summary.currencies) > 1
    for totals in summary.currencies:
        suffix = f" ({totals.currency})" if several else ""
        embed.add_field(
            name=t("earnings.summary.money", locale) + suffix,
            value=_money_lines(totals, locale),
        )
        text, verdict = _hourly_lines(totals, wage, locale)
        embed.add_field(name=t("earnings.summary.hourly", locale) + suffix, value=text)
        if verdict is not None:
            verdicts.append(verdict)
    embed.add_field(
        name=t("earnings.summary.time", locale), value=_time_lines(summary, locale), inline=False
    )
    if summary.platforms:
        lines = [
            t(
                "earnings.summary.platform_line",
                locale,
                platform=safe_text(line.label, 40),
                earned=money(line.earned, line.currency, locale),
                time=duration(line.minutes, locale),
                rate=per_hour(line.hourly, line.currency, locale),
            )
            for line in summary.platforms
        ]
        embed.add_field(
            name=t("earnings.summary.platforms", locale),
            value=_fit_lines(lines, locale),
            inline=False,
        )
    if summary.requesters:
        lines = []
        for line in summary.requesters:
            text = t(
                "earnings.summary.requester_line",
                locale,
                requester=safe_text(line.label, 60),
                platform=safe_text(line.platform, 40),
                earned=money(line.earned, line.currency, locale),
                rate=per_hour(line.hourly, line.currency, locale),
            )
            if line.lost_count:
                text += " · " + t("earnings.summary.requester_lost", locale, count=line.lost_count)
            lines.append(text)
        embed.add_field(
            name=t("earnings.summary.requesters", locale),
            value=_fit_lines(lines, locale),
            inline=False,
        )
    if goal is not None:
        embed.add_field(
            name=t("earnings.summary.goal", locale),
            value=goal_text(goal, locale, summary.period.days > 1),
            inline=False,
        )
    notes = [t("earnings.common.private_footer", locale)]
    if summary.untimed:
        notes.append(t("earnings.summary.untimed_note", locale, count=summary.untimed))
    if several:
        notes.append(t("earnings.summary.currencies_note", locale))
    embed.set_footer(text=" ".join(notes))
    if verdicts:
        embed.colour = Colours.GOOD if all(verdicts) else Colours.BAD
    else:
        embed.colour = Colours.INFO
    return embed


def _time_lines(summary: Summary, locale: str) -> str:
    lines = [
        t("earnings.summary.paid_time", locale, time=duration(summary.paid_minutes, locale)),
        t(
            "earnings.summary.unpaid_time",
            locale,
            time=duration(summary.lost_minutes + summary.unpaid_minutes, locale),
        ),
    ]
    details = []
    if summary.lost_minutes:
        details.append(
            t("earnings.summary.unpaid_lost", locale, time=duration(summary.lost_minutes, locale))
        )
    for reason, minutes in sorted(summary.unpaid_by_reason.items()):
        if minutes:
            details.append(f"{reason_label(reason, locale)} {duration(minutes, locale)}")
    if details:
        lines.append("└ " + " · ".join(details))
    if summary.unplaced_minutes:
        lines.append(t("earnings.summary.unplaced", locale))
    return "\n".join(lines)


def _fit_lines(lines: list[str], locale: str) -> str:
    """As many whole lines as fit a field, then how many did not (`…and 3 more`)."""
    out: list[str] = []
    used = 0
    room = FIELD_VALUE_LIMIT - 40  # kept for the "…and N more" line
    for index, line in enumerate(lines):
        if used + len(line) + 1 > room:
            out.append(t("common.list.more", locale, count=len(lines) - index))
            break
        out.append(line)
        used += len(line) + 1
    return truncate("\n".join(out), FIELD_VALUE_LIMIT)


def goal_text(goal: GoalProgress, locale: str, multi_day: bool) -> str:
    c = goal.currency
    text = t(
        "earnings.goal.progress",
        locale,
        bar=progress_bar(goal.percent),
        earned=money(goal.today_cents, c, locale),
        goal=money(goal.goal_cents, c, locale),
        percent=goal.percent,
    )
    if goal.reached:
        text += " " + t("earnings.goal.reached", locale)
    if multi_day and goal.days_worked:
        text += "\n" + t(
            "earnings.goal.days_met", locale, met=goal.days_met, count=goal.days_worked
        )
    return text


# -- community ----------------------------------------------------------------------------------


def community_embed(
    stats: list[PlatformHourly], period: Period, locale: str, sharing: bool, floor: int
) -> discord.Embed:
    embed = discord.Embed(
        title=t("earnings.community.title", locale, period=period_label(period, locale)),
        colour=Colours.INFO,
    )
    if not stats:
        embed.description = t("earnings.community.not_enough", locale, floor=floor)
    else:
        embed.description = t("earnings.community.blurb", locale, floor=floor)
        for s in stats[:20]:
            embed.add_field(
                name=f"{safe_text(s.platform, 40)} ({s.currency})",
                value=t(
                    "earnings.community.line",
                    locale,
                    median=per_hour(s.median_cents, s.currency, locale),
                    q1=per_hour(s.q1_cents, s.currency, locale),
                    q3=per_hour(s.q3_cents, s.currency, locale),
                    members=band_text(s.members, lambda n: format_number(n, locale)),
                ),
            )
    key = "earnings.community.you_share" if sharing else "earnings.community.you_dont_share"
    embed.set_footer(text=t(key, locale))
    return embed
