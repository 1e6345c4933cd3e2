"""What a valid server configuration is (pure rules: no discord import).

discord.py does not re-check `Range` or `choices`, and a modal's text can be anything, so
every value an administrator gives passes through here before it is stored. The bounds
are the ones the `guild_settings` table enforces with CHECK constraints, so a refused
value is explained to the administrator rather than hitting the database.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from babel import numbers as babel_numbers

from bot.errors import UserError
from bot.i18n import SUPPORTED, Number, babel_locale, format_money, t
from bot.money import (
    MoneyError,
    decimal_to_minor,
    from_minor,
    known_currencies,
    minor_digits,
    normalize_currency,
)
from bot.money import parse_amount as parse_money
from db.guilds import EDITABLE_FIELDS, GuildSettings

CHANNEL_KINDS: tuple[str, ...] = ("alerts", "mod", "digest")
REQUIRED_KINDS: tuple[str, ...] = ("alerts", "mod")
CHANNEL_COLUMN = {
    "alerts": "alerts_channel_id",
    "mod": "mod_channel_id",
    "digest": "digest_channel_id",
}
SCAM_POLICIES: tuple[str, ...] = ("refuse", "warn")
LOCALES: tuple[str, ...] = SUPPORTED

# Bounds, as in db/migrations/0001_foundation.sql.
EXPIRY_MINUTES = (5, 10080)
REPORTS_PER_DAY = (1, 100)
NEW_MEMBER_DAYS = (0, 365)
ALERT_DMS_PER_HOUR = (0, 120)
#: No crowd-work platform pays a million an hour; larger is a typo (or an attack on sums).
MAX_WAGE_UNITS = 1_000_000

#: Offered first in the wizard's currency menu: where crowd workers are. Any ISO code
#: can still be typed ("Other currency…") or chosen with `/setup currency`.
COMMON_CURRENCIES: tuple[str, ...] = (
    "USD", "EUR", "GBP", "CAD", "AUD", "NZD", "CHF", "INR", "PHP", "PKR", "BDT", "IDR",
    "VND", "NGN", "KES", "EGP", "ZAR", "BRL", "MXN", "ARS", "VES", "PLN", "RON", "UAH",
)  # fmt: skip

#: The wizard's time-zone menus: a region, then its most populous zones (≤ 25, Discord's
#: limit for a menu). Any other IANA zone can be typed, or found with autocomplete.
TIMEZONE_REGIONS: dict[str, tuple[str, ...]] = {
    "americas": (
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Phoenix",
        "America/Los_Angeles",
        "America/Anchorage",
        "Pacific/Honolulu",
        "America/Toronto",
        "America/Vancouver",
        "America/Halifax",
        "America/St_Johns",
        "America/Mexico_City",
        "America/Bogota",
        "America/Lima",
        "America/Caracas",
        "America/Santiago",
        "America/Argentina/Buenos_Aires",
        "America/Sao_Paulo",
        "America/Puerto_Rico",
        "America/Guatemala",
        "America/Panama",
        "America/La_Paz",
        "America/Montevideo",
        "America/Port-au-Prince",
        "America/Martinique",
    ),
    "europe": (
        "Europe/London",
        "Europe/Dublin",
        "Europe/Lisbon",
        "Europe/Paris",
        "Europe/Brussels",
        "Europe/Amsterdam",
        "Europe/Berlin",
        "Europe/Zurich",
        "Europe/Madrid",
        "Europe/Rome",
        "Europe/Vienna",
        "Europe/Prague",
        "Europe/Warsaw",
        "Europe/Stockholm",
        "Europe/Oslo",
        "Europe/Copenhagen",
        "Europe/Helsinki",
        "Europe/Athens",
        "Europe/Bucharest",
        "Europe/Sofia",
        "Europe/Kyiv",
        "Europe/Istanbul",
        "Europe/Moscow",
        "Europe/Belgrade",
        "Europe/Luxembourg",
    ),
    "africa": (
        "Africa/Casablanca",
        "Africa/Algiers",
        "Africa/Tunis",
        "Africa/Cairo",
        "Africa/Lagos",
        "Africa/Abidjan",
        "Africa/Dakar",
        "Africa/Accra",
        "Africa/Douala",
        "Africa/Kinshasa",
        "Africa/Lubumbashi",
        "Africa/Nairobi",
        "Africa/Addis_Ababa",
        "Africa/Kampala",
        "Africa/Dar_es_Salaam",
        "Africa/Johannesburg",
        "Africa/Harare",
        "Africa/Maputo",
        "Africa/Khartoum",
        "Africa/Tripoli",
        "Africa/Bamako",
        "Africa/Ouagadougou",
        "Africa/Niamey",
        "Indian/Antananarivo",
        "Indian/Reunion",
    ),
    "asia": (
        "Asia/Kolkata",
        "Asia/Karachi",
        "Asia/Dhaka",
        "Asia/Kathmandu",
        "Asia/Colombo",
        "Asia/Manila",
        "Asia/Jakarta",
        "Asia/Bangkok",
        "Asia/Ho_Chi_Minh",
        "Asia/Kuala_Lumpur",
        "Asia/Singapore",
        "Asia/Shanghai",
        "Asia/Hong_Kong",
        "Asia/Taipei",
        "Asia/Seoul",
        "Asia/Tokyo",
        "Asia/Dubai",
        "Asia/Riyadh",
        "Asia/Tehran",
        "Asia/Baghdad",
        "Asia/Jerusalem",
        "Asia/Beirut",
        "Asia/Tashkent",
        "Asia/Almaty",
        "Asia/Yangon",
    ),
    "oceania": (
        "Australia/Perth",
        "Australia/Darwin",
        "Australia/Adelaide",
        "Australia/Brisbane",
        "Australia/Sydney",
        "Australia/Melbourne",
        "Australia/Hobart",
        "Pacific/Auckland",
        "Pacific/Fiji",
        "Pacific/Port_Moresby",
        "Pacific/Guam",
        "Pacific/Noumea",
        "Pacific/Tahiti",
        "Pacific/Apia",
        "Pacific/Tongatapu",
        "Asia/Jayapura",
    ),
    "utc": ("UTC",),
}


class SettingError(UserError):
    """A refused setting; names the setting (`field`) in the reader's language."""

    def message(self, locale: str | None) -> str:
        params = dict(self.params)
        if "field" in params:
            params["field"] = t(f"setup.field.{params['field']}", locale)
        return t(self.key, locale, **params)


