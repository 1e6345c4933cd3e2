"""Pure helpers for the admin feature (no discord import)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


def split_uptime(seconds: float) -> tuple[int, int, int]:
    """Seconds → (days, hours, minutes)."""
    minutes_total = int(seconds) // 60
    days, rest = divmod(minutes_total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return days, hours, minutes


# -- /help -----------------------------------------------------------------------------------

#: How long a server's configuration is kept after the bot is removed from it.
RETENTION_DAYS = 30
#: Commands listed per page of /help: a page stays readable on a phone.
HELP_PER_PAGE = 8


@dataclass(frozen=True, slots=True)
class HelpEntry:
    """One command as a reader sees it: localised path and description."""

    path: str  # "/setup show", in the reader's language
    description: str
    audience: str  # "members" or "moderators"


@dataclass(frozen=True, slots=True)
class HelpPage:
    kind: str  # "overview", "members" or "moderators"
    entries: tuple[HelpEntry, ...] = ()


def _localised(payload: Mapping[str, Any], field: str, discord_locale: str | None) -> str:
    translations = payload.get(f"{field}_localizations") or {}
    if discord_locale and translations.get(discord_locale):
        return str(translations[discord_locale])
    return str(payload.get(field) or "")


def help_entries(
    payloads: Sequence[Mapping[str, Any]],
    discord_locale: str | None,
    moderator_paths: frozenset[str] = frozenset(),
) -> list[HelpEntry]:
    """Flatten slash-command payloads (as Discord receives them) into help entries.

    A command is for moderators when Discord hides it from members by default
    (`default_member_permissions`) or when its feature marked it so
    (`extras={"audience": "moderators"}`, given here as English paths).
    """
    entries: list[HelpEntry] = []

    def walk(node: Mapping[str, Any], names: list[str], english: list[str], mod: bool) -> None:
        children = [o for o in node.get("options") or [] if o.get("type") in (1, 2)]
        path_en = [*english, str(node.get("name"))]
        path = [*names, _localised(node, "name", discord_locale)]
        is_mod = mod or " ".join(path_en) in moderator_paths
        if not children:
            entries.append(
                HelpEntry(
                    "/" + " ".join(path),
                    _localised(node, "description", discord_locale),
                    "moderators" if is_mod else "members",
                )
            )
            return
        for child in children:
            walk(child, path, path_en, is_mod)

    for payload in payloads:
        if payload.get("type", 1) != 1:  # user and message context menus have no help text
            continue
        walk(payload, [], [], payload.get("default_member_permissions") is not None)
    return sorted(entries, key=lambda e: e.path)


def help_pages(entries: Sequence[HelpEntry], per_page: int = HELP_PER_PAGE) -> list[HelpPage]:
    """The overview first, then members' commands, then moderators', `per_page` a page."""
    pages = [HelpPage("overview")]
    for audience in ("members", "moderators"):
        chosen = [e for e in entries if e.audience == audience]
        for start in range(0, len(chosen), per_page):
            pages.append(HelpPage(audience, tuple(chosen[start : start + per_page])))
    return pages


# -- operations --------------------------------------------------------------------------------


def purge_cutoff(now: datetime, days: int = RETENTION_DAYS) -> int:
    """Epoch seconds: servers left at or before this are purged."""
    return int((now - timedelta(days=days)).timestamp())


def backup_due(newest: datetime | None, now: datetime, *, hours: float = 25) -> bool:
    """Whether the daily backup was missed (the bot was down at the scheduled hour)."""
    return newest is None or now - newest >= timedelta(hours=hours)


def parse_problem(detail: str) -> tuple[str, tuple[str, ...]]:
    """`missing:send_messages,embed_links` → ("missing", (…)); `deleted` → ("deleted", ())."""
    reason, _, rest = (detail or "").partition(":")
    if reason == "missing":
        return "missing", tuple(p for p in rest.split(",") if p)
    if reason in ("deleted", "forbidden"):
        return reason, ()
    return "forbidden", ()
