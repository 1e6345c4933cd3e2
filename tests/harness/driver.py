"""The offline harness: a real bot, a fake Discord, and helpers that speak like a test.

    h = harness  # fixture
    sent = await h.slash("about", user=h.alice)
    assert sent.ephemeral and "Entraide" in sent.embed["title"]

Payloads go in through `ConnectionState.parse_interaction_create` (discord.py's own
gateway dispatch) and answers come out of the fake HTTP layer; see tests/README.md.
This module holds the verbs a test speaks (start, slash, click, submit_modal, read what
was sent); the default server lives in `world.py` and the payloads the verbs send are
built in `interactions.py`.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord

from bot.bot import INFLIGHT_TASK_PREFIXES, Entraide, build_bot
from bot.clock import ManualClock
from bot.settings import Settings
from tests.harness import payloads as p
from tests.harness.fake_discord import FakeDiscord
from tests.harness.interactions import InteractionPayloads, modal_answers
from tests.harness.sent import Sent
from tests.harness.world import APPLICATION_ID, World, configure_guild, guild_payload, make_world


def _person(name: str) -> property:
    """A shortcut to one of the default world's people: `h.alice` is `h.world.alice`."""
    return property(lambda self: getattr(self.world, name))


class Harness(InteractionPayloads):
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
    alice = _person("alice")
    bob = _person("bob")
    carol = _person("carol")
    dave = _person("dave")
    mod = _person("mod")
    admin = _person("admin")

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
        return guild_payload(world or self.world, locale, name, self.extra_members)

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
            await configure_guild(self.db, world, int(self.clock.now().timestamp()))
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

    # -- interactions ------------------------------------------------------------------------

    async def _feed(self, payload: dict[str, Any]) -> list[Sent]:
        interaction_id = int(payload["id"])
        self.bot._connection.parse_interaction_create(payload)
        await self.settle()
        return self.api.for_interaction(interaction_id)

    async def slash(self, path: str, **arguments: Any) -> Sent:
        """Run `/path` (arguments as for `slash_all`); return the first thing the member
        saw: the first reply, or after a deferral the answer that followed it."""
        replies = await self.slash_all(path, **arguments)
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

        `options` are the command's, by Python or display name; `user` defaults to Alice,
        `channel` to general, `dm=True` runs it in a DM, `world=` in another server (see
        `add_server`).
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
        components = modal_answers(modal.payload.get("components", []), values)
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

    `changes` are further guild settings (`scam_policy="warn"`, `reports_per_day=2`, …),
    and may unset a default (`digest_channel_id=None`).
    """
    await configure_guild(h.db, h.world, int(h.clock.now().timestamp()), **changes)
    return h
