"""Fixtures of the forged-component tests: a catcher of logged errors."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.forged.helpers import Errors


@pytest.fixture
def errors() -> Iterator[Errors]:
    handler = Errors()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path
