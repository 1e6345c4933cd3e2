"""Task alert rules: validating a share, pay tiers, crowd medians, search terms, labels.

Pure functions (no discord, directly or indirectly) so they can be unit- and
property-tested. Everything a member can get wrong raises `UserError` (or
`bot.money.MoneyError`) with a key saying what to fix; the global handler answers it.
The checks of one free-text field (and `FieldError`) are in `cogs.tasks.member_text`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel import Locale

from bot.errors import UserError
from bot.i18n import babel_locale, content_warning_label, format_money, t
from bot.ids import parse_id
from bot.money import (
    MoneyError,
    decimal_to_minor,
    dollar_scale,
    hourly_cents,
    minor_digits,
    parse_amount,
    stored_currency,
)
from bot.money import normalize_currency as money_currency
from bot.personal_data import check_personal_data
from bot.platforms import PLATFORM_NAMES, PLATFORMS
from cogs.tasks.eligibility import Limits, parse_limits, threshold
from cogs.tasks.links import MTURK_REQUESTER, ParsedLink, parse_link, requester_of_link
from cogs.tasks.member_text import FieldError, clean_text

# The categories are a stored vocabulary, so the repository owns the list.
from db.requester_identity import canonical_id
from db.tasks.content_warnings import WARNING_CATEGORIES

TIERS: tuple[str, ...] = ("low", "mid", "good", "unrated")

TITLE_MAX = 256
NOTES_MAX = 1000
REQUESTER_NAME_MAX = 100
REQUESTER_ID_MAX = 64
LIMITS_MAX = 300
REASON_MAX = 300
SEARCH_TEXT_MAX = 100
MINUTES_MAX = 24 * 60
REWARD_MAX_UNITS = 10_000
#: What the slash options let through: the limit in the currency worth least per unit.
REWARD_OPTION_MAX = REWARD_MAX_UNITS * 10_000
AVAILABLE_MAX = 1_000_000
#: Members needed to mark an alert gone (one moderator is enough).
GONE_VOTES_NEEDED = 2

_OTHER_REQUESTER_ID = re.compile(r"^[\w.:-]{1,64}$")


# -- numbers -------------------------------------------------------------------------------


def max_reward_units(currency: str) -> int:
    """The largest reward (and minimum hourly) in the currency's major units.

    10,000 dollar-sized units: ₫10,000 is forty cents, not a typo.
    """
    return REWARD_MAX_UNITS * dollar_scale(currency)


def max_reward_cents(currency: str) -> int:
    return max_reward_units(currency) * 10 ** minor_digits(currency)


def reward_to_cents(value: float | Decimal | str | None, currency: str) -> int:
    """A reward as typed (option or modal text) → minor units, within (0, 10,000].

    The ceiling is in dollar-sized units (see `max_reward_units`).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise FieldError("tasks.errors.required", "reward")
    try:
        cents = (
            parse_amount(value, currency)
            if isinstance(value, str)
            else decimal_to_minor(value, currency)
        )
    except MoneyError as exc:
        if exc.key == "common.errors.bad_amount":
            raise FieldError("tasks.errors.reward_format", "reward", text=str(value)[:20]) from None
        raise
    if cents <= 0:
        raise FieldError("tasks.errors.reward_positive", "reward")
    if cents > max_reward_cents(currency):
        raise FieldError("tasks.errors.reward_too_high", "reward", limit=max_reward_units(currency))
    return cents


_DURATION = re.compile(
    r"^\s*(?:(?P<h>\d{1,3})\s*(?:h|hr|hrs|hours?|heures?)\s*)?"
    r"(?:(?P<m>\d{1,5})\s*(?:m|min|mins|minutes?)?)?\s*$",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"^\s*(?P<h>\d{1,2}):(?P<m>[0-5]\d)\s*$")


