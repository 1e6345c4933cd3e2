"""`/alerts subscribe|list|remove` and the listeners that keep subscriptions useful."""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import require_setup
from bot.clock import to_epoch
from bot.command_groups import server_group
from bot.errors import UserError
from bot.i18n import t
from bot.money import known_currencies
from bot.translator import ls
from bot.ui import Colours, locale_of, reply, truncate
from cogs.alerts import backlog, delivery, notify, outbox, render, rules, selection, views
from cogs.alerts.letters import Outgoing
from db import subscriptions

if TYPE_CHECKING:
    from bot.bot import Entraide
    from db.connection import Database
    from db.tasks import Alert

log = logging.getLogger(__name__)

#: Alert-DM log rows older than this are deleted: far past any hourly window, and long
#: enough for a privacy export to show the last day.
LOG_KEEP = timedelta(days=1)
PRUNE_JOB_ID = "alerts:prune-dm-log"
#: Currencies offered first when a member types nothing.
COMMON_CURRENCIES = ("USD", "GBP", "EUR", "CAD", "AUD", "INR")


class AlertsCog(commands.Cog):
    alerts = server_group("alerts.group")

    def __init__(self, bot: Entraide) -> None:
        self.bot = bot
        #: Reserved alert DMs, sent in the background at a bounded rate.
        self.outbox = outbox.Outbox(bot, delivery.deliver)
        #: Parsed subscriptions, so each alert's fan-out does not rebuild them.
        self.subscription_cache = notify.SubscriptionCache()
        #: Posted alerts waiting for their fan-out, taken one at a time (see `backlog`).
        self.backlog = backlog.FanOutBacklog(bot, self.fan_out)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(views.RemoveButton, views.RemoveAllButton, views.StopButton)
        self.bot.privacy.register(
            "alerts",
            subscriptions.export_member,
            subscriptions.erase_member,
            ("alert_subscriptions.user_id", "alert_dm_log.user_id", "alert_threads.user_id"),
        )
        # A member who leaves (live, or while the bot was offline) is sent nothing more.
        self.bot.membership.register("alerts", subscriptions.member_ids, self.forget_departed)
        if not self.bot.own_shards.runs_store_wide:
            return  # pruning old rows is store-wide: the process holding shard 0 does it
        self.bot.scheduler.add_job(
            self.prune_dm_log, "interval", hours=6, id=PRUNE_JOB_ID, replace_existing=True
        )

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(views.RemoveButton, views.RemoveAllButton, views.StopButton)
        self.bot.privacy.unregister("alerts")
        self.bot.membership.unregister("alerts")
        if self.bot.scheduler.get_job(PRUNE_JOB_ID):
            self.bot.scheduler.remove_job(PRUNE_JOB_ID)
        # Alerts not fanned out yet are dropped; queued DMs too, their reservations given
        # back (see cogs/alerts/backlog and cogs/alerts/outbox).
        await self.backlog.close()
        await self.outbox.close()

    # -- scheduled ---------------------------------------------------------------------------

    async def prune_dm_log(self) -> int:
        """Forget alert-DM records that can no longer count against any cap."""
        before = to_epoch(self.bot.clock.now() - LOG_KEEP)
        removed = await subscriptions.prune_log(self.bot.db, before)
        if removed:
            log.debug("pruned %d alert DM records", removed)
        return removed

    # -- listeners ---------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_alert_posted(self, alert: Alert) -> None:
        """Raised by the tasks feature once per new alert, after it is posted."""
        self.backlog.put(alert)

    @commands.Cog.listener()
    async def on_alert_removed(self, alert: Alert) -> None:
        """Raised by the tasks feature when moderators remove an alert: tell nobody more.

        An alert still waiting for its fan-out is dropped, and so are its DMs not sent
        yet (a fan-out running meanwhile queues none). DMs already sent stay: their
        message ids are not kept.
        """
        waiting = self.backlog.drop(alert.id)
        dropped = await self.outbox.withdraw(alert.id)
        if waiting or dropped:
            log.info("alert %s removed: %d queued DMs dropped", alert.id, dropped)

    @commands.Cog.listener()
    async def on_alert_warning_changed(self, alert: Alert) -> None:
        """Raised by the tasks feature when an alert's confirmed content warning changes.

        What is still to be told about it is told with the warning (or without, once
        cleared): an alert waiting for its fan-out is matched as it is now, and its queued
        DMs are redrawn, those to members who want no warned tasks dropped.
        """
        self.backlog.replace(alert)
        await self.outbox.rewarn(alert)

    @commands.Cog.listener()
    async def on_requester_status_changed(self, requester_id: int) -> None:
        """A requester's status changed (or records merged): queued DMs show it as it is.

        DMs drawn before moderators flagged a task's requester would go out without the
        warning the alert itself now carries. Every queued alert with a requester is read
        again (a merge can change which record an alert's requester resolves to).
        """

        async def redraw(out: Outgoing) -> Outgoing:
            facts = await notify.with_requester(self.bot, out.alert, notify.facts_of(out.alert))
            facts = dataclasses.replace(facts, warning=out.facts.warning)
            return dataclasses.replace(out, facts=facts, rendered={})

        await self.outbox.redraw_where(lambda x: x.out.alert.requester_id is not None, redraw)

    async def fan_out(self, alert: Alert) -> None:
        """One alert's fan-out, when the backlog reaches it (its errors are logged there)."""
        result = await notify.fan_out(
            self.bot, alert, outbox=self.outbox, cache=self.subscription_cache
        )
        if result.queued:
            log.info("alert %s: %d subscriber DMs queued", alert.id, len(result.queued))

    async def forget_departed(self, db: Database, guild_id: int, user_ids: list[int]) -> int:
        """Members who left a server stop being sent its alerts, and are forgotten there.

        Called by `bot.membership` on a leave or ban, and for those who left while the bot
        was offline when the server arrives.
        """
        removed = await subscriptions.forget_members(db, guild_id, user_ids)
        for user_id in user_ids:
            self.subscription_cache.discard_member(guild_id, user_id)
        return removed

    # -- commands ----------------------------------------------------------------------------

    @alerts.command(
        name=ls("alerts.subscribe.name"), description=ls("alerts.subscribe.description")
    )
    async def subscribe(  # noqa: PLR0917 - a slash command's options are its parameters
        self,
        interaction: discord.Interaction[Entraide],
        platform: app_commands.Range[str, 1, 40] | None = None,
        min_hourly: app_commands.Range[float, 0.01, 1000.0] | None = None,
        min_reward: app_commands.Range[float, 0.01, 10000.0] | None = None,
        currency: app_commands.Range[str, 3, 3] | None = None,
        keywords: app_commands.Range[str, 1, 200] | None = None,
        requester: app_commands.Range[str, 1, 100] | None = None,
        no_warned: bool = False,
    ) -> None:
        settings = await require_setup(interaction)
        locale = locale_of(interaction)
        options = (platform, min_hourly, min_reward, currency, keywords, requester, no_warned)
        filters = rules.filters_from_options(settings.currency, *options)
        assert interaction.guild_id is not None  # require_setup refuses DMs
        stored = await subscriptions.add(
            self.bot.db,
            interaction.guild_id,
            interaction.user.id,
            subscriptions.NewSubscription(
                **filters.as_fields(), locale=locale, signature=filters.signature()
            ),
            to_epoch(self.bot.clock.now()),
            limit=rules.MAX_SUBSCRIPTIONS,
        )
        if stored == "duplicate":
            raise UserError("alerts.errors.duplicate")
        if stored == "limit":
            raise UserError("alerts.errors.limit", limit=rules.MAX_SUBSCRIPTIONS)
        embed = discord.Embed(
            title=t("alerts.subscribe.saved_title", locale),
            description=render.describe(filters, locale),
            colour=Colours.GOOD,
        )
        notes = [t("alerts.subscribe.note_profile", locale)]
        if settings.alert_dms_per_hour <= 0:
            notes.insert(0, t("alerts.subscribe.note_dms_off", locale))
        else:
            notes.insert(0, t("alerts.subscribe.note_cap", locale, cap=settings.alert_dms_per_hour))
        if filters.is_catch_all:
            notes.insert(0, t("alerts.subscribe.note_everything", locale))
        embed.add_field(
            name=t("alerts.subscribe.notes", locale), value="\n".join(notes), inline=False
        )
        await reply(interaction, embed=embed)

    @subscribe.autocomplete("platform")
    async def _platform_choices(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[app_commands.Choice[str]]:
        typed = rules.fold(current)
        return [
            app_commands.Choice(name=label, value=code)
            for code, label in rules.PLATFORMS.items()
            if not typed or rules.fold(label).startswith(typed) or code.startswith(typed)
        ][:25]

    @subscribe.autocomplete("currency")
    async def _currency_choices(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[app_commands.Choice[str]]:
        typed = current.strip().upper()
        if not typed:
            return [app_commands.Choice(name=c, value=c) for c in COMMON_CURRENCIES]
        found = sorted(c for c in known_currencies() if c.startswith(typed))
        return [app_commands.Choice(name=c, value=c) for c in found[:25]]

    @subscribe.autocomplete("requester")
    async def _requester_choices(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[app_commands.Choice[str]]:
        from db.requesters import name_key

        rows = await subscriptions.requester_suggestions(self.bot.db, name_key(current)[:100])
        choices = []
        for row in rows:
            label = f"{row['name']} ({rules.PLATFORMS.get(row['platform'], row['platform'])})"
            choices.append(app_commands.Choice(name=truncate(label, 100), value=row["name"][:100]))
        return choices

    @alerts.command(name=ls("alerts.list.name"), description=ls("alerts.list.description"))
    async def list_(self, interaction: discord.Interaction[Entraide]) -> None:
        await require_setup(interaction)
        assert interaction.guild_id is not None
        locale = locale_of(interaction)
        embed, view = await views.list_message(
            self.bot, interaction.guild_id, interaction.user.id, locale
        )
        await reply(interaction, embed=embed, view=view)

    @alerts.command(name=ls("alerts.remove.name"), description=ls("alerts.remove.description"))
    async def remove(
        self, interaction: discord.Interaction[Entraide], which: app_commands.Range[str, 1, 20]
    ) -> None:
        await require_setup(interaction)
        assert interaction.guild_id is not None
        locale = locale_of(interaction)
        selector = selection.parse_selector(which)
        if selector.everything:
            count = await subscriptions.remove_all(
                self.bot.db, interaction.guild_id, interaction.user.id
            )
            self.subscription_cache.discard_member(interaction.guild_id, interaction.user.id)
            if not count:
                raise UserError("alerts.errors.none_to_remove")
            await reply(interaction, t("alerts.remove.removed_all", locale, count=count))
            return
        subs = await subscriptions.for_member(
            self.bot.db, interaction.guild_id, interaction.user.id
        )
        target_id = selection.pick([s.id for s in subs], selector)
        removed = await subscriptions.remove(self.bot.db, interaction.user.id, target_id)
        self.subscription_cache.discard(target_id)
        if removed is None:
            raise UserError("alerts.errors.not_found")
        await reply(
            interaction,
            t(
                "alerts.remove.removed",
                locale,
                filters=render.describe(render.filters_of(removed), locale),
            ),
        )

    @remove.autocomplete("which")
    async def _which_choices(
        self, interaction: discord.Interaction[Entraide], current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        locale = locale_of(interaction)
        subs = await subscriptions.for_member(
            self.bot.db, interaction.guild_id, interaction.user.id
        )
        typed = rules.fold(current)
        choices = []
        for n, sub in enumerate(subs, start=1):
            label = f"#{n} · {render.describe(render.filters_of(sub), locale)}"
            if typed and typed not in rules.fold(label):
                continue
            choices.append(app_commands.Choice(name=truncate(label, 100), value=f"s{sub.id}"))
        everything = t("alerts.remove.all_choice", locale, count=len(subs))
        if subs and (not typed or typed in rules.fold(everything) or typed in selection.ALL_WORDS):
            choices.append(app_commands.Choice(name=everything, value="all"))
        return choices[:25]
