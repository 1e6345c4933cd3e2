"""Reading the exports workers already paste (pure rules, no discord).

In order of trust: MTurk's own HIT JSON, a Prolific study (JSON), MTurk Suite's HIT
Exporter (Plain, Markdown, BBCode and Short), then free text with a task link, an amount
and a duration. The result is a `ParsedTask` that is complete (a reward, and a title or
a link) or an `ExportError` that says which field was not found: never half a task.

Two times are kept apart on purpose: `minutes` is how long the task takes (a Prolific
estimate, or what a member wrote), `allowed_minutes` is the time the platform allows
(MTurk's assignment duration). The second is never used as the first.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.errors import UserError
from bot.i18n import t
from cogs.tasks.eligibility import (
    MAX_QUALIFICATIONS,
    Limits,
    canonical_qualification,
    normalize_country,
)
from cogs.tasks.links import MTURK_GROUP, MTURK_REQUESTER, PROLIFIC_STUDY, parse_link

#: Longest text read (a Discord message is 4,000 characters at most with Nitro).
TEXT_MAX = 20_000
#: JSON nesting accepted (HIT JSON is 4 deep); deeper is refused before parsing.
JSON_DEPTH_MAX = 20
JSON_ITEMS_MAX = 5_000
TITLE_MAX = 256
DESCRIPTION_MAX = 300
QUAL_NAME_MAX = 80

SOURCES = ("mturk_json", "prolific_json", "mturk_suite", "free_text")


class ExportError(UserError):
    """The text is not a complete export; the message names what is missing."""

    def __init__(self, key: str, /, *, field_name: str | None = None, **params: object) -> None:
        super().__init__(key, **params)
        self.field_name = field_name

    def message(self, locale: str | None) -> str:
        params = dict(self.params)
        if self.field_name is not None:
            params["field"] = t(f"intake.fields.{self.field_name}", locale)
        return t(self.key, locale, **params)


def missing(field_name: str) -> ExportError:
    return ExportError("intake.errors.not_found", field_name=field_name)


@dataclass(frozen=True, slots=True)
class ParsedTask:
    """A task read from an export: everything found, and nothing guessed."""

    source: str
    platform: str
    reward: Decimal
    currency: str | None
    title: str | None = None
    link: str | None = None
    requester_name: str | None = None
    requester_id: str | None = None
    #: How long it takes (an estimate), if the export says; never the allowed time.
    minutes: int | None = None
    #: The time the platform allows to finish (MTurk's assignment duration).
    allowed_minutes: int | None = None
    available: int | None = None
    limits: Limits = field(default_factory=Limits)
    #: Requirements that cannot be a limit (exclusions), kept as readable notes.
    excluded: tuple[str, ...] = ()
    description: str | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        """What a share still needs from the member (only ever the minutes)."""
        return () if self.minutes is not None else ("minutes",)


# -- cleaning pasted text ----------------------------------------------------------------

_INVISIBLE = re.compile(r"[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MASKED = re.compile(r"\[([^\]\n]{0,300})\]\((?:<)?(https?://[^)\s>]+)>?\)")
_BB_URL = re.compile(r"\[url=([^\]\s]+)\]([^\[]{0,300})\[/url\]", re.IGNORECASE)
_BB_TAG = re.compile(r"\[/?(?:b|i|u|s|url|quote|code|color(?:=[^\]]*)?|size(?:=[^\]]*)?)\]", re.I)
_MENTION = re.compile(r"<@[!&]?\d+>|<#\d+>|</[^>\s]+:\d+>")
# No `\b`: "@everyoneRate images" still pings in some clients, so every such prefix goes.
_PING = re.compile(r"@(everyone|here)", re.IGNORECASE)
_MARK_CHARS = re.compile(r"\*\*|__|~~|\|\||`+|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")
_LEADING_MARK = re.compile(r"^\s*(?:#{1,3}|-#|>{1,3})\s+", re.MULTILINE)


def clean_input(text: str) -> str:
    """Undo what copying does to text: HTML escapes, invisible characters, CRLF."""
    value = (text or "")[:TEXT_MAX]
    for _ in range(2):  # "&amp;amp;" happens when a page escapes twice
        unescaped = html.unescape(value)
        if unescaped == value:
            break
        value = unescaped
    value = unicodedata.normalize("NFC", value)
    value = _INVISIBLE.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\u00a0", " ").replace("\u202f", " ").replace("\t", " ")
    return _CONTROL.sub("", value)


def _unping(value: str) -> str:
    """Neutralise pings last, once nothing else can splice one together.

    Removing markup or a mention can join its neighbours ("@**everyone**", "<@<@1>2>"), so
    mentions go until none is left, then "@everyone"/"@here" get a full-width @ (never pings).
    """
    while (unmentioned := _MENTION.sub("", value)) != value:
        value = unmentioned
    return _PING.sub(lambda m: "\uff20" + m.group(1), value)


def plain(text: str | None, limit: int) -> str | None:
    """Text from an export, safe to show: no markup, no pings, one line, within `limit`."""
    if text is None:
        return None
    value = clean_input(str(text))
    value = _BB_URL.sub(lambda m: m.group(2), value)
    value = _MASKED.sub(lambda m: m.group(1), value)
    value = _BB_TAG.sub("", value)
    value = _MENTION.sub("", value)
    value = _LEADING_MARK.sub("", value)
    value = _MARK_CHARS.sub("", value)
    value = _unping(value)
    value = " ".join(value.split()).strip(" |•-:")
    if not value:
        return None
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


# -- amounts and durations ---------------------------------------------------------------

_SYMBOLS = {"$": "USD", "US$": "USD", "£": "GBP", "€": "EUR", "₹": "INR", "¥": "JPY"}
_SYMBOLS.update({"CA$": "CAD", "C$": "CAD", "A$": "AUD", "AU$": "AUD", "R$": "BRL"})
_CODES = r"USD|EUR|GBP|CAD|AUD|INR|PHP|BRL|MXN|JPY|CHF"
_NUM = r"\d{1,9}(?:[.,]\d{1,4})?"
_SYM = r"US\$|CA\$|AU\$|C\$|A\$|R\$|[$£€₹¥]"
_MONEY = re.compile(
    rf"(?P<neg>-)?\s*(?:(?P<pre>{_SYM})\s?(?P<a>{_NUM})|(?P<b>{_NUM})\s?(?P<post>{_SYM})"
    rf"|(?P<c>{_NUM})\s?(?P<code>{_CODES})\b|\b(?P<code2>{_CODES})\s?(?P<d>{_NUM}))",
    re.IGNORECASE,
)


def read_money(text: str) -> tuple[Decimal, str | None] | None:
    """The first amount in `text`: `$1.50`, `1,50 €`, `£2`, `1.50 USD` → (amount, code)."""
    match = _MONEY.search(text or "")
    if match is None:
        return None
    number = match.group("a") or match.group("b") or match.group("c") or match.group("d")
    symbol = match.group("pre") or match.group("post")
    code = _SYMBOLS.get(symbol.upper()) if symbol else None
    code = code or (match.group("code") or match.group("code2") or "").upper() or None
    try:
        amount = Decimal(number.replace(",", "."))
    except InvalidOperation:
        return None
    return (-amount if match.group("neg") else amount), code


_UNITS = {
    "d": 1440,
    "day": 1440,
    "days": 1440,
    "jour": 1440,
    "jours": 1440,
    "h": 60,
    "hr": 60,
    "hrs": 60,
    "hour": 60,
    "hours": 60,
    "heure": 60,
    "heures": 60,
    "m": 1,
    "min": 1,
    "mins": 1,
    "minute": 1,
    "minutes": 1,
    "s": 0,
    "sec": 0,
    "secs": 0,
    "second": 0,
    "seconds": 0,
}
_PART = re.compile(r"(\d{1,5}(?:[.,]\d+)?)\s*([a-z]+)", re.IGNORECASE)
_HMS = re.compile(r"\b(\d{1,3}):([0-5]\d)(?::([0-5]\d))?\b")
_DURATION_TEXT = re.compile(
    r"(?:~|≈|about|environ)?\s*\b(\d{1,4}(?:[.,]\d+)?\s*(?:d|days?|jours?|h|hrs?|hours?|heures?"
    r"|m|mins?|minutes?)\b(?:\s*\d{1,3}\s*(?:m|mins?|minutes?)\b)?)",
    re.IGNORECASE,
)


def read_duration(text: str) -> int | None:
    """`1 hour 30 minutes`, `45 min`, `2 days`, `1h30m`, `01:30:00` → minutes (≥ 1)."""
    value = (text or "").strip().lower()
    clock = _HMS.search(value)
    if clock:
        hours, mins, secs = clock.groups()
        total = int(hours) * 60 + int(mins) + (1 if secs and int(secs) >= 30 else 0)
        return total or None
    total = Decimal(0)
    seen = False
    for number, unit in _PART.findall(value):
        factor = _UNITS.get(unit.lower())
        if factor is None:
            continue
        seen = True
        total += Decimal(number.replace(",", ".")) * factor
    if not seen:
        return None
    minutes = int(total.to_integral_value())
    return minutes if minutes >= 1 else None


def _positive_int(value: Any, limit: int = 10_000_000) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and value == value and 0 < value <= limit:  # noqa: PLR0124
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,9}\s*", value):
        number = int(value)
        return number if 0 < number <= limit else None
    return None


# -- qualifications --------------------------------------------------------------------

MASTERS_IDS = frozenset({"2F1QJWKUDD8XADTFD2Q0G6UTO95ALH", "2NDP2L92HECWY8NS8H3CK0CP5L9GHO"})
LOCALE_ID = "00000000000000000071"
APPROVAL_ID = "000000000000000000L0"
APPROVED_ID = "00000000000000000040"
_GE = {"greaterthanorequalto": 0, "greaterthan": 1, ">=": 0, ">": 1, "≥": 0}
_IN = {"in", "equalto", "=", "=="}
_NOT_IN = {"notin", "notequalto", "!="}


class _LimitsBuilder:
    def __init__(self) -> None:
        self.countries: set[str] = set()
        self.quals: list[str] = []
        self.excluded: list[str] = []

    def qual(self, text: str) -> None:
        name = plain(text, QUAL_NAME_MAX)
        if name:
            canonical = canonical_qualification(name)
            if canonical not in self.quals:
                self.quals.append(canonical)

    def exclude(self, text: str) -> None:
        name = plain(text, QUAL_NAME_MAX)
        if name and name not in self.excluded:
            self.excluded.append(name)

    def build(self) -> tuple[Limits, tuple[str, ...]]:
        limits = Limits(
            countries=frozenset(self.countries),
            qualifications=frozenset(self.quals[:MAX_QUALIFICATIONS]),
        )
        return limits, tuple(self.excluded[:MAX_QUALIFICATIONS])


def _countries(values: Any) -> list[str]:
    found = []
    for value in values if isinstance(values, list) else [values]:
        raw = value.get("country") if isinstance(value, dict) else value
        if isinstance(raw, str):
            code = normalize_country(raw)
            if code:
                found.append(code)
    return found


def _number_value(values: Any) -> float | None:
    for value in values if isinstance(values, list) else [values]:
        raw = value.get("integer_value", value.get("value")) if isinstance(value, dict) else value
        if isinstance(raw, bool):
            continue
        if isinstance(raw, int | float):
            return float(raw)
        if isinstance(raw, str) and re.fullmatch(r"\s*\d{1,9}(?:\.\d+)?\s*", raw):
            return float(raw)
    return None


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _requirement(builder: _LimitsBuilder, req: dict[str, Any]) -> None:
    """One of MTurk's `project_requirements` → a country, a threshold, Masters or a name."""
    qtype = req.get("qualification_type") if isinstance(req.get("qualification_type"), dict) else {}
    qid = str(req.get("qualification_type_id") or qtype.get("qualification_type_id") or "")
    name = str(qtype.get("name") or req.get("name") or qid or "")
    comparator = re.sub(r"[\s_]", "", str(req.get("comparator") or "")).lower()
    values = req.get("qualification_values", req.get("values", []))
    lower = name.lower()
    if qid == LOCALE_ID or "location" in lower or "locale" in lower:
        codes = _countries(values)
        if comparator in _NOT_IN:
            if codes:
                builder.exclude("not " + ", ".join(sorted(codes)))
        elif codes:
            builder.countries.update(codes)
        return
    if qid in MASTERS_IDS or "masters" in lower:
        if comparator != "doesnotexist":
            builder.qual("masters")
        return
    number = _number_value(values)
    if comparator in _GE and number is not None:
        number += _GE[comparator]
        if qid == APPROVAL_ID or "approval rate" in lower:
            builder.qual(f"approval ≥{_fmt(min(number, 100))}%")
            return
        if qid == APPROVED_ID or "approved" in lower:
            builder.qual(f"approved ≥{_fmt(number)}")
            return
        builder.qual(f"{name} ≥{_fmt(number)}")
        return
    if comparator in {"doesnotexist", "lessthan", "lessthanorequalto"} | _NOT_IN:
        builder.exclude(name if comparator == "doesnotexist" else f"{name} {comparator}")
        return
    if name:
        builder.qual(name)


