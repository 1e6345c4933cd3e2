"""Steps the intake tests share, taken through the real commands."""

from __future__ import annotations

from tests.harness.driver import Harness
from tests.harness.sent import Sent


async def mark_scam(h: Harness, requester_id: str, name: str = "Evil Corp") -> Sent:
    """A moderator marks an MTurk requester as a scam (`/requester status`)."""
    return await h.slash(
        "requester status",
        user=h.mod,
        requester=name,
        status="scam",
        reason="fake tasks",
        platform="mturk",
        requester_id=requester_id,
    )
