"""Members' private earnings log, their wage settings, sharing opt-ins and work shifts.

Every read and write here is scoped by `user_id`: no function returns one member's
entries to another. The package is split the way a reader looks for things: `records`
(what comes back), `entries` (the log), `settings`, `summaries` (the rollup sums),
`sharing` (community opt-ins and sums), `shifts`, `privacy` (export and erasure), and
`keys`, the few pure rules the storage applies itself. Callers use `db.earnings.<name>`.
"""

from db.earnings.entries import (
    add_entry,
    all_entries,
    delete_entry,
    entry_by_number,
    entry_count,
    import_entries,
    logged_minutes,
    new_uid,
    own_platforms,
    own_requesters,
    pending_entries,
    recent_entries,
    set_status,
    set_status_many,
)
from db.earnings.privacy import erase_member, export_member
from db.earnings.records import (
    Bucket,
    Entry,
    ImportOutcome,
    MemberContext,
    MemberGroup,
    NewEntry,
    RequesterSums,
    Shift,
    ShiftResult,
)
from db.earnings.settings import context, set_goal, set_wage
from db.earnings.sharing import (
    community_groups,
    forget_guild_sharing,
    forget_guild_sharing_many,
    set_sharing,
    sharing_member_ids,
    sharing_members,
)
from db.earnings.shifts import cancel_shift, finish_shift, open_shift, start_shift
from db.earnings.summaries import day_buckets, day_earned, top_requesters

__all__ = [
    "Bucket",
    "Entry",
    "ImportOutcome",
    "MemberContext",
    "MemberGroup",
    "NewEntry",
    "RequesterSums",
    "Shift",
    "ShiftResult",
    "add_entry",
    "all_entries",
    "cancel_shift",
    "community_groups",
    "context",
    "day_buckets",
    "day_earned",
    "delete_entry",
    "entry_by_number",
    "entry_count",
    "erase_member",
    "export_member",
    "finish_shift",
    "forget_guild_sharing",
    "forget_guild_sharing_many",
    "import_entries",
    "logged_minutes",
    "new_uid",
    "open_shift",
    "own_platforms",
    "own_requesters",
    "pending_entries",
    "recent_entries",
    "set_goal",
    "set_sharing",
    "set_status",
    "set_status_many",
    "set_wage",
    "sharing_member_ids",
    "sharing_members",
    "start_shift",
    "top_requesters",
]
