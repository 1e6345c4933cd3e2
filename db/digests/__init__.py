"""The digest feature's repository, one module per thing a reader looks for.

- `servers`: a server's digest settings (whether, when, where);
- `members`: a member's personal digest choices, their "DMs closed" note, privacy;
- `ledger`: the runs that make each period's digest go out once;
- `content`: what a server's digest says (best tasks, medians, reports, sharers);
- `watch`: requesters newly marked caution or scam;
- `missed`: a personal digest's content (subscriptions, tasks the member missed).

Callers use `from db import digests` and `digests.<name>`: the names are re-exported here.
"""

from db.digests.content import (
    AlertRow,
    CurrencyCount,
    best_alerts,
    report_counts,
    shared_medians,
    top_sharers,
)
from db.digests.ledger import (
    GUILD,
    MEMBER,
    DigestRun,
    RunKey,
    claim,
    finish,
    last_sent,
    prune_runs,
    record_skipped,
    runs_for,
)
from db.digests.members import (
    MemberDigest,
    active_members,
    dms_closed,
    erase_member,
    export_member,
    get_member,
    pending_notes,
    save_member,
    take_note,
)
from db.digests.missed import (
    MISSED_CANDIDATES,
    member_subscriptions,
    unseen_alerts,
)
from db.digests.servers import (
    DigestSettings,
    active_settings,
    ensure_defaults,
    get_settings,
    save_settings,
    set_hidden_sections,
)
from db.digests.watch import StatusChange, status_change_counts, status_changes

__all__ = [
    "GUILD",
    "MEMBER",
    "MISSED_CANDIDATES",
    "AlertRow",
    "CurrencyCount",
    "DigestRun",
    "DigestSettings",
    "MemberDigest",
    "RunKey",
    "StatusChange",
    "active_members",
    "active_settings",
    "best_alerts",
    "claim",
    "dms_closed",
    "ensure_defaults",
    "erase_member",
    "export_member",
    "finish",
    "get_member",
    "get_settings",
    "last_sent",
    "member_subscriptions",
    "pending_notes",
    "prune_runs",
    "record_skipped",
    "report_counts",
    "runs_for",
    "save_member",
    "save_settings",
    "set_hidden_sections",
    "shared_medians",
    "status_change_counts",
    "status_changes",
    "take_note",
    "top_sharers",
    "unseen_alerts",
]
