"""`/notify-role add|remove|list|join|leave` through the real dispatch: rights, hostile
input, server isolation, what is stored and what the audit log says."""

from __future__ import annotations

import discord
import pytest

from db import audit, notify_roles
from tests.cogs.roles.helpers import grant_bot, make_role, ready, role_managers
from tests.harness import payloads as p
from tests.harness.channel_access import overwrite, set_overwrites
from tests.harness.driver import Harness, configure_server

pytestmark = pytest.mark.both_backends


async def test_a_moderator_registers_a_role_with_filters(configured: Harness) -> None:
    h = configured
    role_id = await ready(h, platform="mturk", min_hourly=12)
    [stored] = await notify_roles.for_guild(h.db, h.world.guild_id)
    assert (stored.role_id, stored.platform, stored.min_hourly_cents, stored.currency) == (
        role_id,
        "mturk",
        1200,
        "USD",
    )
    [entry] = await audit.page(h.db, h.world.guild_id)
    assert (entry.action, entry.actor_id, entry.target_kind, entry.target_id) == (
        "notify_role_add",
        h.admin.id,
        "role",
        role_id,
    )
    assert entry.detail["name"] == "MTurk ≥ $12/h"
    log = await h.slash("mod log", user=h.admin)
    assert "Notification role registered" in log.text
    h.api.assert_never_pinged()


async def test_list_shows_what_each_role_matches_and_how_many_hold_it(configured: Harness) -> None:
    h = configured
    role_id = await ready(h, platform="mturk", min_hourly=12)
    await h.slash("notify-role join", user=h.alice, role=role_id)
    listed = await h.slash("notify-role list", user=h.bob)
    assert listed.ephemeral
    assert f"<@&{role_id}> · MTurk · ≥ $12.00/h · 1 member" in listed.embed["description"]
    h.api.assert_never_pinged()


async def test_list_is_empty_at_first(configured: Harness) -> None:
    listed = await configured.slash("notify-role list", user=configured.alice)
    assert "no notification roles yet" in listed.text


async def test_members_cannot_register_roles(configured: Harness) -> None:
    h = configured
    await grant_bot(h, manage_roles=True, mention_everyone=True)
    role_id = await make_role(h, "Prolific")
    sent = await h.slash("notify-role add", user=h.alice, role=role_id)
    assert sent.ephemeral and "Only moderators" in sent.text
    assert await notify_roles.for_guild(h.db, h.world.guild_id) == []


async def test_a_moderator_who_could_not_assign_the_role_is_refused(configured: Harness) -> None:
    h = configured  # h.mod holds the moderator role, without Manage Roles
    await grant_bot(h, manage_roles=True, mention_everyone=True)
    role_id = await make_role(h, "Prolific")
    sent = await h.slash("notify-role add", user=h.mod, role=role_id)
    assert "could not give “Prolific”" in sent.text
    assert await notify_roles.for_guild(h.db, h.world.guild_id) == []


async def test_hostile_roles_are_refused(configured: Harness) -> None:
    h = configured
    await grant_bot(h, manage_roles=True, mention_everyone=True)
    await role_managers(h)
    cases = {
        h.world.everyone_role: "@everyone cannot be a notification role",
        await make_role(h, "Booster", managed=True): "managed by an integration",
        await make_role(h, "Loud", mentionable=True): "Anyone can @mention “Loud”",
        # above the admin's own role (3): they could not give it themselves
        await make_role(h, "High", position=5): "could not give “High”",
    }
    for role_id, why in cases.items():
        sent = await h.slash("notify-role add", user=h.admin, role=role_id)
        assert why in sent.text, (role_id, sent.text)
    assert await notify_roles.for_guild(h.db, h.world.guild_id) == []
    h.api.assert_never_pinged()


async def test_a_role_above_the_bot_or_without_manage_roles_is_refused(
    configured: Harness,
) -> None:
    h = configured
    high = await make_role(h, "High", position=5)  # above the bot's role (4)
    low = await make_role(h, "Low")
    sent = await h.slash("notify-role add", user=h.world.owner, role=low)
    assert "needs the Manage Roles permission" in sent.text
    await grant_bot(h, manage_roles=True, mention_everyone=True)
    sent = await h.slash("notify-role add", user=h.world.owner, role=high)
    assert "above Entraide's own role" in sent.text
    assert await notify_roles.for_guild(h.db, h.world.guild_id) == []


