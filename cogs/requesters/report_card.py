"""The moderators' card for one report, posted to their channel and redrawn on each change.

Only moderators see it, so it is the one place that names the reporter (or says their
data was erased), with the evidence, the questions and answers, and the outcome. Apart
from `cards.py`, which draws what members see.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import discord

from bot.i18n import t
from bot.ui import Colours, safe_text, truncate
from cogs.requesters.cards import category_label, requester_line, status_label, when
from db.reports import Note, Report, RequesterReportCounts
from db.requesters import Requester

NOTES_SHOWN = 6
NOTE_LIMIT = 300

_STATE_COLOURS = {"open": Colours.WARNING, "confirmed": Colours.BAD, "dismissed": Colours.MUTED}


def report_card(
    report: Report,
    requester: Requester,
    notes: Sequence[Note],
    counts: RequesterReportCounts,
    locale: str,
) -> discord.Embed:
    colour = _STATE_COLOURS[report.state]
    if report.is_open and report.info_requested_at is not None:
        colour = Colours.INFO
    embed = discord.Embed(
        title=t(
            "requesters.card.title",
            locale,
            number=report.id,
            category=category_label(report.category, locale),
        ),
        description=requester_line(requester, locale),
        colour=colour,
        timestamp=datetime.fromtimestamp(report.created_at, UTC),
    )
    embed.add_field(
        name=t("requesters.card.state", locale),
        value=_state_text(report, locale),
        inline=True,
    )
    embed.add_field(
        name=t("requesters.card.requester_status", locale),
        value=status_label(requester.status, locale),
        inline=True,
    )
    embed.add_field(
        name=t("requesters.card.other_reports", locale),
        value=t(
            "requesters.card.counts",
            locale,
            open=counts.open,
            confirmed=counts.confirmed,
            dismissed=counts.dismissed,
        ),
        inline=True,
    )
    embed.add_field(
        name=t("requesters.card.description", locale),
        value=safe_text(report.description),
        inline=False,
    )
    if report.evidence:
        embed.add_field(
            name=t("requesters.card.evidence", locale),
            value="\n".join(safe_text(link, 500) for link in report.evidence),
            inline=False,
        )
    if report.attachment_url:
        embed.add_field(
            name=t("requesters.card.attachment", locale),
            value=_attachment_link(report.attachment_name, report.attachment_url),
            inline=False,
        )
    embed.add_field(
        name=t("requesters.card.reporter", locale),
        value=_reporter_text(report, locale),
        inline=False,
    )
    for note in list(notes)[-NOTES_SHOWN:]:
        embed.add_field(
            name=t(f"requesters.card.note_{note.kind}", locale),
            value=f"{safe_text(note.body, NOTE_LIMIT)}\n{when(note.created_at, 'R')}",
            inline=False,
        )
    if not report.is_open and report.closed_at is not None:
        embed.add_field(
            name=t("requesters.card.outcome", locale),
            value=t(
                f"requesters.card.outcome_{report.state}",
                locale,
                moderator=(
                    f"<@{report.closed_by}>"
                    if report.closed_by is not None
                    else t("requesters.card.moderator_erased", locale)
                ),
                at=when(report.closed_at),
                reason=safe_text(report.closed_reason, 600),
            ),
            inline=False,
        )
    embed.set_footer(text=t("requesters.card.footer", locale, number=report.id))
    return embed


def _state_text(report: Report, locale: str) -> str:
    if report.is_open and report.info_requested_at is not None:
        return t("requesters.card.states.waiting", locale)
    return t(f"requesters.card.states.{report.state}", locale)


def _reporter_text(report: Report, locale: str) -> str:
    if report.reporter_id is None:
        text = t("requesters.card.reporter_erased", locale)
    else:
        text = f"<@{report.reporter_id}>"
    if report.new_member:
        text += "\n" + t("requesters.card.new_member", locale)
    return text


def _attachment_link(name: str | None, url: str) -> str:
    label = safe_text(name or "attachment", 100).replace("[", "(").replace("]", ")")
    if any(ch in url for ch in " ()<>"):
        return label
    return f"[{label}]({url})"


def forum_title(report: Report, requester: Requester) -> str:
    return truncate(f"#{report.id} · {' '.join(requester.name.split())}", 100)
