"""Roles, rights and alerts for the notification-role tests."""

from __future__ import annotations

from typing import Any

import discord

from tests.cogs.alerts.helpers import grant_bot, make_alert, post
from tests.harness import payloads as p
from tests.harness.driver import Harness
from tests.harness.world import World

__all__ = ["grant_bot", "make_alert", "make_role", "post", "ready", "role_managers"]


async def make_role(
    h: Harness,
    name: str,
    *,
    position: int = 1,
    mentionable: bool = False,
    managed: bool = False,
    world: World | None = None,
) -> int:
    """A role created in Discord (GUILD_ROLE_CREATE through the real parser)."""
    w = world or h.world
    role_id = p.snowflake()
    data = p.role_json(role_id, name, discord.Permissions.none(), position)
    data["mentionable"] = mentionable
    data["managed"] = managed
    await h.gateway("GUILD_ROLE_CREATE", {"guild_id": str(w.guild_id), "role": data})
    return role_id


async def role_managers(h: Harness) -> None:
    """The "Managers" role (the admin's, position 3) may also manage roles."""
    perms = discord.Permissions(p.MANAGER_PERMS.value)
    perms.update(manage_roles=True)
    await h.gateway(
        "GUILD_ROLE_UPDATE",
        {
            "guild_id": str(h.world.guild_id),
            "role": p.role_json(h.world.manager_role, "Managers", perms, 3),
        },
    )


async def ready(h: Harness, **filters: Any) -> int:
    """The usual start: the bot and the admin may manage roles, and one role is registered."""
    await grant_bot(h, manage_roles=True, mention_everyone=True)
    await role_managers(h)
    role_id = await make_role(h, "MTurk ≥ $12/h")
    sent = await h.slash("notify-role add", user=h.admin, role=role_id, **filters)
    assert "registered" in sent.text, sent.text
    return role_id
