"""The wire tests' marker: `two_processes` names the tests that run two bot processes on
one PostgreSQL (`-m two_processes` to run only them, `-m "not two_processes"` to skip)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "two_processes: two `python -m bot run` processes on one PostgreSQL (issue 16)",
    )