# -- time zones ---------------------------------------------------------------------------


@cache
def _zones_by_folded_name() -> dict[str, str]:
    zones = {zone.casefold(): zone for zone in available_timezones()}
    zones.setdefault("utc", "UTC")
    return zones


def find_timezone(text: str) -> str | None:
    """`europe/paris`, ` Europe/Paris ` → `Europe/Paris`; None if no such zone."""
    value = "_".join((text or "").strip().split(" "))
    if not value or len(value) > 64:
        return None
    return _zones_by_folded_name().get(value.casefold())


def check_timezone(text: str) -> str:
    zone = find_timezone(text)
    if zone is None:
        raise UserError("setup.errors.unknown_timezone", zone=(text or "").strip()[:64])
    return zone


def timezone_suggestions(query: str, limit: int = 25) -> list[str]:
    """Autocomplete: zones whose name contains every word typed, common zones first."""
    words = [w for w in re.split(r"[\s/_]+", (query or "").casefold()) if w][:5]
    common = [z for zones in TIMEZONE_REGIONS.values() for z in zones]
    ranked = common + sorted(set(_zones_by_folded_name().values()) - set(common))
    found = [z for z in ranked if all(w in z.casefold() for w in words)]
    return found[:limit]


def region_of(zone: str) -> str | None:
    for region, zones in TIMEZONE_REGIONS.items():
        if zone in zones:
            return region
    return None


def utc_offset(zone: str, when: datetime) -> str:
    """`UTC+01:00`: what the zone's clock is at `when` (daylight saving included)."""
    offset = when.astimezone(ZoneInfo(zone)).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


# -- money --------------------------------------------------------------------------------


def check_currency(text: str) -> str:
    try:
        return normalize_currency(text)
    except MoneyError:
        raise UserError(
            "setup.errors.unknown_currency", currency=(text or "").strip()[:10]
        ) from None


def currency_name(code: str, locale: str | None) -> str:
    return babel_numbers.get_currency_name(code, locale=babel_locale(locale))


@cache
def _currency_index(locale: str) -> tuple[tuple[str, str], ...]:
    codes = sorted(known_currencies())
    return tuple((code, f"{code} {currency_name(code, locale)}".casefold()) for code in codes)


def currency_suggestions(query: str, locale: str | None, limit: int = 25) -> list[str]:
    """Autocomplete: codes whose code or name (in the member's language) matches."""
    words = (query or "").casefold().split()[:5]
    index = _currency_index(babel_locale(locale))
    common = [code for code in COMMON_CURRENCIES if code in dict(index)]
    ranked = common + [code for code, _ in index if code not in COMMON_CURRENCIES]
    haystack = dict(index)
    return [code for code in ranked if all(w in haystack[code] for w in words)][:limit]


def _check_wage_bounds(cents: int, currency: str) -> int:
    if cents < 0:
        raise UserError("setup.errors.negative_wage")
    if cents > MAX_WAGE_UNITS * 10 ** minor_digits(currency):
        raise UserError("setup.errors.wage_too_high", limit=Number(MAX_WAGE_UNITS))
    return cents


def parse_wage(text: str, currency: str) -> int:
    """A wage typed in a modal (`7.25`, `7,25`) → minor units, refused if out of bounds."""
    cleaned = (text or "").strip()
    if cleaned.startswith("-"):
        raise UserError("setup.errors.negative_wage")
    try:
        cents = parse_money(cleaned, currency)
    except MoneyError as exc:
        raise UserError(exc.key, **exc.params) from None
    return _check_wage_bounds(cents, currency)


