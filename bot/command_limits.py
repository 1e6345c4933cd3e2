r"""Discord's limits on registered application commands, checked on the payload `sync` sends.

Discord refuses the whole bulk overwrite (`sync`) when any one command breaks a rule, so
every server would lose new commands for one option too many. The rules, from Discord's
Application Commands reference:

- a chat-input command's name, description, and every option's, sub-command's, group's
  and choice's name, description and value, summed over its whole tree, is at most 4,000
  characters, counting for each field the longest of its default and its localisations;
- names (and their localisations) match `^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$`
  and are lower case where the letter has a lower case; context-menu names are 1-32 of
  any character;
- descriptions (and localisations) are 1-100 characters; context menus have none;
- at most 25 options, sub-commands or groups at one level, and 25 choices per option;
  choice names and string values 1-100 characters;
- required options come before optional ones;
- groups hold only sub-commands, sub-commands hold no sub-commands or groups, and a level
  never mixes sub-commands or groups with plain options (so the depth is at most 3);
- at most 100 global chat-input commands, 5 user and 5 message context menus;
- names are unique per level (and per command type at the top);
- `min_length`/`max_length` within 0-6,000 (1-6,000 for `max_length`); an option has
  choices or autocomplete, never both, and only a string, integer or number option has
  either;
- localisations are keyed by a locale Discord knows (`fr`, `en-US`, …).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from typing import Any

import discord

MAX_COMMAND_CHARS = 4000
MAX_NAME = 32
MAX_DESCRIPTION = 100
MAX_OPTIONS = 25
MAX_CHOICES = 25
MAX_CHOICE_TEXT = 100
MAX_GLOBAL_SLASH = 100
MAX_CONTEXT_MENUS = 5
MAX_LENGTH_BOUND = 6000

CHAT_INPUT, USER, MESSAGE = 1, 2, 3
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, NUMBER = 3, 4, 10
DISCORD_LOCALES = frozenset(locale.value for locale in discord.Locale)


def _longest(entry: dict[str, Any], key: str) -> int:
    values = [entry.get(key) or "", *(entry.get(f"{key}_localizations") or {}).values()]
    return max(len(value) for value in values)


def command_size(entry: dict[str, Any]) -> int:
    """The characters Discord counts for one command (or option) and everything under it."""
    size = _longest(entry, "name") + _longest(entry, "description")
    for choice in entry.get("choices") or []:
        size += _longest(choice, "name") + len(str(choice["value"]))
    for option in entry.get("options") or []:
        size += command_size(option)
    return size


def _name_char_ok(char: str) -> bool:
    if char in "-_":
        return True
    if unicodedata.category(char)[0] in "LN":
        return True
    code = ord(char)
    # Devanagari and Thai scripts (their combining marks are not letters).
    return 0x0900 <= code <= 0x097F or 0xA8E0 <= code <= 0xA8FF or 0x0E00 <= code <= 0x0E7F


def slash_name_problem(name: str) -> str | None:
    """Why `name` is not a valid chat-input command or option name, or None."""
    if not 1 <= len(name) <= MAX_NAME:
        return f"{len(name)} characters (1-{MAX_NAME})"
    bad = [char for char in name if not _name_char_ok(char)]
    if bad:
        return f"character(s) {''.join(sorted(set(bad)))!r} not allowed"
    if name != name.lower():
        return "not lower case"
    return None


def _names(entry: dict[str, Any]) -> list[tuple[str, str]]:
    found = [("default", entry.get("name") or "")]
    found += sorted((entry.get("name_localizations") or {}).items())
    return found


def _descriptions(entry: dict[str, Any]) -> list[tuple[str, str]]:
    found = [("default", entry.get("description") or "")]
    found += sorted((entry.get("description_localizations") or {}).items())
    return found


def _check_option_level(
    options: list[dict[str, Any]], path: str, depth: int, problems: list[str]
) -> None:
    if len(options) > MAX_OPTIONS:
        problems.append(f"{path}: {len(options)} options (at most {MAX_OPTIONS})")
    nested = [o for o in options if o.get("type") in {SUB_COMMAND, SUB_COMMAND_GROUP}]
    if nested and len(nested) != len(options):
        problems.append(f"{path}: mixes sub-commands or groups with plain options")
    duplicates = [n for n, count in Counter(o.get("name") for o in options).items() if count > 1]
    if duplicates:
        problems.append(f"{path}: duplicate option names {duplicates}")
    seen_optional = False
    for option in options:
        where = f"{path} {option.get('name')}"
        kind = option.get("type")
        if kind == SUB_COMMAND_GROUP and depth != 1:
            problems.append(f"{where}: a sub-command group is only allowed at the top level")
        if kind == SUB_COMMAND and depth > 2:  # command > group > sub-command
            problems.append(f"{where}: nested too deep")
        _check_named(option, where, problems)
        if kind in {SUB_COMMAND, SUB_COMMAND_GROUP}:
            children = option.get("options") or []
            if kind == SUB_COMMAND_GROUP and any(c.get("type") != SUB_COMMAND for c in children):
                problems.append(f"{where}: a group may hold only sub-commands")
            if kind == SUB_COMMAND and any(
                c.get("type") in {SUB_COMMAND, SUB_COMMAND_GROUP} for c in children
            ):
                problems.append(f"{where}: a sub-command may not hold sub-commands")
            _check_option_level(children, where, depth + 1, problems)
            continue
        if option.get("required"):
            if seen_optional:
                problems.append(f"{where}: required option after an optional one")
        else:
            seen_optional = True
        _check_choices(option, where, problems)
        _check_bounds(option, where, problems)


def _check_choices(option: dict[str, Any], where: str, problems: list[str]) -> None:
    choices = option.get("choices") or []
    if len(choices) > MAX_CHOICES:
        problems.append(f"{where}: {len(choices)} choices (at most {MAX_CHOICES})")
    if choices and option.get("autocomplete"):
        problems.append(f"{where}: choices and autocomplete together")
    if (choices or option.get("autocomplete")) and option.get("type") not in {
        STRING,
        INTEGER,
        NUMBER,
    }:
        problems.append(f"{where}: choices or autocomplete on a type {option.get('type')} option")
    for choice in choices:
        _check_locales(choice, f"{where} choice {choice.get('name')!r}", problems)
        for locale, text in _names(choice):
            if not 1 <= len(text) <= MAX_CHOICE_TEXT:
                problems.append(
                    f"{where} choice {choice.get('name')!r} ({locale}): name is {len(text)} "
                    f"characters (1-{MAX_CHOICE_TEXT})"
                )
        value = choice.get("value")
        if isinstance(value, str) and not 1 <= len(value) <= MAX_CHOICE_TEXT:
            problems.append(f"{where} choice {choice.get('name')!r}: value is {len(value)} chars")


def _check_bounds(option: dict[str, Any], where: str, problems: list[str]) -> None:
    low, high = option.get("min_length"), option.get("max_length")
    if low is not None and not 0 <= low <= MAX_LENGTH_BOUND:
        problems.append(f"{where}: min_length {low} (0-{MAX_LENGTH_BOUND})")
    if high is not None and not 1 <= high <= MAX_LENGTH_BOUND:
        problems.append(f"{where}: max_length {high} (1-{MAX_LENGTH_BOUND})")
    if low is not None and high is not None and low > high:
        problems.append(f"{where}: min_length {low} above max_length {high}")
    low, high = option.get("min_value"), option.get("max_value")
    if low is not None and high is not None and low > high:
        problems.append(f"{where}: min_value {low} above max_value {high}")


def _check_locales(entry: dict[str, Any], where: str, problems: list[str]) -> None:
    for key in ("name_localizations", "description_localizations"):
        unknown = sorted(set(entry.get(key) or {}) - DISCORD_LOCALES)
        if unknown:
            problems.append(f"{where}: {key} for locales Discord does not know: {unknown}")


def _check_named(entry: dict[str, Any], where: str, problems: list[str]) -> None:
    _check_locales(entry, where, problems)
    for locale, name in _names(entry):
        problem = slash_name_problem(name)
        if problem:
            problems.append(f"{where}: name {name!r} ({locale}): {problem}")
    for locale, text in _descriptions(entry):
        if not 1 <= len(text) <= MAX_DESCRIPTION:
            problems.append(
                f"{where}: description ({locale}) is {len(text)} characters (1-{MAX_DESCRIPTION})"
            )


def check_tree(commands: list[dict[str, Any]]) -> list[str]:
    """Every way the payload `sync` would send breaks Discord's rules (empty: none)."""
    problems: list[str] = []
    by_type = Counter(command.get("type", CHAT_INPUT) for command in commands)
    if by_type[CHAT_INPUT] > MAX_GLOBAL_SLASH:
        problems.append(f"{by_type[CHAT_INPUT]} slash commands (at most {MAX_GLOBAL_SLASH})")
    for kind, label in ((USER, "user"), (MESSAGE, "message")):
        if by_type[kind] > MAX_CONTEXT_MENUS:
            problems.append(f"{by_type[kind]} {label} context menus (at most {MAX_CONTEXT_MENUS})")
    names = Counter((command.get("type", CHAT_INPUT), command.get("name")) for command in commands)
    problems += [f"/{name}: registered twice" for (_, name), count in names.items() if count > 1]
    for command in commands:
        kind = command.get("type", CHAT_INPUT)
        path = f"/{command.get('name')}"
        if kind != CHAT_INPUT:
            _check_locales(command, path, problems)
            for locale, name in _names(command):
                if not 1 <= len(name) <= MAX_NAME:
                    problems.append(f"{path}: context-menu name ({locale}) is {len(name)} chars")
            if command.get("description"):
                problems.append(f"{path}: a context menu has no description")
            continue
        _check_named(command, path, problems)
        _check_option_level(command.get("options") or [], path, 1, problems)
        size = command_size(command)
        if size > MAX_COMMAND_CHARS:
            problems.append(f"{path}: {size:,} characters (at most {MAX_COMMAND_CHARS:,})")
    return problems


async def command_tree_json(bot: Any) -> list[dict[str, Any]]:
    """The payload `sync` would publish, translations included."""
    translator = bot.tree.translator
    commands = bot.tree.get_commands()
    if translator is None:
        return [cmd.to_dict(bot.tree) for cmd in commands]
    return [await cmd.get_translated_payload(bot.tree, translator) for cmd in commands]


async def tree_problems(bot: Any) -> list[str]:
    """How the tree `sync` would publish breaks Discord's registration limits (or [])."""
    return check_tree(await command_tree_json(bot))
