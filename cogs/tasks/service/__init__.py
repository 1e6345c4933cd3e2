"""The life of an alert: posted once, bumped by duplicates, redrawn on every change, ended.

One `AlertService` per bot, shared by commands, buttons and jobs, put together from the
parts a reader looks for:

- `core`: the state every part shares (per-alert locks, requester and reputation
  caches), resolving a share's requester, drawing an alert;
- `posting`: a share stored once and posted once, duplicates merged into the live alert;
- `identity`: a name held for a flagged requester, "another requester" and its undo;
- `clicks`: freshness votes, "I did it", content warnings;
- `redraw`: coalesced edits of the alert's message;
- `ending`: the expiry sweep, crash leftovers, a moderator's removal;
- `forum`: forum tags and closing a forum post.
"""

from __future__ import annotations

from cogs.tasks.service.clicks import ClicksMixin
from cogs.tasks.service.identity import NameHeldError
from cogs.tasks.service.posting import PostingMixin, ShareOutcome

__all__ = ["AlertService", "NameHeldError", "ShareOutcome"]


class AlertService(PostingMixin, ClicksMixin):
    """Posting, redrawing and ending alerts; shared by commands, buttons and jobs."""
