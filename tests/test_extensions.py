"""Every feature: loads, has unique command names, and describes every command and option
in English and French (python-discord/bot's test_cogs does the same walk)."""

from __future__ import annotations

import importlib
from typing import Any

from discord import app_commands

from bot.bot import discover_extensions
from tests.harness.driver import Harness


def walk(commands: list[Any]) -> list[Any]:
    found = []
    for command in commands:
        found.append(command)
        if isinstance(command, app_commands.Group):
            found.extend(walk(command.commands))
    return found


def test_every_feature_package_has_setup_and_pure_rules() -> None:
    extensions = discover_extensions()
    assert "cogs.admin" in extensions
    for name in extensions:
        module = importlib.import_module(name)
        assert callable(module.setup)


async def test_every_extension_loaded(harness: Harness) -> None:
    assert set(harness.bot.extensions) == set(discover_extensions())


async def test_command_names_unique_and_described(harness: Harness) -> None:
    top = harness.bot.tree.get_commands()
    names = [c.name for c in top]
    assert len(names) == len(set(names)), f"duplicate top-level commands: {names}"
    for command in walk(top):
        if isinstance(command, app_commands.ContextMenu):
            continue  # Discord's message and user menus have a name only
        assert command.description and command.description != "…", (
            f"/{command.qualified_name} lacks a description"
        )
        if isinstance(command, app_commands.Group):
            children = [c.name for c in command.commands]
            assert len(children) == len(set(children)), f"duplicates under /{command.name}"
            continue
        for param in command.parameters:
            assert param.description and param.description != "…", (
                f"option {param.name} of /{command.qualified_name} lacks a description"
            )


async def test_every_command_is_translated_to_french(harness: Harness) -> None:
    from bot.cli import command_tree_json

    payload = await command_tree_json(harness.bot)

    def check(entry: dict[str, Any], path: str) -> None:
        menu = entry.get("type") in (2, 3)  # user and message menus: a name, no description
        assert menu or entry.get("description_localizations", {}).get("fr"), (
            f"{path} has no French description"
        )
        assert entry.get("name_localizations", {}).get("fr"), f"{path} has no French name"
        for option in entry.get("options", []):
            check(option, f"{path} {option['name']}")
            for choice in option.get("choices") or []:
                assert choice.get("name_localizations", {}).get("fr"), (
                    f"choice {choice['name']} of {path} {option['name']}"
                )

    for command in payload:
        check(command, "/" + command["name"])
