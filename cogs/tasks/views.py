"""Buttons on alerts (persistent, the alert id in the custom_id), and the forms they open.

The alert's buttons are `DynamicItem`s, so they keep working after a restart without
any per-message state: the custom_id `tasks:<action>:<alert id>` is all they need.
"""

from __future__ import annotations

import functools
import re
import secrets
from typing import TYPE_CHECKING, Any, Self

import discord

from bot.checks import guild_settings, is_moderator
from bot.components import DrawnView, FromMatch, label_of
from bot.error_handler import EntraideModal, EntraideView, guarded
from bot.errors import UserError
from bot.i18n import format_duration_minutes, t
from bot.ids import ID_DIGITS, bounded_id
from bot.ui import locale_of, reply
from cogs.tasks import rules
from cogs.tasks.ports import alert_actions
from db import tasks as tasks_db
from db.tasks import Alert

if TYPE_CHECKING:
    from bot.bot import Entraide
    from cogs.tasks.ports import AlertActions, ShareHandler

ACTIONS = ("live", "gone", "did", "warn", "confirm")
EARNINGS_TEMPLATE = "earnings:from-alert:{alert_id}:{minutes}"

_STYLES = {
    "live": discord.ButtonStyle.success,
    "gone": discord.ButtonStyle.danger,
    "did": discord.ButtonStyle.primary,
    "warn": discord.ButtonStyle.secondary,
    "confirm": discord.ButtonStyle.secondary,
}
#: Parsed once: a Button given a string parses it again on every alert drawn.
_EMOJI = {
    action: discord.PartialEmoji.from_str(emoji)
    for action, emoji in {
        "live": "✅",
        "gone": "❌",
        "did": "🙋",
        "warn": "⚠️",
        "confirm": "☑️",
    }.items()
}


class AlertButton(
    FromMatch,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"tasks:(?P<action>live|gone|did|warn|confirm):(?P<id>{ID_DIGITS})",
):
    """One of an alert's buttons; works on any alert message, even after a restart."""

    def __init__(
        self, action: str, alert_id: int, *, label: str = "", disabled: bool = False
    ) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or None,
                style=_STYLES[action],
                emoji=_EMOJI[action],
                custom_id=f"tasks:{action}:{alert_id}",
                disabled=disabled,
            )
        )
        self.action = action
        self.alert_id = alert_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Item[Any]) -> Self:
        return cls(match["action"], bounded_id(match["id"]), label=label_of(item))

    @guarded
    async def callback(self, interaction: discord.Interaction[Entraide]) -> None:
        service = alert_actions(interaction)
        if self.action in ("live", "gone"):
            await service.vote(interaction, self.alert_id, self.action)
        elif self.action == "did":
            await open_did_it(interaction, self.alert_id, service)
        elif self.action == "warn":
            await open_warning_picker(interaction, self.alert_id, service)
        else:
            await service.confirm_warning(interaction, self.alert_id)
            await reply(interaction, t("tasks.warn.confirmed", locale_of(interaction)))


def alert_view(alert: Alert, locale: str) -> discord.ui.View:
    """The alert's buttons, disabled once it has ended (drawn from `_button_row`)."""
    confirm = bool(alert.warning_pending) and alert.is_live
    buttons = [
        {**payload, "custom_id": f"tasks:{action}:{alert.id}"}
        for action, payload in _button_row(locale, not alert.is_live, confirm)
    ]
    return DrawnView([{"type": 1, "components": buttons}])


@functools.cache
def _button_row(locale: str, ended: bool, confirm: bool) -> tuple[tuple[str, dict[str, Any]], ...]:
    """The buttons' payloads in one language and state, as `AlertButton` writes them.

    Made once per (language, ended, confirm button); each alert only puts its id in.
    """
    actions = ["live", "gone", "did", "warn"] + (["confirm"] if confirm else [])
    labels = _button_labels(locale)
    return tuple(
        (action, AlertButton(action, 0, label=labels[action], disabled=ended).to_component_dict())
        for action in actions
    )


