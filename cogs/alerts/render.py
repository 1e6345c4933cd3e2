"""What members see of their subscriptions and of the alerts they are sent."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord

from bot.i18n import content_warning_label, format_duration_minutes, format_money, t
from bot.ui import DESCRIPTION_LIMIT, Colours, fit_embed, fit_lines, safe_text
from cogs.alerts import rules
from cogs.tasks.rules import country_names, qualification_label
from db.subscriptions import Subscription

if TYPE_CHECKING:
    from db.guilds import GuildSettings

#: Discord refuses link buttons whose URL is longer than this.
LINK_BUTTON_URL_LIMIT = 512

_TIER_COLOURS = {"good": Colours.GOOD, "fair": Colours.FAIR, "bad": Colours.BAD}


def filters_of(sub: Subscription) -> rules.Filters:
    return rules.Filters.copied_from(sub)


def platform_label(code: str | None) -> str:
    if code is None:
        return ""
    return rules.PLATFORMS.get(code) or safe_text(code, 40)


def describe(filters: rules.Filters, locale: str) -> str:
    """One line a member recognises their subscription by: `Prolific · ≥ £8.00/h · …`."""
    if filters.is_catch_all:
        return t("alerts.filters.everything", locale)
    parts: list[str] = []
    if filters.platform:
        parts.append(platform_label(filters.platform))
    currency = filters.currency or "USD"
    if filters.min_hourly_cents is not None:
        amount = format_money(filters.min_hourly_cents, currency, locale)
        parts.append(t("alerts.filters.hourly", locale, amount=amount))
    if filters.min_reward_cents is not None:
        amount = format_money(filters.min_reward_cents, currency, locale)
        parts.append(t("alerts.filters.reward", locale, amount=amount))
    if filters.keywords:
        words = ", ".join(f"“{safe_text(k, 40)}”" for k in filters.keywords)
        parts.append(t("alerts.filters.keywords", locale, words=words))
    if filters.requester:
        parts.append(t("alerts.filters.requester", locale, requester=safe_text(filters.requester)))
    if filters.no_warned:
        parts.append(t("alerts.filters.no_warned", locale))
    return " · ".join(parts)


def warning_label(category: str, locale: str) -> str:
    return content_warning_label(category, locale)


def safe_link(url: str | None) -> str | None:
    """A link fit for a link button: http(s), no spaces, short enough; else None."""
    value = (url or "").strip()
    if not value.lower().startswith(("https://", "http://")) or any(c.isspace() for c in value):
        return None
    return value if len(value) <= LINK_BUTTON_URL_LIMIT else None


def alert_embed(
    facts: rules.AlertFacts,
    *,
    minutes: float | None,
    jump_url: str | None,
    filters: rules.Filters | None,
    settings: GuildSettings,
    guild_name: str,
    locale: str,
) -> discord.Embed:
    """The alert's essentials for one subscriber.

    A warned alert shows its warning as the title and hides the task's own title behind
    a spoiler (embed titles cannot hold spoilers, descriptions can).
    """
    title = safe_text(facts.title, 240)
    link = safe_link(jump_url)
    tier = rules.pay_tier(
        facts.hourly_cents,
        facts.currency,
        settings.currency,
        settings.min_wage_cents,
        settings.fair_wage_cents,
    )
    if facts.warning:
        embed = discord.Embed(
            title=t(
                "alerts.notify.warned_title", locale, warning=warning_label(facts.warning, locale)
            ),
            description=f"||{title}||",
            colour=Colours.WARNING,
            url=link,
        )
    else:
        embed = discord.Embed(
            title=title, url=link, colour=_TIER_COLOURS.get(tier or "", Colours.INFO)
        )
    if facts.requester_status in ("caution", "scam"):
        # The alert carries the requester's warning: so does every DM about it.
        flag = t(f"alerts.notify.requester_{facts.requester_status}", locale)
        embed.description = f"{flag}\n{embed.description}" if embed.description else flag
        embed.colour = Colours.BAD if facts.requester_status == "scam" else Colours.WARNING
    embed.add_field(
        name=t("alerts.notify.platform", locale), value=platform_label(facts.platform) or "—"
    )
    embed.add_field(
        name=t("alerts.notify.reward", locale),
        value=format_money(facts.reward_cents, facts.currency, locale),
    )
    if minutes:
        embed.add_field(
            name=t("alerts.notify.time", locale), value=format_duration_minutes(minutes, locale)
        )
    if facts.hourly_cents is not None:
        embed.add_field(
            name=t("alerts.notify.hourly", locale),
            value=t(
                "alerts.notify.hourly_value",
                locale,
                amount=format_money(facts.hourly_cents, facts.currency, locale),
            ),
        )
    if facts.requester_name:
        embed.add_field(
            name=t("alerts.notify.requester", locale),
            value=safe_text(facts.requester_name, 200),
        )
    limits = _limits_text(facts, locale)
    if limits:
        embed.add_field(name=t("alerts.notify.limits", locale), value=limits, inline=False)
    if filters is None:  # shown where others read it: the member's filters are theirs
        footer = t("alerts.notify.footer_public", locale, server=guild_name)
    else:
        footer = t(
            "alerts.notify.footer", locale, server=guild_name, filters=describe(filters, locale)
        )
    embed.set_footer(text=footer)
    return fit_embed(embed)


def _limits_text(facts: rules.AlertFacts, locale: str) -> str:
    lines = []
    if facts.countries:
        lines.append(
            t("alerts.notify.countries", locale, countries=country_names(facts.countries, locale))
        )
    if facts.qualifications:
        quals = ", ".join(
            safe_text(qualification_label(q, locale), 60) for q in sorted(facts.qualifications)
        )
        lines.append(t("alerts.notify.qualifications", locale, qualifications=quals))
    return "\n".join(lines)


def notification_content(
    guild_name: str, locale: str, mention: str | None = None, *, public: bool = False
) -> str:
    """The text above the alert; `public`: a forum post, which every reader of it sees."""
    if mention:
        key = "alerts.notify.forum_content" if public else "alerts.notify.thread_content"
        return t(key, locale, mention=mention, server=guild_name)
    return t("alerts.notify.content", locale, server=guild_name)


def list_embed(subs: list[Subscription], status: rules.RateStatus, locale: str) -> discord.Embed:
    """A member's subscriptions, numbered as `/alerts remove` understands them."""
    embed = discord.Embed(title=t("alerts.list.title", locale), colour=Colours.INFO)
    if not subs:
        embed.description = t("alerts.list.empty", locale)
    else:
        lines = [
            t("alerts.list.line", locale, n=n, filters=describe(filters_of(sub), locale))
            for n, sub in enumerate(subs, start=1)
        ]
        count = t("alerts.list.limit", locale, count=len(subs), limit=rules.MAX_SUBSCRIPTIONS)
        # Every subscription keeps its line (cut if need be), and the count stays last.
        listed = fit_lines(lines, DESCRIPTION_LIMIT - len(count) - 2)
        embed.description = f"{listed}\n\n{count}"
    if status.cap <= 0:
        embed.set_footer(text=t("alerts.list.dms_off", locale))
    elif status.next_free_at is not None:
        embed.set_footer(
            text=t(
                "alerts.list.usage_full",
                locale,
                used=status.used,
                cap=status.cap,
                minutes=status.wait_minutes,
            )
        )
    else:
        embed.set_footer(text=t("alerts.list.usage", locale, used=status.used, cap=status.cap))
    return fit_embed(embed)
