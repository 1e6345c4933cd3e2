"""When a shared name matches a flagged requester: the sharer's way out, the moderators' undo.

A name alone that matches a confirmed scam is held under the refuse policy (nothing is
stored). The sharer may then confirm it is another requester (`OtherRequesterView`, on
their private answer): the alert is posted pointing at no record, the confirmation is
audit-logged (`/mod log`), and the moderators' channel gets a notice whose persistent
button (`UndoOtherButton`) points the alert back at the flagged record, warning and all.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any, Self

import discord

from bot.checks import require_moderator, require_setup
from bot.components import FromMatch, label_of
from bot.delivery import ChannelProblemError, post_to
from bot.error_handler import EntraideView, guarded
from bot.i18n import t
from bot.ui import Colours, locale_of, reply, safe_text
from cogs.tasks import rules
from cogs.tasks.ports import alert_actions
from db import guilds

if TYPE_CHECKING:
    from bot.bot import Entraide
    from cogs.tasks.ports import AlertActions, DraftSharer
    from db.audit import AuditEntry
    from db.requesters import Requester
    from db.tasks import Alert

log = logging.getLogger(__name__)

#: How long the sharer has to press "another requester" on their private answer.
CONFIRM_TIMEOUT = 600


def record_ref(record: Requester) -> str:
    return safe_text(record.platform_requester_id or f"#{record.id}", 64, markdown=True)


class _SharerChoiceView(EntraideView):
    """One button on the sharer's private answer, pressed once (then shown disabled)."""

    def __init__(self, owner_id: int, *, label: str, custom_id: str) -> None:
        super().__init__(owner_id=owner_id, timeout=CONFIRM_TIMEOUT)
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=label, style=discord.ButtonStyle.secondary, custom_id=custom_id
        )
        button.callback = self.confirm  # type: ignore[method-assign]
        self.add_item(button)

    async def confirm(self, interaction: discord.Interaction[Entraide]) -> None:
        raise NotImplementedError

    async def _close(self, interaction: discord.Interaction[Entraide]) -> None:
        """Disable the button on the answer it sits on, and stop listening."""
        for item in self.children:
            if hasattr(item, "disabled"):
                item.disabled = True  # type: ignore[attr-defined]
        self.stop()
        await interaction.response.edit_message(view=self)


class OtherRequesterView(_SharerChoiceView):
    """On a held share's private answer: "It's a different requester — post it"."""

    def __init__(
        self, share_draft: DraftSharer, owner_id: int, draft: rules.ShareDraft, locale: str
    ) -> None:
        super().__init__(
            owner_id,
            label=t("tasks.identity.other_button", locale),
            custom_id="tasks:other-requester",
        )
        self.share_draft = share_draft
        self.draft = draft

    async def confirm(self, interaction: discord.Interaction[Entraide]) -> None:
        settings = await require_setup(interaction)
        await self._close(interaction)
        await self.share_draft(interaction, settings, self.draft, other_confirmed=True)


class PostedOtherView(_SharerChoiceView):
    """On the sharer's answer when the alert carries a flagged namesake's warning (warn policy)."""

    def __init__(self, service: AlertActions, owner_id: int, alert_id: int, locale: str) -> None:
        super().__init__(
            owner_id,
            label=t("tasks.identity.other_posted_button", locale),
            custom_id="tasks:other-requester-posted",
        )
        self.service = service
        self.alert_id = alert_id

    async def confirm(self, interaction: discord.Interaction[Entraide]) -> None:
        settings = await require_setup(interaction)
        _alert, record = await self.service.confirm_other_after_post(
            settings.guild_id, self.alert_id, sharer_id=interaction.user.id
        )
        await self._close(interaction)
        locale = locale_of(interaction)
        await reply(
            interaction,
            t(
                "tasks.identity.confirmed_other",
                locale,
                record=safe_text(record.name, 100),
                id=record_ref(record),
            ),
        )


class UndoOtherButton(
    FromMatch,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"tasks:undo-other:(?P<id>[0-9]{1,18})",
):
    """On the moderators' notice: point the alert back at the flagged record."""

    def __init__(self, audit_id: int, *, label: str = "", disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or None,
                style=discord.ButtonStyle.danger,
                emoji="↩️",
                custom_id=f"tasks:undo-other:{audit_id}",
                disabled=disabled,
            )
        )
        self.audit_id = audit_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Item[Any]) -> Self:
        return cls(int(match["id"]), label=label_of(item))

    @guarded
    async def callback(self, interaction: discord.Interaction[Entraide]) -> None:
        settings = await require_moderator(interaction)
        alert, record = await alert_actions(interaction).undo_other_confirmed(
            settings.guild_id, self.audit_id, moderator_id=interaction.user.id
        )
        locale = locale_of(interaction)
        view = discord.ui.View(timeout=None)
        view.add_item(UndoOtherButton(self.audit_id, label=self.item.label or "", disabled=True))
        await interaction.response.edit_message(view=view)
        await reply(
            interaction,
            t(
                "tasks.identity.undone",
                locale,
                alert=alert.id,
                record=safe_text(record.name, 100),
                id=record_ref(record),
            ),
        )


async def post_other_notice(
    bot: Entraide, entry: AuditEntry, alert: Alert, matched: Requester
) -> None:
    """Tell the server's moderators, with the undo button (best effort)."""
    settings = await guilds.get(bot.db, alert.guild_id)
    if settings.mod_channel_id is None:
        return
    locale = settings.locale
    embed = discord.Embed(
        title=t("tasks.identity.notice_title", locale),
        description=t(
            "tasks.identity.notice_body",
            locale,
            sharer=f"<@{entry.actor_id}>",
            name=safe_text(alert.requester_name or "—", 100),
            record=safe_text(matched.name, 100),
            id=record_ref(matched),
            alert=f"[#{alert.id}]({alert.jump_url})" if alert.jump_url else f"#{alert.id}",
        ),
        colour=Colours.WARNING,
    )
    view = discord.ui.View(timeout=None)
    view.add_item(UndoOtherButton(entry.id, label=t("tasks.identity.undo_button", locale)))
    try:
        await post_to(
            bot,
            alert.guild_id,
            "mod",
            embed=embed,
            view=view,
            forum_title=t("tasks.identity.notice_title", locale)[:100],
        )
    except ChannelProblemError:
        log.info("guild %s: notice of confirmation %s not posted", alert.guild_id, entry.id)
    except discord.HTTPException:
        log.warning("guild %s: notice of confirmation %s failed", alert.guild_id, entry.id)
