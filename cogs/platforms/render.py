"""Embeds of the platforms feature: the comparison pages, the platform card, receipts.

Reviewers are never named: a review is "a member of <server>". Member-written text goes
through `safe_text`; platform names are restricted when added and escaped again here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import discord

from bot.i18n import format_money, format_number, t
from bot.ui import Colours, safe_text, truncate
from cogs.earnings.stats import PlatformHourly, band_text
from cogs.platforms import rules
from cogs.platforms.rules import PLATFORM_REVIEWS, Scored
from db.platforms import Platform
from db.reviews import Review, Summary

GuildName = Callable[[int], str | None]

REVIEW_EXCERPT = 400
HIDDEN_EXCERPT = 150
NAME_COLUMN = 14
CATALOG = PLATFORM_REVIEWS.catalog


@dataclass(frozen=True, slots=True)
class Comparison:
    """Everything one server's comparison shows, computed once per command or click."""

    compared: Sequence[Scored]
    waiting: Sequence[Scored]
    hourly: Mapping[str, PlatformHourly] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return rules.page_count(len(self.compared))


def when(epoch: int, style: str = "d") -> str:
    """A Discord timestamp: each reader sees it in their own zone and language."""
    return f"<t:{int(epoch)}:{style}>"


def name_of(name: str) -> str:
    return safe_text(" ".join(name.split()), 60)


def score_text(value: float | None, locale: str) -> str:
    return "—" if value is None else format_number(value, locale, 1)


def hourly_text(stat: PlatformHourly | None, locale: str) -> str:
    return "—" if stat is None else format_money(stat.median_cents, stat.currency, locale)


def criterion_label(criterion: str, locale: str) -> str:
    return t(f"{CATALOG}.criteria.{criterion}", locale)


def worked_for_label(band: str | None, locale: str) -> str:
    return t(f"{CATALOG}.experience.{band}", locale) if band else ""


def _colour(overall: float | None, enough: bool) -> discord.Colour:
    if overall is None or not enough:
        return Colours.MUTED
    if overall >= 3.5:
        return Colours.GOOD
    if overall >= 2.5:
        return Colours.FAIR
    return Colours.BAD


# -- the comparison ----------------------------------------------------------------------------


def table_headers(locale: str) -> list[str]:
    return [
        t("platforms.compare.column_platform", locale),
        *(t(f"{CATALOG}.criteria_short.{c}", locale) for c in PLATFORM_REVIEWS.criteria),
        t("platforms.compare.column_reviews", locale),
        t("platforms.compare.column_hourly", locale),
    ]


def image_headers(locale: str) -> list[str]:
    """The picture has room for the criteria's full names."""
    return [
        t("platforms.compare.column_platform", locale),
        *(criterion_label(c, locale) for c in PLATFORM_REVIEWS.criteria),
        t("platforms.compare.column_reviews", locale),
        t("platforms.compare.column_hourly", locale),
    ]


def table_rows(
    items: Sequence[Scored], hourly: Mapping[str, PlatformHourly], locale: str
) -> list[list[str]]:
    return [
        [
            " ".join(item.name.split()),
            *(score_text(item.means.get(c), locale) for c in PLATFORM_REVIEWS.criteria),
            str(item.review_count),
            hourly_text(hourly.get(item.key), locale),
        ]
        for item in items
    ]


def waiting_text(waiting: Sequence[Scored], locale: str) -> str:
    lines = [
        t(
            "platforms.compare.waiting_line",
            locale,
            name=name_of(item.name),
            count=item.review_count,
            needed=rules.MIN_REVIEWS,
        )
        for item in waiting
    ]
    return truncate("\n".join(lines), 1024)


def compare_embed(comparison: Comparison, page: int, locale: str) -> discord.Embed:
    """One page of the side-by-side table, with what it means and who is not in it yet."""
    pages = comparison.pages
    page = rules.clamp_page(page, pages)
    embed = discord.Embed(title=t("platforms.compare.title", locale), colour=Colours.INFO)
    if comparison.compared:
        shown = rules.page_slice(comparison.compared, page)
        table = rules.text_table(
            table_headers(locale),
            table_rows(shown, comparison.hourly, locale),
            NAME_COLUMN,
        )
        embed.description = "\n".join(
            [
                t("platforms.compare.intro", locale, minimum=rules.MIN_REVIEWS),
                f"```\n{table}\n```",
            ]
        )
        embed.add_field(
            name=t("platforms.compare.legend_title", locale),
            value=t(
                "platforms.compare.legend",
                locale,
                days=rules.HOURLY_WINDOW_DAYS,
                floor=rules.HOURLY_FLOOR,
            ),
            inline=False,
        )
    else:
        embed.description = t("platforms.compare.none_yet", locale, minimum=rules.MIN_REVIEWS)
        embed.colour = Colours.MUTED
    if comparison.waiting:
        embed.add_field(
            name=t("platforms.compare.waiting_title", locale),
            value=waiting_text(comparison.waiting, locale),
            inline=False,
        )
    embed.set_footer(text=t("platforms.compare.footer", locale, page=page + 1, pages=pages))
    return embed


# -- the platform card -----------------------------------------------------------------------


