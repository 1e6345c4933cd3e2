"""`/task share|share-form|search|delete`, the expiry sweep, and the requester listener."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.answering import Answer, answer_when_ready
from bot.checks import require_moderator, require_setup
from bot.command_groups import server_group
from bot.errors import UserError
from bot.i18n import t
from bot.translator import ls
from bot.ui import Colours, locale_of, reply, safe_text
from cogs.tasks import member_text, render, rules
from cogs.tasks.eligibility import Limits, is_eligible
from cogs.tasks.identity_views import (
    OtherRequesterView,
    PostedOtherView,
    UndoOtherButton,
    post_other_notice,
)
from cogs.tasks.ports import COG_NAME
from cogs.tasks.service import AlertService, NameHeldError, ShareOutcome
from cogs.tasks.views import AlertButton, ShareFormModal, alert_view
from db import members
from db import tasks as tasks_db
from db.audit import AuditEntry
from db.connection import Database
from db.guilds import GuildSettings
from db.requesters import Requester, name_key

if TYPE_CHECKING:
    from bot.bot import Entraide

log = logging.getLogger(__name__)

EXPIRY_JOB_ID = "tasks.expire"
SEARCH_SHOWN = 10
SEARCH_WINDOW = 100
COMMON_CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD", "INR", "PHP", "BRL", "MXN", "JPY", "CHF")

PLATFORM_CHOICES = [
    app_commands.Choice(name=ls(f"tasks.choices.platform.{p}"), value=p) for p in rules.PLATFORMS
]
WARNING_CHOICES = [
    app_commands.Choice(name=ls(f"tasks.choices.warning.{c}"), value=c)
    for c in rules.WARNING_CATEGORIES
]


#: Discord checks only the widest bound (rupiah, dong); the rules check each currency's.
Reward = app_commands.Range[float, 0.01, float(rules.REWARD_OPTION_MAX)]
Minutes = app_commands.Range[int, 1, rules.MINUTES_MAX]
Available = app_commands.Range[int, 1, rules.AVAILABLE_MAX]
Currency = app_commands.Range[str, 3, 3]


class TasksCog(commands.Cog, name=COG_NAME):
    """Task alerts: share, merge, rate by hourly pay, keep fresh, search."""

    task = server_group("tasks.group")

    def __init__(self, bot: Entraide) -> None:
        self.bot = bot
        self.service = AlertService(bot, buttons=alert_view)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(AlertButton, UndoOtherButton)
        self.bot.privacy.register(
            "tasks",
            tasks_db.export_member,
            self.erase_member,
            (
                "task_alerts.sharer_id",
                "task_alerts.warning_proposed_by",
                "task_alerts.warning_confirmed_by",
                "task_alerts.last_seen_by",
                "task_alerts.last_vote_by",
                "task_alerts.seen_by",
                "task_alerts.ended_by",
                "task_sightings.user_id",
                "task_votes.user_id",
                "task_reports.user_id",
            ),
        )
        # One sweep job keyed on the indexed expires_at: restarts lose nothing, since the
        # rows say what is due; the first sweep runs right away to catch up.
        self.bot.scheduler.add_job(
            self.service.expire_due,
            "interval",
            minutes=1,
            id=EXPIRY_JOB_ID,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=300,
        )
        self.bot.spawn(self.service.expire_due(), name="tasks: expiry catch-up")

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(AlertButton, UndoOtherButton)
        self.bot.privacy.unregister("tasks")
        if self.bot.scheduler.get_job(EXPIRY_JOB_ID) is not None:
            self.bot.scheduler.remove_job(EXPIRY_JOB_ID)

    # -- jobs and events -------------------------------------------------------------------

    async def expire_due(self) -> int:
        """The expiry sweep (what the scheduler runs every minute)."""
        return await self.service.expire_due()

    @commands.Cog.listener()
    async def on_requester_status_changed(self, requester_id: int) -> None:
        await self.service.requester_changed(requester_id)

    @commands.Cog.listener()
    async def on_bus_resync(self) -> None:
        """Status changes may have been missed here: redraw what shows a requester."""
        await self.service.resync()

    @commands.Cog.listener()
    async def on_requester_other_confirmed(
        self, entry: AuditEntry, alert: tasks_db.Alert, matched: Requester
    ) -> None:
        """Tell moderators a sharer said a flagged name is another requester (undo button)."""
        await post_other_notice(self.bot, entry, alert, matched)

    async def erase_member(self, db: Database, user_id: int) -> int:
        """Privacy erase: anonymise shares, drop votes and reports, redraw what showed them."""
        changed, alert_ids = await tasks_db.erase_member(db, user_id)
        if alert_ids:
            self.bot.spawn(self._redraw(alert_ids), name="tasks: redraw after erase")
        return changed

    async def _redraw(self, alert_ids: list[int]) -> None:
        for alert_id in alert_ids:
            await self.service.refresh(alert_id)

    # -- sharing ---------------------------------------------------------------------------

    async def handle_share(
        self, interaction: discord.Interaction[Entraide], raw: rules.ShareInput
    ) -> None:
        """Validate, store, post (or merge) and tell the sharer where the alert is."""
        settings = await require_setup(interaction)
        draft = rules.build_share(raw, default_currency=settings.currency)
        await self.share_draft(interaction, settings, draft)

    async def share_draft(
        self,
        interaction: discord.Interaction[Entraide],
        settings: GuildSettings,
        draft: rules.ShareDraft,
        *,
        other_confirmed: bool = False,
    ) -> None:
        """Share a validated draft and answer: at once if quick, else after a deferral.

        A name held for a scam is answered with its way out (`OtherRequesterView`).
        """
        locale = locale_of(interaction)

        async def shared() -> Answer:
            try:
                outcome = await self.service.share(
                    guild_id=settings.guild_id,
                    settings=settings,
                    draft=draft,
                    sharer_id=interaction.user.id,
                    locale=locale,
                    other_confirmed=other_confirmed,
                )
            except NameHeldError as held:
                view = OtherRequesterView(self.share_draft, interaction.user.id, draft, locale)
                return Answer(held.message(locale), view=view)
            view = None
            if outcome.matched is not None and outcome.created and not outcome.other_confirmed:
                # Posted with a flagged namesake's warning: the sharer may say it is another.
                view = PostedOtherView(self.service, interaction.user.id, outcome.alert.id, locale)
            return Answer(share_reply(outcome, settings, locale), view=view)

        await answer_when_ready(interaction, shared())

    @task.command(name=ls("tasks.share.name"), description=ls("tasks.share.description"))
    @app_commands.choices(platform=PLATFORM_CHOICES, warning=WARNING_CHOICES)
    async def share(  # noqa: PLR0917 - one parameter per slash option
        self,
        interaction: discord.Interaction[Entraide],
        reward: Reward,
        minutes: Minutes,
        link: str | None = None,
        title: str | None = None,
        platform: str | None = None,
        requester: str | None = None,
        requester_id: str | None = None,
        currency: Currency | None = None,
        limits: str | None = None,
        available: Available | None = None,
        notes: str | None = None,
        anonymous: bool = False,
        warning: str | None = None,
    ) -> None:
        raw = rules.ShareInput(
            link=link,
            title=title,
            platform=platform,
            requester=requester,
            requester_id=requester_id,
            reward=reward,
            currency=currency,
            minutes=minutes,
            limits=limits,
            available=available,
            notes=notes,
            anonymous=anonymous,
            warning=warning,
        )
        await self.handle_share(interaction, raw)

    @task.command(name=ls("tasks.form.name"), description=ls("tasks.form.description"))
    @app_commands.choices(platform=PLATFORM_CHOICES, warning=WARNING_CHOICES)
    async def share_form(  # noqa: PLR0917 - one parameter per slash option
        self,
        interaction: discord.Interaction[Entraide],
        reward: Reward,
        minutes: Minutes,
        currency: Currency | None = None,
        platform: str | None = None,
        available: Available | None = None,
        anonymous: bool = False,
        warning: str | None = None,
    ) -> None:
        settings = await require_setup(interaction)
        # The numbers are checked before the form opens, so no typed text is lost to them.
        code = rules.normalize_currency(currency, settings.currency)
        probe = rules.ShareInput(
            title="-",
            reward=reward,
            currency=code,
            minutes=minutes,
            platform=platform,
            available=available,
            warning=warning,
        )
        rules.build_share(probe, default_currency=settings.currency)
        options = {
            "reward": reward,
            "minutes": minutes,
            "currency": code,
            "platform": platform,
            "available": available,
            "anonymous": anonymous,
            "warning": warning,
        }
        modal = ShareFormModal(locale_of(interaction), options, self.handle_share)
        await interaction.response.send_modal(modal)

    @task.command(name=ls("intake.paste.name"), description=ls("intake.paste.description"))
    async def paste(self, interaction: discord.Interaction[Entraide]) -> None:
        """Registered here (the `/task` group lives in this cog), handled by `cogs.intake`."""
        intake = self.bot.get_cog("Intake")
        if intake is None:
            raise UserError("tasks.errors.unavailable")
        await intake.open_paste(interaction)  # type: ignore[attr-defined]

    # -- search ----------------------------------------------------------------------------

    @task.command(name=ls("tasks.search.name"), description=ls("tasks.search.description"))
    @app_commands.choices(platform=PLATFORM_CHOICES)
    async def search(
        self,
        interaction: discord.Interaction[Entraide],
        text: str | None = None,
        platform: str | None = None,
        requester: str | None = None,
        min_hourly: app_commands.Range[float, 0.0, float(rules.REWARD_OPTION_MAX)] | None = None,
    ) -> None:
        settings = await require_setup(interaction)
        locale = locale_of(interaction)
        if platform is not None and platform not in rules.PLATFORMS:
            raise member_text.FieldError(
                "tasks.errors.platform_unknown", "platform", platform=platform[:20]
            )
        if text is not None and len(text) > rules.SEARCH_TEXT_MAX:
            raise member_text.FieldError(
                "tasks.errors.too_long", "text", limit=rules.SEARCH_TEXT_MAX, length=len(text)
            )
        requester_ids = None
        if requester and requester.strip():
            requester_ids = tuple(
                await tasks_db.requester_ids(
                    self.bot.db, name_key(requester), requester.strip().upper(), rules.PLATFORMS
                )
            )
        filters = tasks_db.SearchFilters(
            guild_id=settings.guild_id,
            match=rules.fts_query(text),
            platform=platform,
            requester_ids=requester_ids,
            min_hourly_cents=rules.hourly_limit_cents(min_hourly, settings.currency),
            currency=settings.currency,
        )
        found = (
            []
            if requester_ids == ()
            else await tasks_db.search(self.bot.db, filters, limit=SEARCH_WINDOW)
        )
        prefs = await members.get(self.bot.db, interaction.user.id)
        takeable = [
            a
            for a in found
            if is_eligible(
                Limits(a.countries, a.qualifications), prefs.country, prefs.qualifications
            )
        ]
        hidden = len(found) - len(takeable)
        shown = sorted(takeable, key=lambda a: (not a.is_live, -a.id))[:SEARCH_SHOWN]
        more = len(takeable) - len(shown)
        embed = search_embed(shown, hidden, settings, locale)
        if more:
            key = "tasks.search.more_plus" if len(found) >= SEARCH_WINDOW else "tasks.search.more"
            embed.add_field(name="\u200b", value=t(key, locale, count=more), inline=False)
        await reply(interaction, embed=embed)

    # -- moderation ------------------------------------------------------------------------

    @task.command(name=ls("tasks.delete.name"), description=ls("tasks.delete.description"))
    async def delete(
        self, interaction: discord.Interaction[Entraide], alert: str, reason: str
    ) -> None:
        settings = await require_moderator(interaction)
        ref = rules.parse_alert_ref(alert)
        clean = member_text.clean_text("reason", reason, rules.REASON_MAX, multiline=True)
        if clean is None:
            raise member_text.FieldError("tasks.errors.required", "reason")
        removed = await self.service.remove(
            settings.guild_id, ref, moderator_id=interaction.user.id, reason=clean
        )
        locale = locale_of(interaction)
        await reply(
            interaction,
            t(
                "tasks.delete.done",
                locale,
                id=removed.id,
                title=render.named_title(removed, locale),
            ),
        )

    # -- autocomplete ----------------------------------------------------------------------

    @share.autocomplete("currency")
    @share_form.autocomplete("currency")
    async def _currency_choices(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[app_commands.Choice[str]]:
        prefix = current.strip().upper()
        return [
            app_commands.Choice(name=code, value=code)
            for code in COMMON_CURRENCIES
            if code.startswith(prefix)
        ][:25]

    @share.autocomplete("requester")
    @search.autocomplete("requester")
    async def _requester_choices(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[app_commands.Choice[str]]:
        if not current.strip():
            return []
        names = await tasks_db.requester_suggestions(self.bot.db, current[:50])
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names]

    @delete.autocomplete("alert")
    async def _alert_choices(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        filters = tasks_db.SearchFilters(
            guild_id=interaction.guild_id, match=rules.fts_query(current)
        )
        found = await tasks_db.search(self.bot.db, filters, limit=25)
        locale = locale_of(interaction)
        choices = []
        for alert in found:
            label = t(
                "tasks.delete.choice",
                locale,
                id=alert.id,
                state=t(f"tasks.state.{alert.state}", locale),
                title=render.plain_title(alert, locale),
            )
            choices.append(app_commands.Choice(name=label[:100], value=str(alert.id)))
        return choices


def share_reply(outcome: ShareOutcome, settings: GuildSettings, locale: str) -> str:
    """What the sharer reads: where the alert is (new or merged) and how it was read."""
    alert = outcome.alert
    if outcome.created:
        lines = [
            t("tasks.share.posted", locale, url=alert.jump_url or "—"),
            render.headline(alert, settings, locale),
            t("tasks.share.limits_read", locale, limits=render.limits_text(alert, locale)),
        ]
        if alert.anonymous:
            lines.append(t("tasks.share.anonymous", locale))
    elif alert.jump_url:
        # A member who already shared it is told so: their share was not counted again.
        key = "tasks.share.again" if outcome.repeat else "tasks.share.duplicate"
        lines = [t(key, locale, url=alert.jump_url, count=alert.seen_count)]
    else:
        lines = [t("tasks.share.duplicate_pending", locale)]
    standing = render.standing_line(outcome.reputation, locale)
    if standing:
        lines.append(standing)
    if outcome.matched is not None:
        record = outcome.matched
        params = {
            "record": safe_text(record.name, 100),
            "id": safe_text(record.platform_requester_id or f"#{record.id}", 64, markdown=True),
        }
        key = "confirmed_other" if outcome.other_confirmed else "matched"
        lines.append(t(f"tasks.identity.{key}", locale, **params))
    elif outcome.several:
        lines.append(t("tasks.identity.several", locale))
    elif not (alert.requester_name or alert.platform_requester_id):
        lines.append(t("tasks.identity.unknown_hint", locale))
    return "\n".join(lines)


def search_embed(
    alerts: list[tasks_db.Alert], hidden: int, settings: GuildSettings, locale: str
) -> discord.Embed:
    embed = discord.Embed(title=t("tasks.search.title", locale), colour=Colours.INFO)
    if alerts:
        embed.description = "\n\n".join(render.search_line(a, settings, locale) for a in alerts)
    else:
        embed.description = t("tasks.search.none", locale)
    notes = [t("tasks.search.order", locale)]
    if hidden:
        notes.append(t("tasks.search.hidden", locale, count=hidden))
    embed.set_footer(text=" · ".join(notes))
    return embed
