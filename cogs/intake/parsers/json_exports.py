"""JSON exports: MTurk's own HIT JSON and a Prolific study, decoded within limits.

`load_json` refuses a JSON bomb before the decoder sees it; the personal API uses it and
the record readers too.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from cogs.intake.parsers.amounts import positive_int
from cogs.intake.parsers.model import (
    DESCRIPTION_MAX,
    JSON_DEPTH_MAX,
    JSON_ITEMS_MAX,
    TITLE_MAX,
    ExportError,
    ParsedTask,
    missing,
)
from cogs.intake.parsers.qualifications import LimitsBuilder, add_requirement
from cogs.intake.parsers.suite import fold_requester_id
from cogs.intake.parsers.text import plain
from cogs.tasks.links import MTURK_GROUP, PROLIFIC_STUDY
from db.requester_identity import canonical_id

#: A surrogate, raw or as a `\\uD800`-`\\uDFFF` escape: how a lone one (half of a
#: character, which no store or Discord accepts) can get into decoded JSON.
_SURROGATE_HINT = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


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
        data = json.loads(text, object_pairs_hook=hook, parse_constant=no_constants)
    except JsonRefusedError:
        raise
    except (ValueError, RecursionError):
        raise JsonRefusedError("not_json") from None
    if _SURROGATE_HINT.search(text) and _has_lone_surrogate(data):
        # Valid JSON syntax, but text that cannot be stored or shown: refused here, once
        # for every reader, rather than as a crash wherever the text is first written.
        raise JsonRefusedError("bad_text")
    return data


def _has_lone_surrogate(data: Any) -> bool:
    """Whether any key or string in a decoded document holds half a character.

    Iterative: the depth is already bounded, but a walk needs no recursion at all.
    """
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


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
    raw_requester = record.get("requester_id")
    requester_id = None
    if raw_requester is not None and str(raw_requester).strip():
        # Folded as the Suite exports' ids are: a full-width or look-alike id is that id.
        requester_id = fold_requester_id(str(raw_requester)[:80])
        if requester_id is None:
            raise ExportError("intake.errors.bad_value", field_name="requester_id")
    seconds = positive_int(record.get("assignment_duration_in_seconds"), 10 * 365 * 86400)
    builder = LimitsBuilder()
    requirements = record.get("project_requirements") or []
    if isinstance(requirements, list):
        for req in requirements[:50]:
            if isinstance(req, dict):
                add_requirement(builder, req)
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
        available=positive_int(record.get("assignable_hits_count")),
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
    minutes = positive_int(estimate, 100_000)
    if minutes is None:
        raise missing("estimated_completion_time")
    places = record.get("places")
    if places is None:
        total = positive_int(record.get("total_available_places"))
        taken = record.get("places_taken")
        taken_n = taken if isinstance(taken, int) and not isinstance(taken, bool) else 0
        places = total - taken_n if total is not None and total > taken_n else None
    researcher = record.get("researcher") if isinstance(record.get("researcher"), dict) else {}
    allowed = positive_int(record.get("maximum_allowed_time"), 100_000)
    return ParsedTask(
        source="prolific_json",
        platform="prolific",
        reward=amount / 100,
        currency=currency,
        title=title,
        link=f"https://app.prolific.com/studies/{study}",
        requester_name=plain(researcher.get("name") or record.get("researcher_name"), 100),
        requester_id=_researcher_id(plain(researcher.get("id"), 64)),
        minutes=minutes,
        allowed_minutes=allowed,
        available=positive_int(places),
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


def _researcher_id(value: str | None) -> str | None:
    """Prolific writes researcher ids in lower case; one in capitals is the same one."""
    return None if value is None else canonical_id("prolific", value) or None
