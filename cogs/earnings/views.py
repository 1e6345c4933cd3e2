"""Buttons, lists and forms of the earnings log.

Entry buttons and the quick-log button on task alerts are `DynamicItem`s: their custom_id
carries what they act on, so they keep working after a restart. Every handler checks on
the server side that the entry belongs to whoever clicked, whatever the message showed.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any, Self

import discord

from bot.components import FromMatch
from bot.error_handler import EntraideModal, EntraideView, guarded
from bot.errors import UserError
from bot.i18n import t
from bot.ids import ID_DIGITS, bounded_id, parse_id
from bot.ui import NO_PINGS, Colours, locale_of, reply, safe_text, truncate
from cogs.earnings import rules
from cogs.earnings.csv_export import amount_text
from cogs.earnings.render import deleted_card, entry_card, entry_line, other_statuses
from db import earnings as earnings_db

if TYPE_CHECKING:
    from bot.bot import Entraide

log = logging.getLogger(__name__)

BUTTON_STYLES = {
    "approved": discord.ButtonStyle.success,
    "pending": discord.ButtonStyle.secondary,
    "rejected": discord.ButtonStyle.danger,
    "returned": discord.ButtonStyle.secondary,
    "delete": discord.ButtonStyle.secondary,
}


def _now(interaction: discord.Interaction[Entraide]) -> int:
    return int(interaction.client.clock.now().timestamp())


# -- buttons on an entry ----------------------------------------------------------------------


class EntryButton(
    FromMatch,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=(
        rf"earnings:entry:(?P<user_id>{ID_DIGITS}):(?P<number>{ID_DIGITS}):(?P<action>[a-z]{{1,20}})"
        r"(?::(?P<created>[0-9]{1,12}))?"
    ),
):
    """Change an entry's status, or delete it, from its confirmation card.

    The custom_id names the entry by its number and its creation instant: a number is
    given again once its entry is deleted (or erased), and a card left on screen must not
    reach the entry that took it. (Cards sent before the instant was added name only the
    number.)
    """

    def __init__(
        self,
        user_id: int,
        number: int,
        action: str,
        label: str | None = None,
        *,
        created_at: int | None = None,
    ) -> None:
        created = "" if created_at is None else f":{created_at}"
        super().__init__(
            discord.ui.Button(
                label=label or action,
                style=BUTTON_STYLES.get(action, discord.ButtonStyle.secondary),
                custom_id=f"earnings:entry:{user_id}:{number}:{action}{created}",
            )
        )
        self.user_id = user_id
        self.number = number
        self.action = action
        self.created_at = created_at

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Item[Any]) -> Self:
        created = match["created"]
        return cls(
            bounded_id(match["user_id"]),
            bounded_id(match["number"]),
            match["action"],
            created_at=None if created is None else int(created),
        )

    async def _missing(self, db: Any) -> UserError:
        """Why the entry is not there: gone, or its number now names another entry."""
        if (
            self.created_at is not None
            and await earnings_db.entry_by_number(db, self.user_id, self.number) is not None
        ):
            return UserError("earnings.errors.entry_replaced", number=self.number)
        return UserError("earnings.errors.no_entry", number=self.number)

    @guarded
    async def callback(self, interaction: discord.Interaction[Entraide]) -> None:  # type: ignore[override]
        if interaction.user.id != self.user_id:
            raise UserError("earnings.errors.not_yours")
        db = interaction.client.db
        locale = locale_of(interaction)
        if self.action == "delete":
            entry = await earnings_db.delete_entry(
                db, self.user_id, self.number, created_at=self.created_at
            )
            if entry is None:
                raise await self._missing(db)
            await interaction.response.edit_message(
                embed=deleted_card(entry, locale), view=None, allowed_mentions=NO_PINGS
            )
            return
        status = rules.normalize_status(self.action)
        entry = await earnings_db.set_status(
            db, self.user_id, self.number, status, _now(interaction), created_at=self.created_at
        )
        if entry is None:
            raise await self._missing(db)
        await interaction.response.edit_message(
            embed=entry_card(entry, locale),
            view=entry_view(entry, locale),
            allowed_mentions=NO_PINGS,
        )


def entry_view(entry: earnings_db.Entry, locale: str) -> discord.ui.View:
    """Buttons under an entry card: the other statuses, and delete."""
    view = discord.ui.View(timeout=None)
    for status in other_statuses(entry):
        label = t(f"earnings.buttons.mark_{status}", locale)
        view.add_item(
            EntryButton(entry.user_id, entry.number, status, label, created_at=entry.created_at)
        )
    view.add_item(
        EntryButton(
            entry.user_id,
            entry.number,
            "delete",
            t("earnings.buttons.delete", locale),
            created_at=entry.created_at,
        )
    )
    return view


# -- quick log from a task alert -------------------------------------------------------------


async def load_alert(db: Any, alert_id: int) -> Any:
    """The alert through the tasks feature's repository (None if unknown or not installed)."""
    try:
        from db import tasks as tasks_db  # the tasks feature owns alerts
    except ImportError:
        log.warning("quick log: db.tasks is not available")
        return None
    return await tasks_db.get_alert(db, alert_id)