def parse_minutes(value: int | float | str | None, field: str = "minutes") -> int:
    """Minutes as typed: `6`, `6 min`, `1h30`, `1 h 30 min`, `1:30`; within 1 … 1440."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise FieldError("tasks.errors.required", field)
    if isinstance(value, bool):
        raise FieldError("tasks.errors.minutes_format", field, text=str(value))
    if isinstance(value, int | float):
        if not math.isfinite(value) or not 0 < value <= MINUTES_MAX:
            raise FieldError("tasks.errors.minutes_range", field, limit=MINUTES_MAX)
        minutes = int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    else:
        text = value.strip()
        match = _CLOCK.match(text) or _DURATION.match(text)
        if match is None or not (match.group("h") or match.group("m")):
            raise FieldError("tasks.errors.minutes_format", field, text=text[:20])
        minutes = int(match.group("h") or 0) * 60 + int(match.group("m") or 0)
    if not 1 <= minutes <= MINUTES_MAX:
        raise FieldError("tasks.errors.minutes_range", field, limit=MINUTES_MAX)
    return minutes


def normalize_currency(code: str | None, default: str) -> str:
    """The currency chosen (a tender ISO 4217 code), else the server's saved one."""
    return money_currency(code) if code and code.strip() else stored_currency(default)


def hourly_limit_cents(value: float | None, currency: str) -> int | None:
    """A search's minimum hourly rate (in the server's currency) → minor units."""
    if value is None:
        return None
    limit = max_reward_units(currency)
    if not math.isfinite(value) or not 0 <= value <= limit:
        raise FieldError("tasks.errors.hourly_range", "min_hourly", limit=limit)
    step = Decimal(1).scaleb(-minor_digits(currency))
    return decimal_to_minor(Decimal(str(value)).quantize(step, rounding=ROUND_HALF_UP), currency)


# -- a share -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShareInput:
    """A share as the member gave it (slash options or the long-form modal)."""

    link: str | None = None
    title: str | None = None
    platform: str | None = None
    requester: str | None = None
    requester_id: str | None = None
    reward: float | str | None = None
    currency: str | None = None
    minutes: int | float | str | None = None
    limits: str | None = None
    available: int | None = None
    notes: str | None = None
    anonymous: bool = False
    warning: str | None = None


@dataclass(frozen=True, slots=True)
class ShareDraft:
    """A validated share, ready to store."""

    platform: str
    task_key: str
    title: str
    reward_cents: int
    currency: str
    minutes: int
    hourly_cents: int
    limits: Limits
    link: str | None = None
    platform_task_id: str | None = None
    requester_name: str | None = None
    platform_requester_id: str | None = None
    available: int | None = None
    notes: str | None = None
    anonymous: bool = False
    warning: str | None = None


def _platform(chosen: str | None, link: ParsedLink | None) -> str:
    chosen = (chosen or "").strip().lower() or None
    if chosen is not None and chosen not in PLATFORMS:
        raise FieldError("tasks.errors.platform_unknown", "platform", platform=chosen[:20])
    detected = link.platform if link else None
    if chosen and detected and chosen not in (detected, "other"):
        raise FieldError(
            "tasks.errors.platform_mismatch",
            "platform",
            detected=PLATFORM_NAMES[detected],
            chosen=PLATFORM_NAMES[chosen],
        )
    return detected or chosen or "other"


def _requester_id(value: str | None, platform: str) -> str | None:
    """The id as the registry stores it, or a refusal if it cannot be one.

    `canonical_id`: a Prolific id in capitals is the same researcher.
    """
    raw = canonical_id(platform, value or "")
    if not raw:
        return None
    if platform == "mturk":
        if not MTURK_REQUESTER.match(raw):
            raise FieldError("tasks.errors.requester_id_mturk", "requester_id")
        return raw
    if not _OTHER_REQUESTER_ID.match(raw):
        raise FieldError("tasks.errors.requester_id", "requester_id", limit=REQUESTER_ID_MAX)
    return raw


def _requester_link(value: str | None, field: str, task: ParsedLink | None) -> ParsedLink | None:
    """A requester's page (or a task link naming its requester) typed in a requester box.

    None if `value` is not a link; refused if it is another platform's than the task's.
    """
    linked = requester_of_link(value)
    if linked is None:
        return None
    if task is not None and task.platform is not None and task.platform != linked.platform:
        assert linked.platform is not None
        raise FieldError(
            "tasks.errors.platform_mismatch",
            field,
            detected=PLATFORM_NAMES[linked.platform],
            chosen=PLATFORM_NAMES[task.platform],
        )
    return linked


_TRAILING_ID = re.compile(r"^(?P<name>.*?)\s*[(\[]\s*(?P<id>[\w.:-]{1,64})\s*[)\]]\s*$")


