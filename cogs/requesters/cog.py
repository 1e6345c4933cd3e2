"""`/requester review|report|info|status|merge` and the moderators' report buttons."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import checks
from bot.clock import to_epoch
from bot.delivery import ChannelProblemError, post_to
from bot.errors import UserError
from bot.i18n import format_money, format_number, t
from bot.translator import ls
from bot.ui import NO_PINGS, fit_embed, locale_of, reply, safe_text
from cogs.requesters import cards, reviewing, rules, service
from cogs.requesters.reviewing import REQUESTER_REVIEWS
from cogs.requesters.views import (
    COG_NAME,
    AnswerButton,
    AnswerModal,
    FlagModal,
    FlagReviewButton,
    ReasonModal,
    ReportActionButton,
    ReviewsPageButton,
    answer_view,
    card_view,
    flag_view,
    reviews_page_view,
)
from db import audit, guilds, members, reports, requester_standing, requesters, reviews
from db import tasks as tasks_db
from db.reports import Report, ReportRefusedError
from db.requesters import Requester
from db.reviews import ReviewRefusedError

if TYPE_CHECKING:
    from bot.bot import Entraide

log = logging.getLogger(__name__)

RECENT_WINDOW = timedelta(days=90)
REVIEWS_SHOWN = 3
#: Reviews per page of the "All reviews" list (one Flag button each: at most 5 a row).
REVIEWS_PAGE = 5
HIDDEN_SHOWN = 5
#: Recent alerts of the server the crowd hourly is computed from.
HOURLY_ALERTS = 100
RECENT_ALERTS = 5
#: Discord's error code for changing a message in an archived thread.
THREAD_ARCHIVED = 50083


def _platform_choices() -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=ls(f"requesters.platforms.{p}"), value=p) for p in rules.PLATFORMS
    ]


def _category_choices() -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=ls(f"requesters.categories.{c}"), value=c)
        for c in rules.CATEGORIES
    ]


def _experience_choices() -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=ls(f"requesters.review.experience.{band}"), value=band)
        for band in REQUESTER_REVIEWS.experience
    ]


def _status_choices() -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=ls(f"requesters.statuses.{s}"), value=s) for s in rules.STATUSES
    ]


Score = app_commands.Range[int, 1, 5]

#: Columns naming a member that this feature's privacy section exports and erases.
PRIVACY_COLUMNS = (
    "reviews.author_id",
    "review_flags.flagger_id",
    "reports.reporter_id",
    "reports.closed_by",
    "report_notes.author_id",
    "audit_log.actor_id",
)


class RequestersCog(commands.Cog, name=COG_NAME):
    """Reviews, scam reports and the moderators' queue for requesters."""

    requester = app_commands.Group(
        name=ls("requesters.group.name"),
        description=ls("requesters.group.description"),
        guild_only=True,
    )

    def __init__(self, bot: Entraide) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(
            ReportActionButton, AnswerButton, FlagReviewButton, ReviewsPageButton
        )
        self.bot.privacy.register(
            "requesters", self.export_member, self.erase_member, PRIVACY_COLUMNS
        )

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(
            ReportActionButton, AnswerButton, FlagReviewButton, ReviewsPageButton
        )
        self.bot.privacy.unregister("requesters")

    # -- helpers ------------------------------------------------------------------------

    def _now(self) -> int:
        return to_epoch(self.bot.clock.now())

    def _guild_name(self, guild_id: int) -> str | None:
        guild = self.bot.get_guild(guild_id)
        return guild.name if guild is not None else None

    async def _server_locale(self, guild_id: int) -> str:
        return (await guilds.get(self.bot.db, guild_id)).locale

    async def _member_locale(self, user_id: int, guild_id: int) -> str:
        prefs = await members.get(self.bot.db, user_id)
        return prefs.locale or await self._server_locale(guild_id)

    def _status_changed(self, *requester_ids: int) -> None:
        """Tell the tasks feature (and anyone else) to re-render what shows the status."""
        for requester_id in dict.fromkeys(requester_ids):
            self.bot.dispatch("requester_status_changed", requester_id)

    # -- autocomplete -------------------------------------------------------------------

    async def requester_autocomplete(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[app_commands.Choice[str]]:
        locale = locale_of(interaction)
        try:
            hits = await requesters.search(self.bot.db, current[:100], limit=25)
        except Exception:
            log.exception("requester autocomplete failed")
            return []
        return [
            app_commands.Choice(
                name=cards.choice_label(hit.requester, hit.matched_name, locale),
                value=f"#{hit.requester.id}",
            )
            for hit in hits
        ]

    # -- /requester review ------------------------------------------------------------------

    @requester.command(
        name=ls("requesters.review_cmd.name"), description=ls("requesters.review_cmd.description")
    )
    @app_commands.choices(platform=_platform_choices(), tasks_done=_experience_choices())
    async def review(
        self,
        interaction: discord.Interaction[Entraide],
        *,
        requester: app_commands.Range[str, 1, 100],
        pay: Score,
        fast: Score,
        fair: Score,
        communication: Score,
        tasks_done: str,
        platform: str | None = None,
        requester_id: app_commands.Range[str, 1, 64] | None = None,
        text: app_commands.Range[str, 1, reviewing.BODY_LIMIT] | None = None,
    ) -> None:
        """Rate a requester; a second review of the same requester edits the first.

        The same limits as reports: the server must be set up (a review can add a
        requester to the registry every server shares), new members wait the server's
        `new_member_days`, and a member writes at most `reports_per_day` new reviews a day
        in a server. A refused review stores nothing (one transaction).
        """
        settings = await checks.require_setup(interaction)
        locale = locale_of(interaction)
        query = rules.parse_requester(requester, platform, requester_id)
        checked = reviewing.validate_review(
            REQUESTER_REVIEWS,
            {"pay": pay, "fast": fast, "fair": fair, "communication": communication},
            tasks_done,
            text,
        )
        now_dt = self.bot.clock.now()
        now = to_epoch(now_dt)
        joined_at = getattr(interaction.user, "joined_at", None)
        if rules.is_new_member(joined_at, now_dt, settings.new_member_days):
            assert joined_at is not None
            raise UserError(
                "requesters.errors.review_new_member",
                days=settings.new_member_days,
                when=f"<t:{to_epoch(joined_at) + settings.new_member_days * 86400}:R>",
            )
        try:
            async with self.bot.db.transaction():
                target = await service.resolve_requester(self.bot.db, query, create=True, now=now)
                saved = await reviews.save(
                    self.bot.db,
                    REQUESTER_REVIEWS.kind,
                    target.id,
                    author_id=interaction.user.id,
                    guild_id=settings.guild_id,
                    scores=checked.score_map(),
                    experience=checked.experience,
                    body=checked.body,
                    now=now,
                    since=now - int(rules.REPORT_WINDOW.total_seconds()),
                    daily_limit=settings.reports_per_day,
                )
                await requesters.mark_listed(self.bot.db, target.id)
        except ReviewRefusedError:
            raise UserError(
                "requesters.errors.review_daily_limit", limit=settings.reports_per_day
            ) from None
        await reply(interaction, embed=cards.review_receipt(saved, target, locale))

    review.autocomplete("requester")(requester_autocomplete)

    # -- /requester report --------------------------------------------------------------

    @requester.command(
        name=ls("requesters.report_cmd.name"), description=ls("requesters.report_cmd.description")
    )
    @app_commands.choices(platform=_platform_choices(), category=_category_choices())
    async def report(
        self,
        interaction: discord.Interaction[Entraide],
        *,
        requester: app_commands.Range[str, 1, 100],
        category: str,
        description: app_commands.Range[str, 1, rules.DESCRIPTION_LIMIT],
        platform: str | None = None,
        requester_id: app_commands.Range[str, 1, 64] | None = None,
        evidence: app_commands.Range[str, 1, 2600] | None = None,
        attachment: discord.Attachment | None = None,
    ) -> None:
        """File a report for moderators; the member gets a private receipt with its number."""
        settings = await checks.require_setup(interaction)
        locale = locale_of(interaction)
        query = rules.parse_requester(requester, platform, requester_id)
        rules.check_category(category)
        text = rules.check_text(
            description, limit=rules.DESCRIPTION_LIMIT, minimum=rules.DESCRIPTION_MINIMUM
        )
        assert text is not None
        links = rules.parse_evidence(evidence)
        attachment_url, attachment_name = _attachment(attachment)
        now_dt = self.bot.clock.now()
        now = to_epoch(now_dt)
        joined_at = getattr(interaction.user, "joined_at", None)
        new_member = rules.is_new_member(joined_at, now_dt, settings.new_member_days)
        # Posting the card is a round trip to Discord: take the time it needs.
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            async with self.bot.db.transaction():
                target = await service.resolve_requester(self.bot.db, query, create=True, now=now)
                filed = await reports.create(
                    self.bot.db,
                    guild_id=settings.guild_id,
                    requester_id=target.id,
                    reporter_id=interaction.user.id,
                    category=category,
                    description=text,
                    evidence=links,
                    attachment_url=attachment_url,
                    attachment_name=attachment_name,
                    new_member=new_member,
                    now=now,
                    since=now - int(rules.REPORT_WINDOW.total_seconds()),
                    daily_limit=settings.reports_per_day,
                )
                await requesters.mark_listed(self.bot.db, target.id)
        except ReportRefusedError as refused:
            raise UserError(
                f"requesters.errors.{refused.reason}", limit=settings.reports_per_day
            ) from None
        posted = await self.post_card(filed, target)
        key = "requesters.report.receipt" if posted else "requesters.report.receipt_unposted"
        await reply(
            interaction,
            t(key, locale, number=filed.id, name=safe_text(target.name, 100)),
        )

    report.autocomplete("requester")(requester_autocomplete)

    async def post_card(self, report: Report, requester: Requester | None = None) -> bool:
        """Post a report's card to the server's moderators' channel (forum or text)."""
        requester = requester or await requesters.get(self.bot.db, report.requester_id)
        assert requester is not None
        locale = await self._server_locale(report.guild_id)
        notes = await reports.notes(self.bot.db, report.id)
        counts = await reports.counts_for_requester(self.bot.db, requester.id)
        try:
            posted = await post_to(
                self.bot,
                report.guild_id,
                "mod",
                embed=cards.report_card(report, requester, notes, counts, locale),
                view=card_view(report.id, report.state, locale),
                forum_title=cards.forum_title(report, requester),
            )
        except ChannelProblemError as problem:
            log.warning(
                "report %s: card not posted in guild %s (%s)",
                report.id,
                report.guild_id,
                problem.reason,
            )
            return False
        await reports.set_card(self.bot.db, report.id, posted.channel_id, posted.message.id)
        return True

    async def refresh_card(self, report_id: int) -> None:
        """Show a report's current state on its card (after any action or answer)."""
        report = await reports.get(self.bot.db, report_id)
        if report is None or report.card_message_id is None or report.card_channel_id is None:
            return
        requester = await requesters.get(self.bot.db, report.requester_id)
        assert requester is not None
        locale = await self._server_locale(report.guild_id)
        notes = await reports.notes(self.bot.db, report.id)
        counts = await reports.counts_for_requester(self.bot.db, requester.id)
        channel = self.bot.get_partial_messageable(report.card_channel_id, guild_id=report.guild_id)
        message = channel.get_partial_message(report.card_message_id)
        embed = fit_embed(cards.report_card(report, requester, notes, counts, locale))
        view = card_view(report.id, report.state, locale)
        try:
            try:
                await message.edit(embed=embed, view=view, allowed_mentions=NO_PINGS)
            except discord.HTTPException as error:
                if error.code != THREAD_ARCHIVED:
                    raise
                # Forum posts archive themselves after a day of quiet; wake the post up.
                thread = await self.bot.fetch_channel(report.card_channel_id)
                if not isinstance(thread, discord.Thread):
                    raise
                await thread.edit(archived=False)
                await message.edit(embed=embed, view=view, allowed_mentions=NO_PINGS)
        except discord.NotFound:
            log.info("report %s: card was deleted; /mod queue can post it again", report.id)
            await reports.set_card(self.bot.db, report.id, None, None)
        except discord.HTTPException:
            log.warning("report %s: could not update its card", report.id, exc_info=True)

    # -- moderators' buttons ------------------------------------------------------------

    async def report_button(
        self, interaction: discord.Interaction[Entraide], action: str, report_id: int
    ) -> None:
        """A card button: checked on the server side, then the reason form opens."""
        settings = await checks.require_moderator(interaction)
        report = await reports.get(self.bot.db, report_id)
        if report is None:
            raise UserError("requesters.errors.unknown_report", number=report_id)
        if report.guild_id != settings.guild_id:
            raise UserError("requesters.errors.other_server_report", number=report_id)
        if action == "reopen" and report.is_open:
            raise UserError("requesters.errors.already_open", number=report_id)
        if action != "reopen" and not report.is_open:
            raise UserError(f"requesters.errors.already_{report.state}", number=report_id)
        if action == "ask" and report.reporter_id is None:
            raise UserError("requesters.errors.reporter_gone", number=report_id)
        await interaction.response.send_modal(
            ReasonModal(self, action, report_id, locale_of(interaction))
        )

    async def report_reason(
        self, interaction: discord.Interaction[Entraide], action: str, report_id: int, text: str
    ) -> None:
        """The reason form was sent: act, answer the moderator, then update everything."""
        settings = await checks.require_moderator(interaction)
        locale = locale_of(interaction)
        now = self._now()
        db = self.bot.db
        # Direct messages and card edits are round trips to Discord; answer when done.
        await interaction.response.defer(ephemeral=True, thinking=True)
        if action == "ask":
            report = await service.ask_reporter(
                db,
                report_id,
                guild_id=settings.guild_id,
                moderator_id=interaction.user.id,
                question=text,
                now=now,
            )
            delivered = await self._ask_reporter(report, text)
            key = "requesters.mod.asked" if delivered else "requesters.mod.asked_undelivered"
            await reply(interaction, t(key, locale, number=report_id))
            await self.refresh_card(report_id)
            return
        if action == "reopen":
            outcome = await service.reopen_report(
                db,
                report_id,
                guild_id=settings.guild_id,
                moderator_id=interaction.user.id,
                reason=text,
                now=now,
            )
        else:
            state = "confirmed" if action == "confirm" else "dismissed"
            outcome = await service.close_report(
                db,
                report_id,
                guild_id=settings.guild_id,
                moderator_id=interaction.user.id,
                state=state,
                reason=text,
                now=now,
            )
        message = t(f"requesters.mod.done_{action}", locale, number=report_id)
        if outcome.status_changed:
            message += "\n" + t(
                "requesters.mod.status_now",
                locale,
                name=safe_text(outcome.requester.name, 100),
                status=cards.status_label(outcome.requester.status, locale),
            )
        await reply(interaction, message)
        await self.refresh_card(report_id)
        if outcome.status_changed:
            self._status_changed(outcome.requester.id)
        if action != "reopen":
            self.bot.spawn(self._tell_reporter(outcome.report), name=f"report-{report_id}-outcome")

    async def _ask_reporter(self, report: Report, question: str) -> bool:
        """DM the reporter the question with a button to answer; False if DMs are closed."""
        if report.reporter_id is None:
            return False
        locale = await self._member_locale(report.reporter_id, report.guild_id)
        requester = await requesters.get(self.bot.db, report.requester_id)
        name = requester.name if requester else "?"
        content = t(
            "requesters.dm.question",
            locale,
            server=safe_text(self._guild_name(report.guild_id) or "", 100),
            number=report.id,
            name=safe_text(name, 100),
            question=safe_text(question, 1000),
        )
        try:
            channel = await self.bot.create_dm(discord.Object(id=report.reporter_id))
            await channel.send(
                content=content, view=answer_view(report.id, locale), allowed_mentions=NO_PINGS
            )
        except discord.HTTPException:
            log.info("report %s: could not DM the reporter", report.id)
            return False
        return True

    async def _tell_reporter(self, report: Report) -> None:
        """Let the reporter know their report was handled (never who handled it)."""
        if report.reporter_id is None:
            return
        locale = await self._member_locale(report.reporter_id, report.guild_id)
        requester = await requesters.get(self.bot.db, report.requester_id)
        content = t(
            f"requesters.dm.outcome_{report.state}",
            locale,
            number=report.id,
            name=safe_text(requester.name if requester else "?", 100),
            server=safe_text(self._guild_name(report.guild_id) or "", 100),
        )
        try:
            channel = await self.bot.create_dm(discord.Object(id=report.reporter_id))
            await channel.send(content=content, allowed_mentions=NO_PINGS)
        except discord.HTTPException:
            log.info("report %s: could not tell the reporter the outcome", report.id)

    # -- the reporter's answer ------------------------------------------------------------

    async def answer_button(
        self, interaction: discord.Interaction[Entraide], report_id: int
    ) -> None:
        report = await reports.get(self.bot.db, report_id)
        if report is None or report.reporter_id != interaction.user.id:
            raise UserError("requesters.errors.unknown_report", number=report_id)
        if not report.is_open:
            raise UserError("requesters.errors.report_closed_thanks", number=report_id)
        questions = [n for n in await reports.notes(self.bot.db, report_id) if n.kind == "question"]
        question = questions[-1].body if questions else ""
        await interaction.response.send_modal(
            AnswerModal(self, report_id, question, locale_of(interaction))
        )

    async def answer_submitted(
        self, interaction: discord.Interaction[Entraide], report_id: int, text: str
    ) -> None:
        report = await service.answer_report(
            self.bot.db, report_id, interaction.user.id, text, self._now()
        )
        await reply(
            interaction,
            t("requesters.report.answer_saved", locale_of(interaction), number=report_id),
        )
        await self.refresh_card(report_id)
        await self._announce_answer(report)

    async def _announce_answer(self, report: Report) -> None:
        """A line under the card, so moderators notice the answer arrived."""
        if report.card_channel_id is None or report.card_message_id is None:
            return
        locale = await self._server_locale(report.guild_id)
        channel = self.bot.get_partial_messageable(report.card_channel_id, guild_id=report.guild_id)
        try:
            await channel.send(
                content=t("requesters.card.answered", locale, number=report.id),
                reference=channel.get_partial_message(report.card_message_id),
                mention_author=False,
                allowed_mentions=NO_PINGS,
            )
        except discord.HTTPException:
            log.info("report %s: could not announce the answer", report.id)

    # -- review flags ---------------------------------------------------------------------

    async def flag_button(self, interaction: discord.Interaction[Entraide], review_id: int) -> None:
        await checks.guild_settings(interaction)  # a flag is a server's: refuse DMs up front
        review = await reviews.get(self.bot.db, review_id)
        if review is None:
            raise UserError("requesters.errors.unknown_review", number=review_id)
        if review.author_id == interaction.user.id:
            raise UserError("requesters.errors.own_review")
        # Refused before the form opens: nobody writes a reason only to be told it is moot.
        if await reviews.has_flagged(self.bot.db, review_id, interaction.user.id):
            raise UserError("requesters.errors.already_flagged", number=review_id)
        await interaction.response.send_modal(FlagModal(self, review_id, locale_of(interaction)))

    async def flag_submitted(
        self, interaction: discord.Interaction[Entraide], review_id: int, reason: str
    ) -> None:
        locale = locale_of(interaction)
        settings = await checks.guild_settings(interaction)
        review = await reviews.get(self.bot.db, review_id)
        if review is None:
            raise UserError("requesters.errors.unknown_review", number=review_id)
        if review.author_id == interaction.user.id:
            raise UserError("requesters.errors.own_review")
        text = rules.check_text(
            reason,
            limit=reviewing.FLAG_REASON_LIMIT,
            required=False,
            field="common.fields.reason",
        )
        moderator = checks.is_moderator(interaction.user, settings)
        now = self._now()
        result = await reviews.flag(
            self.bot.db,
            review_id,
            interaction.user.id,
            settings.guild_id,
            by_moderator=moderator,
            reason=text,
            now=now,
            hide_rule=reviewing.is_hidden,
        )
        if not result.added:
            raise UserError("requesters.errors.already_flagged", number=review_id)
        if moderator:
            await audit.record(
                self.bot.db,
                guild_id=settings.guild_id,
                actor_id=interaction.user.id,
                action="review_flag",
                target_kind="review",
                target_id=review_id,
                reason=text,
                now=now,
                detail={"hidden": result.hidden},
            )
        key = (
            "requesters.flag.hidden"
            if result.changed and result.hidden
            else "requesters.flag.saved"
        )
        await reply(interaction, t(key, locale, number=review_id))

    # -- /requester info --------------------------------------------------------------------

    @requester.command(
        name=ls("requesters.info_cmd.name"), description=ls("requesters.info_cmd.description")
    )
    @app_commands.choices(platform=_platform_choices())
    async def info(
        self,
        interaction: discord.Interaction[Entraide],
        *,
        requester: app_commands.Range[str, 1, 100],
        platform: str | None = None,
        requester_id: app_commands.Range[str, 1, 64] | None = None,
    ) -> None:
        """Everything the community knows about a requester, privately."""
        settings = await checks.guild_settings(interaction)
        locale = locale_of(interaction)
        query = rules.parse_requester(requester, platform, requester_id)
        db = self.bot.db
        target = await service.resolve_requester(db, query, create=False, now=self._now())
        since = self._now() - int(RECENT_WINDOW.total_seconds())
        summary = await reviews.summary(db, REQUESTER_REVIEWS.kind, target.id, since)
        standing = requester_standing.standing(
            target.status,
            summary.review_count,
            {c: summary.mean(c) for c in REQUESTER_REVIEWS.criteria},
        )
        shown = await reviews.recent(db, REQUESTER_REVIEWS.kind, target.id, limit=REVIEWS_SHOWN)
        moderator = checks.is_moderator(interaction.user, settings)
        hidden = (
            await reviews.recent(
                db, REQUESTER_REVIEWS.kind, target.id, limit=HIDDEN_SHOWN, hidden=True
            )
            if moderator
            else None
        )
        aliases = await requesters.aliases(db, target.id)
        other_names = await requesters.other_names(db, target.id) if moderator else None
        confirmations = (
            await self._confirmations(target.id, settings.guild_id, locale) if moderator else None
        )
        embed = cards.info_card(
            target,
            standing=standing,
            summary=summary,
            confirmed=await reports.confirmed_counts(db, target.id),
            aliases=aliases,
            reviews=shown,
            hidden_reviews=hidden,
            facts=await self._task_facts(target, aliases, settings.guild_id, locale),
            locale=locale,
            guild_name=self._guild_name,
            other_names=other_names,
            confirmations=confirmations,
        )
        flaggable = [r.id for r in shown if r.author_id != interaction.user.id]
        # more reviews than the card shows: a list reaches them all (and their Flag buttons)
        everything = (
            (REQUESTER_REVIEWS.kind, target.id, summary.review_count)
            if summary.review_count > len(shown)
            else None
        )
        await reply(interaction, embed=embed, view=flag_view(flaggable, locale, everything))

    info.autocomplete("requester")(requester_autocomplete)

    async def _confirmations(self, requester_id: int, guild_id: int, locale: str) -> list[str]:
        """Shares in this server whose sharer said this flagged name is another requester."""
        entries = [
            e
            for e in await audit.for_target(self.bot.db, "requester", requester_id)
            if e.guild_id == guild_id
        ]
        undone = {
            e.detail.get("confirmation") for e in entries if e.action == "requester_other_undone"
        }
        lines = []
        for entry in reversed(entries):
            if entry.action != "requester_other_confirmed":
                continue
            key = "confirmation_undone" if entry.id in undone else "confirmation_line"
            lines.append(
                t(
                    f"requesters.info.{key}",
                    locale,
                    alert=entry.detail.get("alert", "?"),
                    sharer=f"<@{entry.actor_id}>",
                    when=f"<t:{entry.created_at}:R>",
                )
            )
        return lines

    # -- every review of a subject, paged ------------------------------------------------------

    async def _review_subject(
        self, kind: str, subject_id: int, guild_id: int
    ) -> tuple[reviewing.ReviewSchema, str]:
        """The schema and name of what a review list is about, if this server sees it."""
        db = self.bot.db
        if kind == REQUESTER_REVIEWS.kind:
            found = await requesters.get(db, subject_id)
            if found is not None:
                return REQUESTER_REVIEWS, found.name
        else:
            # imported here: the platforms feature imports this one
            from cogs.platforms.rules import PLATFORM_REVIEWS
            from db import platforms as platforms_db

            if kind == PLATFORM_REVIEWS.kind:
                platform = await platforms_db.visible_by_id(db, guild_id, subject_id)
                if platform is not None:
                    return PLATFORM_REVIEWS, platform.name
        raise UserError("requesters.errors.unknown_review_subject")

    async def reviews_page(
        self,
        interaction: discord.Interaction[Entraide],
        kind: str,
        subject_id: int,
        page: int,
        *,
        opening: bool,
    ) -> None:
        """Every visible review, newest first, a page at a time, each with a Flag button."""
        settings = await checks.guild_settings(interaction)
        locale = locale_of(interaction)
        schema, name = await self._review_subject(kind, subject_id, settings.guild_id)
        page = max(1, page)
        shown, total = await reviews.page(
            self.bot.db, kind, subject_id, offset=(page - 1) * REVIEWS_PAGE, limit=REVIEWS_PAGE
        )
        pages = max(1, -(-total // REVIEWS_PAGE))
        if page > pages:  # reviews were removed since the list was drawn
            page = pages
            shown, total = await reviews.page(
                self.bot.db, kind, subject_id, offset=(page - 1) * REVIEWS_PAGE, limit=REVIEWS_PAGE
            )
        embed = cards.reviews_page_embed(
            name,
            shown,
            page=page,
            pages=pages,
            total=total,
            locale=locale,
            guild_name=self._guild_name,
            schema=schema,
        )
        flaggable = [r.id for r in shown if r.author_id != interaction.user.id]
        view = reviews_page_view(
            kind, subject_id, page=page, pages=pages, flaggable=flaggable, locale=locale
        )
        if opening:
            await reply(interaction, embed=embed, view=view)
        else:
            await interaction.response.edit_message(
                embed=embed, view=view, allowed_mentions=NO_PINGS
            )

    async def _task_facts(
        self, requester: Requester, aliases: list[Requester], guild_id: int, locale: str
    ) -> cards.TaskFacts:
        """Crowd hourly, share of content warnings and recent alerts, from task alerts.

        Warnings count every server's alerts; the hourly and the recent alerts are this
        server's (where the member can open them), aliases included.
        """
        db = self.bot.db
        warned, total = await tasks_db.warned_alert_stats(db, requester.id)
        recent = await tasks_db.search(
            db,
            tasks_db.SearchFilters(
                guild_id=guild_id, requester_ids=(requester.id, *(a.id for a in aliases))
            ),
            limit=HOURLY_ALERTS,
        )
        hourly = rules.crowd_hourly(
            (a.crowd_hourly_cents, a.done_count, a.currency)
            for a in recent
            if a.crowd_hourly_cents is not None
        )
        return cards.TaskFacts(
            hourly_text=None
            if hourly is None
            else t(
                "requesters.info.hourly_one"
                if hourly.reports == 1
                else "requesters.info.hourly_other",
                locale,
                amount=format_money(hourly.cents, hourly.currency, locale),
                reports=hourly.reports,
            ),
            warned_text=None
            if total == 0
            else t(
                "requesters.info.warnings_value",
                locale,
                warned=warned,
                total=total,
                percent=format_number(100 * warned / total, locale),
            ),
            recent_alerts=tuple(cards.alert_line(a, locale) for a in recent[:RECENT_ALERTS]),
            more_alerts=max(0, len(recent) - RECENT_ALERTS),
            more_alerts_plus=len(recent) >= HOURLY_ALERTS,
        )

    # -- moderators: status and merge -------------------------------------------------------

    @requester.command(
        name=ls("requesters.status_cmd.name"), description=ls("requesters.status_cmd.description")
    )
    @app_commands.choices(platform=_platform_choices(), status=_status_choices())
    async def status(
        self,
        interaction: discord.Interaction[Entraide],
        *,
        requester: app_commands.Range[str, 1, 100],
        status: str,
        reason: app_commands.Range[str, 1, rules.REASON_LIMIT],
        platform: str | None = None,
        requester_id: app_commands.Range[str, 1, 64] | None = None,
    ) -> None:
        """Moderators: set a requester's status (shown on every server) with a reason."""
        settings = await checks.require_moderator(interaction)
        locale = locale_of(interaction)
        query = rules.parse_requester(requester, platform, requester_id)
        rules.check_status(status)
        now = self._now()
        target = await service.resolve_requester(self.bot.db, query, create=False, now=now)
        updated, changed = await service.set_status(
            self.bot.db,
            target.id,
            guild_id=settings.guild_id,
            moderator_id=interaction.user.id,
            status=status,
            reason=reason,
            now=now,
        )
        key = "requesters.mod.status_set" if changed else "requesters.mod.status_unchanged"
        await reply(
            interaction,
            t(
                key,
                locale,
                name=safe_text(updated.name, 100),
                status=cards.status_label(updated.status, locale),
            ),
        )
        if changed:
            self._status_changed(updated.id)

    status.autocomplete("requester")(requester_autocomplete)

    @requester.command(
        name=ls("requesters.merge_cmd.name"), description=ls("requesters.merge_cmd.description")
    )
    async def merge(
        self,
        interaction: discord.Interaction[Entraide],
        *,
        alias: app_commands.Range[str, 1, 100],
        survivor: app_commands.Range[str, 1, 100],
        reason: app_commands.Range[str, 1, rules.REASON_LIMIT],
    ) -> None:
        """Moderators: record that two requester records are the same requester."""
        settings = await checks.require_moderator(interaction)
        locale = locale_of(interaction)
        now = self._now()
        db = self.bot.db
        alias_query = rules.parse_requester(alias)
        if alias_query.record_id is not None:
            named = await requesters.get(db, alias_query.record_id)
            if named is not None and named.merged_into_id is not None:
                raise UserError("requesters.errors.already_alias", name=rules.preview(named.name))
        old = await service.resolve_requester(db, alias_query, create=False, now=now)
        keep = await service.resolve_requester(
            db, rules.parse_requester(survivor), create=False, now=now
        )
        outcome = await service.merge(
            db,
            old.id,
            keep.id,
            guild_id=settings.guild_id,
            moderator_id=interaction.user.id,
            reason=reason,
            now=now,
        )
        await reply(
            interaction,
            t(
                "requesters.mod.merged",
                locale,
                alias=safe_text(outcome.alias.name, 100),
                survivor=safe_text(outcome.survivor.name, 100),
                status=cards.status_label(outcome.survivor.status, locale),
            ),
        )
        self._status_changed(outcome.survivor.id, outcome.alias.id)

    merge.autocomplete("alias")(requester_autocomplete)
    merge.autocomplete("survivor")(requester_autocomplete)

    @requester.command(
        name=ls("requesters.forget_name_cmd.name"),
        description=ls("requesters.forget_name_cmd.description"),
    )
    async def forget_name(
        self,
        interaction: discord.Interaction[Entraide],
        *,
        requester: app_commands.Range[str, 1, 100],
        name: app_commands.Range[str, 1, 100],
        reason: app_commands.Range[str, 1, rules.REASON_LIMIT],
    ) -> None:
        """Moderators: a name given for a record is not its name (a share can be wrong)."""
        settings = await checks.require_moderator(interaction)
        locale = locale_of(interaction)
        now = self._now()
        target = await service.resolve_requester(
            self.bot.db, rules.parse_requester(requester), create=False, now=now
        )
        forgotten = await service.forget_name(
            self.bot.db,
            target.id,
            name,
            guild_id=settings.guild_id,
            moderator_id=interaction.user.id,
            reason=reason,
            now=now,
        )
        await reply(
            interaction,
            t(
                "requesters.mod.name_forgotten",
                locale,
                name=safe_text(forgotten, 100),
                requester=safe_text(target.name, 100),
            ),
        )
        self._status_changed(target.id)  # shares by that name are resolved afresh

    forget_name.autocomplete("requester")(requester_autocomplete)

    # -- privacy --------------------------------------------------------------------------

    async def export_member(self, db: Any, user_id: int) -> dict[str, Any]:
        """Everything naming the member: reviews (with history), flags, reports.

        Their own reports, the reports they closed or wrote notes on, and every audit-log
        entry naming them as the actor.
        """
        return {
            **await reviews.export_author(db, user_id),
            "reports": await reports.export_reporter(db, user_id),
            **await reports.export_moderated(db, user_id),
            "moderation": await audit.export_actor(db, user_id),
        }

    async def erase_member(self, db: Any, user_id: int) -> int:
        """Delete reviews and flags; anonymise reports and the audit log.

        Reports, notes and audit entries stay (a server must be able to account for its
        decisions about requesters), but no longer say who: not the reporter, not the
        moderator who closed a report or asked a question, not the actor of any entry in
        `/mod log` (a reporter's answer is one).
        """
        changed = await reviews.erase_author(db, user_id, reviewing.is_hidden, self._now())
        changed += await reports.anonymise_reporter(db, user_id)
        return changed + await audit.anonymise_actor(db, user_id)


def _attachment(attachment: discord.Attachment | None) -> tuple[str | None, str | None]:
    """Keep a link to Discord's copy of the file (never re-hosted) and its name."""
    if attachment is None:
        return None, None
    url = attachment.url
    if not url.startswith("https://"):
        raise UserError("requesters.errors.bad_attachment")
    name = "".join(ch for ch in attachment.filename if ch.isprintable())[:100] or "attachment"
    return url, name