class FromAlertButton(
    FromMatch,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"earnings:from-alert:(?P<alert_id>{ID_DIGITS}):(?P<minutes>[0-9]{{1,20}})",
):
    """The "log it" button the tasks feature puts on its "I did it" confirmation."""

    def __init__(self, alert_id: int, minutes: int, label: str = "Log earnings") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.primary,
                custom_id=f"earnings:from-alert:{alert_id}:{minutes}",
            )
        )
        self.alert_id = alert_id
        self.minutes = minutes

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Item[Any]) -> Self:
        return cls(bounded_id(match["alert_id"]), int(match["minutes"][:6]))

    @guarded
    async def callback(self, interaction: discord.Interaction[Entraide]) -> None:  # type: ignore[override]
        alert = await load_alert(interaction.client.db, self.alert_id)
        if alert is None or alert.guild_id != interaction.guild_id:
            raise UserError("earnings.alert.gone")
        ctx = await earnings_db.context(
            interaction.client.db, interaction.user.id, interaction.guild_id
        )
        await interaction.response.send_modal(
            AlertLogModal(alert, self.minutes, ctx, locale_of(interaction))
        )


class AlertLogModal(EntraideModal):
    """A prefilled entry form: what the alert said, editable before it is saved."""

    def __init__(
        self, alert: Any, minutes: int, ctx: earnings_db.MemberContext, locale: str
    ) -> None:
        super().__init__(
            title=truncate(t("earnings.alert.modal_title", locale), 45),
            custom_id=f"earnings:alert-modal:{alert.id}",
            timeout=900,
        )
        self.alert = alert
        self.ctx = ctx
        platform = rules.normalize_platform(alert.platform, required=False) or "—"
        about = t("earnings.alert.modal_about", locale, platform=safe_text(platform, 40))
        if alert.requester_name:
            about += " · " + safe_text(alert.requester_name, 100)
        self.add_item(discord.ui.TextDisplay(truncate(about, 400)))
        self.amount = discord.ui.TextInput(
            custom_id="amount",
            default=f"{amount_text(alert.reward_cents, alert.currency)} {alert.currency}",
            max_length=30,
        )
        self.add_item(
            discord.ui.Label(text=t("earnings.alert.amount", locale), component=self.amount)
        )
        self.minutes = discord.ui.TextInput(
            custom_id="minutes",
            default=str(minutes) if 0 < minutes <= rules.MAX_MINUTES else None,
            max_length=5,
        )
        self.add_item(
            discord.ui.Label(text=t("earnings.alert.minutes", locale), component=self.minutes)
        )
        self.task_title = discord.ui.TextInput(
            custom_id="title",
            default=truncate(alert.title or "", rules.MAX_TITLE) or None,
            required=False,
            max_length=rules.MAX_TITLE,
        )
        self.add_item(
            discord.ui.Label(text=t("earnings.alert.title", locale), component=self.task_title)
        )
        self.status = discord.ui.Select(
            custom_id="status",
            options=[
                discord.SelectOption(
                    label=t(f"earnings.status.{s}", locale), value=s, default=s == "pending"
                )
                for s in rules.STATUSES
            ],
            min_values=1,
            max_values=1,
        )
        self.add_item(
            discord.ui.Label(text=t("earnings.alert.status", locale), component=self.status)
        )

    async def on_submit(self, interaction: discord.Interaction[Entraide]) -> None:  # type: ignore[override]
        locale = locale_of(interaction)
        cents, currency = rules.parse_money(self.amount.value, self.alert.currency)
        minutes_text = (self.minutes.value or "").strip()
        # ASCII digits only: "²".isdigit() is true, yet int("²") fails.
        if not re.fullmatch(r"[0-9]{1,6}", minutes_text):
            raise UserError("earnings.errors.minutes_required")
        minutes = rules.check_minutes(int(minutes_text))
        status = rules.normalize_status(self.status.values[0] if self.status.values else None)
        now = interaction.client.clock.now()
        entry = await earnings_db.add_entry(
            interaction.client.db,
            interaction.user.id,
            earnings_db.NewEntry(
                kind="task",
                work_date=rules.local_today(now, self.ctx.timezone).isoformat(),
                status=status,
                amount_cents=cents,
                currency=currency,
                minutes=minutes,
                platform=rules.normalize_platform(self.alert.platform),
                requester_name=rules.clean_text(
                    self.alert.requester_name, rules.MAX_REQUESTER, "requester"
                ),
                requester_id=self.alert.requester_id,
                title=rules.clean_text(self.task_title.value, rules.MAX_TITLE, "title"),
                source="alert",
                alert_id=self.alert.id,
            ),
            int(now.timestamp()),
        )
        await reply(interaction, embed=entry_card(entry, locale), view=entry_view(entry, locale))


