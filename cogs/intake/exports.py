"""The exports channel: a complete export posted there becomes an alert credited to its author.

Messages that do not parse as an export are left alone. A message that parses but does
not say how long the task took gets a reply with a button for its author to add the
minutes (they are asked, never guessed from the time allowed). Within a minute of
posting, an edit re-reads the message and a delete takes back the alert it created, if
nobody else has shared that task since.
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import TYPE_CHECKING, Any, Self

import discord

from bot import shared_events
from bot.answering import Answer, answer_when_ready
from bot.components import FromMatch, label_of
from bot.delivery import ChannelProblemError
from bot.error_handler import guarded
from bot.errors import UserError
from bot.i18n import t
from bot.ids import bounded_id
from bot.money import MoneyError
from bot.ui import NO_PINGS, locale_of, safe_text
from cogs.intake import drafts
from cogs.intake.host import intake_host
from cogs.intake.parsers import ExportError, ParsedTask, looks_like_export, parse_export
from cogs.intake.views import MinutesForm
from cogs.tasks import rules
from cogs.tasks.identity_views import OtherRequesterView
from cogs.tasks.ports import COG_NAME as TASKS_COG
from cogs.tasks.rules import AlertRef
from cogs.tasks.service import NameHeldError
from db import guilds
from db import intake as intake_db
from db import tasks as tasks_db
from db.intake import ExportMessage

if TYPE_CHECKING:
    from bot.bot import Entraide
    from cogs.intake.host import IntakeHost

log = logging.getLogger(__name__)

FOLLOW_SECONDS = 60
#: A claim on an export's minutes older than an interaction's lifetime (15 minutes) was
#: left by a submission that died: the author may send the form again.
CLAIM_SECONDS = 15 * 60
#: The name every process knows the exports-channel cache by (`bot.shared_events`).
EXPORTS_CACHE = "intake.exports_channel"


def _text_of(message: discord.Message) -> str:
    return message.content or ""


class ExportsChannel:
    """What the intake cog does with messages in a server's exports channel."""

    def __init__(self, cog: IntakeHost) -> None:
        self.cog = cog
        self.bot: Entraide = cog.bot
        self._channels: dict[int, int | None] = {}

    async def channel_of(self, guild_id: int) -> int | None:
        if guild_id not in self._channels:
            self._channels[guild_id] = await intake_db.exports_channel(self.bot.db, guild_id)
        return self._channels[guild_id]

    def forget(self, guild_id: int | None) -> None:
        """Read a server's exports channel afresh (None: every server's)."""
        if guild_id is None:
            self._channels.clear()
        else:
            self._channels.pop(guild_id, None)

    def changed(self, guild_id: int) -> None:
        """A server's exports channel was set: forget it here now and in every process."""
        self.forget(guild_id)
        shared_events.cache_changed(self.bot, EXPORTS_CACHE, guild_id)

    def now(self) -> int:
        return self.cog.now()

    async def on_message(self, message: discord.Message) -> None:
        if message.guild is None or message.author.bot or message.webhook_id is not None:
            return
        if await self.channel_of(message.guild.id) != message.channel.id:
            return
        await self.read(message, message.author.id, _text_of(message))

    async def read(
        self, message: discord.Message | discord.PartialMessage, author_id: int, text: str
    ) -> None:
        """Parse one message; post, merge, refuse with the reason, or ask for the minutes."""
        if not looks_like_export(text):
            return
        try:
            parsed = parse_export(text)
        except ExportError:
            return  # not an export: left alone
        guild_id = message.guild.id if message.guild else 0
        settings = await guilds.get(self.bot.db, guild_id)
        locale = settings.locale
        if not settings.is_set_up:
            return
        if parsed.minutes is None or parsed.minutes > rules.MINUTES_MAX:
            try:
                draft = drafts.build_draft(
                    parsed, minutes=None, default_currency=settings.currency, locale=locale
                )
            except (UserError, MoneyError) as exc:
                await self._reply(message, _message(exc, locale))
                return
            reply = await self._reply(
                message,
                t(
                    "intake.exports.ask_minutes",
                    locale,
                    title=safe_text(draft.title, 200),
                    reward=rules.money(draft.reward_cents, draft.currency, locale),
                    author=f"<@{author_id}>",
                ),
                view=minutes_view(message.id, locale),
            )
            await self._record(message, author_id, None, created=False, reply=reply)
            return
        await self.share(message, author_id, parsed, parsed.minutes, settings=settings)

    async def share(
        self,
        message: discord.Message | discord.PartialMessage,
        author_id: int,
        parsed: ParsedTask,
        minutes: int,
        *,
        settings: guilds.GuildSettings,
        reply_to_edit: discord.Message | None = None,
    ) -> str:
        """Share as the author; answer under the message. Returns what was said."""
        locale = settings.locale
        try:
            draft = drafts.build_draft(
                parsed, minutes=minutes, default_currency=settings.currency, locale=locale
            )
            outcome = await self.cog.share_draft(settings, draft, author_id, locale)
        except ChannelProblemError as exc:
            log.info("exports in guild %s: %s", settings.guild_id, exc.key)
            text = exc.message(locale)
            await self._answer(message, text, reply_to_edit)
            return text
        except NameHeldError as held:
            # The author's way out, as `/task share` offers it: the held answer names it.
            text = held.message(locale)
            view = self._other_requester(author_id, draft, locale)
            await self._answer(message, text, reply_to_edit, view=view)
            return text
        except (UserError, MoneyError) as exc:
            text = _message(exc, locale)
            await self._answer(message, text, reply_to_edit)
            return text
        alert = outcome.alert
        if outcome.created:
            text = t("intake.exports.posted", locale, url=alert.jump_url or "—")
        else:
            key = "intake.exports.again" if outcome.repeat else "intake.exports.merged"
            text = t(key, locale, url=alert.jump_url or "—", count=alert.seen_count)
        if outcome.reputation is not None and outcome.reputation.standing == "scam":
            text += "\n" + t("intake.exports.scam_warned", locale)
        reply = await self._answer(message, text, reply_to_edit)
        await self._record(message, author_id, alert.id, created=outcome.created, reply=reply)
        return text

    def _other_requester(
        self, author_id: int, draft: rules.ShareDraft, locale: str
    ) -> discord.ui.View | None:
        """The author's way out of a held name (`/task share`'s "different requester")."""
        tasks = self.bot.get_cog(TASKS_COG)
        if tasks is None:
            return None
        return OtherRequesterView(tasks.share_draft, author_id, draft, locale)  # type: ignore[attr-defined]

    async def _answer(
        self,
        message: discord.Message | discord.PartialMessage,
        text: str,
        reply_to_edit: discord.Message | None,
        *,
        view: discord.ui.View | None = None,
    ) -> discord.Message | None:
        if reply_to_edit is not None:
            try:
                return await reply_to_edit.edit(content=text, view=view, allowed_mentions=NO_PINGS)
            except discord.HTTPException:
                log.info("could not edit the exports reply %s", reply_to_edit.id)
        return await self._reply(message, text, view=view)

    async def _reply(
        self,
        message: discord.Message | discord.PartialMessage,
        text: str,
        view: discord.ui.View | None = None,
    ) -> discord.Message | None:
        kwargs: dict[str, Any] = {"content": text[:2000], "allowed_mentions": NO_PINGS}
        if view is not None:
            kwargs["view"] = view
        try:
            return await message.reply(mention_author=False, **kwargs)
        except discord.HTTPException:
            log.warning("could not answer export message %s", message.id, exc_info=True)
            return None

    async def _record(
        self,
        message: discord.Message | discord.PartialMessage,
        author_id: int,
        alert_id: int | None,
        *,
        created: bool,
        reply: discord.Message | None,
    ) -> None:
        previous = await intake_db.get_export(self.bot.db, message.id)
        await intake_db.record_export(
            self.bot.db,
            ExportMessage(
                message_id=message.id,
                guild_id=message.guild.id if message.guild else 0,
                channel_id=message.channel.id,
                author_id=author_id,
                alert_id=alert_id,
                created=created,
                reply_id=reply.id if reply else (previous.reply_id if previous else None),
                posted_at=previous.posted_at if previous else self.now(),
            ),
        )

    # -- following edits and deletes --------------------------------------------------------

    async def _take_back(self, record: ExportMessage, reason_key: str) -> bool:
        """End the alert this message created, if it is recent and nobody else shared it."""
        if record.alert_id is None or not record.created:
            return False
        if self.now() - record.posted_at > FOLLOW_SECONDS:
            return False
        alert = await tasks_db.get_alert(self.bot.db, record.alert_id)
        if alert is None or not alert.is_live or alert.seen_count > 1:
            return False
        settings = await guilds.get(self.bot.db, record.guild_id)
        try:
            await self.cog.alerts.remove(
                record.guild_id,
                AlertRef(alert_id=alert.id),
                moderator_id=record.author_id,
                reason=t(reason_key, settings.locale),
            )
        except UserError:
            return False
        return True

    async def on_delete(self, message_id: int) -> None:
        record = await intake_db.get_export(self.bot.db, message_id)
        if record is None:
            return
        if record.alert_id is None or await self._take_back(
            record, "intake.exports.source_deleted"
        ):
            await self._delete_reply(record)
        await intake_db.forget_export(self.bot.db, message_id)

    async def on_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        record = await intake_db.get_export(self.bot.db, payload.message_id)
        content = payload.data.get("content")
        if record is None or content is None:
            return
        if self.now() - record.posted_at > FOLLOW_SECONDS:
            return
        try:
            parsed = parse_export(content)
        except ExportError:
            parsed = None
        if record.alert_id is not None and not record.created:
            return  # it only merged into someone else's alert: nothing of its own to redo
        if record.alert_id is not None:
            old = await tasks_db.get_alert(self.bot.db, record.alert_id)
            if old is not None and parsed is not None:
                settings = await guilds.get(self.bot.db, record.guild_id)
                try:
                    new = drafts.build_draft(
                        parsed,
                        minutes=parsed.minutes or old.minutes,
                        default_currency=settings.currency,
                    )
                except (UserError, MoneyError):
                    new = None
                if new is not None and _same(old, new):
                    return  # an edit that changes nothing the alert shows
            if not await self._take_back(record, "intake.exports.source_edited"):
                return
        await self._delete_reply(record)
        await intake_db.forget_export(self.bot.db, payload.message_id)
        if parsed is None:
            return
        channel = self.bot.get_channel(payload.channel_id)
        if not isinstance(channel, discord.TextChannel):
            return
        await self.read(channel.get_partial_message(payload.message_id), record.author_id, content)

    async def _delete_reply(self, record: ExportMessage) -> None:
        if record.reply_id is None:
            return
        channel = self.bot.get_partial_messageable(record.channel_id, guild_id=record.guild_id)
        try:
            await channel.get_partial_message(record.reply_id).delete()
        except discord.HTTPException:
            log.info("exports reply %s already gone", record.reply_id)

    # -- the author's minutes ----------------------------------------------------------------

    async def open_minutes(
        self, interaction: discord.Interaction[Entraide], message_id: int
    ) -> None:
        record = await intake_db.get_export(self.bot.db, message_id)
        if record is None or record.guild_id != interaction.guild_id:
            raise UserError("intake.errors.gone")
        if record.author_id != interaction.user.id:
            raise UserError("intake.exports.not_author")
        if record.alert_id is not None:
            raise UserError("intake.exports.already")
        await interaction.response.send_modal(
            ExportMinutesModal(message_id, locale_of(interaction))
        )

    async def submit_minutes(
        self, interaction: discord.Interaction[Entraide], message_id: int, minutes_text: str
    ) -> None:
        minutes = rules.parse_minutes(minutes_text)
        work = self._share_with_minutes(interaction, message_id, minutes)
        await answer_when_ready(interaction, work)

    async def _share_with_minutes(
        self, interaction: discord.Interaction[Entraide], message_id: int, minutes: int
    ) -> Answer:
        """Share the export the author gave minutes for; what to tell them.

        The record is claimed first, in one statement: the author may have opened the
        form twice and sent both, and only one submission may share and record it.
        """
        now = self.now()
        record = await intake_db.claim_export(
            self.bot.db,
            message_id,
            author_id=interaction.user.id,
            now=now,
            stale_before=now - CLAIM_SECONDS,
        )
        if record is None:
            current = await intake_db.get_export(self.bot.db, message_id)
            if current is None or current.author_id != interaction.user.id:
                raise UserError("intake.errors.gone")
            if current.alert_id is not None:
                raise UserError("intake.exports.already")
            raise UserError("intake.exports.in_progress")
        try:
            return await self._share_claimed(interaction, record, minutes)
        finally:
            await intake_db.release_export(self.bot.db, message_id)

    async def _share_claimed(
        self, interaction: discord.Interaction[Entraide], record: ExportMessage, minutes: int
    ) -> Answer:
        """Share the claimed export: read its message again, share it, record the alert."""
        message_id = record.message_id
        channel = self.bot.get_channel(record.channel_id)
        if not isinstance(channel, discord.TextChannel):
            raise UserError("intake.errors.gone")
        try:
            source = await channel.fetch_message(message_id)
        except discord.NotFound:
            await intake_db.forget_export(self.bot.db, message_id)
            raise UserError("intake.errors.gone") from None
        parsed = parse_export(_text_of(source))
        settings = await guilds.get(self.bot.db, record.guild_id)
        text = await self.share(
            source,
            record.author_id,
            parsed,
            minutes,
            settings=settings,
            reply_to_edit=interaction.message,
        )
        return Answer(text)