def info_embed(
    platform: Platform,
    *,
    summary: Summary,
    hourly: Sequence[PlatformHourly],
    reviews: Sequence[Review],
    hidden_reviews: Sequence[Review] | None,
    locale: str,
    guild_name: GuildName,
) -> discord.Embed:
    """What the community says about one platform (hidden reviews only for moderators)."""
    means = {c: summary.mean(c) for c in PLATFORM_REVIEWS.criteria}
    scored = Scored(platform.id, platform.key, platform.name, summary.review_count, means)
    origin = "builtin" if platform.builtin else "added"
    lines = [t(f"platforms.info.origin_{origin}", locale)]
    if scored.comparable:
        lines.append(t("platforms.info.overall", locale, score=score_text(scored.overall, locale)))
    else:
        lines.append(
            t(
                "platforms.info.not_compared",
                locale,
                count=summary.review_count,
                needed=rules.MIN_REVIEWS,
            )
        )
    embed = discord.Embed(
        title=name_of(platform.name),
        description="\n".join(lines),
        colour=_colour(scored.overall, scored.comparable),
    )
    for criterion in PLATFORM_REVIEWS.criteria:
        score = summary.criteria.get(criterion)
        embed.add_field(
            name=criterion_label(criterion, locale),
            value=t(
                "platforms.info.score",
                locale,
                score=score_text(score.mean if score else None, locale),
                count=score.count if score else 0,
            ),
            inline=True,
        )
    embed.add_field(
        name=t("platforms.info.reviews", locale),
        value=t(
            "platforms.info.review_count",
            locale,
            count=summary.review_count,
            recent=summary.recent_count,
            days=rules.RECENT_DAYS,
        ),
        inline=True,
    )
    embed.add_field(
        name=t("platforms.info.hourly", locale, days=rules.HOURLY_WINDOW_DAYS),
        value=_hourly_lines(hourly, locale),
        inline=False,
    )
    for review in reviews:
        embed.add_field(
            name=review_heading(review, locale, guild_name),
            value=review_body(review, locale),
            inline=False,
        )
    if not reviews:
        embed.add_field(
            name=t("platforms.info.recent_reviews", locale),
            value=t("platforms.info.no_reviews", locale),
            inline=False,
        )
    if hidden_reviews:
        lines = [
            t(
                "platforms.info.hidden_line",
                locale,
                number=r.id,
                count=r.flags,
                text=safe_text(r.body or "—", HIDDEN_EXCERPT),
            )
            for r in hidden_reviews
        ]
        embed.add_field(
            name=t("platforms.info.hidden", locale), value="\n".join(lines), inline=False
        )
    embed.set_footer(text=t("platforms.info.footer", locale))
    return embed


def _hourly_lines(hourly: Sequence[PlatformHourly], locale: str) -> str:
    if not hourly:
        return t(
            "platforms.info.hourly_hidden",
            locale,
            floor=rules.HOURLY_FLOOR,
            days=rules.HOURLY_WINDOW_DAYS,
        )
    return "\n".join(
        t(
            "platforms.info.hourly_line",
            locale,
            median=format_money(s.median_cents, s.currency, locale),
            low=format_money(s.q1_cents, s.currency, locale),
            high=format_money(s.q3_cents, s.currency, locale),
            members=band_text(s.members, lambda n: format_number(n, locale)),
        )
        for s in hourly[:4]
    )


def review_heading(review: Review, locale: str, guild_name: GuildName) -> str:
    """`A member of Turkers United · 4.2 / 5`: the server, never the person."""
    server = guild_name(review.guild_id)
    who = (
        t("platforms.info.member_of", locale, server=truncate(" ".join(server.split()), 80))
        if server
        else t("platforms.info.member_elsewhere", locale)
    )
    return t(
        "platforms.info.review_heading",
        locale,
        who=who,
        score=score_text(rules.review_mean(review.scores), locale),
    )


def review_body(review: Review, locale: str) -> str:
    scores = " · ".join(
        f"{criterion_label(c, locale)} {review.scores.get(c, '—')}"
        for c in PLATFORM_REVIEWS.criteria
    )
    lines = [scores]
    if review.experience:
        lines.append(
            t(
                "platforms.info.worked_for",
                locale,
                band=worked_for_label(review.experience, locale),
            )
        )
    if review.body:
        lines.append(safe_text(review.body, REVIEW_EXCERPT))
    stamp = when(review.updated_at)
    if review.edited:
        stamp += " · " + t("platforms.info.edited", locale)
    lines.append(stamp)
    return "\n".join(lines)


# -- receipts -------------------------------------------------------------------------------


def receipt_embed(review: Review, platform: Platform, locale: str) -> discord.Embed:
    key = "platforms.review.updated" if review.edited else "platforms.review.saved"
    embed = discord.Embed(
        title=t(key, locale, name=name_of(platform.name), revision=review.revision),
        description=t("platforms.review.visibility", locale),
        colour=Colours.GOOD,
    )
    for criterion in PLATFORM_REVIEWS.criteria:
        embed.add_field(
            name=criterion_label(criterion, locale),
            value=f"{review.scores[criterion]} / 5",
            inline=True,
        )
    if review.experience:
        embed.add_field(
            name=t(f"{CATALOG}.experience_label", locale),
            value=worked_for_label(review.experience, locale),
            inline=True,
        )
    if review.body:
        embed.add_field(
            name=t("platforms.review.text", locale), value=safe_text(review.body), inline=False
        )
    embed.set_footer(text=t("platforms.review.footer", locale, number=review.id))
    return embed


def autocomplete_label(platform: Platform, locale: str) -> str:
    """Plain text (choices do not render markdown), at most 100 characters."""
    name = " ".join(platform.name.split())
    if platform.builtin:
        return truncate(name, 100)
    return truncate(t("platforms.autocomplete.added", locale, name=name), 100)