_SUITE_QUAL = re.compile(
    r"^(?P<name>.+?)\s+(?P<cmp>GreaterThanOrEqualTo|GreaterThan|LessThanOrEqualTo|LessThan|"
    r"EqualTo|NotEqualTo|NotIn|In|Exists|DoesNotExist|has been granted|has not been granted|"
    r"is one of|is not one of|is|≥|>=|>|<=|<|=)\s*(?P<value>.*)$",
    re.IGNORECASE,
)


def _suite_qualifications(text: str, builder: _LimitsBuilder) -> None:
    """`HIT approval rate (%) GreaterThanOrEqualTo 98; Location In US; Masters Exists`."""
    for part in re.split(r"[;\n]|\s•\s", text):
        item = part.strip(" .,-")
        if not item or item.lower() in {"none", "n/a", "-"}:
            continue
        match = _SUITE_QUAL.match(item)
        if match is None:
            _requirement(builder, {"name": item, "comparator": "Exists"})
            continue
        cmp_text = match.group("cmp").lower()
        comparator = {
            "has been granted": "exists",
            "has not been granted": "doesnotexist",
            "is one of": "in",
            "is not one of": "notin",
            "is": "equalto",
            "≥": "greaterthanorequalto",
            ">=": "greaterthanorequalto",
            ">": "greaterthan",
            "<": "lessthan",
            "<=": "lessthanorequalto",
            "=": "equalto",
        }.get(cmp_text, cmp_text)
        raw_value = match.group("value").strip()
        values: list[Any] = [v.strip() for v in re.split(r"[,/ ]+", raw_value) if v.strip()]
        _requirement(
            builder,
            {"name": match.group("name"), "comparator": comparator, "qualification_values": values},
        )


