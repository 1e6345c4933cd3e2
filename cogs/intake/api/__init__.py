"""The personal API: members' own tools post alerts and look requesters up.

An aiohttp server in the bot's process (off unless `API_PORT` is set). Every request
carries a member's personal token (`Authorization: Bearer ent_…`), which is scoped to one
member and one server; what it does goes through the same rules as that member's
`/task share`. Refusals are JSON `{"error": {"code", "message"}}` where `message` is the
text a member would read in Discord. Tokens never reach the logs.

`server` runs it, `bodies` turns requests into share drafts and records into JSON,
`plumbing` holds the tokens, refusals and rate limiter, and `openapi` describes it.
"""

from __future__ import annotations

from cogs.intake.api.plumbing import hash_token, new_token
from cogs.intake.api.server import ApiServer

__all__ = ["ApiServer", "hash_token", "new_token"]