async def test_a_role_of_another_server_is_refused_everywhere(configured: Harness) -> None:
    h = configured
    role_id = await ready(h)
    other = await h.add_server()
    foreign = await make_role(h, "Theirs", world=other)
    sent = await h.slash("notify-role add", user=h.admin, role=foreign)
    assert "not a role of this server" in sent.text
    sent = await h.slash("notify-role join", user=h.alice, role=foreign)
    assert "is not a notification role of this server" in sent.text
    # A moderator of the other server cannot unregister this server's role.
    other_mod = other.mod
    sent = await h.slash("notify-role remove", user=other_mod, role=role_id, world=other)
    assert "is not a notification role" in sent.text
    assert [r.role_id for r in await notify_roles.for_guild(h.db, h.world.guild_id)] == [role_id]
    assert not h.api.calls_to("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")


async def test_a_role_cannot_be_registered_twice(configured: Harness) -> None:
    h = configured
    role_id = await ready(h)
    sent = await h.slash("notify-role add", user=h.admin, role=role_id, platform="prolific")
    assert "already a notification role" in sent.text


async def test_bad_filters_are_refused_with_the_alerts_wording(configured: Harness) -> None:
    h = configured
    await grant_bot(h, manage_roles=True, mention_everyone=True)
    await role_managers(h)
    role_id = await make_role(h, "Weird")
    sent = await h.slash("notify-role add", user=h.admin, role=role_id, platform="nowhere")
    assert "nowhere" in sent.text
    assert await notify_roles.for_guild(h.db, h.world.guild_id) == []


async def test_the_server_must_be_set_up(harness: Harness) -> None:
    h = harness
    await grant_bot(h, manage_roles=True, mention_everyone=True)
    await role_managers(h)
    role_id = await make_role(h, "Early")
    sent = await h.slash("notify-role add", user=h.admin, role=role_id)
    assert "set up" in sent.text.lower()
    await configure_server(h)
    sent = await h.slash("notify-role add", user=h.admin, role=role_id)
    assert "registered" in sent.text


async def test_remove_unregisters_and_is_audited(configured: Harness) -> None:
    h = configured
    role_id = await ready(h)
    sent = await h.slash("notify-role remove", user=h.mod, role=role_id)
    assert "no longer mentioned" in sent.text
    assert await notify_roles.for_guild(h.db, h.world.guild_id) == []
    actions = [e.action for e in await audit.page(h.db, h.world.guild_id)]
    assert actions == ["notify_role_remove", "notify_role_add"]
    sent = await h.slash("notify-role remove", user=h.alice, role=role_id)
    assert "Only moderators" in sent.text


# -- members ---------------------------------------------------------------------------------