def split_requester(text: str | None) -> tuple[str | None, str | None]:
    """`Acme (A1B2C3D4E5)`, `Acme | A1B2C3D4E5`, `A1B2C3D4E5` or `Acme` → (name, id)."""
    value = " ".join((text or "").split())
    if not value:
        return None, None
    if "|" in value:
        name, _, ident = value.partition("|")
        return name.strip() or None, ident.strip() or None
    match = _TRAILING_ID.match(value)
    if match and match.group("name") and re.search(r"\d", match.group("id")):
        return match.group("name"), match.group("id")
    if MTURK_REQUESTER.match(value.upper()) and " " not in value:
        return None, value
    return value, None


def title_key(title: str) -> str:
    return " ".join(re.findall(r"\w+", unicodedata.normalize("NFKC", title).casefold()))


def task_key(
    platform: str,
    link: ParsedLink | None,
    *,
    title: str,
    requester: str | None,
    reward_cents: int,
    currency: str,
) -> str:
    """What makes two shares "the same task" (see the duplicate merge).

    Platform + task/group id when the link gives one, else the cleaned link, else the
    title, requester and reward together (a title alone is too common to merge on).
    """
    if link is not None:
        return link.dedupe_key
    who = title_key(requester or "")
    return f"{platform}:title:{title_key(title)}|{who}|{reward_cents}{currency}"


def build_share(raw: ShareInput, *, default_currency: str) -> ShareDraft:
    """Validate everything a member typed, in the order a member reads the form."""
    link = parse_link(raw.link)
    if link is not None:  # a survey link can carry an address (`?email=jo%40mail.com`)
        check_personal_data(link.url, "tasks.fields.link")
    platform = _platform(raw.platform, link)
    title = clean_text("title", raw.title, TITLE_MAX)
    if title is None:
        if link is None:
            raise FieldError("tasks.errors.title_or_link", "title")
        title = default_title(platform, link)
    # A requester's page pasted in the requester or id box is its id, never its name (a
    # name that is a link would match nobody and carry no warning).
    name_link = _requester_link(raw.requester, "requester", link)
    id_link = _requester_link(raw.requester_id, "requester_id", link)
    requester_link = id_link or name_link
    linked_id = None
    if requester_link is not None:
        # Its platform, unless the task's link or the member says another.
        platform = _platform(raw.platform, link or requester_link)
        linked_id = canonical_id(platform, requester_link.requester_id or "")
    requester_name = (
        None if name_link else clean_text("requester", raw.requester, REQUESTER_NAME_MAX)
    )
    typed_id = None if id_link else _requester_id(raw.requester_id, platform)
    given_id = typed_id or linked_id
    task_link_id = canonical_id(platform, link.requester_id or "") if link else ""
    if given_id and task_link_id and given_id != task_link_id:
        # The task's link leads to one requester and the member names another: posted
        # under the named one, a flagged requester's link would go out without its warning.
        raise FieldError(
            "tasks.errors.requester_id_contradicts_link",
            "requester" if name_link and not (typed_id or id_link) else "requester_id",
            typed=given_id,
            linked=task_link_id,
        )
    requester_id = given_id or task_link_id or None
    if requester_name is None and requester_id is not None:
        requester_name = requester_id
    limits_text = clean_text("limits", raw.limits, LIMITS_MAX, multiline=True)
    notes = clean_text("notes", raw.notes, NOTES_MAX, multiline=True)
    currency = normalize_currency(raw.currency, default_currency)
    reward = reward_to_cents(raw.reward, currency)
    minutes = parse_minutes(raw.minutes)
    if raw.available is not None and not 1 <= raw.available <= AVAILABLE_MAX:
        raise FieldError("tasks.errors.available_range", "available", limit=AVAILABLE_MAX)
    warning = (raw.warning or "").strip().lower() or None
    if warning is not None and warning not in WARNING_CATEGORIES:
        raise FieldError("tasks.errors.warning_unknown", "warning")
    return ShareDraft(
        platform=platform,
        task_key=task_key(
            platform,
            link,
            title=title,
            requester=requester_name,
            reward_cents=reward,
            currency=currency,
        ),
        title=title,
        reward_cents=reward,
        currency=currency,
        minutes=minutes,
        hourly_cents=hourly_cents(reward, minutes),
        limits=parse_limits(limits_text),
        link=link.url if link else None,
        platform_task_id=link.task_id if link else None,
        requester_name=requester_name,
        platform_requester_id=requester_id,
        available=raw.available,
        notes=notes,
        anonymous=bool(raw.anonymous),
        warning=warning,
    )


