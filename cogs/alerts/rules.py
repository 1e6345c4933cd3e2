"""Pure rules of alert subscriptions: filter validation, matching and the DM rate cap.

Nothing here imports discord, so the matching that decides who gets woken up by a DM can
be unit- and property-tested on its own. The database only pre-filters candidates with
the cheap, selective filters; `matches` is the authority and re-checks everything.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any

from bot.errors import UserError
from bot.money import decimal_to_minor, normalize_currency
from bot.personal_data import check_personal_data
from bot.platforms import PLATFORM_NAMES

#: A member may keep this many subscriptions per server: enough for real use
#: (a few platforms, a few requesters), few enough that a DM means something.
MAX_SUBSCRIPTIONS = 10
MAX_KEYWORDS = 8
MIN_KEYWORD_LENGTH = 2
MAX_KEYWORD_LENGTH = 40
MAX_KEYWORDS_TEXT = 200
MIN_REQUESTER_LENGTH = 2
MAX_REQUESTER_LENGTH = 100
#: The same bounds the task alerts put on what can be shared: a threshold above them
#: could never match anything, so it is a typo.
MAX_REWARD_CENTS = 10_000 * 100
MAX_HOURLY_CENTS = 1_000 * 100
#: The cap on alert DMs is "per hour", a sliding window.
RATE_WINDOW_SECONDS = 3600

#: Platforms a subscription can name, keyed by the code alerts carry.
PLATFORMS: dict[str, str] = PLATFORM_NAMES
_PLATFORM_ALIASES = {
    "amt": "mturk",
    "amazon mechanical turk": "mturk",
    "mechanical turk": "mturk",
    "m turk": "mturk",
    "prolific ac": "prolific",
    "prolific co": "prolific",
    "clickworker com": "clickworker",
    "yandex toloka": "toloka",
    "appen connect": "appen",
    "autre": "other",
    "others": "other",
}


def echo(text: str | None, limit: int) -> str:
    """A member's input quoted back in an error: short, and unable to mention anyone."""
    return (text or "").strip()[:limit].replace("@", "@\u200b")


def fold(text: str | None) -> str:
    """Case-, accent- and punctuation-insensitive form: `Étude  (Psy)` → `etude psy`."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[\W_]+", " ", plain.casefold()).split())


def contains_term(haystack_folded: str, term: str) -> bool:
    """Whether `term` (folded) starts a word of the folded text.

    Word starts, not raw substrings: `survey` finds "Surveys", `psych` finds
    "psychology", but `art` does not fire on "party".
    """
    if not term:
        return True
    return f" {term}" in f" {haystack_folded}"


def normalize_platform(text: str | None, known: Iterable[str] = PLATFORMS) -> str | None:
    """`Prolific`, `mechanical turk` → the platform code; None for anything unknown."""
    key = fold(text)
    if not key:
        return None
    codes = {fold(code): code for code in known}
    if key in codes:
        return codes[key]
    alias = _PLATFORM_ALIASES.get(key)
    if alias in codes.values():
        return alias
    for code, label in PLATFORMS.items():
        if key == fold(label) and code in codes.values():
            return code
    return None


_TERM = re.compile(r'"([^"]*)"|([^\s,;"]+)')


def parse_keywords(text: str | None) -> tuple[str, ...]:
    """Split what the member typed into folded terms; every one must then appear.

    Commas or spaces separate terms; "double quotes" keep a phrase together. Duplicates
    are dropped, order kept. Raises `UserError` for what would never match sensibly.
    """
    raw = (text or "").strip()
    if not raw:
        return ()
    if len(raw) > MAX_KEYWORDS_TEXT:
        raise UserError("alerts.errors.keywords_too_long", limit=MAX_KEYWORDS_TEXT)
    check_personal_data(raw, "common.fields.keywords")
    terms: list[str] = []
    for quoted, bare in _TERM.findall(raw):
        term = fold(quoted or bare)
        if not term:
            continue
        if len(term) < MIN_KEYWORD_LENGTH:
            raise UserError("alerts.errors.keyword_too_short", minimum=MIN_KEYWORD_LENGTH)
        if len(term) > MAX_KEYWORD_LENGTH:
            raise UserError("alerts.errors.keyword_too_long", limit=MAX_KEYWORD_LENGTH)
        if term not in terms:
            terms.append(term)
    if not terms:
        raise UserError("alerts.errors.no_keywords")
    if len(terms) > MAX_KEYWORDS:
        raise UserError("alerts.errors.too_many_keywords", limit=MAX_KEYWORDS)
    return tuple(terms)


def parse_requester(text: str | None) -> str | None:
    """The requester filter: a name (or part of one) or a platform id, folded."""
    raw = (text or "").strip()
    if not raw:
        return None
    value = fold(raw)
    if len(value) < MIN_REQUESTER_LENGTH:
        raise UserError("alerts.errors.requester_too_short", minimum=MIN_REQUESTER_LENGTH)
    if len(raw) > MAX_REQUESTER_LENGTH:
        raise UserError("alerts.errors.requester_too_long", limit=MAX_REQUESTER_LENGTH)
    check_personal_data(raw, "common.fields.requester")
    return value


def check_threshold(cents: int | None, limit: int, key: str) -> int | None:
    """A money threshold must be positive and below what any task could pay."""
    if cents is None:
        return None
    if cents <= 0:
        raise UserError(f"alerts.errors.{key}_not_positive")
    if cents > limit:
        raise UserError(f"alerts.errors.{key}_too_high")
    return cents


@dataclass(frozen=True, slots=True)
class Filters:
    """What a member asked to hear about. Empty/None fields mean "anything"."""

    platform: str | None = None
    min_hourly_cents: int | None = None
    min_reward_cents: int | None = None
    currency: str | None = None
    keywords: tuple[str, ...] = ()
    requester: str | None = None
    no_warned: bool = False

    def __post_init__(self) -> None:
        has_money = self.min_hourly_cents is not None or self.min_reward_cents is not None
        if has_money and self.currency is None:
            msg = "money thresholds need a currency"
            raise ValueError(msg)

    @classmethod
    def copied_from(cls, stored: object) -> Filters:
        """The filters a stored subscription or notification role carries.

        Stored records (`db.alert_filters.AlertFilters`) use these same field names.
        """
        return cls(**{f.name: getattr(stored, f.name) for f in fields(cls)})

    def as_fields(self) -> dict[str, Any]:
        """The seven filter fields by name, for the record that stores them."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @property
    def has_money(self) -> bool:
        return self.min_hourly_cents is not None or self.min_reward_cents is not None

    @property
    def is_catch_all(self) -> bool:
        return (
            self.platform is None
            and not self.has_money
            and not self.keywords
            and self.requester is None
            and not self.no_warned
        )

    def signature(self) -> str:
        """A canonical text of the filters: two equal filter sets have the same one."""
        return json.dumps(
            [
                self.platform or "",
                self.min_hourly_cents,
                self.min_reward_cents,
                self.currency if self.has_money else None,
                sorted(self.keywords),
                self.requester,
                self.no_warned,
            ],
            separators=(",", ":"),
        )


