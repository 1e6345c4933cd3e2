"""Pure helpers for the moderators' log and queue (no discord import)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Entries per page of /mod log: ten fit comfortably in one embed with their reasons.
PAGE_SIZE = 10
#: Open reports listed by /mod queue before "and N more".
QUEUE_SHOWN = 20
REASON_SHOWN = 200

#: Actions this package has a sentence for; others (from features added later) are
#: shown by their key, so nothing in the log is ever hidden.
KNOWN_ACTIONS: frozenset[str] = frozenset(
    {
        "report_confirm",
        "report_dismiss",
        "report_reopen",
        "report_ask",
        "report_answer",
        "requester_status",
        "requester_status_auto",
        "requester_merge",
        "requester_other_confirmed",
        "requester_other_undone",
        "requester_name_forgotten",
        "review_flag",
        "notify_role_add",
        "notify_role_remove",
    }
)


def jump_url(guild_id: int, channel_id: int, message_id: int) -> str:
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}"


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the log pager is: the ids that start each page seen so far (newest first)."""

    starts: tuple[int | None, ...] = (None,)

    @property
    def page(self) -> int:
        return len(self.starts)

    @property
    def before(self) -> int | None:
        return self.starts[-1]

    def older(self, last_id: int) -> Cursor:
        return Cursor((*self.starts, last_id))

    def newer(self) -> Cursor:
        return Cursor(self.starts[:-1]) if len(self.starts) > 1 else self


@dataclass(frozen=True, slots=True)
class LogPage:
    """A rendered page (`embed` is a discord.Embed; typed loosely to keep discord out)."""

    embed: Any
    has_older: bool
    last_id: int | None
