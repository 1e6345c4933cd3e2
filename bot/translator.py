"""Localised slash-command names, descriptions and choices from the TOML catalogs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import discord
from discord import app_commands

from bot.i18n import DEFAULT_LOCALE, catalogs, normalize_locale, t


def ls(key: str) -> app_commands.locale_str:
    """A command string whose English text and translations come from the catalogs."""
    return app_commands.locale_str(t(key, DEFAULT_LOCALE), key=key)


class CatalogTranslator(app_commands.Translator):
    """Answers discord.py's translation requests from our catalogs.

    Only strings built with `ls()` carry a key; anything else stays as written.
    """

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = string.extras.get("key")
        if not key:
            return None
        lang = normalize_locale(locale)
        if lang == DEFAULT_LOCALE or lang != str(locale.value).split("-")[0]:
            return None
        return catalogs()[lang].get(key)


def _command_prefix(command: app_commands.Command[Any, ..., Any]) -> str | None:
    """`tasks.share` for a command whose name is `ls("tasks.share.name")`."""
    key = command._locale_name.extras.get("key") if command._locale_name else None
    if key and key.endswith(".name"):
        return key.removesuffix(".name")
    return None


def option_keys(
    feature: str, command: app_commands.Command[Any, ..., Any], param: str
) -> list[str]:
    """Where an option's name and description live, most particular first.

    `<command key>.options.<param>` (the command's path and the parameter's name) wins over
    `<feature>.options.<param>`, the wording a feature shares between its commands.
    """
    keys = [f"{feature}.options.{param}"]
    if prefix := _command_prefix(command):
        keys.insert(0, f"{prefix}.options.{param}")
    return keys


def localise_options(feature: str, commands: Iterable[object]) -> None:
    """Give every option of these commands its catalog name and description.

    Applied to each cog as it is added (see `Entraide.add_cog`), so no command repeats
    `@app_commands.rename`/`@app_commands.describe` by hand. An option whose key is missing
    keeps its Python name and no description; the extension tests then fail on it.
    """
    english = catalogs()[DEFAULT_LOCALE]
    for command in commands:
        if not isinstance(command, app_commands.Command):
            continue
        for param in command._params.values():
            for field in ("name", "description"):
                key = next(
                    (
                        f"{base}.{field}"
                        for base in option_keys(feature, command, param.name)
                        if f"{base}.{field}" in english
                    ),
                    None,
                )
                if key is None:
                    continue
                if field == "name":
                    param._rename = ls(key)
                else:
                    param.description = ls(key)
