"""Localised slash-command names, descriptions and choices from the TOML catalogs."""

from __future__ import annotations

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
