"""Embeds of the requesters feature: labels, the requester card, the review list, receipts.

The moderators' report card is in `cogs.requesters.report_card`.

All member-written text goes through `safe_text`; the reporter appears on moderators'
cards only, never on anything a member sees.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import discord

from bot.i18n import format_money, format_number, t
from bot.ui import Colours, listed_title, safe_text, truncate
from cogs.requesters.reviewing import REQUESTER_REVIEWS, ReviewSchema
from db.requesters import Requester
from db.reviews import Review, Summary
from db.tasks import Alert

#: Aliases listed on a card; the rest are counted ("…and 4 more").
ALIASES_SHOWN = 15
REVIEW_EXCERPT = 300

GuildName = Callable[[int], str | None]

_STANDING_COLOURS = {
    "no_data": Colours.MUTED,
    "good": Colours.GOOD,
    "caution": Colours.FAIR,
    "scam": Colours.BAD,
}

#: The newest "another requester" confirmations a moderator's card lists.
CONFIRMATIONS_SHOWN = 10


def platform_label(platform: str, locale: str) -> str:
    return t(f"requesters.platforms.{platform}", locale)


def category_label(category: str, locale: str) -> str:
    return t(f"requesters.categories.{category}", locale)


def status_label(status: str, locale: str) -> str:
    return t(f"requesters.statuses.{status}", locale)


def standing_label(standing: str, locale: str) -> str:
    return t(f"requesters.standings.{standing}", locale)


def requester_line(requester: Requester, locale: str) -> str:
    """`Acme Research · MTurk · A1B2C3…` for embeds (escaped)."""
    parts = [f"**{safe_text(requester.name, 120)}**", platform_label(requester.platform, locale)]
    pid = requester.platform_requester_id
    if pid and pid != requester.name:
        parts.append(f"`{pid}`")
    return " · ".join(parts)


def choice_label(requester: Requester, matched: str, locale: str) -> str:
    """One autocomplete entry: plain text (choices do not render markdown), ≤100 chars."""
    parts = [" ".join(requester.name.split()), platform_label(requester.platform, locale)]
    pid = requester.platform_requester_id
    if pid and pid != requester.name:
        parts.append(pid)
    label = " · ".join(parts)
    if requester.status != "none":
        label = f"⚠️ {label} ({status_label(requester.status, locale)})"
    if matched and matched != requester.name:
        label += " " + t("requesters.autocomplete.alias", locale, name=" ".join(matched.split()))
    return truncate(label, 100)


def when(epoch: int, style: str = "f") -> str:
    """A Discord timestamp: each reader sees it in their own zone and language."""
    return f"<t:{int(epoch)}:{style}>"


def score_text(value: float | None, locale: str) -> str:
    return "—" if value is None else format_number(value, locale, 1)


# -- the requester card ----------------------------------------------------------------------


def alert_line(alert: Alert, locale: str) -> str:
    """One recent alert: its title (linked to the alert, a spoiler when warned), pay, age."""
    title = listed_title(
        alert.title, warning=alert.warning, url=alert.jump_url, locale=locale, limit=80
    )
    hourly = format_money(alert.hourly_cents, alert.currency, locale)
    return t(
        "requesters.info.alert_line",
        locale,
        title=title,
        hourly=hourly,
        when=when(alert.created_at, "R"),
    )


@dataclass(frozen=True, slots=True)
class TaskFacts:
    """What the tasks feature knows about a requester, when it provides it."""

    hourly_text: str | None = None
    warned_text: str | None = None
    recent_alerts: tuple[str, ...] = ()
    more_alerts: int = 0  # this server's alerts about the requester beyond those listed
    more_alerts_plus: bool = False  # the count stopped at the search window


def info_card(
    requester: Requester,
    *,
    standing: str,
    summary: Summary,
    confirmed: Mapping[str, int],
    aliases: Sequence[Requester],
    reviews: Sequence[Review],
    hidden_reviews: Sequence[Review] | None,
    facts: TaskFacts,
    locale: str,
    guild_name: GuildName,
    schema: ReviewSchema = REQUESTER_REVIEWS,
    other_names: Sequence[tuple[str, str]] | None = None,
    confirmations: Sequence[str] | None = None,
) -> discord.Embed:
    """The card `/requester info` shows.

    Hidden reviews, other names (given by sharers, earlier names) and sharers' "another
    requester" confirmations only when given, for moderators.
    """
    description = [requester_line(requester, locale), _standing_text(requester, standing, locale)]
    embed = discord.Embed(
        title=truncate(" ".join(requester.name.split()), 200),
        description="\n".join(description),
        colour=_STANDING_COLOURS[standing],
    )
    for criterion in schema.criteria:
        score = summary.criteria.get(criterion)
        embed.add_field(
            name=t(f"{schema.catalog}.criteria.{criterion}", locale),
            value=t(
                "requesters.info.score",
                locale,
                all=score_text(score.mean if score else None, locale),
                recent=score_text(score.recent_mean if score else None, locale),
            ),
            inline=True,
        )
    embed.add_field(
        name=t("requesters.info.reviews", locale),
        value=t(
            "requesters.info.review_count",
            locale,
            count=summary.review_count,
            recent=summary.recent_count,
        ),
        inline=True,
    )
    if facts.hourly_text:
        embed.add_field(
            name=t("requesters.info.hourly", locale), value=facts.hourly_text, inline=True
        )
    if facts.warned_text:
        embed.add_field(
            name=t("requesters.info.warnings", locale), value=facts.warned_text, inline=True
        )
    embed.add_field(
        name=t("requesters.info.confirmed", locale),
        value=_confirmed_text(confirmed, locale),
        inline=False,
    )
    if aliases:
        embed.add_field(
            name=t("requesters.info.aliases", locale),
            value=", ".join(safe_text(a.name, 80) for a in aliases[:ALIASES_SHOWN])
            + (
                " " + t("requesters.info.more_aliases", locale, count=len(aliases) - ALIASES_SHOWN)
                if len(aliases) > ALIASES_SHOWN
                else ""
            ),
            inline=False,
        )
    if other_names:
        embed.add_field(
            name=t("requesters.info.other_names", locale),
            value="\n".join(
                t(f"requesters.info.other_name_{source}", locale, name=safe_text(name, 80))
                for name, source in other_names[:10]
            ),
            inline=False,
        )
    if confirmations:
        embed.add_field(
            name=t("requesters.info.confirmations", locale),
            value="\n".join(confirmations[:CONFIRMATIONS_SHOWN]),
            inline=False,
        )
    if facts.recent_alerts:
        embed.add_field(
            name=t("requesters.info.recent_alerts", locale),
            value="\n".join(
                (
                    *facts.recent_alerts,
                    *(
                        (
                            t(
                                "requesters.info.more_alerts_plus"
                                if facts.more_alerts_plus
                                else "requesters.info.more_alerts",
                                locale,
                                count=facts.more_alerts,
                            ),
                        )
                        if facts.more_alerts
                        else ()
                    ),
                )
            ),
            inline=False,
        )
    for review in reviews:
        embed.add_field(
            name=_review_heading(review, locale, guild_name),
            value=_review_body(review, locale, schema),
            inline=False,
        )
    if hidden_reviews:
        lines = [
            t(
                "requesters.info.hidden_line",
                locale,
                number=r.id,
                count=r.flags,
                text=safe_text(r.body or "—", 150),
            )
            for r in hidden_reviews
        ]
        embed.add_field(
            name=t("requesters.info.hidden", locale), value="\n".join(lines), inline=False
        )
    embed.set_footer(text=t("requesters.info.footer", locale, number=requester.id))
    return embed


def _standing_text(requester: Requester, standing: str, locale: str) -> str:
    text = standing_label(standing, locale)
    if requester.status != "none" and requester.status_reason:
        text += " — " + safe_text(requester.status_reason, 300)
    if requester.status != "none" and requester.status_changed_at:
        text += " " + t("requesters.info.since", locale, at=when(requester.status_changed_at, "d"))
    return text


def _confirmed_text(confirmed: Mapping[str, int], locale: str) -> str:
    if not confirmed:
        return t("requesters.info.no_confirmed", locale)
    return "\n".join(
        t("requesters.info.confirmed_line", locale, category=category_label(c, locale), count=n)
        for c, n in sorted(confirmed.items(), key=lambda item: (-item[1], item[0]))
    )


def _review_heading(review: Review, locale: str, guild_name: GuildName) -> str:
    server = guild_name(review.guild_id) or t("requesters.info.another_server", locale)
    mean = sum(review.scores.values()) / max(1, len(review.scores))
    return t(
        "requesters.info.review_heading",
        locale,
        number=review.id,
        score=format_number(mean, locale, 1),
        server=truncate(server, 60),
    )


def _review_body(review: Review, locale: str, schema: ReviewSchema) -> str:
    scores = " · ".join(
        f"{t(f'{schema.catalog}.criteria_short.{c}', locale)} {review.scores.get(c, '—')}"
        for c in schema.criteria
    )
    experience = (
        t(f"{schema.catalog}.experience.{review.experience}", locale) if review.experience else ""
    )
    lines = [scores + (f" · {experience}" if experience else "")]
    if review.body:
        lines.append(safe_text(review.body, REVIEW_EXCERPT))
    edited = t("requesters.info.edited", locale) if review.edited else ""
    lines.append(when(review.updated_at, "d") + (f" · {edited}" if edited else ""))
    return "\n".join(lines)


def reviews_page_embed(
    name: str,
    shown: Sequence[Review],
    *,
    page: int,
    pages: int,
    total: int,
    locale: str,
    guild_name: GuildName,
    schema: ReviewSchema,
) -> discord.Embed:
    """One page of a subject's visible reviews (`All reviews` under a card)."""
    embed = discord.Embed(
        title=truncate(
            t("requesters.reviews_list.title", locale, name=" ".join(name.split())), 250
        ),
        colour=Colours.INFO,
    )
    if not shown:
        embed.description = t("requesters.reviews_list.empty", locale)
    for review in shown:
        embed.add_field(
            name=_review_heading(review, locale, guild_name),
            value=_review_body(review, locale, schema),
            inline=False,
        )
    embed.set_footer(
        text=t("requesters.reviews_list.footer", locale, page=page, pages=pages, count=total)
    )
    return embed


# -- receipts --------------------------------------------------------------------------------


def review_receipt(
    review: Review, requester: Requester, locale: str, schema: ReviewSchema = REQUESTER_REVIEWS
) -> discord.Embed:
    key = "requesters.review.updated" if review.edited else "requesters.review.saved"
    embed = discord.Embed(
        title=t(key, locale, revision=review.revision),
        description=requester_line(requester, locale),
        colour=Colours.GOOD,
    )
    for criterion in schema.criteria:
        embed.add_field(
            name=t(f"{schema.catalog}.criteria.{criterion}", locale),
            value=f"{review.scores[criterion]} / 5",
            inline=True,
        )
    if review.experience:
        embed.add_field(
            name=t(f"{schema.catalog}.experience_label", locale),
            value=t(f"{schema.catalog}.experience.{review.experience}", locale),
            inline=True,
        )
    if review.body:
        embed.add_field(
            name=t("requesters.review.text", locale), value=safe_text(review.body), inline=False
        )
    embed.set_footer(text=t("requesters.review.footer", locale, number=review.id))
    return embed
