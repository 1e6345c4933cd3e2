"""What an alert looks like: its embed, colour, and the lines of a search result.

Public alerts are drawn in the server's language; everything a member wrote passes
through `safe_text`, and a confirmed content warning hides the task's details behind
spoilers and comes first.
"""

from __future__ import annotations

import discord

from bot.clock import from_epoch
from bot.i18n import format_duration_minutes, format_number, t
from bot.ui import Colours, listed_title, safe_text, spoiler, truncate
from cogs.requesters.cards import category_label
from cogs.tasks import rules
from db.guilds import GuildSettings
from db.requesters import Reputation
from db.tasks import Alert

TIER_COLOURS = {
    "low": Colours.BAD,
    "mid": Colours.FAIR,
    "good": Colours.GOOD,
    "unrated": Colours.INFO,
}
TIER_ICONS = {"low": "🔴", "mid": "🟠", "good": "🟢", "unrated": "⚪"}
STATE_ICONS = {"live": "🟢", "gone": "⏹️", "expired": "⌛", "removed": "🗑️"}
#: A title's length in a list of alerts (a search result, a requester's card).
LISTED_TITLE_CHARS = 80


def tier_of(alert: Alert, settings: GuildSettings) -> str:
    return rules.pay_tier(
        alert.hourly_cents,
        alert.currency,
        server_currency=settings.currency,
        min_wage_cents=settings.min_wage_cents,
        fair_wage_cents=settings.fair_wage_cents,
    )


def hourly_text(cents: int, currency: str, locale: str) -> str:
    return t("tasks.alert.per_hour", locale, amount=rules.money(cents, currency, locale))


def reputation_lines(rep: Reputation | None, locale: str) -> list[str]:
    """Stars for the requester's reviews (the standing warning goes in the description)."""
    if rep is None:
        return []
    scores = [
        (t("tasks.alert.rep_pay", locale), rep.pay),
        (t("tasks.alert.rep_fast", locale), rep.fast),
        (t("tasks.alert.rep_fair", locale), rep.fair),
        (t("tasks.alert.rep_comm", locale), rep.communication),
    ]
    shown = [
        t("tasks.alert.rep_score", locale, name=name, value=format_number(value, locale, 1))
        for name, value in scores
        if value is not None
    ]
    if not rep.review_count and not shown:
        return [t("tasks.alert.rep_none", locale)]
    reviews = t("tasks.alert.rep_reviews", locale, count=rep.review_count)
    return ["⭐ " + " · ".join([*shown, reviews])]


def standing_reason(rep: Reputation, locale: str) -> str | None:
    """Why a requester is flagged: the moderator's words, else the confirmed reports.

    A status that follows from confirmed reports has no free-text reason; their
    categories (most reported first, with counts) say why, in the reader's language.
    """
    if rep.status_reason:
        return safe_text(rep.status_reason, 300)
    if rep.confirmed:
        ranked = sorted(rep.confirmed.items(), key=lambda item: (-item[1], item[0]))
        shown = ", ".join(f"{category_label(c, locale)} × {n}" for c, n in ranked)
        return safe_text(t("tasks.share.scam_confirmed", locale, reports=shown), 300)
    return None


def standing_line(rep: Reputation | None, locale: str) -> str | None:
    if rep is None or rep.standing not in ("caution", "scam"):
        return None
    reason = standing_reason(rep, locale) or ""
    key = "tasks.alert.standing_scam" if rep.standing == "scam" else "tasks.alert.standing_caution"
    line = t(key, locale)
    return f"{line} {reason}".rstrip() if reason else line


def limits_text(alert: Alert, locale: str) -> str:
    lines = []
    if alert.countries:
        lines.append("🌍 " + rules.country_names(alert.countries, locale))
    if alert.qualifications:
        quals = sorted(rules.qualification_label(q, locale) for q in alert.qualifications)
        lines.append("🎓 " + safe_text(" · ".join(quals), 900))
    return "\n".join(lines) or t("tasks.alert.open_to_all", locale)