@functools.cache
def _button_labels(locale: str) -> dict[str, str]:
    """The buttons' labels in one language, looked up once (every alert drawn needs them)."""
    return {action: t(f"tasks.buttons.{action}", locale) for action in ACTIONS}


async def _guild_alert(interaction: discord.Interaction[Entraide], alert_id: int) -> Alert:
    alert = await tasks_db.get_alert(interaction.client.db, alert_id)
    if alert is None or alert.guild_id != interaction.guild_id or alert.state == "removed":
        raise UserError("tasks.errors.unknown_alert")
    return alert


# -- "I did it" ----------------------------------------------------------------------------


async def open_did_it(
    interaction: discord.Interaction[Entraide], alert_id: int, service: AlertActions
) -> None:
    alert = await _guild_alert(interaction, alert_id)
    await interaction.response.send_modal(DidItModal(alert, locale_of(interaction), service))


class DidItModal(EntraideModal):
    """How long it really took, and optionally whether it was a good task."""

    def __init__(self, alert: Alert, locale: str, service: AlertActions) -> None:
        super().__init__(
            title=t("tasks.did.title", locale)[:45],
            custom_id=f"tasks:did-form:{alert.id}:{secrets.token_hex(6)}",
            timeout=900,
        )
        self.alert = alert
        self.service = service
        self.minutes: discord.ui.TextInput[Any] = discord.ui.TextInput(
            label=t("tasks.did.minutes", locale)[:45],
            placeholder=t("tasks.did.minutes_hint", locale)[:100],
            custom_id="minutes",
            max_length=20,
        )
        self.add_item(self.minutes)
        self.rating: discord.ui.Select[Any] = discord.ui.Select(
            custom_id="rating",
            placeholder=t("tasks.did.rating_hint", locale)[:150],
            min_values=0,
            max_values=1,
            required=False,
            options=[
                discord.SelectOption(label=t("tasks.did.good", locale)[:100], value="good"),
                discord.SelectOption(label=t("tasks.did.bad", locale)[:100], value="bad"),
            ],
        )
        self.add_item(
            discord.ui.Label(text=t("tasks.did.rating", locale)[:45], component=self.rating)
        )

    async def on_submit(self, interaction: discord.Interaction[Entraide]) -> None:  # type: ignore[override]
        locale = locale_of(interaction)
        rating = self.rating.values[0] if self.rating.values else None
        updated = await self.service.report_done(
            interaction, self.alert, self.minutes.value, rating
        )
        minutes = rules.parse_minutes(self.minutes.value)
        mine = rules.hourly_cents(updated.reward_cents, minutes)
        lines = [
            t(
                "tasks.did.thanks",
                locale,
                time=format_duration_minutes(minutes, locale),
                amount=rules.money(mine, updated.currency, locale),
            )
        ]
        if updated.crowd_hourly_cents is not None:
            lines.append(
                t(
                    "tasks.did.crowd",
                    locale,
                    amount=rules.money(updated.crowd_hourly_cents, updated.currency, locale),
                    count=updated.done_count,
                )
            )
        await reply(
            interaction, "\n".join(lines), view=earnings_button(updated.id, minutes, locale)
        )


def earnings_button(alert_id: int, minutes: int, locale: str) -> discord.ui.View:
    """The earnings feature's quick-log button (it registers the handler for this id).

    The view is stopped before sending so this process never claims the click itself.
    """
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Button(
            label=t("tasks.did.log_earnings", locale)[:80],
            style=discord.ButtonStyle.primary,
            emoji="💰",
            custom_id=EARNINGS_TEMPLATE.format(alert_id=alert_id, minutes=minutes),
        )
    )
    view.stop()
    return view


# -- content warnings ----------------------------------------------------------------------


