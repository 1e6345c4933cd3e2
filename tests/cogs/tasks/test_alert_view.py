"""The alert's buttons drawn from templates (`views.alert_view`, `bot.components.DrawnView`).

They must be exactly what discord.py would write for the `AlertButton` items, every
custom_id must be one the registered `DynamicItem` recognises, and Discord's limits hold.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import discord
import pytest

from bot.i18n import SUPPORTED
from cogs.tasks.views import AlertButton, alert_view


@dataclasses.dataclass
class _Alert:
    id: int
    is_live: bool = True
    warning_pending: str | None = None


def _as_discord_writes(alert: _Alert, locale: str) -> list[dict[str, Any]]:
    """The same buttons built as discord.py items, the way they were before templates."""
    from cogs.tasks.views import _button_labels

    view = discord.ui.View(timeout=None)
    actions = ["live", "gone", "did", "warn"]
    if alert.warning_pending and alert.is_live:
        actions.append("confirm")
    labels = _button_labels(locale)
    for action in actions:
        view.add_item(
            AlertButton(action, alert.id, label=labels[action], disabled=not alert.is_live)
        )
    return view.to_components()


@pytest.mark.parametrize("locale", sorted(SUPPORTED))
@pytest.mark.parametrize(
    "alert",
    [
        _Alert(1),
        _Alert(2**53, is_live=False),
        _Alert(77, warning_pending="violence"),
        _Alert(78, is_live=False, warning_pending="violence"),
    ],
    ids=["live", "ended", "warning-pending", "ended-with-warning"],
)
async def test_drawn_buttons_are_what_discord_py_writes(alert: _Alert, locale: str) -> None:
    view = alert_view(alert, locale)  # type: ignore[arg-type]
    assert view.to_components() == _as_discord_writes(alert, locale)
    assert not view.is_dispatchable()  # nothing stored per message: DynamicItems answer


async def test_each_custom_id_is_recognised_and_within_discords_limits() -> None:
    view = alert_view(_Alert(9_007_199_254_740_993, warning_pending="gore"), "en")  # type: ignore[arg-type]
    (row,) = view.to_components()
    assert len(row["components"]) <= 5
    template = AlertButton.__discord_ui_compiled_template__
    for button in row["components"]:
        assert len(button["custom_id"]) <= 100
        assert len(button.get("label") or "") <= 80
        match = template.fullmatch(button["custom_id"])
        assert match is not None and int(match["id"]) == 9_007_199_254_740_993


async def test_two_alerts_never_share_a_payload() -> None:
    first = alert_view(_Alert(1), "en").to_components()  # type: ignore[arg-type]
    second = alert_view(_Alert(2), "en").to_components()  # type: ignore[arg-type]
    first[0]["components"][0]["label"] = "changed"
    assert second[0]["components"][0]["label"] != "changed"
    assert first[0]["components"][1]["custom_id"] == "tasks:gone:1"
    assert second[0]["components"][1]["custom_id"] == "tasks:gone:2"