def build_filters(
    *,
    platform: str | None,
    min_hourly_cents: int | None,
    min_reward_cents: int | None,
    currency: str | None,
    keywords: str | None,
    requester: str | None,
    no_warned: bool,
    known_platforms: Iterable[str] = PLATFORMS,
) -> Filters:
    """Validate every option again (discord.py does not re-check Range or choices)."""
    code = None
    if platform is not None and platform.strip():
        code = normalize_platform(platform, known_platforms)
        if code is None:
            raise UserError("alerts.errors.unknown_platform", platform=echo(platform, 40))
    hourly = check_threshold(min_hourly_cents, MAX_HOURLY_CENTS, "hourly")
    reward = check_threshold(min_reward_cents, MAX_REWARD_CENTS, "reward")
    has_money = hourly is not None or reward is not None
    return Filters(
        platform=code,
        min_hourly_cents=hourly,
        min_reward_cents=reward,
        currency=currency if has_money else None,
        keywords=parse_keywords(keywords),
        requester=parse_requester(requester),
        no_warned=bool(no_warned),
    )


def filters_from_options(  # noqa: PLR0917 - the slash options, in the commands' order
    default_currency: str,
    platform: str | None,
    min_hourly: float | None,
    min_reward: float | None,
    currency: str | None,
    keywords: str | None,
    requester: str | None,
    no_warned: bool,
    /,
) -> Filters:
    """The filters typed as `/alerts subscribe` or `/roles add` options, validated.

    Money thresholds are in `currency`, the server's (`default_currency`) when none is
    given; the currency is kept only with a threshold.
    """
    code = normalize_currency(currency) if currency else default_currency
    return build_filters(
        platform=platform,
        min_hourly_cents=None if min_hourly is None else decimal_to_minor(min_hourly, code),
        min_reward_cents=None if min_reward is None else decimal_to_minor(min_reward, code),
        currency=code,
        keywords=keywords,
        requester=requester,
        no_warned=no_warned,
    )


@dataclass(frozen=True, slots=True)
class AlertFacts:
    """What matching needs to know about a posted alert (built from `db.tasks.Alert`)."""

    alert_id: int
    guild_id: int
    platform: str
    title: str
    reward_cents: int
    currency: str
    hourly_cents: int | None
    sharer_id: int | None
    notes: str | None = None
    requester_name: str | None = None
    requester_platform_id: str | None = None
    countries: frozenset[str] = field(default_factory=frozenset)
    qualifications: frozenset[str] = field(default_factory=frozenset)
    warning: str | None = None
    #: The requester record's status ('caution', 'scam'), shown on the DM like the alert.
    requester_status: str | None = None

    @property
    def searchable(self) -> str:
        """The folded text keywords are looked for in: title and notes."""
        return fold(f"{self.title} {self.notes or ''}")


