"""Driving an interaction whose work is held open, to see the deferred path of
`bot.answering` without sleeping: run it, wait until its deferral was recorded, then let
the work finish.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from tests.harness.driver import Harness
from tests.harness.sent import Sent

CALLBACK = "/interactions/{webhook_id}/{webhook_token}/callback"
FOLLOWUP = "/webhooks/{webhook_id}/{webhook_token}"


async def deferred_then_open(
    h: Harness, run: Awaitable[list[Sent]], gate: asyncio.Event
) -> list[Sent]:
    """Run an interaction whose work waits on `gate`; open the gate once it was deferred.

    Fails if the interaction was never deferred, or answered before the gate opened.
    """
    before = len(h.api.sent)
    task = asyncio.ensure_future(run)
    for _ in range(10_000):
        await asyncio.sleep(0)
        if any(s.kind == "deferred" for s in h.api.sent[before:]):
            break
    else:
        gate.set()
        await task
        raise AssertionError("never deferred")
    assert not task.done(), "answered before the work was let through"
    assert not [s for s in h.api.sent[before:] if s.kind in {"followup", "response"}]
    gate.set()
    return await task


def callback_types(h: Harness) -> list[int]:
    """The `type` of every interaction callback the bot made, in order."""
    return [(c.json or {}).get("type", 0) for c in h.api.calls_to("POST", CALLBACK)]


def followups(h: Harness) -> list[Any]:
    return h.api.calls_to("POST", FOLLOWUP)
