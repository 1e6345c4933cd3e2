"""MTurk qualification requirements → a task's `Limits` (countries, thresholds, names).

The HIT JSON gives them as records and the Suite exports as a line of text; both end in
the same `LimitsBuilder`, so a requirement reads the same whichever way it came.
"""

from __future__ import annotations

import re
from typing import Any

from cogs.intake.parsers.model import QUAL_NAME_MAX
from cogs.intake.parsers.text import plain
from cogs.tasks.eligibility import (
    MAX_QUALIFICATIONS,
    Limits,
    canonical_qualification,
    normalize_country,
)

MASTERS_IDS = frozenset({"2F1QJWKUDD8XADTFD2Q0G6UTO95ALH", "2NDP2L92HECWY8NS8H3CK0CP5L9GHO"})
LOCALE_ID = "00000000000000000071"
APPROVAL_ID = "000000000000000000L0"
APPROVED_ID = "00000000000000000040"
_GE = {"greaterthanorequalto": 0, "greaterthan": 1, ">=": 0, ">": 1, "≥": 0}
_IN = {"in", "equalto", "=", "=="}
_NOT_IN = {"notin", "notequalto", "!="}


class LimitsBuilder:
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


def add_requirement(builder: LimitsBuilder, req: dict[str, Any]) -> None:
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


def add_suite_qualifications(text: str, builder: LimitsBuilder) -> None:
    """`HIT approval rate (%) GreaterThanOrEqualTo 98; Location In US; Masters Exists`."""
    for part in re.split(r"[;\n]|\s•\s", text):
        item = part.strip(" .,-")
        if not item or item.lower() in {"none", "n/a", "-"}:
            continue
        match = _SUITE_QUAL.match(item)
        if match is None:
            add_requirement(builder, {"name": item, "comparator": "Exists"})
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
        add_requirement(
            builder,
            {"name": match.group("name"), "comparator": comparator, "qualification_values": values},
        )
