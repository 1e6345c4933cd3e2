"""The worker process that takes CPU-heavy work (charts) off the event loop."""

from __future__ import annotations

import os
import threading

import pytest

from bot import offload


def pid_and_sum(values: list[int]) -> tuple[int, int]:
    """Module level, picklable: what `run_cpu` may send."""
    return os.getpid(), sum(values)


def where(_: int) -> tuple[int, int]:
    return os.getpid(), threading.get_ident()


def fail(message: str) -> None:
    raise ValueError(message)


async def test_work_runs_in_another_process_and_its_result_comes_back() -> None:
    pid, total = await offload.run_cpu(pid_and_sum, [1, 2, 3])
    assert total == 6 and pid != os.getpid()
    again, _ = await offload.run_cpu(pid_and_sum, [])
    assert again == pid  # one shared worker, started once


async def test_errors_raised_by_the_work_reach_the_caller() -> None:
    with pytest.raises(ValueError, match="bad input"):
        await offload.run_cpu(fail, "bad input")


async def test_after_shutdown_a_new_worker_is_started() -> None:
    first, _ = await offload.run_cpu(pid_and_sum, [1])
    offload.shutdown()
    second, total = await offload.run_cpu(pid_and_sum, [2])
    assert total == 2 and second not in (first, os.getpid())


async def test_falls_back_to_a_thread_when_no_process_can_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    offload.shutdown()

    def no_processes() -> None:
        raise OSError("no semaphores here")

    monkeypatch.setattr(offload, "_context", no_processes)
    monkeypatch.setattr(offload, "_unavailable", False)
    pid, thread = await offload.run_cpu(where, 0)
    assert pid == os.getpid() and thread != threading.get_ident()  # still off the loop
    assert offload._unavailable  # not tried again on every call
