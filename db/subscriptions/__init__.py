"""The alerts feature's repository, one module per thing a reader looks for.

- `records`: a member's subscriptions (add, list, remove) and requester suggestions;
- `fanout`: which subscriptions a posted alert matches (`matches`, `candidates`);
- `dm_log`: the reservations behind the hourly cap (`admit`, `release`);
- `threads`: fallback threads for members whose DMs are closed;
- `members`: what is kept about a member across them (forgetting, privacy).

Callers use `from db import subscriptions` and `subscriptions.<name>`: the names are
re-exported here.
"""

from db.subscriptions.dm_log import admit, prune_log, release, release_many, sent_times
from db.subscriptions.fanout import AlertQuery, Match, candidates, matches
from db.subscriptions.members import (
    erase_member,
    export_member,
    forget_member,
    forget_members,
    member_ids,
)
from db.subscriptions.records import (
    NewSubscription,
    Subscription,
    add,
    by_ids,
    for_member,
    get,
    remove,
    remove_all,
    requester_suggestions,
)
from db.subscriptions.threads import AlertThread, drop_thread, get_thread, set_thread

__all__ = [
    "AlertQuery",
    "AlertThread",
    "Match",
    "NewSubscription",
    "Subscription",
    "add",
    "admit",
    "by_ids",
    "candidates",
    "drop_thread",
    "erase_member",
    "export_member",
    "for_member",
    "forget_member",
    "forget_members",
    "get",
    "get_thread",
    "matches",
    "member_ids",
    "prune_log",
    "release",
    "release_many",
    "remove",
    "remove_all",
    "requester_suggestions",
    "sent_times",
    "set_thread",
]