def ended_line(alert: Alert, locale: str) -> str | None:
    if alert.is_live:
        return None
    when = f"<t:{alert.ended_at or alert.created_at}:R>"
    if alert.state == "removed":
        reason = safe_text(alert.removed_reason or "", 300)
        return t("tasks.alert.ended_removed", locale, when=when, reason=reason or "—")
    return t(f"tasks.alert.ended_{alert.state}", locale, when=when)


def footer_text(alert: Alert, locale: str) -> str:
    """An alert's footer (its platform and number), on the alert and on what replaces it."""
    return t(
        "tasks.alert.footer",
        locale,
        platform=rules.platform_label(alert.platform, locale),
        id=alert.id,
    )


def alert_embed(
    alert: Alert, settings: GuildSettings, reputation: Reputation | None, locale: str
) -> discord.Embed:
    """The public alert: title linked, requester and reputation, pay, limits, freshness."""
    if alert.state == "removed":
        return removed_embed(alert, locale)
    tier = tier_of(alert, settings)
    warned = alert.warning is not None
    title = safe_text(alert.title, rules.TITLE_MAX)
    description: list[str] = []
    ended = ended_line(alert, locale)
    if ended:
        description.append(ended)
    if warned:
        label = rules.warning_label(alert.warning or "other", locale)
        description.append(t("tasks.alert.warning_banner", locale, category=label))
        description.append(spoiler(title))
        embed_title = t("tasks.alert.warning_title", locale, category=label)
    else:
        embed_title = title
    if alert.warning_pending and alert.is_live:
        label = rules.warning_label(alert.warning_pending, locale)
        description.append(t("tasks.alert.warning_pending", locale, category=label))
    standing = standing_line(reputation, locale)
    if standing:
        description.append(standing)

    colour = Colours.MUTED if not alert.is_live else TIER_COLOURS[tier]
    embed = discord.Embed(
        title=truncate(embed_title, 256),
        url=alert.link if alert.state != "removed" else None,
        description="\n".join(description) or None,
        colour=colour,
    )
    embed.add_field(
        name=t("tasks.alert.reward", locale),
        value=rules.money(alert.reward_cents, alert.currency, locale),
    )
    embed.add_field(
        name=t("tasks.alert.time", locale), value=format_duration_minutes(alert.minutes, locale)
    )
    hourly = [
        f"**{hourly_text(alert.hourly_cents, alert.currency, locale)}**",
        f"{TIER_ICONS[tier]} {rules.tier_label(tier, locale)}",
    ]
    if alert.crowd_hourly_cents is not None and alert.done_count:
        hourly.append(
            t(
                "tasks.alert.crowd",
                locale,
                amount=hourly_text(alert.crowd_hourly_cents, alert.currency, locale),
                count=alert.done_count,
            )
        )
    embed.add_field(name=t("tasks.alert.hourly", locale), value="\n".join(hourly))

    if alert.requester_name or alert.platform_requester_id:
        who = safe_text(alert.requester_name or alert.platform_requester_id, 100)
        if alert.platform_requester_id and alert.platform_requester_id != alert.requester_name:
            who += f" · `{safe_text(alert.platform_requester_id, 64, markdown=True)}`"
        lines = [who, *reputation_lines(reputation, locale)]
        embed.add_field(
            name=t("tasks.alert.requester", locale), value="\n".join(lines), inline=False
        )
    elif alert.is_live:
        # A link alone (MTurk project links carry no requester): say so, and how to add it.
        embed.add_field(
            name=t("tasks.alert.requester", locale),
            value=t("tasks.alert.requester_unknown", locale),
            inline=False,
        )
    embed.add_field(
        name=t("tasks.alert.limits", locale), value=limits_text(alert, locale), inline=False
    )
    if alert.available:
        embed.add_field(
            name=t("tasks.alert.available", locale), value=format_number(alert.available, locale)
        )
    if alert.notes:
        notes = safe_text(alert.notes, 1000)
        embed.add_field(
            name=t("tasks.alert.notes", locale),
            value=spoiler(notes) if warned else notes,
            inline=False,
        )
    embed.add_field(
        name=t("tasks.alert.freshness", locale), value=freshness_text(alert, locale), inline=False
    )
    sharer = (
        t("tasks.alert.anonymous", locale)
        if alert.anonymous or alert.sharer_id is None
        else f"<@{alert.sharer_id}>"
    )
    embed.add_field(name=t("tasks.alert.shared_by", locale), value=sharer)
    embed.set_footer(text=footer_text(alert, locale))
    embed.timestamp = from_epoch(alert.created_at)
    return embed