# -- JSON ---------------------------------------------------------------------------------


class JsonRefusedError(ValueError):
    """Refused before or while decoding: too deep, too many items, or not JSON."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def json_shape_ok(text: str, *, max_depth: int = JSON_DEPTH_MAX) -> None:
    """Refuse deep nesting without recursing (a JSON bomb never reaches the decoder)."""
    depth = 0
    in_string = False
    escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                raise JsonRefusedError("too_deep")
        elif char in "]}":
            depth -= 1


def load_json(
    text: str, *, max_depth: int = JSON_DEPTH_MAX, max_items: int = JSON_ITEMS_MAX
) -> Any:
    """Decode JSON text that a member or a tool sent, within depth and size limits."""
    json_shape_ok(text, max_depth=max_depth)
    count = 0

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal count
        count += len(pairs)
        if count > max_items:
            raise JsonRefusedError("too_many")
        return dict(pairs)

    def no_constants(name: str) -> Any:
        raise JsonRefusedError("not_json")

    try:
        return json.loads(text, object_pairs_hook=hook, parse_constant=no_constants)
    except JsonRefusedError:
        raise
    except (ValueError, RecursionError):
        raise JsonRefusedError("not_json") from None


def _one_record(data: Any) -> dict[str, Any]:
    """The one task in a JSON document (MTurk wraps lists in `results`)."""
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        data = data["results"]
    if isinstance(data, dict) and isinstance(data.get("data"), dict):
        data = data["data"]
    if isinstance(data, list):
        records = [r for r in data if isinstance(r, dict)]
        if len(records) != 1:
            raise ExportError("intake.errors.several" if records else "intake.errors.unknown")
        data = records[0]
    if not isinstance(data, dict):
        raise ExportError("intake.errors.unknown")
    return data


def is_mturk_record(record: dict[str, Any]) -> bool:
    return any(k in record for k in ("hit_set_id", "monetary_reward", "project_requirements"))


def is_prolific_record(record: dict[str, Any]) -> bool:
    return "estimated_completion_time" in record or (
        isinstance(record.get("id"), str)
        and bool(PROLIFIC_STUDY.match(record["id"]))
        and "reward" in record
    )


def _money_field(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        amount = Decimal(str(value).strip().lstrip("$"))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() else None


def parse_mturk_record(record: dict[str, Any]) -> ParsedTask:
    """MTurk's own HIT JSON (worker.mturk.com `/projects/….json` or a scraper's copy)."""
    group = str(record.get("hit_set_id") or "").strip().upper()
    if not MTURK_GROUP.match(group):
        raise missing("hit_set_id")
    reward_box = record.get("monetary_reward")
    reward = None
    currency = "USD"
    if isinstance(reward_box, dict):
        reward = _money_field(reward_box.get("amount_in_dollars"))
        if reward is None and reward_box.get("amount_in_cents") is not None:
            cents = _money_field(reward_box.get("amount_in_cents"))
            reward = cents / 100 if cents is not None else None
        if isinstance(reward_box.get("currency_code"), str):
            currency = reward_box["currency_code"].strip().upper()[:3] or "USD"
    elif reward_box is not None:
        reward = _money_field(reward_box)
    if reward is None:
        raise missing("reward")
    title = plain(record.get("title"), TITLE_MAX)
    if title is None:
        raise missing("title")
    requester_id = str(record.get("requester_id") or "").strip().upper() or None
    if requester_id is not None and not MTURK_REQUESTER.match(requester_id):
        raise ExportError("intake.errors.bad_value", field_name="requester_id")
    seconds = _positive_int(record.get("assignment_duration_in_seconds"), 10 * 365 * 86400)
    builder = _LimitsBuilder()
    requirements = record.get("project_requirements") or []
    if isinstance(requirements, list):
        for req in requirements[:50]:
            if isinstance(req, dict):
                _requirement(builder, req)
    limits, excluded = builder.build()
    return ParsedTask(
        source="mturk_json",
        platform="mturk",
        reward=reward,
        currency=currency,
        title=title,
        link=f"https://worker.mturk.com/projects/{group}/tasks",
        requester_name=plain(record.get("requester_name"), 100),
        requester_id=requester_id,
        allowed_minutes=max(1, -(-seconds // 60)) if seconds else None,
        available=_positive_int(record.get("assignable_hits_count")),
        limits=limits,
        excluded=excluded,
        description=plain(record.get("description"), DESCRIPTION_MAX),
    )


def parse_prolific_record(record: dict[str, Any]) -> ParsedTask:
    """A Prolific study (the participant API's JSON): reward in pence, an estimate."""
    study = str(record.get("id") or "").strip().lower()
    if not PROLIFIC_STUDY.match(study):
        raise missing("study_id")
    pence = record.get("reward")
    if isinstance(pence, dict):  # {"amount": 150, "currency": "GBP"}
        currency = str(pence.get("currency") or "GBP").upper()[:3]
        pence = pence.get("amount")
    else:
        currency = str(record.get("currency_code") or record.get("currency") or "GBP").upper()[:3]
    amount = _money_field(pence)
    if amount is None:
        raise missing("reward")
    if amount != amount.to_integral_value():
        raise ExportError("intake.errors.bad_value", field_name="reward")
    title = plain(record.get("name") or record.get("title"), TITLE_MAX)
    if title is None:
        raise missing("title")
    estimate = record.get("estimated_completion_time")
    minutes = _positive_int(estimate, 100_000)
    if minutes is None:
        raise missing("estimated_completion_time")
    places = record.get("places")
    if places is None:
        total = _positive_int(record.get("total_available_places"))
        taken = record.get("places_taken")
        taken_n = taken if isinstance(taken, int) and not isinstance(taken, bool) else 0
        places = total - taken_n if total is not None and total > taken_n else None
    researcher = record.get("researcher") if isinstance(record.get("researcher"), dict) else {}
    allowed = _positive_int(record.get("maximum_allowed_time"), 100_000)
    return ParsedTask(
        source="prolific_json",
        platform="prolific",
        reward=amount / 100,
        currency=currency,
        title=title,
        link=f"https://app.prolific.com/studies/{study}",
        requester_name=plain(researcher.get("name") or record.get("researcher_name"), 100),
        requester_id=plain(researcher.get("id"), 64),
        minutes=minutes,
        allowed_minutes=allowed,
        available=_positive_int(places),
        description=plain(record.get("description"), DESCRIPTION_MAX),
    )


def parse_json_text(text: str) -> ParsedTask:
    try:
        data = load_json(text)
    except JsonRefusedError as exc:
        raise ExportError(f"intake.errors.json_{exc.reason}") from None
    return parse_record(data)


def parse_record(data: Any) -> ParsedTask:
    """A decoded JSON document: an MTurk HIT or a Prolific study."""
    record = _one_record(data)
    if is_mturk_record(record):
        return parse_mturk_record(record)
    if is_prolific_record(record):
        return parse_prolific_record(record)
    raise ExportError("intake.errors.unknown")


# -- MTurk Suite's HIT Exporter -----------------------------------------------------------

LABELS = {
    "title": "title",
    "requester": "requester",
    "reward": "reward",
    "duration": "duration",
    "time allotted": "duration",
    "available": "available",
    "hits available": "available",
    "qualifications": "qualifications",
    "qualification": "qualifications",
    "quals": "qualifications",
    "description": "description",
    "tv": "review",
    "to": "review",
    "to 1": "review",
    "to 2": "review",
    "turkerview": "review",
    "turkopticon": "review",
    "est. time": "estimate",
    "estimated time": "estimate",
    "time taken": "estimate",
    "took": "estimate",
}
_LABEL = re.compile(
    r"^\s*(?:[>\-•*]\s+)?(?:\*\*|__|\[b\])?\s*(?P<label>[A-Za-z][A-Za-z .]{0,20}?)\s*"
    r"(?::\s*(?:\*\*|__|\[/b\])|(?:\*\*|__|\[/b\])\s*:|:)\s*(?P<value>.*)$",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://[^\s\]\)\[<>\"'|]+", re.IGNORECASE)
_PROJECT_URL = re.compile(
    r"mturk\.com/(?:mturk/preview\?groupId=|projects/)([A-Z0-9]{20,40})", re.I
)
_REQUESTER_ID = re.compile(r"(?<![A-Z0-9])(A[A-Z0-9]{8,20})(?![A-Z0-9])")
_REQUESTER_URL = re.compile(r"requesters/(A[A-Z0-9]{8,20})", re.IGNORECASE)
_PANDA_WORDS = re.compile(r"\b(?:PREVIEW|ACCEPT|PANDA|ONCE|SEARCH|PC|VB|TO|TV|Contact)\b")


def _labelled(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.split("\n"):
        match = _LABEL.match(line)
        if match is None:
            continue
        key = LABELS.get(" ".join(match.group("label").lower().split()))
        if key is None:
            continue
        found.setdefault(key, []).append(match.group("value").strip())
    return found


def _single(found: dict[str, list[str]], key: str) -> str | None:
    values = [v for v in found.get(key, []) if v]
    if not values:
        return None
    distinct = {" ".join(v.split()) for v in values}
    if len(distinct) > 1:
        raise ExportError("intake.errors.several")
    return values[0]


def _title_of(value: str) -> str | None:
    """The title value minus the exporter's action links (`| PREVIEW | ACCEPT`)."""
    text = _BB_URL.sub(lambda m: m.group(2), value)
    text = _MASKED.sub(lambda m: m.group(1), text)
    text = _URL.sub("", text)
    parts = [p for p in re.split(r"\s[|•]\s|\s-\s(?=[A-Z]{4,}\b)", text) if p.strip()]
    kept = [p for p in parts if not _PANDA_WORDS.fullmatch(plain(p, 40) or "")]
    return plain(" | ".join(kept) if kept else "", TITLE_MAX)


def _requester_of(value: str) -> tuple[str | None, str | None]:
    ident_match = _REQUESTER_URL.search(value) or _REQUESTER_ID.search(value.upper())
    ident = ident_match.group(1).upper() if ident_match else None
    text = _BB_URL.sub(lambda m: m.group(2), value)
    text = _MASKED.sub(lambda m: m.group(1), text)
    text = _URL.sub("", text)
    if ident:
        text = re.sub(rf"[\[(]?\s*{ident}\s*[\])]?", "", text, flags=re.IGNORECASE)
    text = re.split(r"\s[|•]\s|\(Contact\)|\[Contact\]", text)[0]
    return plain(text, 100), ident


def _group_of(text: str) -> str | None:
    match = _PROJECT_URL.search(text)
    return match.group(1).upper() if match else None


def _finish_mturk(
    *,
    title: str | None,
    reward_text: str | None,
    group: str | None,
    requester: tuple[str | None, str | None],
    duration: str | None,
    available: str | None,
    quals: str | None,
    description: str | None,
    estimate: str | None,
    source: str,
) -> ParsedTask:
    if not title and not group:
        raise missing("title")
    if reward_text is None:
        raise missing("reward")
    money = read_money(reward_text)
    if money is None:
        raise ExportError("intake.errors.bad_value", field_name="reward")
    amount, code = money
    builder = _LimitsBuilder()
    if quals:
        _suite_qualifications(quals, builder)
    limits, excluded = builder.build()
    count = re.search(r"\d[\d,]{0,12}", available or "")
    return ParsedTask(
        source=source,
        platform="mturk",
        reward=amount,
        currency=code or "USD",
        title=title,
        link=f"https://worker.mturk.com/projects/{group}/tasks" if group else None,
        requester_name=requester[0],
        requester_id=requester[1],
        minutes=read_duration(estimate) if estimate else None,
        allowed_minutes=read_duration(duration) if duration else None,
        available=_positive_int(count.group(0).replace(",", "")) if count else None,
        limits=limits,
        excluded=excluded,
        description=plain(description, DESCRIPTION_MAX) if description else None,
    )


def parse_suite_labelled(text: str) -> ParsedTask | None:
    """Plain, Markdown (`**Title:**`) and BBCode (`[b]Title:[/b]`) exports; None if not one."""
    found = _labelled(text)
    known = {
        k
        for k in found
        if k in {"title", "requester", "reward", "duration", "available", "qualifications"}
    }
    if len(known) < 2:
        return None
    title_value = _single(found, "title")
    requester_value = _single(found, "requester")
    groups = {g.upper() for g in _PROJECT_URL.findall(text)}
    if len(groups) > 1:
        raise ExportError("intake.errors.several")
    return _finish_mturk(
        title=_title_of(title_value) if title_value else None,
        reward_text=_single(found, "reward"),
        group=next(iter(groups), None),
        requester=_requester_of(requester_value) if requester_value else (None, None),
        duration=_single(found, "duration"),
        available=_single(found, "available"),
        quals=_single(found, "qualifications"),
        description=_single(found, "description"),
        estimate=_single(found, "estimate"),
        source="mturk_suite",
    )


def parse_suite_short(text: str) -> ParsedTask | None:
    """The Short export: `Title • Requester [A…] • $1.50 • 1 hour • 250 • link`."""
    lines = [line for line in text.split("\n") if "•" in line]
    if len(lines) != 1 and len({" ".join(line.split()) for line in lines}) != 1:
        if len(lines) > 1:
            raise ExportError("intake.errors.several")
        return None
    parts = [p.strip() for p in lines[0].split("•") if p.strip()]
    if len(parts) < 3:
        return None
    title = reward = duration = available = quals = None
    requester: tuple[str | None, str | None] = (None, None)
    others: list[str] = []
    for part in parts:
        bare = _URL.sub("", part).strip()
        if reward is None and read_money(bare) is not None and len(bare) <= 24:
            reward = bare
        elif requester[1] is None and (
            _REQUESTER_URL.search(part) or re.search(r"[\[(]\s*A[A-Z0-9]{8,20}\s*[\])]", part)
        ):
            requester = _requester_of(part)
        elif duration is None and bare and read_duration(bare) is not None and len(bare) <= 30:
            duration = bare
        elif available is None and re.fullmatch(
            r"(?i)(?:available:?\s*)?\d[\d,]*(?:\s*available)?", bare
        ):
            available = bare
        elif quals is None and re.match(r"(?i)quals?(?:ifications)?\b", bare):
            quals = re.sub(r"(?i)^quals?(?:ifications)?:?\s*", "", bare)
        elif bare:
            others.append(part)
    if others:
        title = _title_of(others[0])
        if requester == (None, None) and len(others) > 1:
            requester = _requester_of(others[1])
    group = _group_of(lines[0]) or _group_of(text)
    return _finish_mturk(
        title=title,
        reward_text=reward,
        group=group,
        requester=requester,
        duration=duration,
        available=available,
        quals=quals,
        description=None,
        estimate=None,
        source="mturk_suite",
    )


# -- free text ----------------------------------------------------------------------------

_FILLER_END = re.compile(
    r"(?:\s+\b(?:took|takes|me|it|in|en|for|pour|pays|paid|paie|about|environ|approx|~))+$",
    re.IGNORECASE,
)


def parse_free_text(text: str) -> ParsedTask:
    """A member's own words: a task link, an amount and how long it took."""
    urls = _URL.findall(text)
    if not urls:
        raise missing("link")
    link = urls[0].rstrip(".,;:!?")
    rest = _URL.sub(" ", text)
    money = read_money(rest)
    if money is None:
        raise missing("reward")
    duration_match = _DURATION_TEXT.search(_MONEY.sub(" ", rest))
    if duration_match is None:
        raise missing("minutes")
    minutes = read_duration(duration_match.group(1))
    if minutes is None:
        raise missing("minutes")
    first_line = next((line for line in rest.split("\n") if line.strip()), "")
    title_text = _MONEY.sub(" ", first_line)
    title_text = _DURATION_TEXT.sub(" ", title_text)
    title = plain(re.sub(r"[/|,;()\[\]~≈]+", " ", title_text), TITLE_MAX)
    if title is not None and len(re.findall(r"\w", title)) < 3:
        title = None
    if title is not None:
        title = _FILLER_END.sub("", title).strip() or None
    try:
        platform = parse_link(link)
    except UserError:
        raise ExportError("intake.errors.bad_value", field_name="link") from None
    requester = _REQUESTER_URL.search(link)
    return ParsedTask(
        source="free_text",
        platform=(platform.platform if platform else None) or "other",
        reward=money[0],
        currency=money[1],
        title=title,
        link=link,
        requester_id=requester.group(1).upper() if requester else None,
        minutes=minutes,
    )


# -- the entry point ----------------------------------------------------------------------

_JSON_START = re.compile(r"^(?:\{|\[\s*[\[{\]])")
_FENCE = re.compile(r"^```[a-z]*\n?|\n?```$", re.IGNORECASE)


def parse_export(text: str) -> ParsedTask:
    """Read any supported export (see the module docstring) or say what is missing."""
    value = clean_input(text).strip()
    value = _FENCE.sub("", value).strip()
    if not value:
        raise missing("text")
    if len(text or "") > TEXT_MAX:
        raise ExportError("intake.errors.too_long", limit=TEXT_MAX)
    if _JSON_START.match(value):
        return parse_json_text(value)
    for parser in (parse_suite_labelled, parse_suite_short):
        parsed = parser(value)
        if parsed is not None:
            return parsed
    return parse_free_text(value)


def looks_like_export(text: str) -> bool:
    """Whether a message in the exports channel is worth parsing at all (a cheap test)."""
    value = (text or "").lstrip()
    return bool(value) and (
        bool(_JSON_START.match(value))
        or value.startswith("```")
        or "•" in value
        or bool(_URL.search(value))
        or len(_labelled(value[:4000])) >= 2
    )