async def open_warning_picker(
    interaction: discord.Interaction[Entraide], alert_id: int, service: AlertActions
) -> None:
    alert = await _guild_alert(interaction, alert_id)
    locale = locale_of(interaction)
    settings = await guild_settings(interaction)
    moderator = is_moderator(interaction.user, settings)
    view = WarningPicker(alert, locale, service, owner_id=interaction.user.id, moderator=moderator)
    current = (
        t("tasks.warn.current", locale, category=rules.warning_label(alert.warning, locale))
        if alert.warning
        else ""
    )
    await reply(interaction, (current + "\n" + t("tasks.warn.pick", locale)).strip(), view=view)


class WarningPicker(EntraideView):
    """Choose a content warning for an alert (ephemeral, only for who opened it)."""

    def __init__(
        self,
        alert: Alert,
        locale: str,
        service: AlertActions,
        *,
        owner_id: int,
        moderator: bool,
    ) -> None:
        super().__init__(owner_id=owner_id, timeout=300)
        self.alert_id = alert.id
        self.service = service
        options = [
            discord.SelectOption(label=rules.warning_label(c, locale)[:100], value=c)
            for c in rules.WARNING_CATEGORIES
            if c != alert.warning
        ]
        if moderator and (alert.warning or alert.warning_pending):
            options.append(
                discord.SelectOption(label=t("tasks.warn.clear", locale)[:100], value="clear")
            )
        select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id=f"tasks:warn-pick:{alert.id}",
            placeholder=t("tasks.warn.placeholder", locale)[:150],
            options=options,
        )
        select.callback = self._picked  # type: ignore[method-assign]
        self.select = select
        self.add_item(select)

    async def _picked(self, interaction: discord.Interaction[Entraide]) -> None:
        category = self.select.values[0]
        locale = locale_of(interaction)
        _alert, confirmed = await self.service.add_warning(interaction, self.alert_id, category)
        if category == "clear":
            text = t("tasks.warn.cleared", locale)
        elif confirmed:
            text = t("tasks.warn.set", locale, category=rules.warning_label(category, locale))
        else:
            text = t("tasks.warn.suggested", locale, category=rules.warning_label(category, locale))
        self.stop()
        await interaction.response.edit_message(content=text, view=None)


# -- the long-form share -------------------------------------------------------------------


class ShareFormModal(EntraideModal):
    """`/task share-form`: the texts of a share, with room to write."""

    def __init__(self, locale: str, options: dict[str, Any], on_submit: ShareHandler) -> None:
        super().__init__(
            title=t("tasks.form.heading", locale)[:45],
            custom_id=f"tasks:share-form:{secrets.token_hex(8)}",
            timeout=1800,
        )
        self.options = options
        self.handle_share = on_submit

        def field(
            key: str, *, style: discord.TextStyle = discord.TextStyle.short, limit: int
        ) -> discord.ui.TextInput[Any]:
            item: discord.ui.TextInput[Any] = discord.ui.TextInput(
                label=t(f"tasks.form.{key}", locale)[:45],
                placeholder=t(f"tasks.form.{key}_hint", locale)[:100],
                custom_id=key,
                style=style,
                required=False,
                max_length=limit,
            )
            self.add_item(item)
            return item

        # A little over each rule's limit, so an over-long text is explained, not cut.
        self.link = field("link", limit=600)
        self.title_text = field("title", limit=400)
        self.requester = field("requester", limit=200)
        self.limits = field("limits", limit=400)
        self.notes = field("notes", style=discord.TextStyle.paragraph, limit=1500)

    async def on_submit(self, interaction: discord.Interaction[Entraide]) -> None:  # type: ignore[override]
        name, requester_id = rules.split_requester(self.requester.value)
        raw = rules.ShareInput(
            link=self.link.value,
            title=self.title_text.value,
            requester=name,
            requester_id=requester_id,
            limits=self.limits.value,
            notes=self.notes.value,
            **self.options,
        )
        await self.handle_share(interaction, raw)