async def test_join_and_leave_add_and_remove_the_role(configured: Harness) -> None:
    h = configured
    role_id = await ready(h)
    sent = await h.slash("notify-role join", user=h.alice, role=role_id)
    assert sent.ephemeral and "You now have" in sent.text
    [call] = h.api.calls_to("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
    assert call.params == {
        "guild_id": str(h.world.guild_id),
        "user_id": str(h.alice.id),
        "role_id": str(role_id),
    }
    assert role_id in [r.id for r in h.guild.get_member(h.alice.id).roles]
    h.alice.roles.append(role_id)  # what Discord puts in her next interaction
    sent = await h.slash("notify-role join", user=h.alice, role=role_id)
    assert "already have" in sent.text
    sent = await h.slash("notify-role leave", user=h.alice, role=role_id)
    assert "no longer have" in sent.text
    assert role_id not in [r.id for r in h.guild.get_member(h.alice.id).roles]
    h.alice.roles.remove(role_id)
    sent = await h.slash("notify-role leave", user=h.alice, role=role_id)
    assert "do not have" in sent.text
    h.api.assert_never_pinged()


async def test_only_registered_roles_can_be_joined(configured: Harness) -> None:
    h = configured
    await ready(h)
    for role_id in (h.world.mod_role, h.world.everyone_role, await make_role(h, "Secret")):
        sent = await h.slash("notify-role join", user=h.alice, role=role_id)
        assert "is not a notification role" in sent.text
    assert len(h.api.calls_to("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")) == 0


async def test_joining_explains_what_the_bot_lacks(configured: Harness) -> None:
    h = configured
    role_id = await ready(h)
    await grant_bot(h, manage_roles=False, mention_everyone=True)
    sent = await h.slash("notify-role join", user=h.alice, role=role_id)
    assert sent.ephemeral and "needs the Manage Roles permission" in sent.text
    # Discord refuses anyway (a permission changed between the check and the request).
    await grant_bot(h, manage_roles=True, mention_everyone=True)
    h.api.fail("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", 403, code=50013)
    sent = await h.slash("notify-role join", user=h.alice, role=role_id)
    assert sent.ephemeral and "needs the Manage Roles permission" in sent.text


async def test_a_deleted_role_is_forgotten(configured: Harness) -> None:
    h = configured
    role_id = await ready(h)
    await h.gateway(
        "GUILD_ROLE_DELETE", {"guild_id": str(h.world.guild_id), "role_id": str(role_id)}
    )
    assert await notify_roles.for_guild(h.db, h.world.guild_id) == []


async def test_a_purged_server_loses_its_roles(configured: Harness) -> None:
    h = configured
    await ready(h)
    other = await h.add_server()
    h.bot.dispatch("guild_config_purged", other.guild_id)
    await h.settle()
    assert len(await notify_roles.for_guild(h.db, h.world.guild_id)) == 1
    h.bot.dispatch("guild_config_purged", h.world.guild_id)
    await h.settle()
    assert await notify_roles.for_guild(h.db, h.world.guild_id) == []


async def test_roles_with_powers_are_refused(configured: Harness) -> None:
    """Members give themselves a notification role with one command: so it must give
    nothing @everyone lacks (a hostile probe registered the moderators' role, then an
    administrator role, and members joined both).
    """
    h = configured
    await grant_bot(h, manage_roles=True, mention_everyone=True)
    await role_managers(h)
    admin_like = p.snowflake()
    data = p.role_json(admin_like, "Helpers", discord.Permissions(administrator=True), 1)
    await h.gateway("GUILD_ROLE_CREATE", {"guild_id": str(h.world.guild_id), "role": data})
    staff_room = await make_role(h, "Staff room")
    await set_overwrites(h, h.world.mods, "mods", 0, overwrite(staff_room, allow=True))
    cases = {
        h.world.mod_role: "the moderators' role of this server",
        admin_like: "gives permissions that @everyone does not have (administrator",
        staff_room: "opens channels",
    }
    for role_id, why in cases.items():
        sent = await h.slash("notify-role add", user=h.admin, role=role_id)
        assert sent.ephemeral and why in sent.text, (role_id, sent.text)
    assert await notify_roles.for_guild(h.db, h.world.guild_id) == []
    assert h.api.calls_to("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}") == []


async def test_a_role_given_powers_after_it_was_registered_cannot_be_joined(
    configured: Harness,
) -> None:
    h = configured
    role_id = await ready(h)
    assert "You now have" in (await h.slash("notify-role join", user=h.alice, role=role_id)).text
    h.alice.roles.append(role_id)
    # A moderator later gives the role a permission in Discord's settings.
    data = p.role_json(role_id, "MTurk ≥ $12/h", discord.Permissions(manage_messages=True), 1)
    await h.gateway("GUILD_ROLE_UPDATE", {"guild_id": str(h.world.guild_id), "role": data})
    refused = await h.slash("notify-role join", user=h.bob, role=role_id)
    assert refused.ephemeral and "gives permissions" in refused.text
    assert "manage messages" in refused.text.lower()
    left = await h.slash("notify-role leave", user=h.alice, role=role_id)  # leaving: always
    assert "no longer have" in left.text
    puts = h.api.calls_to("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
    assert [c.params["user_id"] for c in puts] == [str(h.alice.id)]


async def test_the_list_names_every_role_however_long_their_filters(configured: Harness) -> None:
    """Found by a hostile probe: twenty roles with long filters overran the embed, which was
    cut at its end: the last roles were not listed at all."""
    h = configured
    await grant_bot(h, manage_roles=True, mention_everyone=True)
    await role_managers(h)
    words = " ".join(f"{chr(97 + n)}{'x' * 20}" for n in range(8))[:200]
    role_ids = []
    for n in range(20):
        role_id = await make_role(h, f"Role {n}")
        sent = await h.slash(
            "notify-role add",
            user=h.admin,
            role=role_id,
            keywords=words,
            requester=f"{n:02d} {'r' * 90}",
            min_hourly=10 + n,
        )
        assert "registered" in sent.text, sent.text
        role_ids.append(role_id)
    shown = await h.slash("notify-role list", user=h.bob)
    text = shown.text
    assert all(f"<@&{role_id}>" in text for role_id in role_ids), text
    assert len(shown.embed.get("description", "")) <= 4096
