"""The /task commands as Discord receives them: names, descriptions and French."""

from __future__ import annotations

import re

import pytest

from tests.cogs.platforms.helpers import DEFAULT_PLATFORMS
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends

NAME = re.compile(r"^[-_\w]{1,32}$")


async def test_task_commands_sync_with_valid_french_names(harness: Harness) -> None:
    await harness.bot.tree.sync()
    (call,) = harness.api.calls_to("PUT", "/applications/{application_id}/commands")
    (task,) = [c for c in call.json if c["name"] == "task"]
    assert task["name_localizations"]["fr"] == "tâche"
    assert task["description"] and task["description_localizations"]["fr"]
    subs = {s["name"]: s for s in task["options"]}
    assert set(subs) == {"share", "share-form", "paste", "search", "delete"}
    assert subs["share"]["name_localizations"]["fr"] == "partager"
    for sub in subs.values():
        assert sub["description"] and sub["description_localizations"]["fr"]
        for option in sub.get("options", []):
            assert NAME.match(option["name"]) and option["name"] == option["name"].lower()
            french = option["name_localizations"]["fr"]
            assert NAME.match(french) and french == french.lower(), french
            assert option["description"] and option["description_localizations"]["fr"]
            for choice in option.get("choices", []):
                assert choice["name"] and "fr" in choice.get("name_localizations", {})
    share_options = {o["name"]: o for o in subs["share"]["options"]}
    assert [o["name"] for o in subs["share"]["options"][:2]] == ["reward", "minutes"]
    assert share_options["reward"]["required"] and not share_options["link"].get("required")
    assert share_options["reward"]["name_localizations"]["fr"] == "rémunération"
    assert share_options["minutes"]["max_value"] == 1440
    assert [c["value"] for c in share_options["platform"]["choices"]] == [
        *DEFAULT_PLATFORMS,
        "other",
    ]


async def test_the_feature_registers_its_parts(harness: Harness) -> None:
    bot = harness.bot
    assert bot.get_cog("Tasks") is not None
    assert "tasks" in {s.name for s in bot.privacy.sections}
    assert bot.scheduler.get_job("tasks.expire") is not None
    await bot.unload_extension("cogs.tasks")
    assert "tasks" not in {s.name for s in bot.privacy.sections}
    assert bot.scheduler.get_job("tasks.expire") is None
    await bot.load_extension("cogs.tasks")
    assert bot.scheduler.get_job("tasks.expire") is not None