def _same(old: tasks_db.Alert, new: rules.ShareDraft) -> bool:
    return (
        old.task_key == new.task_key
        and old.reward_cents == new.reward_cents
        and old.currency == new.currency
        and old.minutes == new.minutes
        and old.title == new.title
    )


def _message(exc: UserError | MoneyError, locale: str) -> str:
    if isinstance(exc, MoneyError):
        return t(exc.key, locale, **exc.params)
    return exc.message(locale)


class ExportMinutesButton(
    FromMatch,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"intake:export-minutes:(?P<id>[0-9]{1,20})",
):
    """The "Add my minutes" button under an export that gave no time (persistent)."""

    def __init__(self, message_id: int, *, label: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=label or "⏱",
                style=discord.ButtonStyle.primary,
                custom_id=f"intake:export-minutes:{message_id}",
            )
        )
        self.message_id = message_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Item[Any]) -> Self:
        return cls(bounded_id(match["id"]), label=label_of(item))

    @guarded
    async def callback(self, interaction: discord.Interaction[Entraide]) -> None:
        await intake_host(interaction).exports.open_minutes(interaction, self.message_id)


def minutes_view(message_id: int, locale: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(
        ExportMinutesButton(message_id, label=t("intake.exports.add_minutes", locale)[:80])
    )
    view.stop()  # handled by the persistent DynamicItem, not by this instance
    return view


class ExportMinutesModal(MinutesForm):
    """The minutes of a message in the exports channel, which its author adds later."""

    def __init__(self, message_id: int, locale: str) -> None:
        super().__init__(
            locale, custom_id=f"intake:export-minutes-form:{message_id}:{secrets.token_hex(6)}"
        )
        self.message_id = message_id

    async def on_submit(self, interaction: discord.Interaction[Entraide]) -> None:  # type: ignore[override]
        exports = intake_host(interaction).exports
        await exports.submit_minutes(interaction, self.message_id, self.minutes.value)
