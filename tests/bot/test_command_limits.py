"""The checker of Discord's registration limits flags each rule (so a clean tree means it)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bot.command_limits import check_tree, command_size, slash_name_problem


def option(name: str, *, kind: int = 3, required: bool = False, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "name": name, "description": f"the {name}", "required": required} | extra


def command(**extra: Any) -> dict[str, Any]:
    return {
        "type": 1,
        "name": "earnings",
        "description": "Your earnings",
        "name_localizations": {"fr": "gains"},
        "description_localizations": {"fr": "Vos gains"},
        "options": [option("amount", required=True), option("note")],
    } | extra


def test_a_valid_tree_passes() -> None:
    assert check_tree([command()]) == []


def test_size_counts_the_longest_localisation_of_each_field_and_choice_values() -> None:
    cmd = command(
        options=[
            option(
                "x", choices=[{"name": "A", "value": "abc", "name_localizations": {"fr": "AAAA"}}]
            )
        ]
    )
    # earnings(8) + "Vos gains"/"Your earnings"(13) + x(1) + "the x"(5) + AAAA(4) + abc(3)
    assert command_size(cmd) == 8 + 13 + 1 + 5 + 4 + 3


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("earnings", True),
        ("non_payé", True),
        ("minutes-par-tâche", True),
        ("कमाई", True),  # Devanagari, with its vowel signs
        ("รายได้", True),  # Thai, with its combining marks
        ("Earnings", False),
        ("two words", False),
        ("dot.ted", False),
        ("", False),
        ("x" * 33, False),
    ],
)
def test_name_rule(name: str, ok: bool) -> None:
    assert (slash_name_problem(name) is None) == ok


def _broken(change: Any) -> list[str]:
    cmd = command()
    change(cmd)
    return check_tree([cmd])


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda c: c.update(description="x" * 101), "description (default) is 101"),
        (lambda c: c["description_localizations"].update(fr=""), "description (fr) is 0"),
        (lambda c: c["name_localizations"].update(fr="Gains"), "not lower case"),
        (lambda c: c["options"][0].update(name="an option"), "not allowed"),
        (lambda c: c.update(options=[option("a"), option("b", required=True)]), "required option"),
        (lambda c: c.update(options=[option(f"o{i}") for i in range(26)]), "26 options"),
        (lambda c: c.update(options=[option("a"), option("a")]), "duplicate option names"),
        (
            lambda c: c["options"][1].update(
                choices=[{"name": f"c{i}", "value": i} for i in range(26)]
            ),
            "26 choices",
        ),
        (
            lambda c: c["options"][1].update(choices=[{"name": "n" * 101, "value": "v"}]),
            "name is 101",
        ),
        (
            lambda c: c["options"][1].update(choices=[{"name": "n", "value": "v" * 101}]),
            "value is 101",
        ),
        (
            lambda c: c["options"][1].update(
                choices=[{"name": "n", "value": "v"}], autocomplete=True
            ),
            "choices and autocomplete",
        ),
        (lambda c: c["options"][1].update(max_length=6001), "max_length 6001"),
        (lambda c: c["name_localizations"].update(fr_FR="gains"), "locales Discord does not"),
        (
            lambda c: c["options"][1].update(type=5, choices=[{"name": "n", "value": "v"}]),
            "on a type 5 option",
        ),
        (lambda c: c["options"][1].update(type=6, autocomplete=True), "on a type 6 option"),
        (lambda c: c["options"][1].update(min_length=5, max_length=2), "above max_length"),
        (lambda c: c["options"].append(option("sub", kind=1)), "mixes sub-commands"),
        (
            lambda c: c.update(options=[option("sub", kind=1, options=[option("deeper", kind=1)])]),
            "may not hold sub-commands",
        ),
        (
            lambda c: c.update(options=[option("grp", kind=2, options=[option("inner", kind=2)])]),
            "only allowed at the top level",
        ),
        (
            lambda c: c.update(options=[option("grp", kind=2, options=[option("plain")])]),
            "may hold only sub-commands",
        ),
        (
            lambda c: c.update(
                options=[
                    option(
                        f"s{i}",
                        kind=1,
                        description="d" * 100,
                        options=[option(f"o{j}", description="d" * 100) for j in range(2)],
                    )
                    for i in range(14)
                ]
            ),
            "characters (at most 4,000)",
        ),
    ],
)
def test_each_rule_is_flagged(change: Any, expected: str) -> None:
    problems = _broken(change)
    assert any(expected in problem for problem in problems), problems


def test_tree_wide_limits() -> None:
    slash = [command(name=f"c{i}", name_localizations={}) for i in range(101)]
    assert any("101 slash commands" in p for p in check_tree(slash))
    users = [{"type": 2, "name": f"User {i}", "description": ""} for i in range(6)]
    assert any("6 user context menus" in p for p in check_tree(users))
    messages = [{"type": 3, "name": f"Msg {i}", "description": ""} for i in range(6)]
    assert any("6 message context menus" in p for p in check_tree(messages))
    menu = [{"type": 3, "name": "Report This Message", "description": ""}]
    assert check_tree(menu) == []  # spaces and capitals are fine in a context menu
    twice = [command(), copy.deepcopy(command())]
    assert any("registered twice" in p for p in check_tree(twice))
