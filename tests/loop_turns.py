"""Counting the event loop's turns: whether a long piece of work let others run."""

from __future__ import annotations

import asyncio
from types import TracebackType


class LoopTurns:
    """While entered, `count` goes up once per turn of the event loop.

    Work that gives the loop a turn every so often is seen at several counts; work that
    runs in one step is seen at a single one (the harness's tests for "in turns").
    """

    def __init__(self) -> None:
        self.count = 0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> LoopTurns:
        self._task = asyncio.create_task(self._tick())
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _tick(self) -> None:
        while True:
            self.count += 1
            await asyncio.sleep(0)
