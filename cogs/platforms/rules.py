"""Rules of the platforms feature: names, reviews, the comparison and its privacy floor.

Pure functions without discord. Platform reviews are the requesters feature's review
machinery (`cogs/requesters/reviewing.py`) with a schema of their own; the community
hourly comes from the earnings feature's k-anonymous statistics. What is decided here:
how a platform is named and keyed, which platforms have enough reviews to be compared,
how they rank, and which hourly figure (if any) may be shown.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.errors import UserError
from bot.personal_data import check_personal_data, contains_email
from bot.platforms import PLATFORM_NAMES
from cogs.earnings.rules import KNOWN_PLATFORMS, fold
from cogs.earnings.stats import K_ANONYMITY, PlatformHourly
from cogs.requesters.reviewing import ReviewInput, ReviewSchema, validate_review
from cogs.requesters.rules import preview
from db.requester_identity import name_key

#: What members rate a platform on. Every score reads "higher is better": 5 on
#: `unpaid_work` means the platform asks for almost no unpaid work, 5 on `payouts` means
#: getting paid is fast and cheap. The experience bands say how long the reviewer has
#: worked there.
PLATFORM_REVIEWS = ReviewSchema(
    kind="platform",
    criteria=("pay", "rejections", "support", "payouts", "unpaid_work"),
    experience=("lt_1m", "1_6m", "6_24m", "2y_plus"),
    catalog="platforms.review",
)

#: A platform needs this many visible reviews before it is compared with the others:
#: one or two opinions are anecdotes, not a comparison.
MIN_REVIEWS = 3
#: Contributing members needed before a community hourly is shown. Never below the
#: earnings feature's own floor, whatever it is set to.
HOURLY_FLOOR = max(5, K_ANONYMITY)
#: The community hourly covers this many days of logged work, ending today.
HOURLY_WINDOW_DAYS = 90
#: A server's community hourly is recomputed at most this often.
HOURLY_REFRESH_SECONDS = 300
#: Reviews written this recently count as "recent" on the platform card.
RECENT_DAYS = 90
#: Platforms per page of the comparison.
PAGE_SIZE = 8
#: A member may have the comparison drawn as a picture this often.
IMAGE_COOLDOWN_SECONDS = 30
#: A server's moderators may add at most this many platforms (autocomplete shows 25).
MAX_ADDED_PER_SERVER = 40

NAME_MIN = 2
NAME_MAX = 40
#: Keys no added platform may take: "other" means "not a listed platform" to the tasks
#: feature, so a platform called that would be confusing everywhere.
RESERVED_KEYS = frozenset({"other", "others", "autre", "autres"})

_NAME_ALLOWED = re.compile(r"[\w .&'+()\-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


# -- names and keys --------------------------------------------------------------------------


def canonical_name(text: str) -> str:
    """The spelling the earnings log uses for well-known platforms (`amt` → `MTurk`)."""
    return KNOWN_PLATFORMS.get(fold(text), text)


def platform_key(text: str) -> str:
    """The registry key of a platform name, also used to match earnings log entries.

    `MTurk`, `mturk` and `Amazon Mechanical Turk` all give `mturk`; the earnings log
    stores its own canonical spelling, so the same folding matches both sides.
    """
    return fold(canonical_name(" ".join(text.split())))


def normalize_name(text: str | None) -> tuple[str, str]:
    """Validate a platform name a moderator adds; return (key, display name).

    Names are kept to letters, digits, spaces and `. & ' + ( ) -`: they are shown in
    tables and code blocks, so nothing in them may ping, format or break out.
    """
    cleaned = unicodedata.normalize("NFC", _CONTROL.sub(" ", text or ""))
    value = " ".join(cleaned.split())
    if not value:
        raise UserError("platforms.errors.name_required")
    if len(value) > NAME_MAX:
        raise UserError("platforms.errors.name_too_long", limit=NAME_MAX, length=len(value))
    if len(value) < NAME_MIN:
        raise UserError("platforms.errors.name_too_short", minimum=NAME_MIN)
    if contains_email(value):  # before the character check, which would hide why
        check_personal_data(value, "common.fields.platform_name")
    if _NAME_ALLOWED.fullmatch(value) is None or "_" in value:
        raise UserError("platforms.errors.name_characters", name=preview(value, 40))
    check_personal_data(value, "common.fields.platform_name")
    if not any(ch.isalpha() for ch in value):
        raise UserError("platforms.errors.name_needs_letter", name=preview(value, 40))
    if len(scripts_of(value)) > 1:
        raise UserError("platforms.errors.name_mixed_scripts", name=preview(value, 40))
    # A look-alike of a built-in platform is that platform (then refused as built in).
    display = _BUILT_IN_BY_KEY.get(name_key(value)) or canonical_name(value)
    key = platform_key(display)
    if key in RESERVED_KEYS:
        raise UserError("platforms.errors.name_reserved", name=preview(value, 40))
    return key, display


#: The built-in platforms by their names' look-alike-folded key (`Prоlific` with a
#: Cyrillic "о" is Prolific).
_BUILT_IN_BY_KEY = {
    name_key(name): name for key, name in PLATFORM_NAMES.items() if key not in RESERVED_KEYS
}


def scripts_of(text: str) -> set[str]:
    """The alphabets a name's letters come from (`LATIN`, `CYRILLIC`…).

    A real platform's name is written in one; mixing them is how a look-alike of
    another name is made.
    """
    return {
        unicodedata.name(ch, "UNKNOWN").split(" ", 1)[0]
        for ch in unicodedata.normalize("NFKC", text)
        if ch.isalpha()
    }


def lookup_key(text: str | None) -> str:
    """The key to look up for what a member typed or picked in the platform option."""
    value = " ".join((text or "").split())
    if not value:
        raise UserError("platforms.errors.platform_required")
    if len(value) > 100:
        raise UserError("platforms.errors.unknown_platform", name=preview(value, 40))
    return platform_key(value)


def matches(typed: str, name: str, key: str) -> bool:
    """Autocomplete: whether the platform's name or key contains what was typed."""
    wanted = fold(typed or "")
    return not wanted or wanted in fold(name) or wanted in key


