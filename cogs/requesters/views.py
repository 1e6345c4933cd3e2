"""Buttons and forms: moderators' report buttons, the reporter's answer, and what they share.

Every button that outlives a restart is a `DynamicItem` whose custom_id carries the record
id; its callback only routes to the cog, which checks permissions and state on the server
side whatever the button looked like. The review buttons and the flag form, which work
for reviews of any subject kind, are in `cogs.requesters.review_ui` and use the pieces
here (`RecordButton`, `paragraph`, `actions_of`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self

import discord

from bot.components import FromMatch
from bot.error_handler import EntraideModal, guarded
from bot.errors import UserError
from bot.i18n import t
from bot.ids import ID_DIGITS, bounded_id
from bot.ui import truncate
from cogs.requesters import rules

if TYPE_CHECKING:
    from bot.bot import Entraide

COG_NAME = "Requesters"
MODAL_TITLE_LIMIT = 45
INPUT_LABEL_LIMIT = 45
PLACEHOLDER_LIMIT = 100

ACTIONS = ("confirm", "dismiss", "ask", "reopen")
_STYLES = {
    "confirm": discord.ButtonStyle.danger,
    "dismiss": discord.ButtonStyle.secondary,
    "ask": discord.ButtonStyle.primary,
    "reopen": discord.ButtonStyle.secondary,
}


class RequestersActions(Protocol):
    """What the buttons and forms ask of the cog (kept narrow for readability)."""

    async def report_button(
        self, interaction: discord.Interaction[Entraide], action: str, report_id: int
    ) -> None: ...

    async def report_reason(
        self, interaction: discord.Interaction[Entraide], action: str, report_id: int, text: str
    ) -> None: ...

    async def answer_button(
        self, interaction: discord.Interaction[Entraide], report_id: int
    ) -> None: ...

    async def answer_submitted(
        self, interaction: discord.Interaction[Entraide], report_id: int, text: str
    ) -> None: ...

    async def flag_button(
        self, interaction: discord.Interaction[Entraide], review_id: int
    ) -> None: ...

    async def flag_submitted(
        self, interaction: discord.Interaction[Entraide], review_id: int, reason: str
    ) -> None: ...

    async def reviews_page(
        self,
        interaction: discord.Interaction[Entraide],
        kind: str,
        subject_id: int,
        page: int,
        *,
        opening: bool,
    ) -> None: ...


def actions_of(interaction: discord.Interaction[Entraide]) -> RequestersActions:
    cog: Any = interaction.client.get_cog(COG_NAME)
    if cog is None:
        raise UserError("requesters.errors.unavailable")
    return cog


# -- persistent buttons --------------------------------------------------------------------


class RecordButton(FromMatch):
    """A persistent button whose custom_id is `<prefix>:<record id>` and nothing more.

    Mixed into a `DynamicItem` whose template is that prefix and an `id` group bounded by
    `bot.ids.ID_DIGITS`: this builds the button and rebuilds it from a click; the class
    that mixes it in says what a click does in its `callback` (hand the id to the cog,
    which checks everything on the server side).
    """

    prefix: ClassVar[str]
    style: ClassVar[discord.ButtonStyle]
    #: The label when none is given (a click rebuilds the button without one).
    fallback_label: ClassVar[str]

    def __init__(self, record_id: int, label: str | None = None) -> None:
        super().__init__(  # type: ignore[call-arg]  # the DynamicItem this is mixed into
            discord.ui.Button(
                label=label or self.fallback_label.format(id=record_id),
                style=self.style,
                custom_id=f"{self.prefix}:{record_id}",
            )
        )
        self.record_id = record_id


class ReportActionButton(
    FromMatch,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"requesters:report:(?P<action>confirm|dismiss|ask|reopen):(?P<id>{ID_DIGITS})",
):
    """Confirm / Dismiss / Ask for more / Reopen on a moderators' report card."""

    def __init__(self, action: str, report_id: int, label: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or action,
                style=_STYLES[action],
                custom_id=f"requesters:report:{action}:{report_id}",
            )
        )
        self.action = action
        self.report_id = report_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Item[Any]) -> Self:
        return cls(match["action"], bounded_id(match["id"]))

    @guarded
    async def callback(self, interaction: discord.Interaction[Entraide]) -> None:
        await actions_of(interaction).report_button(interaction, self.action, self.report_id)


class AnswerButton(
    RecordButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"requesters:answer:(?P<id>{ID_DIGITS})",
):
    """In the reporter's DM: answer the moderators' question about their report."""

    prefix = "requesters:answer"
    style = discord.ButtonStyle.primary
    fallback_label = "Answer"

    @guarded
    async def callback(self, interaction: discord.Interaction[Entraide]) -> None:
        await actions_of(interaction).answer_button(interaction, self.record_id)


def card_view(report_id: int, state: str, locale: str) -> discord.ui.View:
    """The buttons a card shows for its state (the server re-checks the state anyway)."""
    view = discord.ui.View(timeout=None)
    actions = ("confirm", "dismiss", "ask") if state == "open" else ("reopen",)
    for action in actions:
        label = t(f"requesters.card.buttons.{action}", locale)
        view.add_item(ReportActionButton(action, report_id, label))
    return view


def answer_view(report_id: int, locale: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(AnswerButton(report_id, t("requesters.dm.answer_button", locale)))
    return view


# -- forms ---------------------------------------------------------------------------------


def modal_title(text: str) -> str:
    return truncate(text, MODAL_TITLE_LIMIT)


def paragraph(
    label: str,
    placeholder: str | None,
    custom_id: str,
    *,
    max_length: int,
    min_length: int | None = None,
    required: bool = True,
) -> discord.ui.TextInput[Any]:
    """A multi-line field, its label and placeholder cut to what Discord accepts."""
    return discord.ui.TextInput(
        label=truncate(label, INPUT_LABEL_LIMIT),
        placeholder=truncate(placeholder or "", PLACEHOLDER_LIMIT) or None,
        style=discord.TextStyle.paragraph,
        custom_id=custom_id,
        min_length=min_length,
        max_length=max_length,
        required=required,
    )


class ReasonModal(EntraideModal):
    """Why a moderator confirms, dismisses or reopens a report, or what they ask."""

    def __init__(
        self, actions: RequestersActions, action: str, report_id: int, locale: str
    ) -> None:
        super().__init__(
            title=modal_title(t(f"requesters.modal.{action}.title", locale, number=report_id)),
            timeout=900,
        )
        self.actions = actions
        self.action = action
        self.report_id = report_id
        self.text = paragraph(
            t(f"requesters.modal.{action}.label", locale),
            t(f"requesters.modal.{action}.placeholder", locale),
            "reason",
            min_length=3,
            max_length=rules.REASON_LIMIT,
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction[Entraide]) -> None:  # type: ignore[override]
        await self.actions.report_reason(interaction, self.action, self.report_id, self.text.value)


class AnswerModal(EntraideModal):
    """The reporter's answer to the moderators' question."""

    def __init__(
        self, actions: RequestersActions, report_id: int, question: str, locale: str
    ) -> None:
        super().__init__(
            title=modal_title(t("requesters.modal.answer.title", locale, number=report_id)),
            timeout=1800,
        )
        self.actions = actions
        self.report_id = report_id
        self.text = paragraph(
            t("requesters.modal.answer.label", locale),
            question,
            "answer",
            max_length=rules.ANSWER_LIMIT,
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction[Entraide]) -> None:  # type: ignore[override]
        await self.actions.answer_submitted(interaction, self.report_id, self.text.value)
