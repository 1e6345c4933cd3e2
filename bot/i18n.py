"""Translations and locale-aware formatting.

Catalogs are TOML files, one per language, kept beside the code they translate:
`bot/locales/<lang>.toml` for the runtime's own strings and `cogs/<feature>/locales/
<lang>.toml` for each feature (Red-DiscordBot keeps locales per cog the same way). Keys
are dotted paths (`tasks.share.posted`); values are `str.format` templates. English is
the reference: a key missing in another language falls back to English, and a test
fails if any key is missing anywhere.

A text that depends on a number is a table of CLDR plural forms, chosen by the `count`
parameter with Babel's rules for the language (French says "0 membre", "1,5 heure" and
"2 membres"; English "0 members", "1 member"):

    gone_noted = { one = "{count} more member…", other = "{count} more members…" }

`other` is required; `zero`, `two`, `few` and `many` may be added where a language has
them. `{count}` itself is written with the reader's digit grouping (1,000 / 1 000).

This module does not import discord: rules and tests can format text without it.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel import numbers as babel_numbers

from bot.money_text import format_minor, parsed_locale

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
SUPPORTED: tuple[str, ...] = ("en", "fr")
_SUPPORTED_SET = frozenset(SUPPORTED)
DEFAULT_LOCALE = "en"
_BABEL_LOCALE = {"en": "en_US", "fr": "fr_FR"}


def normalize_locale(value: object) -> str:
    """Map a Discord locale (`fr`, `en-US`, a `discord.Locale`) to a supported language."""
    if value.__class__ is str and value in _SUPPORTED_SET:  # already one (most calls)
        return value  # type: ignore[return-value]
    text = str(getattr(value, "value", value) or "").lower()
    for lang in SUPPORTED:
        if text == lang or text.startswith((lang + "-", lang + "_")):
            return lang
    return DEFAULT_LOCALE


def catalog_files(lang: str) -> list[Path]:
    """Every catalog file for one language, runtime first, then each feature's."""
    files = [ROOT / "bot" / "locales" / f"{lang}.toml"]
    files += sorted((ROOT / "cogs").glob(f"*/locales/{lang}.toml"))
    return [f for f in files if f.exists()]


