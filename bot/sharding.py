"""Launching the shards of a sharded bot (SHARD_COUNT set) with one clear failure.

discord.py 2.7.1's `AutoShardedClient.launch_shard` retries a shard whose connection
fails every five seconds, forever, logging a traceback each time. At start-up that hides
a wrong `DISCORD_API_BASE` or an unreachable gateway behind an endless stream of
tracebacks; the unsharded bot stops instead with one line naming the URL. Here the first
launch of the process's shards is watched: a failed connection before every shard is up
stops the launch and hands back the error, so the bot can stop the same way. Once the
shards are up, discord.py's own reconnects take over untouched.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

#: The logger and message discord.py uses for a shard that failed to connect.
SHARD_LOGGER = "discord.shard"
FAILED_TO_CONNECT = "Failed to connect for shard_id"


class _LaunchWatch(logging.Filter):
    """Catches discord.py's "Failed to connect" record (and its traceback) during a launch."""

    def __init__(self) -> None:
        super().__init__()
        self.failed = asyncio.Event()
        self.error: BaseException | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith(FAILED_TO_CONNECT):
            if self.error is None and record.exc_info:
                self.error = record.exc_info[1]
            self.failed.set()
            return False
        return True


async def first_launch(launch: Coroutine[Any, Any, None]) -> BaseException | None:
    """Run `launch` (the shards' first connections); the error if one of them failed.

    On a failure the launch is cancelled (discord.py would otherwise sleep and retry);
    the caller stops the bot with the error. None when every shard connected.
    """
    watch = _LaunchWatch()
    shard_log = logging.getLogger(SHARD_LOGGER)
    shard_log.addFilter(watch)
    launching = asyncio.ensure_future(launch)
    failed = asyncio.ensure_future(watch.failed.wait())
    try:
        await asyncio.wait({launching, failed}, return_when=asyncio.FIRST_COMPLETED)
    except BaseException:  # the bot is closing while shards connect
        launching.cancel()
        raise
    finally:
        shard_log.removeFilter(watch)
        failed.cancel()
    if launching.done() and not watch.failed.is_set():
        launching.result()  # an error discord.py did not retry goes up as it is
        return None
    launching.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await launching
    return watch.error or ConnectionError("the shard could not connect")