def matches_requester(wanted: str, facts: AlertFacts) -> bool:
    """A platform id matches exactly; a name matches from the start of any of its words."""
    if facts.requester_platform_id and wanted == fold(facts.requester_platform_id):
        return True
    return bool(facts.requester_name) and contains_term(fold(facts.requester_name), wanted)


def matches(filters: Filters, facts: AlertFacts, *, searchable: str | None = None) -> bool:
    """Whether one subscription's filters accept the alert (eligibility not included).

    Money thresholds compare like with like: an alert in another currency than the
    subscription's does not meet a threshold, since there is no honest conversion.
    """
    if filters.platform is not None and filters.platform != facts.platform:
        return False
    if filters.no_warned and facts.warning:
        return False
    if filters.has_money and filters.currency != facts.currency:
        return False
    if filters.min_reward_cents is not None and facts.reward_cents < filters.min_reward_cents:
        return False
    if filters.min_hourly_cents is not None and (
        facts.hourly_cents is None or facts.hourly_cents < filters.min_hourly_cents
    ):
        return False
    if filters.requester is not None and not matches_requester(filters.requester, facts):
        return False
    if filters.keywords:
        text = facts.searchable if searchable is None else searchable
        if not all(contains_term(text, term) for term in filters.keywords):
            return False
    return True


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stored subscription as matching sees it."""

    subscription_id: int
    user_id: int
    filters: Filters


def recipients(
    candidates: Sequence[Candidate],
    facts: AlertFacts,
    eligible: Callable[[int], bool],
) -> dict[int, int]:
    """Who should hear about the alert: member id → the first subscription that matched.

    One entry per member however many of their subscriptions match (one DM, not three);
    never the sharer; never a member for whom `eligible(user_id)` says they cannot take
    the task. The eligibility rule itself lives with the tasks feature
    (`cogs.tasks.eligibility.is_eligible`); it is passed in so this module stays free of
    that package's imports.
    """
    searchable = facts.searchable
    chosen: dict[int, int] = {}
    verdicts: dict[int, bool] = {}
    #: Equal filter sets are usually one shared object (the fan-out's cache parses each
    #: set once), so the filters are judged once per object, not once per member.
    accepted: dict[int, bool] = {}
    sharer = facts.sharer_id
    for candidate in sorted(candidates, key=attrgetter("subscription_id")):
        user_id = candidate.user_id
        if user_id == sharer or user_id in chosen:
            continue
        filters = candidate.filters
        ok = accepted.get(id(filters))
        if ok is None:
            ok = accepted[id(filters)] = matches(filters, facts, searchable=searchable)
        if not ok:
            continue
        verdict = verdicts.get(user_id)
        if verdict is None:
            verdict = verdicts[user_id] = eligible(user_id)
        if verdict:
            chosen[user_id] = candidate.subscription_id
    return chosen


# -- the rate cap ------------------------------------------------------------------------


def window_start(now: int, window: int = RATE_WINDOW_SECONDS) -> int:
    """The earliest send time that still counts against the cap at `now` (exclusive)."""
    return now - window


def may_send(sent_in_window: int, cap: int) -> bool:
    """Whether one more DM fits under a cap of `cap` per window (0 turns DMs off)."""
    return cap > 0 and sent_in_window < cap


@dataclass(frozen=True, slots=True)
class RateStatus:
    """How much of the hourly allowance a member has used, and when it frees up."""

    used: int
    cap: int
    now: int
    next_free_at: int | None  # None when a DM can go out now (or never, if cap is 0)

    @property
    def remaining(self) -> int:
        return max(0, self.cap - self.used)

    @property
    def wait_minutes(self) -> int:
        """Whole minutes (rounded up) until one more DM fits; 0 if one fits now."""
        if self.next_free_at is None:
            return 0
        return max(1, -(-(self.next_free_at - self.now) // 60))


def rate_status(
    sent_times: Iterable[int], now: int, cap: int, window: int = RATE_WINDOW_SECONDS
) -> RateStatus:
    """Usage from the send times: those inside the window count; the oldest frees first."""
    start = window_start(now, window)
    recent = sorted(t for t in sent_times if start < t <= now)
    used = len(recent)
    if cap <= 0 or used < cap:
        return RateStatus(used, max(cap, 0), now, None)
    # The (used - cap + 1)-th oldest send must leave the window before one more fits.
    blocker = recent[used - cap]
    return RateStatus(used, cap, now, blocker + window)


# -- pay tier ----------------------------------------------------------------------------


def pay_tier(
    hourly_cents: int | None,
    currency: str,
    server_currency: str,
    min_wage_cents: int,
    fair_wage_cents: int,
) -> str | None:
    """`bad` below the server's minimum wage, `fair` up to its fair threshold, else `good`.

    None when the hourly is unknown or in another currency than the thresholds.
    """
    if hourly_cents is None or currency != server_currency:
        return None
    if hourly_cents < min_wage_cents:
        return "bad"
    if hourly_cents < fair_wage_cents:
        return "fair"
    return "good"