def _flatten(data: Mapping[str, object], prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from _flatten(value, path + ".")
        elif isinstance(value, str):
            yield path, value
        else:
            msg = f"catalog value for {path} must be a string"
            raise TypeError(msg)


def load_catalog(lang: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    for path in catalog_files(lang):
        with path.open("rb") as fh:
            for key, value in _flatten(tomllib.load(fh)):
                if key in entries:
                    msg = f"duplicate translation key {key} in {path}"
                    raise ValueError(msg)
                entries[key] = value
    return entries


@cache
def catalogs() -> dict[str, dict[str, str]]:
    return {lang: load_catalog(lang) for lang in SUPPORTED}


PLURAL_FORMS: tuple[str, ...] = ("zero", "one", "two", "few", "many", "other")


@dataclass(frozen=True, slots=True)
class Number:
    """A number parameter written the reader's way (`100,000` / `100 000`) by `t`.

    For values raised before the reader's language is known (a `UserError`'s limit).
    """

    value: int | float | Decimal
    digits: int = 0


@dataclass(frozen=True, slots=True)
class Text:
    """A parameter that is itself a catalog key, translated by `t` for the reader.

    For a field's name inside an error raised before the reader's language is known.
    """

    key: str


def has_key(key: str) -> bool:
    english = catalogs()[DEFAULT_LOCALE]
    return key in english or f"{key}.other" in english


def plural_form(count: object, locale: str | None) -> str:
    """The CLDR plural category of `count` in the reader's language (`one`, `other`…)."""
    try:
        number = count if isinstance(count, int | float | Decimal) else Decimal(str(count))
        return parsed_locale(babel_locale(locale)).plural_form(abs(number))
    except (ArithmeticError, ValueError, TypeError):
        return "other"


def _template(lang: str, key: str, params: Mapping[str, object]) -> str | None:
    catalog = catalogs()[lang]
    if key in catalog:
        return catalog[key]
    if f"{key}.other" not in catalog:
        return None
    form = plural_form(params.get("count", 0), lang)
    return catalog.get(f"{key}.{form}") or catalog[f"{key}.other"]


def _localise(value: object, lang: str) -> object:
    if isinstance(value, Number):
        return format_number(value.value, lang, value.digits)
    if isinstance(value, Text):
        return t(value.key, lang)
    return value


def t(key: str, locale: str | None = None, /, **params: object) -> str:
    """Translate `key` into `locale` and fill in `params`.

    A missing key is a programming error, but a member must still get an answer, so it is
    logged and the key itself is shown. A plural table picks its form from `count`.
    """
    lang = normalize_locale(locale)
    plural = f"{key}.other" in catalogs()[DEFAULT_LOCALE]
    template = _template(lang, key, params) or _template(DEFAULT_LOCALE, key, params)
    if template is None:
        log.error("missing translation key %s", key)
        return key
    if plural and isinstance(params.get("count"), int | float | Decimal):
        count = params["count"]
        digits = 0 if isinstance(count, int) else 2
        params = {**params, "count": format_number(count, lang, digits)}  # type: ignore[arg-type]
    if not params:
        return template
    params = {k: _localise(v, lang) for k, v in params.items()}
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        log.exception("bad parameters for translation key %s", key)
        return template


def permission_names(names: Iterable[str], locale: str | None) -> str:
    """Discord permission names (`send_messages`) as a reader of `locale` knows them."""
    return ", ".join(
        t(f"common.permissions.{name}", locale)
        if has_key(f"common.permissions.{name}")
        else name.replace("_", " ")
        for name in names
    )


def content_warning_label(category: str | None, locale: str | None) -> str:
    """A content-warning category as it reads in a sentence, the same on every surface."""
    key = f"common.content_warning.{category or 'other'}"
    return t(key if has_key(key) else "common.content_warning.other", locale)


def babel_locale(locale: str | None) -> str:
    return _BABEL_LOCALE[normalize_locale(locale)]


def format_number(value: float | int | Decimal, locale: str | None, digits: int = 0) -> str:
    if type(value) is int:  # counts: exactly one text per (count, language, digits)
        return _format_int(value, babel_locale(locale), digits)
    return _format_decimal(value, babel_locale(locale), digits)


def _format_decimal(value: float | int | Decimal, babel_name: str, digits: int) -> str:
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return babel_numbers.format_decimal(value, format=pattern, locale=parsed_locale(babel_name))


@lru_cache(maxsize=1024)
def _format_int(value: int, babel_name: str, digits: int) -> str:
    """Counts repeat (a task shared 3 times, 12 members): remembered, as Babel is slow."""
    return _format_decimal(value, babel_name, digits)


def format_size(num_bytes: int, locale: str | None = None) -> str:
    """`1536` → `1.5 KiB` (`1,5 KiB` in French): sizes an operator can read at a glance."""
    value = float(num_bytes)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            break
        value /= 1024
    digits = 0 if unit == "B" else 1
    return f"{format_number(value, locale, digits)}\u00a0{unit}"


def format_money(cents: int, currency: str, locale: str | None) -> str:
    """Format integer minor units of `currency` for a reader in `locale` (Babel's text)."""
    return format_minor(cents, currency, babel_locale(locale))


def format_date(value: date, locale: str | None, fmt: str = "medium") -> str:
    return babel_dates.format_date(value, format=fmt, locale=babel_locale(locale))


def format_datetime(
    value: datetime, locale: str | None, tz: str | None = None, fmt: str = "medium"
) -> str:
    zone = ZoneInfo(tz) if tz else None
    return babel_dates.format_datetime(value, format=fmt, tzinfo=zone, locale=babel_locale(locale))


def format_duration_minutes(minutes: int | float, locale: str | None) -> str:
    """`95` → `1 h 35 min` (en) / `1 h 35 min` (fr); short and unambiguous in both."""
    total = round(minutes)
    hours, mins = divmod(total, 60)
    if hours and mins:
        return t("common.duration.hm", locale, h=hours, m=mins)
    if hours:
        return t("common.duration.h", locale, h=hours)
    return t("common.duration.m", locale, m=mins)
