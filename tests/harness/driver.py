"""The offline harness: a real bot, a fake Discord, and helpers that speak like a test.

    h = harness  # fixture
    sent = await h.slash("about", user=h.alice)
    assert sent.ephemeral and "Entraide" in sent.embed["title"]

Payloads go in through `ConnectionState.parse_interaction_create` (discord.py's own
gateway dispatch) and answers come out of the fake HTTP layer; see tests/README.md.
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.enums import AppCommandOptionType

from bot.bot import INFLIGHT_TASK_PREFIXES, Entraide, build_bot
from bot.clock import ManualClock
from bot.settings import Settings
from tests.harness import payloads as p
from tests.harness.fake_discord import FakeDiscord, Sent

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


class Harness:
    """Drives one bot through discord.py's real dispatch against a fake Discord."""

    def __init__(self, bot: Entraide, api: FakeDiscord, world: World, clock: ManualClock) -> None:
        self.bot = bot
        self.api = api
        self.world = world
        self.clock = clock
        self.w = world
        self.last_interaction_id: int | None = None
        #: More members in the server's GUILD_CREATE than the default world's people.
        self.extra_members: list[p.FakeUser] = []

    # shortcuts to the default people and places
    @property
    def alice(self) -> p.FakeUser:
        return self.world.alice

    @property
    def bob(self) -> p.FakeUser:
        return self.world.bob

    @property
    def carol(self) -> p.FakeUser:
        return self.world.carol

    @property
    def dave(self) -> p.FakeUser:
        return self.world.dave

    @property
    def mod(self) -> p.FakeUser:
        return self.world.mod

    @property
    def admin(self) -> p.FakeUser:
        return self.world.admin

    @property
    def guild(self) -> discord.Guild:
        guild = self.bot.get_guild(self.world.guild_id)
        assert guild is not None
        return guild

    @property
    def db(self) -> Any:
        return self.bot.db

    # -- lifecycle -------------------------------------------------------------------------

    @classmethod
    async def start(
        cls,
        settings: Settings,
        clock: ManualClock,
        monkeypatch: Any,
        *,
        world: World | None = None,
        extensions: list[str] | None = None,
        guild_locale: str = "en-US",
        extra_members: list[p.FakeUser] | None = None,
    ) -> Harness:
        """Start the bot; the server arrives with the world's people and `extra_members`
        (a member list arriving complete, as Discord sends it to a chunking bot: members
        added afterwards would be ones the bot forgets on arrival, see bot/membership.py)."""
        world = world or make_world()
        api = FakeDiscord(APPLICATION_ID, world.bot_user)
        api.install(monkeypatch)
        bot = build_bot(settings, clock=clock, extensions=extensions)
        api.state = bot._connection
        await bot.login("test-token")  # real login path: GET /users/@me, app info, setup_hook
        harness = cls(bot, api, world, clock)
        harness.extra_members = list(extra_members or [])
        bot._connection.parse_guild_create(harness._guild_payload(guild_locale))
        await harness.settle()
        return harness

    async def stop(self) -> None:
        await self.settle()
        await self.bot.close()

    async def restart(self, settings: Settings | None = None, monkeypatch: Any = None) -> Harness:
        """Close this bot and start a new one on the same database and world."""
        settings = settings or self.bot.settings
        await self.stop()
        new = await Harness.start(
            settings,
            self.clock,
            monkeypatch,
            world=self.world,
            extensions=self.bot.extensions_to_load,
            extra_members=self.extra_members,
        )
        return new

    def _guild_payload(
        self, locale: str, world: World | None = None, name: str = "Turkers United"
    ) -> dict[str, Any]:
        w = world or self.world
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
            members=[u.member_json() for u in [*people, *self.extra_members]],
            locale=locale,
        )

    async def add_server(
        self, name: str = "Server B", *, configure: bool = True, locale: str = "en-US"
    ) -> World:
        """A second server (its own channels, moderator role and members) the bot is in.

        The bot user is the same; everyone else is new. With `configure`, its setup is
        done like the `configured` fixture's. Pass the returned world as `world=` to
        `slash`, `press`, `submit_modal` to act from that server.
        """
        world = dataclasses.replace(make_world(), bot_user=self.world.bot_user)
        self.bot._connection.parse_guild_create(self._guild_payload(locale, world, name))
        await self.settle()
        if configure:
            from db import guilds

            now = int(self.clock.now().timestamp())
            await guilds.update(
                self.db,
                world.guild_id,
                now,
                alerts_channel_id=world.alerts,
                mod_channel_id=world.mods,
                digest_channel_id=world.digest,
                mod_role_id=world.mod_role,
            )
            await guilds.mark_setup_complete(self.db, world.guild_id, now)
        return world

    # -- waiting -------------------------------------------------------------------------

    async def settle(self) -> None:
        """Wait until discord.py and the bot have finished handling everything fed so far."""
        current = asyncio.current_task()
        for _ in range(100_000):  # background work may hand over to new tasks many times
            await asyncio.sleep(0)
            pending = [
                t
                for t in asyncio.all_tasks()
                if t is not current
                and not t.done()
                and (
                    t in self.bot.background_tasks
                    or t.get_name().startswith(INFLIGHT_TASK_PREFIXES)
                )
            ]
            if not pending:
                await asyncio.sleep(0)
                return
            done, _ = await asyncio.wait(pending, timeout=30)
            if not done:
                raise AssertionError(f"tasks did not finish: {[t.get_name() for t in pending]}")
        raise AssertionError("the bot never settled")

    # -- people ------------------------------------------------------------------------------

    async def add_member(
        self, name: str, *, roles: list[int] | None = None, joined_at: datetime | None = None
    ) -> p.FakeUser:
        """A new member joins the server (GUILD_MEMBER_ADD through the real parser)."""
        user = p.FakeUser(
            p.snowflake(), name, roles=roles or [], joined_at=joined_at or self.clock.now()
        )
        await self.gateway(
            "GUILD_MEMBER_ADD", {**user.member_json(), "guild_id": str(self.world.guild_id)}
        )
        return user

    async def remove_member(self, user: p.FakeUser) -> None:
        await self.gateway(
            "GUILD_MEMBER_REMOVE", {"guild_id": str(self.world.guild_id), "user": user.user_json()}
        )

    async def gateway(self, event: str, data: dict[str, Any]) -> None:
        """Feed one gateway event (MESSAGE_DELETE, CHANNEL_DELETE, …) to the real parser."""
        self.bot._connection.parsers[event](data)
        await self.settle()

    def permissions_of(self, user: p.FakeUser, channel_id: int, world: World | None = None) -> int:
        guild = self.bot.get_guild((world or self.world).guild_id)
        member = guild.get_member(user.id) if guild is not None else None
        channel = self.bot.get_channel(channel_id)
        if member is None or channel is None:
            return p.EVERYONE_PERMS.value
        return channel.permissions_for(member).value  # type: ignore[union-attr]

    # -- interactions ------------------------------------------------------------------------

    def _interaction(
        self,
        kind: int,
        data: dict[str, Any],
        user: p.FakeUser,
        channel_id: int | None,
        locale: str,
        message: dict[str, Any] | None = None,
        guild: bool = True,
        world: World | None = None,
    ) -> dict[str, Any]:
        w = world or self.world
        interaction_id = p.snowflake()
        token = secrets.token_urlsafe(24)
        channel_id = channel_id or w.general
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(APPLICATION_ID),
            "type": kind,
            "data": data,
            "channel_id": str(channel_id),
            "token": token,
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(w.guild_id)}
            if guild
            else {"1": str(user.id)},
            "context": 0 if guild else 1,
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if guild:
            channel = self.bot.get_channel(channel_id)
            the_guild = self.bot.get_guild(w.guild_id)
            assert the_guild is not None, "add the server first (h.add_server())"
            payload["guild_id"] = str(w.guild_id)
            payload["guild_locale"] = the_guild.preferred_locale.value
            payload["member"] = user.member_json(self.permissions_of(user, channel_id, w))
            payload["app_permissions"] = str(self.permissions_of(w.bot_user, channel_id, w))
            if channel is not None:
                payload["channel"] = {
                    "id": str(channel_id),
                    "type": channel.type.value,
                    "guild_id": str(w.guild_id),
                    "name": getattr(channel, "name", ""),
                }
        else:
            payload["user"] = user.user_json()
            payload["app_permissions"] = "0"
            payload["channel"] = {"id": str(channel_id), "type": 1}
        if message is not None:
            payload["message"] = message
        self.api.interaction_channels[token] = channel_id
        self.api.interaction_ids[token] = interaction_id
        self.last_interaction_id = interaction_id
        return payload

    async def _feed(self, payload: dict[str, Any]) -> list[Sent]:
        interaction_id = int(payload["id"])
        self.bot._connection.parse_interaction_create(payload)
        await self.settle()
        return self.api.for_interaction(interaction_id)

    def _command_chain(self, path: str) -> list[Any]:
        parts = path.split()
        command = self.bot.tree.get_command(parts[0])
        assert command is not None, f"no command /{parts[0]}"
        chain = [command]
        for part in parts[1:]:
            assert isinstance(command, app_commands.Group), (
                f"/{path}: {command.name} has no subcommands"
            )
            command = command.get_command(part)
            assert command is not None, f"no subcommand {part} in /{path}"
            chain.append(command)
        return chain

    def _options(
        self,
        command: app_commands.Command[Any, ..., Any],
        values: dict[str, Any],
        focused: str | None,
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        params = {**{prm.display_name: prm for prm in command._params.values()}, **command._params}
        options: list[dict[str, Any]] = []
        resolved: dict[str, dict[str, Any]] = {}
        for key, value in values.items():
            assert key in params, (
                f"/{command.qualified_name} has no option {key!r}; it has {sorted(params)}"
            )
            param = params[key]
            entry: dict[str, Any] = {"name": param.display_name, "type": param.type.value}
            kind = param.type
            if kind in (AppCommandOptionType.user, AppCommandOptionType.mentionable) and isinstance(
                value, p.FakeUser
            ):
                entry["value"] = str(value.id)
                resolved.setdefault("users", {})[str(value.id)] = value.user_json()
                member = value.member_json(self.permissions_of(value, self.world.general))
                member.pop("user")
                resolved.setdefault("members", {})[str(value.id)] = member
            elif kind == AppCommandOptionType.channel:
                channel = self.bot.get_channel(int(value))
                entry["value"] = str(int(value))
                resolved.setdefault("channels", {})[str(int(value))] = {
                    "id": str(int(value)),
                    "type": channel.type.value if channel else 0,
                    "name": getattr(channel, "name", "gone"),
                    "permissions": str(p.BOT_PERMS.value),
                }
            elif kind == AppCommandOptionType.role:
                role = self.guild.get_role(int(value))
                entry["value"] = str(int(value))
                resolved.setdefault("roles", {})[str(int(value))] = p.role_json(
                    int(value),
                    role.name if role else "role",
                    role.permissions if role else discord.Permissions.none(),
                    1,
                )
            elif kind == AppCommandOptionType.attachment:
                filename, content = value
                attachment_id = p.snowflake()
                data = p.attachment_json(attachment_id, filename, len(content))
                self.api.cdn[data["url"]] = content
                entry["value"] = str(attachment_id)
                resolved.setdefault("attachments", {})[str(attachment_id)] = data
            else:
                entry["value"] = value
            if focused == key or focused == param.display_name:
                entry["focused"] = True
            options.append(entry)
        return options, resolved

    def _command_data(
        self, path: str, values: dict[str, Any], focused: str | None = None
    ) -> dict[str, Any]:
        chain = self._command_chain(path)
        leaf = chain[-1]
        options, resolved = self._options(leaf, values, focused)
        for parent in reversed(chain[1:]):
            kind = 2 if isinstance(parent, app_commands.Group) else 1
            options = [{"type": kind, "name": parent.name, "options": options}]
        data: dict[str, Any] = {
            "id": str(p.snowflake()),
            "name": chain[0].name,
            "type": 1,
            "options": options,
        }
        if resolved:
            data["resolved"] = resolved
        return data

    async def slash(
        self,
        path: str,
        *,
        user: p.FakeUser | None = None,
        channel: int | None = None,
        locale: str = "en-US",
        dm: bool = False,
        world: World | None = None,
        **options: Any,
    ) -> Sent:
        """Run `/path` with options; return the first thing the member saw."""
        replies = await self.slash_all(
            path, user=user, channel=channel, locale=locale, dm=dm, world=world, **options
        )
        assert replies, f"/{path} produced no response"
        return replies[0] if replies[0].kind != "deferred" or len(replies) == 1 else replies[-1]

    async def slash_all(
        self,
        path: str,
        *,
        user: p.FakeUser | None = None,
        channel: int | None = None,
        locale: str = "en-US",
        dm: bool = False,
        world: World | None = None,
        **options: Any,
    ) -> list[Sent]:
        """Run `/path` and return everything the interaction produced, in order.

        `world=` runs it in another server (see `add_server`).
        """
        data = self._command_data(path, options)
        payload = self._interaction(
            2, data, user or self.alice, channel, locale, guild=not dm, world=world
        )
        return await self._feed(payload)

    def user_message(
        self,
        content: str,
        *,
        user: p.FakeUser | None = None,
        channel: int | None = None,
        embeds: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A message a member posted (kept by the fake, so menus and edits can find it)."""
        author = (user or self.alice).user_json()
        message = p.message_json(
            p.snowflake(),
            channel or self.world.general,
            author,
            {"content": content, "embeds": embeds or []},
            guild_id=self.world.guild_id,
        )
        self.api.messages[int(message["id"])] = message
        return message

    async def post_message(
        self,
        content: str,
        *,
        user: p.FakeUser | None = None,
        channel: int | None = None,
    ) -> dict[str, Any]:
        """A member posts a message: MESSAGE_CREATE through the real parser."""
        message = self.user_message(content, user=user, channel=channel)
        member = (user or self.alice).member_json()
        member.pop("user", None)
        await self.gateway("MESSAGE_CREATE", {**message, "member": member})
        return message

    async def message_menu(
        self,
        name: str,
        message: dict[str, Any],
        *,
        user: p.FakeUser | None = None,
        locale: str = "en-US",
    ) -> list[Sent]:
        """Run a message context-menu command ("Apps → name") on `message`."""
        command = self.bot.tree.get_command(name, type=discord.AppCommandType.message)
        assert command is not None, f"no message menu {name!r}"
        data = {
            "id": str(p.snowflake()),
            "name": command.name,
            "type": 3,
            "target_id": message["id"],
            "resolved": {"messages": {message["id"]: message}},
        }
        channel_id = int(message["channel_id"])
        payload = self._interaction(2, data, user or self.alice, channel_id, locale)
        return await self._feed(payload)

    async def autocomplete(
        self,
        path: str,
        focused: str,
        *,
        user: p.FakeUser | None = None,
        locale: str = "en-US",
        **options: Any,
    ) -> list[dict[str, Any]]:
        data = self._command_data(path, options, focused)
        payload = self._interaction(4, data, user or self.alice, None, locale)
        sent = await self._feed(payload)
        assert sent and sent[-1].kind == "autocomplete", f"no autocomplete answer: {sent}"
        return sent[-1].payload.get("choices", [])

    def _find_component(self, message: dict[str, Any], target: str) -> dict[str, Any]:
        holder = Sent("message", {}, message)
        for item in holder.walk_components():
            if (
                item.get("custom_id") == target
                or (item.get("label") or "").lower() == target.lower()
            ):
                return item
        for item in holder.walk_components():
            if target.lower() in (item.get("label") or "").lower():
                return item
        raise AssertionError(
            f"no component {target!r} on message: {[c.get('label') or c.get('custom_id') for c in holder.walk_components()]}"
        )

    def _message_of(self, target: Sent | dict[str, Any] | int) -> dict[str, Any]:
        if isinstance(target, Sent):
            assert target.message is not None, "this reply has no message to click on"
            return self.api.messages.get(int(target.message["id"]), target.message)
        if isinstance(target, int):
            return self.api.messages[target]
        return target

    async def click(
        self,
        target: Sent | dict[str, Any] | int,
        button: str,
        *,
        user: p.FakeUser | None = None,
        locale: str = "en-US",
    ) -> list[Sent]:
        """Click the button whose custom_id or label is `button` on a message."""
        message = self._message_of(target)
        component = self._find_component(message, button)
        assert not component.get("disabled"), f"button {button!r} is disabled"
        data = {"custom_id": component["custom_id"], "component_type": component["type"]}
        return await self._component(message, data, user, locale)

    async def press(
        self,
        custom_id: str,
        *,
        user: p.FakeUser | None = None,
        world: World | None = None,
        dm: bool = False,
        values: list[str] | None = None,
        locale: str = "en-US",
    ) -> list[Sent]:
        """Send a component interaction with any custom_id, as a hostile client can.

        The click comes from a message the bot "sent" in `world`'s general channel (or a
        DM with `dm=True`) carrying one button (or a string select when `values` is given)
        with that custom_id: how a forged or replayed custom_id reaches the bot.
        """
        w = world or self.world
        user = user or self.alice
        channel_id = p.snowflake() if dm else w.general
        if values is None:
            component: dict[str, Any] = {
                "type": 2,
                "style": 2,
                "label": "forged",
                "custom_id": custom_id,
            }
            data: dict[str, Any] = {"custom_id": custom_id, "component_type": 2}
        else:
            options = [{"label": v, "value": v} for v in values] or [{"label": "x", "value": "x"}]
            component = {"type": 3, "custom_id": custom_id, "options": options}
            data = {"custom_id": custom_id, "component_type": 3, "values": values}
        message = p.message_json(
            p.snowflake(),
            channel_id,
            self.world.bot_user.user_json(),
            {"components": [{"type": 1, "components": [component]}]},
            guild_id=None if dm else w.guild_id,
        )
        self.api.messages[int(message["id"])] = message
        payload = self._interaction(
            3, data, user, channel_id, locale, message=message, guild=not dm, world=w
        )
        self.api.component_messages[payload["token"]] = int(message["id"])
        return await self._feed(payload)

    async def select(
        self,
        target: Sent | dict[str, Any] | int,
        custom_id: str,
        values: list[str],
        *,
        user: p.FakeUser | None = None,
        locale: str = "en-US",
        resolved: dict[str, Any] | None = None,
    ) -> list[Sent]:
        message = self._message_of(target)
        component = self._find_component(message, custom_id)
        data: dict[str, Any] = {
            "custom_id": component["custom_id"],
            "component_type": component["type"],
            "values": values,
        }
        if resolved:
            data["resolved"] = resolved
        elif component["type"] == 8:  # channel select
            data["resolved"] = {
                "channels": {
                    v: {
                        "id": v,
                        "type": getattr(
                            self.bot.get_channel(int(v)), "type", discord.ChannelType.text
                        ).value,
                        "name": getattr(self.bot.get_channel(int(v)), "name", "x"),
                        "permissions": "0",
                    }
                    for v in values
                }
            }
        elif component["type"] == 6:  # role select
            data["resolved"] = {
                "roles": {
                    v: p.role_json(int(v), "role", discord.Permissions.none(), 1) for v in values
                }
            }
        return await self._component(message, data, user, locale)

    async def _component(
        self, message: dict[str, Any], data: dict[str, Any], user: p.FakeUser | None, locale: str
    ) -> list[Sent]:
        channel_id = int(message["channel_id"])
        in_guild = "guild_id" in message or self.bot.get_channel(channel_id) is not None
        payload = self._interaction(
            3, data, user or self.alice, channel_id, locale, message=message, guild=in_guild
        )
        self.api.component_messages[payload["token"]] = int(message["id"])
        return await self._feed(payload)

    async def submit_modal(
        self,
        modal: Sent,
        values: dict[str, Any],
        *,
        user: p.FakeUser | None = None,
        locale: str = "en-US",
        channel: int | None = None,
        message: dict[str, Any] | None = None,
        world: World | None = None,
    ) -> list[Sent]:
        """Fill the modal's inputs (by custom_id or label) and submit it."""
        assert modal.kind == "modal", f"expected a modal, got {modal.kind}"
        remaining = dict(values)

        def fill(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            out = []
            for item in items:
                kind = item.get("type")
                if kind == 1:
                    out.append({"type": 1, "components": fill(item.get("components", []))})
                elif kind == 18:
                    inner = item["component"]
                    key = _value_key(remaining, inner, item.get("label"))
                    out.append(
                        {
                            "type": 18,
                            "component": _submitted(
                                inner, remaining.pop(key, None) if key else None
                            ),
                        }
                    )
                elif kind == 10:
                    continue
                else:
                    key = _value_key(remaining, item, item.get("label"))
                    out.append(_submitted(item, remaining.pop(key, None) if key else None))
            return out

        components = fill(modal.payload.get("components", []))
        assert not remaining, f"the modal has no inputs {sorted(remaining)}"
        data = {"custom_id": modal.payload["custom_id"], "components": components}
        payload = self._interaction(
            5,
            data,
            user or self.alice,
            channel or modal.channel_id,
            locale,
            message=message,
            world=world,
        )
        if message is not None:
            self.api.component_messages[payload["token"]] = int(message["id"])
        return await self._feed(payload)

    # -- reading what happened -------------------------------------------------------------

    def in_channel(self, channel_id: int) -> list[Sent]:
        return self.api.in_channel(channel_id)

    def dms_to(self, user: p.FakeUser) -> list[Sent]:
        return self.api.dms_to(user.id)

    def current(self, sent: Sent | int) -> Sent:
        """The message as it is now, after any edits."""
        message_id = sent if isinstance(sent, int) else sent.message_id
        return Sent("message", {}, self.api.messages[message_id])


def _value_key(values: dict[str, Any], item: dict[str, Any], label: str | None) -> str | None:
    for key in (item.get("custom_id"), item.get("label"), label):
        if key is not None and key in values:
            return key
    return None


def _submitted(item: dict[str, Any], value: Any) -> dict[str, Any]:
    kind = item.get("type")
    if kind == 4:
        return {
            "type": 4,
            "custom_id": item["custom_id"],
            "value": "" if value is None else str(value),
        }
    values = value if isinstance(value, list) else ([] if value is None else [value])
    return {"type": kind, "custom_id": item["custom_id"], "values": [str(v) for v in values]}


DEFAULT_NOW = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)


def test_settings(tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(
        discord_token="test-token",  # type: ignore[arg-type]
        database_path=tmp_path / "entraide.db",
        backup_dir=tmp_path / "backups",
        _env_file=None,  # type: ignore[call-arg]
        **overrides,
    )


async def configure_server(h: Harness, **changes: object) -> Harness:
    """Set the default server up as a moderator would with /setup (channels, mod role).

    `changes` are further guild settings (`scam_policy="warn"`, `reports_per_day=2`, …).
    """
    from db import guilds

    now = int(h.clock.now().timestamp())
    await guilds.update(
        h.db,
        h.world.guild_id,
        now,
        alerts_channel_id=h.world.alerts,
        mod_channel_id=h.world.mods,
        digest_channel_id=h.world.digest,
        mod_role_id=h.world.mod_role,
        **changes,
    )
    await guilds.mark_setup_complete(h.db, h.world.guild_id, now)
    return h