def wage_from_option(value: float, currency: str) -> int:
    """A wage from a number option (discord.py does not enforce its Range)."""
    try:
        cents = decimal_to_minor(value, currency)
    except MoneyError as exc:
        raise UserError(exc.key, **exc.params) from None
    return _check_wage_bounds(cents, currency)


class WageError(UserError):
    """Wages that do not fit together; shows both amounts in the reader's format."""

    def __init__(self, min_cents: int, fair_cents: int, currency: str) -> None:
        super().__init__("setup.errors.fair_below_minimum")
        self.min_cents = min_cents
        self.fair_cents = fair_cents
        self.currency = currency

    def message(self, locale: str | None) -> str:
        return t(
            self.key,
            locale,
            minimum=format_money(self.min_cents, self.currency, locale),
            fair=format_money(self.fair_cents, self.currency, locale),
        )


def check_wages(min_cents: int, fair_cents: int, currency: str) -> None:
    """The "fair" threshold can never be under the minimum wage."""
    if min_cents < 0 or fair_cents < 0:
        raise UserError("setup.errors.negative_wage")
    if fair_cents < min_cents:
        raise WageError(min_cents, fair_cents, currency)


def rescale(cents: int, old_currency: str, new_currency: str) -> int:
    """Keep a wage's written value when the currency changes (7.25 USD → 7.25 EUR).

    Currencies differ in decimals (JPY has none), so the value is rounded half up to what
    the new currency can express; the administrator is shown the result.
    """
    amount = from_minor(cents, old_currency)
    digits = minor_digits(new_currency)
    rounded = amount.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return int(rounded.scaleb(digits))


def plain_amount(cents: int, currency: str) -> str:
    """`725` USD → `7.25`: what a modal is prefilled with (no symbol, no grouping)."""
    return str(from_minor(cents, currency))


# -- whole numbers ------------------------------------------------------------------------


def check_range(value: int | None, bounds: tuple[int, int], field: str) -> int:
    low, high = bounds
    if value is None or isinstance(value, bool) or not low <= value <= high:
        raise SettingError("setup.errors.out_of_range", field=field, low=low, high=high)
    return int(value)


def parse_whole(text: str, bounds: tuple[int, int], field: str) -> int:
    """A whole number typed in a modal; the message names the field and its bounds."""
    cleaned = (text or "").strip().replace("\u202f", "").replace(" ", "")
    if not re.fullmatch(r"[+-]?\d{1,9}", cleaned):
        low, high = bounds
        raise SettingError("setup.errors.not_a_number", field=field, low=low, high=high)
    return check_range(int(cleaned), bounds, field)


def check_choice(value: str | None, allowed: tuple[str, ...], field: str) -> str:
    if value not in allowed:
        raise SettingError("setup.errors.bad_choice", field=field)
    return value


# -- the configuration as a whole ---------------------------------------------------------


def missing_required(settings: GuildSettings) -> list[str]:
    """Required channel kinds not chosen yet."""
    return [kind for kind in REQUIRED_KINDS if getattr(settings, CHANNEL_COLUMN[kind]) is None]


def changes_between(before: GuildSettings, after: GuildSettings) -> dict[str, object]:
    """The editable settings `after` changes.

    Only those are saved, so a setting another administrator changed in the meantime is
    not overwritten with what the wizard read at its start.
    """
    return {
        name: getattr(after, name)
        for name in sorted(EDITABLE_FIELDS)
        if getattr(before, name) != getattr(after, name)
    }


def validate(settings: GuildSettings) -> GuildSettings:
    """Everything at once, before the wizard saves (each step validated already)."""
    check_wages(settings.min_wage_cents, settings.fair_wage_cents, settings.currency)
    check_timezone(settings.timezone)
    check_currency(settings.currency)
    check_choice(settings.locale, LOCALES, "locale")
    check_choice(settings.scam_policy, SCAM_POLICIES, "scam_policy")
    check_range(settings.alert_expiry_minutes, EXPIRY_MINUTES, "alert_expiry_minutes")
    check_range(settings.reports_per_day, REPORTS_PER_DAY, "reports_per_day")
    check_range(settings.new_member_days, NEW_MEMBER_DAYS, "new_member_days")
    check_range(settings.alert_dms_per_hour, ALERT_DMS_PER_HOUR, "alert_dms_per_hour")
    return settings


def with_currency(settings: GuildSettings, currency: str) -> GuildSettings:
    """Switch currency, carrying the wages' written values over."""
    code = check_currency(currency)
    if code == settings.currency:
        return settings
    return dataclasses.replace(
        settings,
        currency=code,
        min_wage_cents=rescale(settings.min_wage_cents, settings.currency, code),
        fair_wage_cents=rescale(settings.fair_wage_cents, settings.currency, code),
    )