def removed_embed(alert: Alert, locale: str) -> discord.Embed:
    """What is left of an alert moderators removed: nothing of what it said."""
    embed = discord.Embed(
        title=t("tasks.alert.removed_title", locale, id=alert.id),
        description=ended_line(alert, locale),
        colour=Colours.MUTED,
    )
    embed.set_footer(text=footer_text(alert, locale))
    return embed


def freshness_text(alert: Alert, locale: str) -> str:
    parts = [
        t("tasks.alert.votes", locale, live=alert.live_votes, gone=alert.gone_votes),
    ]
    if alert.good_count or alert.bad_count:
        parts.append(f"👍 {alert.good_count} · 👎 {alert.bad_count}")
    lines = [" · ".join(parts)]
    if alert.seen_count > 1:
        people = ", ".join(f"<@{uid}>" for uid in alert.seen_by)
        key = "tasks.alert.seen_by" if people else "tasks.alert.seen_times"
        lines.append(t(key, locale, people=people, count=alert.seen_count))
    if alert.last_confirmed_at:
        lines.append(t("tasks.alert.confirmed", locale, when=f"<t:{alert.last_confirmed_at}:R>"))
    if alert.is_live:
        lines.append(t("tasks.alert.expires", locale, when=f"<t:{alert.expires_at}:R>"))
    return "\n".join(lines)


def headline(alert: Alert, settings: GuildSettings, locale: str) -> str:
    """`MTurk · $1.50 · 6 min · $15.00/h`: an alert's numbers on one line."""
    return " · ".join(
        [
            rules.platform_label(alert.platform, locale),
            rules.money(alert.reward_cents, alert.currency, locale),
            format_duration_minutes(alert.minutes, locale),
            hourly_text(alert.hourly_cents, alert.currency, locale),
        ]
    )


def plain_title(alert: Alert, locale: str) -> str:
    """The title where no spoiler can hide it (a forum post's name, an autocomplete choice).

    A warned alert is named by its warning instead.
    """
    if alert.warning:
        label = rules.warning_label(alert.warning, locale)
        return t("tasks.alert.warning_title", locale, category=label)
    return " ".join(alert.title.split())


def forum_post_name(alert: Alert, settings: GuildSettings, locale: str) -> str:
    return rules.forum_title(headline(alert, settings, locale), plain_title(alert, locale))


def named_title(alert: Alert, locale: str) -> str:
    """The title quoted in a message about the alert (its removal): a spoiler when warned."""
    return listed_title(alert.title, warning=alert.warning, url=None, locale=locale, limit=200)


def search_line(alert: Alert, settings: GuildSettings, locale: str) -> str:
    """One result: state, title (linked, behind a spoiler when warned), numbers, the alert."""
    title = listed_title(
        alert.title,
        warning=alert.warning,
        url=alert.link if alert.state != "removed" else None,
        locale=locale,
        limit=LISTED_TITLE_CHARS,
    )
    line = f"{STATE_ICONS.get(alert.state, '•')} **{title}**"
    tier = tier_of(alert, settings)
    line += f"\n{TIER_ICONS[tier]} {headline(alert, settings, locale)}"
    if alert.jump_url and alert.state != "removed":
        line += " · " + t("tasks.search.jump", locale, url=alert.jump_url)
    return line
