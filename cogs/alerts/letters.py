"""What the fan-out hands to the outbox, and the outbox to delivery: one alert's letters.

The fan-out (`notify`) writes letters, the outbox (`outbox`) queues them and the delivery
(`delivery.deliver`) sends them. All three need these types, so they live here, below all
three, and the outbox can stay ignorant of how a letter is sent: it is given a `Deliver`
callback instead of importing the side that sends.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.ui import safe_text
from cogs.alerts import render, rules, views

if TYPE_CHECKING:
    import discord

    from bot.bot import Entraide
    from db import subscriptions
    from db.guilds import GuildSettings
    from db.tasks import Alert


@dataclasses.dataclass(frozen=True, slots=True)
class Outgoing:
    """One alert on its way to subscribers: what every message about it is built from.

    The content and embed depend only on the language and the subscription's filters
    (its footer), so they are rendered once per (language, filters) and shared by every
    recipient; only the view (whose "Stop" button names the subscription) is per message.
    """

    bot: Entraide
    guild: discord.Guild
    settings: GuildSettings
    alert: Alert
    facts: rules.AlertFacts
    rendered: dict[tuple[str, rules.Filters, str | None, bool], tuple[str, discord.Embed]]

    def _render(
        self, filters: rules.Filters, locale: str, mention: str | None, public: bool
    ) -> tuple[str, discord.Embed]:
        key = (locale, filters, mention, public)
        found = self.rendered.get(key)
        if found is None:
            guild_name = safe_text(self.guild.name, 100)
            found = self.rendered[key] = (
                render.notification_content(guild_name, locale, mention, public=public),
                render.alert_embed(
                    self.facts,
                    minutes=self.alert.minutes,
                    jump_url=self.alert.jump_url,
                    # A member's filters are theirs: not shown where others can read.
                    filters=None if public else filters,
                    settings=self.settings,
                    guild_name=guild_name,
                    locale=locale,
                ),
            )
        return found

    def message(
        self,
        sub: subscriptions.Subscription,
        locale: str,
        mention: str | None = None,
        filters: rules.Filters | None = None,
        *,
        public: bool = False,
    ) -> dict[str, Any]:
        """Content, embed and buttons for one subscriber, in their language.

        `public`: shown where others read it too (a forum post), so it claims no privacy
        and leaves the member's filters out.
        """
        content, embed = self._render(filters or render.filters_of(sub), locale, mention, public)
        view = views.notification_view(
            render.safe_link(self.alert.jump_url),
            render.safe_link(self.alert.link),
            sub.id,
            locale,
        )
        # The view only carries the buttons: "Stop" is a registered DynamicItem, so
        # discord.py must not keep one view per DM in its view store forever.
        view.stop()
        return {"content": content, "embed": embed, "view": view}


@dataclasses.dataclass(frozen=True, slots=True)
class Letter:
    """One reserved DM: the alert's shared rendering, and who it is for."""

    out: Outgoing
    sub: subscriptions.Subscription
    filters: rules.Filters
    locale: str


#: Sends one letter and says how it went ("dm", "thread" or "failed").
Deliver = Callable[[Letter], Awaitable[str]]
