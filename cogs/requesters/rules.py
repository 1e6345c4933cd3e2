"""Rules of the requesters feature: identities, text limits, reports and status.

Pure functions without discord, so they are unit- and property-tested directly. The
standing shown on alerts is computed by the database layer too, so it lives below it:
`db.requester_standing`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from bot.errors import UserError
from bot.personal_data import check_personal_data, contains_email, contains_phone  # noqa: F401 - kept importable here
from bot.platforms import PLATFORM_NAMES
from bot.platforms import PLATFORMS as ALL_PLATFORMS
from cogs.tasks.links import requester_of_link
from db.requester_identity import canonical_id

# -- platforms and requester identities ---------------------------------------------------

#: Platform keys, as stored in `requesters.platform` (shared with every feature).
PLATFORMS: tuple[str, ...] = ALL_PLATFORMS

#: MTurk requester ids: "A" then 12–20 upper-case letters or digits (A1B2C3D4E5F6G7).
MTURK_ID = re.compile(r"A[A-Z0-9]{12,20}")
#: Prolific researcher ids are 24-character hexadecimal object ids.
PROLIFIC_ID = re.compile(r"[0-9a-f]{24}")
#: Platforms without a documented id format: a conservative token.
GENERIC_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")

ID_EXAMPLES: dict[str, str] = {
    "mturk": "A1B2C3D4E5F6G7",
    "prolific": "5f3e2a1b9c8d7e6f5a4b3c2d",
}

NAME_LIMIT = 100
_RECORD_REF = re.compile(r"#(\d{1,18})")


@dataclass(frozen=True, slots=True)
class RequesterQuery:
    """What a member typed to name a requester, validated but not yet looked up.

    Either `record_id` (picked from autocomplete), or a platform id, or a name; platform
    may be unknown when the member did not choose one.
    """

    record_id: int | None = None
    platform: str | None = None
    platform_requester_id: str | None = None
    name: str | None = None


def preview(text: str, limit: int = 60) -> str:
    """A short, inert echo of bad input, or a stored name, for an error message.

    No mentions, no code, and no masked link (`[Acme](https://…)`: a requester's name
    any member chose must not become a link in the bot's own words).
    """
    value = " ".join((text or "").split()).replace("`", "'").replace("@", "@\u200b")
    value = value if len(value) <= limit else value[: limit - 1] + "…"
    return value.replace("[", "\\[").replace("]", "\\]")


def check_platform(platform: str | None) -> str | None:
    """Slash choices are not re-checked by discord.py, so check them here."""
    if platform is None:
        return None
    if platform not in PLATFORMS:
        raise UserError("requesters.errors.unknown_platform", platform=preview(platform, 20))
    return platform


def normalize_platform_id(platform: str, raw: str) -> str:
    """Validate a platform's requester id where its format is known.

    Compatibility forms are folded and invisible characters dropped first (a full-width
    or zero-width-spaced copy of an id is that id, as it is where the name goes).
    """
    value = _fold_id(raw)
    if platform == "mturk":
        value = value.upper()
        valid = MTURK_ID.fullmatch(value) is not None
    elif platform == "prolific":
        value = value.lower()
        valid = PROLIFIC_ID.fullmatch(value) is not None
    else:
        valid = GENERIC_ID.fullmatch(value) is not None
    if not valid:
        example = ID_EXAMPLES.get(platform)
        if example:
            raise UserError(
                "requesters.errors.bad_requester_id", value=preview(raw, 40), example=example
            )
        raise UserError("requesters.errors.bad_generic_id", value=preview(raw, 40))
    return value


def _fold_id(raw: str | None) -> str:
    """An id as typed, compatibility forms folded and invisible characters dropped."""
    folded = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in folded if unicodedata.category(ch) != "Cf").strip()


def looks_like_mturk_id(text: str) -> bool:
    """A bare MTurk id typed in the requester box (needs a digit: names are rarely so)."""
    value = _fold_id(text).upper()
    return MTURK_ID.fullmatch(value) is not None and any(ch.isdigit() for ch in value)


def normalize_name(text: str) -> str:
    """A requester name as shown: control characters dropped, whitespace collapsed."""
    cleaned = "".join(ch for ch in text or "" if unicodedata.category(ch)[0] != "C")
    value = " ".join(cleaned.split())
    if not value or not any(ch.isalnum() for ch in value):
        raise UserError("requesters.errors.requester_required")
    if len(value) > NAME_LIMIT:
        raise UserError("requesters.errors.name_too_long", limit=NAME_LIMIT)
    check_personal_data(value, "common.fields.requester")
    return value


def parse_requester(
    text: str | None, platform: str | None = None, requester_id: str | None = None
) -> RequesterQuery:
    """Turn the requester options of a command into a `RequesterQuery`."""
    platform = check_platform(platform)
    value = (text or "").strip()
    picked = _RECORD_REF.fullmatch(value)
    if picked:
        return RequesterQuery(record_id=int(picked.group(1)))
    # A requester's page, or a task link naming the requester, pasted in either box: the
    # id it carries (as the tasks feature reads it from shared links), never a name.
    id_link, name_link = requester_of_link(requester_id), requester_of_link(value)
    linked = id_link or name_link
    if linked is not None:
        assert linked.platform is not None and linked.requester_id is not None
        if platform is not None and platform != linked.platform:
            raise UserError(
                "requesters.errors.link_other_platform",
                link=PLATFORM_NAMES[linked.platform],
                chosen=PLATFORM_NAMES[platform],
            )
        pid = canonical_id(linked.platform, linked.requester_id)
        typed_name = bool(value) and name_link is None and value.upper() != pid.upper()
        name = normalize_name(value) if typed_name else None
        return RequesterQuery(None, linked.platform, pid, name)
    if requester_id is not None and requester_id.strip():
        if platform is None:
            if not looks_like_mturk_id(requester_id):
                raise UserError("requesters.errors.platform_required")
            platform = "mturk"
        pid = normalize_platform_id(platform, requester_id)
        name = normalize_name(value) if value and value.upper() != pid.upper() else None
        return RequesterQuery(None, platform, pid, name)
    if not value:
        raise UserError("requesters.errors.requester_required")
    if platform in (None, "mturk") and looks_like_mturk_id(value):
        return RequesterQuery(None, "mturk", normalize_platform_id("mturk", value), None)
    if platform == "prolific" and PROLIFIC_ID.fullmatch(_fold_id(value).lower()):
        return RequesterQuery(None, platform, normalize_platform_id(platform, value), None)
    return RequesterQuery(None, platform, None, normalize_name(value))


# -- text members write --------------------------------------------------------------------


def check_text(
    text: str | None,
    *,
    limit: int,
    minimum: int = 1,
    required: bool = True,
    field: str = "common.fields.description",
) -> str | None:
    """Validate free text: length, and no e-mail addresses or phone numbers.

    `field` is the translation key of the field's label, named when personal data is
    refused (`bot.personal_data`).

    Mentions and markdown are kept as typed and neutralised when displayed
    (`bot.ui.safe_text`), so nothing a member writes is altered behind their back.
    """
    value = (text or "").replace("\x00", "").strip()
    if not value:
        if required:
            raise UserError("requesters.errors.text_required")
        return None
    if len(value) > limit:
        raise UserError("requesters.errors.text_too_long", limit=limit, length=len(value))
    if len(value) < minimum:
        raise UserError("requesters.errors.text_too_short", minimum=minimum)
    check_personal_data(value, field)
    return value


# -- reports ------------------------------------------------------------------------------

CATEGORIES: tuple[str, ...] = (
    "non_payment",
    "underpaid",
    "harvesting",
    "off_platform",
    "malware",
    "other",
)
#: One confirmed report in these categories makes a requester a confirmed scam.
SEVERE: frozenset[str] = frozenset({"harvesting", "off_platform", "malware"})
#: Confirmed non-payment reports: the first means caution, this many mean scam.
NON_PAYMENT_SCAM = 3
#: Confirmed reports of the milder kinds (underpaid, other) that together mean caution.
MILD_CAUTION = 2

DESCRIPTION_LIMIT = 2000
DESCRIPTION_MINIMUM = 10
REASON_LIMIT = 500
ANSWER_LIMIT = 2000
MAX_LINKS = 5
LINK_LIMIT = 500
REPORT_WINDOW = timedelta(days=1)


def check_category(category: str) -> str:
    if category not in CATEGORIES:
        raise UserError("requesters.errors.unknown_category", category=preview(category, 20))
    return category


def parse_evidence(text: str | None) -> tuple[str, ...]:
    """Evidence links, separated by spaces, commas or new lines: http(s) only."""
    parts = [part for part in re.split(r"[\s,]+", (text or "").strip()) if part]
    if len(parts) > MAX_LINKS:
        raise UserError("requesters.errors.too_many_links", limit=MAX_LINKS)
    links: list[str] = []
    for part in parts:
        if len(part) > LINK_LIMIT or not _is_web_link(part):
            raise UserError("requesters.errors.bad_link", link=preview(part))
        check_personal_data(part, "common.fields.evidence")
        if part not in links:
            links.append(part)
    return tuple(links)


def _is_web_link(text: str) -> bool:
    if any(ch in text for ch in "<>\"'`\\") or any(ord(ch) < 33 for ch in text):
        return False
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return False
    return (
        parts.scheme.lower() in ("http", "https")
        and bool(host)
        and "." in (host or "")
        and parts.username is None
    )


def is_new_member(joined_at: datetime | None, now: datetime, days: int) -> bool:
    """Joined the server less than `days` ago (unknown join dates are not held against)."""
    return joined_at is not None and now - joined_at < timedelta(days=days)


# -- status -------------------------------------------------------------------------------

STATUSES: tuple[str, ...] = ("none", "caution", "scam")
_SEVERITY = {status: rank for rank, status in enumerate(STATUSES)}


def check_status(status: str) -> str:
    if status not in STATUSES:
        raise UserError("requesters.errors.unknown_status", status=preview(status, 20))
    return status


def is_lower(status: str, than: str) -> bool:
    """Whether `status` is less severe than `than` (none < caution < scam)."""
    return _SEVERITY[status] < _SEVERITY[than]


def more_severe(a: str, b: str) -> str:
    return a if _SEVERITY[a] >= _SEVERITY[b] else b


def derive_status(confirmed: Mapping[str, int]) -> str:
    """The status a requester's confirmed reports call for.

    Harvesting personal data, asking for payment off platform or spreading malware is a
    scam on the first confirmed report. Not paying is a caution at first and a scam once
    it keeps happening. Underpaying and other problems need two confirmations for a
    caution: one disagreement about pay is not a pattern.
    """
    if any(confirmed.get(category, 0) > 0 for category in SEVERE):
        return "scam"
    non_payment = confirmed.get("non_payment", 0)
    if non_payment >= NON_PAYMENT_SCAM:
        return "scam"
    if non_payment > 0:
        return "caution"
    mild = confirmed.get("underpaid", 0) + confirmed.get("other", 0)
    if mild >= MILD_CAUTION:
        return "caution"
    return "none"


def next_status(current: str, source: str | None, derived: str) -> tuple[str, str | None]:
    """Apply the reports' verdict to a requester: (new status, new source).

    A status a moderator set by hand is never lowered automatically; newer confirmed
    reports can still make it more severe. A status that came from reports follows them
    both ways, so reopening a confirmed report can lift a caution.
    """
    if source == "moderator":
        if _SEVERITY[derived] > _SEVERITY[current]:
            return derived, "reports"
        return current, source
    if derived == "none":
        return "none", None
    return derived, "reports"


# -- what the tasks feature knows ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CrowdHourly:
    cents: int
    currency: str
    reports: int


def crowd_hourly(samples: Iterable[tuple[int, int, str]]) -> CrowdHourly | None:
    """Members' reported hourly pay across a requester's alerts.

    `samples` are (crowd hourly in minor units, number of "I did it" reports, currency)
    per alert. The figure is the median of the alerts' figures, each counted as often as
    it was reported: a mean would let one report on an alert of its own (a minute on a
    big reward) pull the requester's figure as far as it likes, while a median moves at
    most to a neighbouring figure. It is the alerts' own rule (the median of their
    reports) one level up: the middle figure, or the rounded-half-up mean of the middle
    two. Amounts are never converted between currencies; the currency with the most
    reports is the one shown.
    """
    by_currency: dict[str, list[tuple[int, int]]] = {}
    for cents, weight, currency in samples:
        if weight <= 0 or cents < 0:
            continue
        by_currency.setdefault(currency, []).append((cents, weight))
    if not by_currency:
        return None
    currency, figures = max(
        by_currency.items(), key=lambda item: (sum(w for _, w in item[1]), item[0])
    )
    figures.sort()
    count = sum(weight for _, weight in figures)
    low = _weighted_at(figures, (count - 1) // 2)
    high = _weighted_at(figures, count // 2)
    return CrowdHourly((low + high + 1) // 2, currency, count)


def _weighted_at(figures: list[tuple[int, int]], position: int) -> int:
    """The amount at `position` (from 0) of sorted figures, each repeated `weight` times."""
    seen = 0
    for cents, weight in figures:
        seen += weight
        if position < seen:
            return cents
    msg = f"position {position} beyond {seen} reports"
    raise IndexError(msg)