def default_title(platform: str, link: ParsedLink) -> str:
    """A title for a share that only gave a link: the platform and the task id or host."""
    name = PLATFORM_NAMES[platform]
    if link.task_id:
        return f"{name} {link.task_id}"
    host = link.url.split("://", 1)[-1].split("/", 1)[0]
    return f"{name} · {host}" if platform != "other" else host


# -- pay -----------------------------------------------------------------------------------


def pay_tier(
    hourly: int,
    currency: str,
    *,
    server_currency: str,
    min_wage_cents: int,
    fair_wage_cents: int,
) -> str:
    """`low` below the server's minimum wage, `mid` below its fair threshold, else `good`.

    A task paid in another currency than the server's is `unrated`: comparing pounds to
    dollar thresholds without an exchange rate would mislead.
    """
    if currency != server_currency:
        return "unrated"
    if hourly < min_wage_cents:
        return "low"
    if hourly < fair_wage_cents:
        return "mid"
    return "good"


def median_cents(values: list[int]) -> int | None:
    """The median, halves rounded up, in integer minor units (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    total = ordered[middle - 1] + ordered[middle]
    return (total + 1) // 2 if total >= 0 else -((-total) // 2)


def expires_at(now: int, expiry_minutes: int) -> int:
    return now + max(1, expiry_minutes) * 60


# -- search --------------------------------------------------------------------------------


def fts_query(text: str | None) -> str | None:
    """Member text → an FTS5 query: every word must appear (as a prefix), nothing else.

    Each word is quoted, so FTS5 operators a member types (`NEAR`, `*`, `"`) are plain text.
    """
    words = re.findall(r"\w+", unicodedata.normalize("NFKC", text or "").casefold())[:8]
    if not words:
        return None
    return " ".join(f'"{w[:40]}"*' for w in words)


@dataclass(frozen=True, slots=True)
class AlertRef:
    alert_id: int | None = None
    message_id: int | None = None


_JUMP = re.compile(r"discord(?:app)?\.com/channels/\d+/\d+/(\d+)")


def parse_alert_ref(text: str) -> AlertRef:
    """`123`, `#123` or a message link → which alert a moderator means.

    Ids are bounded (`bot.ids`): a number no record can have is refused here.
    """
    value = (text or "").strip()
    jump = _JUMP.search(value)
    if jump:
        message_id = parse_id(jump.group(1))
        if message_id is None:
            raise UserError("tasks.errors.alert_ref", text=value[:40])
        return AlertRef(message_id=message_id)
    match = re.fullmatch(r"#?\s*([0-9]{1,20})", value)
    alert_id = parse_id(match.group(1)) if match else None
    if alert_id is not None:
        return AlertRef(alert_id=alert_id)
    raise UserError("tasks.errors.alert_ref", text=value[:40])


# -- labels --------------------------------------------------------------------------------


def platform_label(platform: str, locale: str | None) -> str:
    if platform == "other":
        return t("tasks.platform.other", locale)
    return PLATFORM_NAMES.get(platform, platform)


def warning_label(category: str, locale: str | None) -> str:
    return content_warning_label(category, locale)


def tier_label(tier: str, locale: str | None) -> str:
    return t(f"tasks.tier.{tier}", locale)


def country_names(codes: frozenset[str], locale: str | None) -> str:
    territories = Locale.parse(babel_locale(locale)).territories
    names = sorted(territories.get(code, code) for code in codes)
    return ", ".join(names)


def qualification_label(qualification: str, locale: str | None) -> str:
    if qualification == "masters":
        return t("tasks.quals.masters", locale)
    limit = threshold(qualification)
    if limit is not None:
        kind, value = limit
        number = str(int(value)) if value == int(value) else f"{value:g}"
        return t(f"tasks.quals.{kind}", locale, value=number)
    return qualification


@lru_cache(maxsize=8192)
def money(cents: int, currency: str, locale: str | None) -> str:
    """`format_money`, remembered: alerts redraw the same few amounts again and again."""
    return format_money(cents, currency, locale)


def forum_title(prefix: str, title: str, limit: int = 100) -> str:
    """A forum post's name: "MTurk · $1.50 · 6 min — title", cut to Discord's 100."""
    text = f"{prefix} — {title}"
    return text if len(text) <= limit else text[: limit - 1] + "…"
