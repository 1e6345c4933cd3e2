"""Buttons of the subscription list and of alert DMs.

All are `DynamicItem`s whose custom_id carries the record id, so they keep working after
a restart and on messages sent days ago. Ownership is checked on the server side: the
database delete only matches the clicking member's own rows.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Self

import discord

from bot.components import FromMatch
from bot.error_handler import guarded
from bot.errors import UserError
from bot.i18n import t
from bot.ids import ID_DIGITS, bounded_id
from bot.ui import NO_PINGS, locale_of, reply
from cogs.alerts import render, rules
from db import guilds, subscriptions

if TYPE_CHECKING:
    from bot.bot import Entraide

#: Buttons per row and rows per message, as Discord allows.
ROW_WIDTH = 5


class RemoveButton(
    FromMatch,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"alerts:remove:(?P<id>{ID_DIGITS})",
):
    """The "Remove #n" button of `/alerts list`: deletes one subscription, redraws the list."""

    def __init__(self, subscription_id: int, label: str = "Remove", row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"alerts:remove:{subscription_id}",
                row=row,
            )
        )
        self.subscription_id = subscription_id

    @guarded
    async def callback(self, interaction: discord.Interaction[Entraide]) -> None:
        locale = locale_of(interaction)
        if interaction.guild_id is None:
            raise UserError("common.errors.guild_only")
        # The member's own subscription, of the server the list is shown in.
        removed = await subscriptions.remove(
            interaction.client.db,
            interaction.user.id,
            self.subscription_id,
            guild_id=interaction.guild_id,
        )
        if removed is None:
            raise UserError("alerts.errors.not_found")
        await refresh_list(
            interaction,
            removed.guild_id,
            t(
                "alerts.remove.removed",
                locale,
                filters=render.describe(render.filters_of(removed), locale),
            ),
        )


class RemoveAllButton(
    FromMatch,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"alerts:remove-all:(?P<user>{ID_DIGITS})",
):
    """The "Remove all" button of `/alerts list`, bound to the member the list belongs to."""

    def __init__(self, user_id: int, label: str = "Remove all", row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.danger,
                custom_id=f"alerts:remove-all:{user_id}",
                row=row,
            )
        )
        self.user_id = user_id

    @classmethod
    def from_match(cls, match: re.Match[str], item: discord.ui.Item[Any]) -> Self:
        return cls(bounded_id(match["user"]))

    @guarded
    async def callback(self, interaction: discord.Interaction[Entraide]) -> None:
        if interaction.user.id != self.user_id:
            raise UserError("common.errors.not_your_view")
        if interaction.guild_id is None:
            raise UserError("common.errors.guild_only")
        count = await subscriptions.remove_all(
            interaction.client.db, interaction.guild_id, interaction.user.id
        )
        locale = locale_of(interaction)
        await refresh_list(
            interaction, interaction.guild_id, t("alerts.remove.removed_all", locale, count=count)
        )


class StopButton(
    FromMatch,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"alerts:stop:(?P<id>{ID_DIGITS})",
):
    """The "Stop these alerts" button under an alert DM: drops the subscription that matched."""

    def __init__(self, subscription_id: int, label: str = "Stop these alerts") -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"alerts:stop:{subscription_id}",
            )
        )
        self.subscription_id = subscription_id

    @guarded
    async def callback(self, interaction: discord.Interaction[Entraide]) -> None:
        locale = locale_of(interaction)
        db = interaction.client.db
        removed = await subscriptions.remove(db, interaction.user.id, self.subscription_id)
        if removed is None:
            # Under a fallback thread, a moderator can see (and click) the button too.
            still_there = await subscriptions.get(db, self.subscription_id)
            raise UserError(
                "alerts.errors.not_yours" if still_there else "alerts.errors.already_stopped"
            )
        await reply(
            interaction,
            t(
                "alerts.notify.stopped",
                locale,
                filters=render.describe(render.filters_of(removed), locale),
            ),
        )


def list_view(
    subs: list[subscriptions.Subscription], user_id: int, locale: str
) -> discord.ui.View | None:
    """One "Remove #n" button per subscription, then "Remove all"."""
    if not subs:
        return None
    view = discord.ui.View(timeout=None)
    for n, sub in enumerate(subs, start=1):
        view.add_item(
            RemoveButton(
                sub.id, t("alerts.list.remove_button", locale, n=n), row=(n - 1) // ROW_WIDTH
            )
        )
    view.add_item(
        RemoveAllButton(
            user_id,
            t("alerts.list.remove_all_button", locale),
            row=(len(subs) - 1) // ROW_WIDTH + 1,
        )
    )
    return view


async def list_message(
    bot: Entraide, guild_id: int, user_id: int, locale: str
) -> tuple[discord.Embed, discord.ui.View | None]:
    subs = await subscriptions.for_member(bot.db, guild_id, user_id)
    settings = await guilds.get(bot.db, guild_id)
    now = int(bot.clock.now().timestamp())
    sent = await subscriptions.sent_times(bot.db, guild_id, user_id, rules.window_start(now))
    status = rules.rate_status(sent, now, settings.alert_dms_per_hour)
    return render.list_embed(subs, status, locale), list_view(subs, user_id, locale)


async def refresh_list(
    interaction: discord.Interaction[Entraide], guild_id: int, notice: str
) -> None:
    """Redraw the list the button was on, with a line saying what just happened."""
    locale = locale_of(interaction)
    embed, view = await list_message(interaction.client, guild_id, interaction.user.id, locale)
    await interaction.response.edit_message(
        content=notice, embed=embed, view=view, allowed_mentions=NO_PINGS
    )


def notification_view(
    alert_url: str | None, task_url: str | None, subscription_id: int, locale: str
) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if alert_url:
        view.add_item(discord.ui.Button(label=t("alerts.notify.open_alert", locale), url=alert_url))
    if task_url:
        view.add_item(discord.ui.Button(label=t("alerts.notify.open_task", locale), url=task_url))
    view.add_item(StopButton(subscription_id, t("alerts.notify.stop", locale)))
    return view
