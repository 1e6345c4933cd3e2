"""`/requester report`, its card in the moderators' channel, and what happens to it.

A member files a report; its card (with Confirm / Dismiss / Ask / Reopen) is posted to
the server's moderators' channel and redrawn after every action; the reporter is asked
questions and told the outcome by direct message, and answers through a button.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot import checks
from bot.answering import Answer, answer_when_ready
from bot.clock import to_epoch
from bot.delivery import ChannelProblemError, post_to
from bot.errors import UserError
from bot.i18n import t
from bot.translator import ls
from bot.ui import NO_PINGS, fit_embed, locale_of, reply, safe_text
from cogs.requesters import cards, rules, service
from cogs.requesters.cog.base import (
    RequesterIdText,
    RequestersBase,
    RequesterText,
    choices,
    platform_choices,
    requester_group,
)
from cogs.requesters.report_card import forum_title, report_card
from cogs.requesters.views import AnswerModal, ReasonModal, answer_view, card_view
from db import reports, requesters
from db.reports import Report, ReportRefusedError
from db.requesters import Requester

if TYPE_CHECKING:
    from bot.bot import Entraide


log = logging.getLogger(__name__)

#: Discord's error code for changing a message in an archived thread.
THREAD_ARCHIVED = 50083


class ReportsMixin(RequestersBase):
    """Filing reports, their cards and the moderators' queue."""

    # -- /requester report --------------------------------------------------------------

    @requester_group.command(
        name=ls("requesters.report_cmd.name"), description=ls("requesters.report_cmd.description")
    )
    @app_commands.choices(
        platform=platform_choices(), category=choices("requesters.categories", rules.CATEGORIES)
    )
    async def report(
        self,
        interaction: discord.Interaction[Entraide],
        *,
        requester: RequesterText,
        category: str,
        description: app_commands.Range[str, 1, rules.DESCRIPTION_LIMIT],
        platform: str | None = None,
        requester_id: RequesterIdText | None = None,
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
        # Posting the card is a round trip to Discord: answered at once if it is quick,
        # deferred if it takes longer (bot.answering).

        async def file_report() -> Answer:
            try:
                async with self.bot.db.transaction():
                    target = await service.resolve_requester(
                        self.bot.db, query, create=True, now=now
                    )
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
            return Answer(t(key, locale, number=filed.id, name=safe_text(target.name, 100)))

        await answer_when_ready(interaction, file_report())

    report.autocomplete("requester")(RequestersBase.requester_autocomplete)

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
                embed=report_card(report, requester, notes, counts, locale),
                view=card_view(report.id, report.state, locale),
                forum_title=forum_title(report, requester),
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
        embed = fit_embed(report_card(report, requester, notes, counts, locale))
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
        # Who acts, where and when: the same for whichever action this is.
        acting = {"guild_id": settings.guild_id, "moderator_id": interaction.user.id, "now": now}
        if action == "ask":
            report = await service.ask_reporter(db, report_id, question=text, **acting)
            delivered = await self._ask_reporter(report, text)
            key = "requesters.mod.asked" if delivered else "requesters.mod.asked_undelivered"
            await reply(interaction, t(key, locale, number=report_id))
            await self.refresh_card(report_id)
            return
        if action == "reopen":
            outcome = await service.reopen_report(db, report_id, reason=text, **acting)
        else:
            state = "confirmed" if action == "confirm" else "dismissed"
            outcome = await service.close_report(db, report_id, state=state, reason=text, **acting)
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
        return await self._dm_reporter(
            report,
            "requesters.dm.question",
            "could not DM the reporter",
            with_answer_button=True,
            question=safe_text(question, 1000),
        )

    async def _tell_reporter(self, report: Report) -> None:
        """Let the reporter know their report was handled (never who handled it)."""
        await self._dm_reporter(
            report,
            f"requesters.dm.outcome_{report.state}",
            "could not tell the reporter the outcome",
        )

    async def _dm_reporter(
        self,
        report: Report,
        key: str,
        failure: str,
        *,
        with_answer_button: bool = False,
        **params: object,
    ) -> bool:
        """A direct message about their report, in the reporter's language.

        False when it could not be sent (closed DMs, a reporter who erased their data);
        `failure` says what was missed in the log.
        """
        if report.reporter_id is None:
            return False
        locale = await self._member_locale(report.reporter_id, report.guild_id)
        requester = await requesters.get(self.bot.db, report.requester_id)
        content = t(
            key,
            locale,
            server=safe_text(self._guild_name(report.guild_id) or "", 100),
            number=report.id,
            name=safe_text(requester.name if requester else "?", 100),
            **params,
        )
        view = answer_view(report.id, locale) if with_answer_button else None
        try:
            await self.bot.direct.send(
                report.reporter_id, content=content, view=view, allowed_mentions=NO_PINGS
            )
        except discord.HTTPException:
            log.info("report %s: %s", report.id, failure)
            return False
        return True

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


def _attachment(attachment: discord.Attachment | None) -> tuple[str | None, str | None]:
    """Keep a link to Discord's copy of the file (never re-hosted) and its name."""
    if attachment is None:
        return None, None
    url = attachment.url
    if not url.startswith("https://"):
        raise UserError("requesters.errors.bad_attachment")
    name = "".join(ch for ch in attachment.filename if ch.isprintable())[:100] or "attachment"
    return url, name
