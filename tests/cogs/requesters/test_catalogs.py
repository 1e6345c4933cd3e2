"""Both languages complete, placeholders matching, command names Discord accepts."""

from __future__ import annotations

import re
import string
import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot.i18n import ROOT
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends

PACKAGES = ("requesters", "moderation")
# Discord's rule for command and option names (lower case where a lower case exists).
NAME = re.compile(r"^[-_\w]{1,32}$")


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _catalog(package: str, lang: str) -> dict[str, str]:
    path = ROOT / "cogs" / package / "locales" / f"{lang}.toml"
    with Path(path).open("rb") as fh:
        return _flatten(tomllib.load(fh))


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("package", PACKAGES)
def test_french_and_english_have_the_same_keys_and_placeholders(package: str) -> None:
    english, french = _catalog(package, "en"), _catalog(package, "fr")
    assert set(english) == set(french)
    assert all(key.startswith(f"{package}.") for key in english)
    for key, text in english.items():
        assert _fields(text) == _fields(french[key]), key
        assert french[key].strip(), key


async def test_command_names_and_descriptions_are_valid_in_both_languages(
    harness: Harness,
) -> None:
    tree = harness.bot.tree
    translator = tree.translator
    assert translator is not None
    payloads = [
        await tree.get_command(name).get_translated_payload(tree, translator)  # type: ignore[union-attr]
        for name in ("requester", "mod")
    ]

    def walk(item: dict[str, Any]) -> None:
        names = [item["name"], *(item.get("name_localizations") or {}).values()]
        for name in names:
            assert NAME.match(name) and name == name.lower(), name
        descriptions = [
            item["description"],
            *(item.get("description_localizations") or {}).values(),
        ]
        for description in descriptions:
            assert 1 <= len(description) <= 100 and description != "…", description
        assert "fr" in (item.get("name_localizations") or {}), item["name"]
        for choice in item.get("choices") or []:
            for label in [choice["name"], *(choice.get("name_localizations") or {}).values()]:
                assert 1 <= len(label) <= 100
            assert "fr" in (choice.get("name_localizations") or {}), choice["name"]
        for option in item.get("options") or []:
            walk(option)

    for payload in payloads:
        walk(payload)
    requester = payloads[0]
    assert requester["name_localizations"]["fr"] == "demandeur"
    assert sorted(o["name"] for o in requester["options"]) == [
        "forget-name",
        "info",
        "merge",
        "report",
        "review",
        "status",
    ]
