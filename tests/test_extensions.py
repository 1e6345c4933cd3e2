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


def test_no_command_repeats_option_localisation_by_hand() -> None:
    """Options take their names and descriptions from the catalogs by convention.

    `bot.translator.localise_options` reads `<command key>.options.<param>` or
    `<feature>.options.<param>` for every option, so a hand-written
    `@app_commands.rename`/`@app_commands.describe` would only copy it.
    """
    import ast
    from pathlib import Path

    offenders = []
    for path in sorted(Path("cogs").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in {"rename", "describe"}
                and isinstance(node.value, ast.Name)
                and node.value.id == "app_commands"
            ):
                offenders.append(f"{path}:{node.lineno}")
    assert not offenders, f"localise options through the catalogs instead: {offenders}"


async def test_the_real_tree_keeps_every_discord_limit(harness: Harness) -> None:
    """The payload `sync` publishes (every feature, French included) passes Discord's rules.

    One broken rule makes Discord refuse the whole `sync`, for every server.
    """
    from bot.cli import command_tree_json
    from bot.command_limits import check_tree

    payload = await command_tree_json(harness.bot)
    assert any(cmd.get("name_localizations", {}).get("fr") for cmd in payload)
    assert check_tree(payload) == []


async def test_commands_keep_room_to_grow(harness: Harness) -> None:
    """4,000 characters per command is a hard wall: keep a margin, more for /earnings."""
    from bot.cli import command_tree_json
    from bot.command_limits import MAX_COMMAND_CHARS, command_size

    sizes = {cmd["name"]: command_size(cmd) for cmd in await command_tree_json(harness.bot)}
    assert sizes["earnings"] <= 3000, sizes
    crowded = {name: size for name, size in sizes.items() if size > 0.9 * MAX_COMMAND_CHARS}
    assert not crowded, f"within 10% of Discord's {MAX_COMMAND_CHARS:,} characters: {crowded}"