# -- the list of pending entries ----------------------------------------------------------------


def pending_embed(entries: list[earnings_db.Entry], total: int, locale: str) -> discord.Embed:
    if not entries:
        return discord.Embed(
            title=t("earnings.pending.title", locale, count=0),
            description=t("earnings.pending.none", locale),
            colour=Colours.GOOD,
        )
    lines = [entry_line(e, locale) for e in entries]
    if total > len(entries):
        lines.append(t("earnings.pending.more", locale, count=total - len(entries)))
    embed = discord.Embed(
        title=t("earnings.pending.title", locale, count=total),
        description="\n".join(lines),
        colour=Colours.WARNING,
    )
    embed.set_footer(text=t("earnings.pending.how", locale))
    return embed


class PendingView(EntraideView):
    """Pick pending entries, then mark them approved, rejected or returned."""

    def __init__(self, owner_id: int, entries: list[earnings_db.Entry], locale: str) -> None:
        super().__init__(owner_id=owner_id, timeout=600)
        self.locale = locale
        self.selected: list[int] = []
        #: Each listed entry's creation instant: a number given again meanwhile (its entry
        #: deleted, another logged) does not take the change meant for the one listed.
        self.created = {e.number: e.created_at for e in entries}
        picker: discord.ui.Select[PendingView] = discord.ui.Select(
            custom_id="earnings:pending:pick",
            placeholder=t("earnings.pending.pick", locale),
            min_values=1,
            max_values=max(1, len(entries)),
            options=[
                discord.SelectOption(
                    label=truncate(
                        f"#{e.number} · {e.platform or ''} · {e.requester_name or ''}", 100
                    ),
                    description=truncate(
                        f"{e.work_date} · {amount_text(e.amount_cents, e.currency or 'USD')} "
                        f"{e.currency or ''} · {e.title or ''}",
                        100,
                    ),
                    value=str(e.number),
                )
                for e in entries
            ],
        )
        picker.callback = self._picked  # type: ignore[method-assign]
        self.picker = picker
        self.add_item(picker)
        for status in ("approved", "rejected", "returned"):
            button: discord.ui.Button[PendingView] = discord.ui.Button(
                label=t(f"earnings.buttons.mark_{status}", locale),
                style=BUTTON_STYLES[status],
                custom_id=f"earnings:pending:{status}",
            )
            button.callback = self._make_apply(status)  # type: ignore[method-assign]
            self.add_item(button)

    async def _picked(self, interaction: discord.Interaction[Entraide]) -> None:
        picked = (parse_id(v) for v in self.picker.values)
        self.selected = [n for n in picked if n is not None and n in self.created]
        await interaction.response.defer()

    def _make_apply(self, status: str) -> Any:
        async def apply(interaction: discord.Interaction[Entraide]) -> None:
            await self.apply(interaction, status)

        return apply

    async def apply(self, interaction: discord.Interaction[Entraide], status: str) -> None:
        if not self.selected:
            raise UserError("earnings.pending.pick_first")
        db = interaction.client.db
        changed = await earnings_db.set_status_many(
            db,
            interaction.user.id,
            self.selected,
            status,
            _now(interaction),
            created=self.created,
        )
        entries, total = await earnings_db.pending_entries(db, interaction.user.id)
        view = PendingView(interaction.user.id, entries, self.locale) if entries else None
        self.stop()
        await interaction.response.edit_message(
            content=t(
                "earnings.pending.updated",
                self.locale,
                count=changed,
                status=t(f"earnings.status.{status}", self.locale),
            ),
            embed=pending_embed(entries, total, self.locale),
            view=view,
            allowed_mentions=NO_PINGS,
        )
        if view is not None:
            view.message = self.message
