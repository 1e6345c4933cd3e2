"""Building INTERACTION_CREATE payloads the way a Discord client would send them.

The driver's verbs (`slash`, `click`, `submit_modal`, …) say *what* a member does; this
module says *how* that looks on the wire: the command's nested options and `resolved`
objects, the member's permissions in the channel, the component a label names, the
values a filled modal sends back. Tests and bench/ that forge raw payloads call
`_interaction` and `_command_data` directly.
"""

from __future__ import annotations

import secrets
from typing import Any

import discord
from discord import app_commands
from discord.enums import AppCommandOptionType

from tests.harness import payloads as p
from tests.harness.fake_discord import FakeDiscord
from tests.harness.sent import Sent
from tests.harness.world import APPLICATION_ID, World


class InteractionPayloads:
    """The payload-building half of `Harness` (it supplies `bot`, `api`, `world`)."""

    bot: Any
    api: FakeDiscord
    world: World
    guild: discord.Guild
    last_interaction_id: int | None

    def permissions_of(self, user: p.FakeUser, channel_id: int, world: World | None = None) -> int:
        guild = self.bot.get_guild((world or self.world).guild_id)
        member = guild.get_member(user.id) if guild is not None else None
        channel = self.bot.get_channel(channel_id)
        if member is None or channel is None:
            return p.EVERYONE_PERMS.value
        return channel.permissions_for(member).value  # type: ignore[union-attr]

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


def modal_answers(components: list[dict[str, Any]], values: dict[str, Any]) -> list[dict[str, Any]]:
    """The components a submitted modal sends back, filled from `values` (by custom_id or
    label); every value must find its input."""
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
                        "component": _submitted(inner, remaining.pop(key, None) if key else None),
                    }
                )
            elif kind == 10:
                continue
            else:
                key = _value_key(remaining, item, item.get("label"))
                out.append(_submitted(item, remaining.pop(key, None) if key else None))
        return out

    answered = fill(components)
    assert not remaining, f"the modal has no inputs {sorted(remaining)}"
    return answered


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
