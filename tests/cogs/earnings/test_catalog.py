"""The earnings and privacy catalogs, command names, and the discord-free pure modules."""

from __future__ import annotations

import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from discord import app_commands

from bot.i18n import catalogs
from bot.translator import CatalogTranslator
from tests.harness.driver import Harness

ROOT = Path(__file__).resolve().parents[3]
FEATURES = ("earnings.", "privacy.")
NAME = re.compile(r"^[-_\w]{1,32}$")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    en, fr = catalogs()["en"], catalogs()["fr"]
    ours = [k for k in en if k.startswith(FEATURES)]
    assert ours
    assert {k for k in fr if k.startswith(FEATURES)} == set(ours)
    for key in ours:
        assert _placeholders(en[key]) == _placeholders(fr[key]), key
        assert fr[key].strip(), key


def _walk(command: app_commands.Command | app_commands.Group):  # type: ignore[type-arg]
    yield command
    if isinstance(command, app_commands.Group):
        for child in command.commands:
            yield from _walk(child)


@pytest.mark.parametrize("root", ["earnings", "shift", "privacy"])
async def test_every_name_is_valid_and_described_in_both_languages(
    harness: Harness, root: str
) -> None:
    command = harness.bot.tree.get_command(root)
    assert command is not None
    payload = await command.get_translated_payload(harness.bot.tree, CatalogTranslator())

    def check(item: dict) -> None:  # type: ignore[type-arg]
        assert NAME.match(item["name"]) and item["name"] == item["name"].lower(), item["name"]
        assert 1 <= len(item["description"]) <= 100, item["name"]
        fr_name = item["name_localizations"]["fr"]
        assert NAME.match(fr_name) and fr_name == fr_name.lower(), fr_name
        assert 1 <= len(item["description_localizations"]["fr"]) <= 100, fr_name
        for choice in item.get("choices", []):
            assert len(choice["name"]) <= 100 and choice["name_localizations"]["fr"]
        for option in item.get("options", []):
            check(option)

    check(payload)


def test_pure_modules_do_not_import_discord() -> None:
    modules = [
        "cogs.earnings.rules",
        "cogs.earnings.maths",
        "cogs.earnings.csvio",
        "cogs.earnings.chart",
        "cogs.privacy.rules",
        "db.earnings",
    ]
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "bad = sorted(m for m in sys.modules if m == 'discord' or m.startswith('discord.'))\n"
        + "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
