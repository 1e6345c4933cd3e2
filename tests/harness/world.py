"""The default world: the one server most tests run in, its channels, roles and people.

Kept apart from the driver because a reader asking "who is `h.alice`, which channel is
`alerts`, what does the server's GUILD_CREATE carry" needs only this, and bench/ builds
its larger worlds from the same pieces.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord

from tests.harness import payloads as p

APPLICATION_ID = 424242424242424242


@dataclass
class World:
    """The default server: channels, roles and people most tests need."""

    guild_id: int
    everyone_role: int
    mod_role: int
    manager_role: int
    bot_role: int
    general: int
    alerts: int
    mods: int
    digest: int
    forum: int
    bot_user: p.FakeUser
    owner: p.FakeUser
    admin: p.FakeUser
    mod: p.FakeUser
    alice: p.FakeUser
    bob: p.FakeUser
    carol: p.FakeUser
    dave: p.FakeUser


def make_world() -> World:
    guild_id = p.snowflake()
    mod_role, manager_role, bot_role = p.snowflake(), p.snowflake(), p.snowflake()
    return World(
        guild_id=guild_id,
        everyone_role=guild_id,
        mod_role=mod_role,
        manager_role=manager_role,
        bot_role=bot_role,
        general=p.snowflake(),
        alerts=p.snowflake(),
        mods=p.snowflake(),
        digest=p.snowflake(),
        forum=p.snowflake(),
        bot_user=p.FakeUser(p.snowflake(), "entraide", roles=[bot_role], bot=True),
        owner=p.FakeUser(p.snowflake(), "owner"),
        admin=p.FakeUser(p.snowflake(), "admin", roles=[manager_role]),
        mod=p.FakeUser(p.snowflake(), "mod", roles=[mod_role]),
        alice=p.FakeUser(p.snowflake(), "alice"),
        bob=p.FakeUser(p.snowflake(), "bob"),
        carol=p.FakeUser(p.snowflake(), "carol"),
        dave=p.FakeUser(p.snowflake(), "dave"),
    )


def guild_payload(
    world: World, locale: str, name: str, extra_members: list[p.FakeUser]
) -> dict[str, Any]:
    """The GUILD_CREATE Discord sends for `world`: its roles, channels and members."""
    w = world
    roles = [
        p.role_json(w.everyone_role, "@everyone", p.EVERYONE_PERMS, 0),
        p.role_json(w.mod_role, "Moderators", discord.Permissions(manage_messages=True), 2),
        p.role_json(w.manager_role, "Managers", p.MANAGER_PERMS, 3),
        p.role_json(w.bot_role, "Entraide", p.BOT_PERMS, 4),
    ]
    channels = [
        p.text_channel_json(w.general, w.guild_id, "general", position=0),
        p.text_channel_json(w.alerts, w.guild_id, "task-alerts", position=1),
        p.text_channel_json(w.mods, w.guild_id, "moderators", position=2),
        p.text_channel_json(w.digest, w.guild_id, "daily-digest", position=3),
        p.forum_channel_json(w.forum, w.guild_id, "task-forum", position=4),
    ]
    people = [w.bot_user, w.owner, w.admin, w.mod, w.alice, w.bob, w.carol, w.dave]
    return p.guild_json(
        w.guild_id,
        name,
        owner_id=w.owner.id,
        roles=roles,
        channels=channels,
        members=[u.member_json() for u in [*people, *extra_members]],
        locale=locale,
    )


async def configure_guild(db: Any, world: World, now: int, **changes: object) -> None:
    """Store `world`'s server as set up by a moderator with /setup (channels, mod role).

    `changes` are further guild settings (`scam_policy="warn"`, `reports_per_day=2`, …)
    and may override the defaults (`digest_channel_id=None` for a server without one).
    """
    from db import guilds

    settings: dict[str, object] = {
        "alerts_channel_id": world.alerts,
        "mod_channel_id": world.mods,
        "digest_channel_id": world.digest,
        "mod_role_id": world.mod_role,
        **changes,
    }
    await guilds.update(db, world.guild_id, now, **settings)
    await guilds.mark_setup_complete(db, world.guild_id, now)
