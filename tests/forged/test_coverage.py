"""Every persistent component has a forged-id test, and one custom_id reaches one component."""

from __future__ import annotations

import importlib
from pathlib import Path

from hypothesis import given, settings

from tests.forged.helpers import (
    FORGED,
    _custom_id,
    _templates,
)
from tests.harness.driver import Harness


def test_every_persistent_component_is_covered(settings_path: Path) -> None:
    """A new `DynamicItem` must get a forged-id test in this package."""
    found = set(_templates())
    assert found == set(FORGED)
    defined = {
        name
        for module in Path(__file__).parent.glob("test_*.py")
        for name in vars(importlib.import_module(f"tests.forged.{module.stem}"))
    }
    for test in set(FORGED.values()):
        assert test in defined, test


async def test_registered_dynamic_items_are_the_covered_ones(configured: Harness) -> None:
    registered = {
        cls.__name__ for cls in configured.bot._connection._view_store._dynamic_items.values()
    }
    assert registered == set(FORGED)


@settings(deadline=None)
@given(custom_id=_custom_id())
def test_a_custom_id_reaches_at_most_one_component(custom_id: str) -> None:
    """discord.py runs every DynamicItem whose template matches: two would answer twice."""
    matching = [name for name, rx in _templates().items() if rx.fullmatch(custom_id)]
    assert len(matching) <= 1, (custom_id, matching)
    if any(len(run) > 20 for run in custom_id.replace(":", " ").split()):
        assert matching == ["OversizedIdButton"], (custom_id, matching)