# -- reviews ---------------------------------------------------------------------------------


def validate_platform_review(
    scores: Mapping[str, object], worked_for: str, text: str | None
) -> ReviewInput:
    """The requesters' review rules, with this feature's own wording for the band."""
    if worked_for not in PLATFORM_REVIEWS.experience:
        raise UserError("platforms.errors.unknown_worked_for", value=preview(str(worked_for), 20))
    return validate_review(PLATFORM_REVIEWS, scores, worked_for, text)


def review_mean(scores: Mapping[str, int]) -> float | None:
    values = [v for c, v in scores.items() if c in PLATFORM_REVIEWS.criteria]
    return sum(values) / len(values) if values else None


# -- the comparison --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scored:
    """One platform with its visible reviews summarised (what the comparison needs)."""

    platform_id: int
    key: str
    name: str
    review_count: int
    means: Mapping[str, float | None]

    @property
    def overall(self) -> float | None:
        """The mean of the five criterion means (each criterion weighs the same)."""
        values = [self.means.get(c) for c in PLATFORM_REVIEWS.criteria]
        known = [v for v in values if v is not None]
        return sum(known) / len(known) if len(known) == len(values) else None

    @property
    def comparable(self) -> bool:
        return self.review_count >= MIN_REVIEWS and self.overall is not None


def split_comparable(items: Iterable[Scored]) -> tuple[list[Scored], list[Scored]]:
    """Split platforms into (compared, not enough reviews yet).

    The first are ranked best first; the second by how close each is to being compared,
    then by name.
    """
    compared: list[Scored] = []
    waiting: list[Scored] = []
    for item in items:
        (compared if item.comparable else waiting).append(item)
    compared.sort(key=lambda s: (-(s.overall or 0.0), -s.review_count, s.name.casefold()))
    waiting.sort(key=lambda s: (-s.review_count, s.name.casefold()))
    return compared, waiting


def page_count(items: int, size: int | None = None) -> int:
    return max(1, math.ceil(items / (size or PAGE_SIZE)))


def clamp_page(page: int, pages: int) -> int:
    """A page number from a button may be stale (platforms added or hidden since)."""
    return min(max(0, page), max(0, pages - 1))


def page_slice(items: Sequence[Scored], page: int, size: int | None = None) -> Sequence[Scored]:
    size = size or PAGE_SIZE
    return items[page * size : (page + 1) * size]


# -- the community hourly --------------------------------------------------------------------


def hourly_window(today: date) -> tuple[date, date]:
    """Inclusive dates of the work the community hourly is computed from."""
    return today - timedelta(days=HOURLY_WINDOW_DAYS - 1), today


def hourly_by_key(stats: Iterable[PlatformHourly]) -> dict[str, list[PlatformHourly]]:
    """Group the earnings statistics by platform key, keeping only groups over the floor.

    The earnings feature already leaves out small groups; the floor is applied again
    here so this feature can never show a figure fewer than `HOURLY_FLOOR` members made.
    """
    grouped: dict[str, list[PlatformHourly]] = {}
    for stat in stats:
        if stat.members < HOURLY_FLOOR or not stat.platform:
            continue
        grouped.setdefault(platform_key(stat.platform), []).append(stat)
    for values in grouped.values():
        values.sort(key=lambda s: (-s.members, s.currency))
    return grouped


def headline_hourly(
    stats: Sequence[PlatformHourly], preferred_currency: str
) -> PlatformHourly | None:
    """The one figure a comparison row shows.

    The server's currency if members were paid in it, otherwise the currency most
    contributors were paid in.
    """
    eligible = [s for s in stats if s.members >= HOURLY_FLOOR]
    for stat in eligible:
        if stat.currency == preferred_currency:
            return stat
    return max(eligible, key=lambda s: (s.members, s.currency), default=None)


# -- text tables -----------------------------------------------------------------------------


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], first_width: int) -> str:
    """A monospace table for a code block.

    The first column is left-aligned and cut to `first_width`, the others right-aligned.
    Backticks are replaced so the table cannot leave its code block.
    """

    def clean(cell: str) -> str:
        return " ".join(cell.replace("`", "'").splitlines())

    def cut(cell: str) -> str:
        return cell if len(cell) <= first_width else cell[: first_width - 1] + "…"

    body = [[cut(clean(r[0])), *(clean(c) for c in r[1:])] for r in rows]
    head = [cut(clean(headers[0])), *(clean(h) for h in headers[1:])]
    widths = [max(len(line[i]) for line in [head, *body]) for i in range(len(head))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(widths[i + 1]) for i, cell in enumerate(cells[1:])]
        return "  ".join([first, *rest]).rstrip()

    return "\n".join([line(head), *(line(r) for r in body)])
