"""CPU-heavy work (chart rendering) in a separate process, so the event loop never waits.

A worker thread is not enough for matplotlib: its Agg renderer holds the GIL through long
stretches of C code, which stalled the loop for up to half a second per chart. One
worker process, shared by everything in this process, takes that work instead.

* The pool is created lazily, on the first `run_cpu`, from a worker thread: starting the
  process costs about a second, which must not be spent on the loop either.
* It uses the "forkserver" start method (else "spawn"): never a bare `fork` of a process
  that runs threads (aiosqlite, the scheduler). The fork server preloads matplotlib, so a
  worker started again after `shutdown()` (each test's bot closes) is ready at once.
* What is sent must be a module-level function taking and returning picklable data (a
  chart's plain numbers in, PNG bytes out).
* If no process can be started (a sandbox without semaphores, a missing executable),
  or the worker dies, the work falls back to `asyncio.to_thread`: slower for the loop,
  but the member still gets the answer.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Imported once by the fork server, so each worker it forks starts with them loaded.
PRELOAD = ("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg")

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_unavailable = False


def _noop() -> int:
    return 0


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(PRELOAD))
        return context
    return multiprocessing.get_context("spawn")


def _start() -> ProcessPoolExecutor | None:
    """The shared pool, started and proven alive; None when processes cannot be used.

    Blocking (it waits for the worker to answer once): call it from a worker thread.
    """
    global _pool, _unavailable
    with _lock:
        if _pool is not None or _unavailable:
            return _pool
        pool = None
        try:
            pool = ProcessPoolExecutor(max_workers=1, mp_context=_context())
            pool.submit(_noop).result(timeout=60)
        except Exception:  # any failure to start means: use a thread instead
            log.warning("cannot start a worker process; CPU work stays in threads", exc_info=True)
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            _unavailable = True
            return None
        _pool = pool
        return pool


def _discard(pool: ProcessPoolExecutor) -> None:
    """Forget a broken pool; the next call starts a fresh one."""
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


async def run_cpu(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` in the worker process, awaited without blocking the event loop.

    `fn` must be a module-level function and `args` and its result picklable. An
    exception raised by `fn` is raised here.
    """
    pool = _pool
    if pool is None and not _unavailable:
        pool = await asyncio.to_thread(_start)
    if pool is None:
        return await asyncio.to_thread(fn, *args)
    try:
        future = pool.submit(fn, *args)
    except (RuntimeError, BrokenProcessPool):
        # shut down (the bot is closing) or broken since we looked: use a thread
        return await asyncio.to_thread(fn, *args)
    try:
        return await asyncio.wrap_future(future)
    except BrokenProcessPool:
        # the worker died (killed, out of memory): this call still gets its answer
        log.warning("worker process lost; running %s in a thread", fn.__qualname__)
        _discard(pool)
        return await asyncio.to_thread(fn, *args)


def shutdown() -> None:
    """Stop the worker process (the bot's `close`); a later `run_cpu` starts another."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)
