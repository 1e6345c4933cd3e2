"""The quick log from a task alert: "I did it" → "Log it in my earnings" → a prefilled form."""

from __future__ import annotations

from typing import Any

from db import tasks as tasks_db
from tests.cogs.earnings.helpers import stored
from tests.harness.driver import Harness

MTURK = "https://worker.mturk.com/projects/3Z8UJEJOCZEG603II9CQDYWSGSQY7F/tasks"


async def did_it(h: Harness, user: Any, minutes: str = "10") -> Any:
    await h.slash(
        "task share",
        user=h.alice,
        link=MTURK,
        reward=1.5,
        minutes=6,
        title="Rate images",
        requester="Acme Research",
    )
    alert = h.in_channel(h.world.alerts)[-1]
    form = (await h.click(alert, "I did it", user=user))[-1]
    answer = (await h.submit_modal(form, {"minutes": minutes}, user=user))[-1]
    return answer


def inputs(modal: Any) -> dict[str, Any]:
    found = {}
    for item in modal.payload["components"]:
        inner = item.get("component") or {}
        if inner.get("custom_id"):
            found[inner["custom_id"]] = inner
    return found


async def test_quick_log_from_an_alert(configured: Harness) -> None:
    h = configured
    answer = await did_it(h, h.bob, minutes="12")
    modal = (await h.click(answer, "Log it in my earnings", user=h.bob))[-1]
    assert modal.kind == "modal" and modal.payload["title"] == "Log this task"
    fields = inputs(modal)
    assert fields["amount"]["value"] == "1.50 USD"
    assert fields["minutes"]["value"] == "12"
    assert fields["title"]["value"] == "Rate images"
    assert "MTurk" in modal.payload["components"][0]["content"]
    assert "Acme Research" in modal.payload["components"][0]["content"]
    replies = await h.submit_modal(
        modal,
        {"amount": "1.50", "minutes": "12", "title": "Rate images", "status": "approved"},
        user=h.bob,
    )
    card = replies[-1]
    assert card.ephemeral and card.embed["title"] == "Entry #1 logged"
    assert card.field("Hourly") == "$7.50/h" and card.field("Requester") == "Acme Research"
    (entry,) = await stored(h, h.bob)
    alert = (await h.db.fetch_all("SELECT id FROM task_alerts"))[0][0]
    assert (entry.source, entry.alert_id, entry.platform, entry.status) == (
        "alert",
        alert,
        "MTurk",
        "approved",
    )
    assert entry.requester_id is not None and entry.minutes == 12
    assert await stored(h, h.alice) == []


async def test_the_form_validates_like_the_command(configured: Harness) -> None:
    h = configured
    answer = await did_it(h, h.bob)
    modal = (await h.click(answer, "Log it in my earnings", user=h.bob))[-1]
    for values, words in [
        ({"amount": "-1"}, "negative"),
        ({"minutes": "0"}, "at least one minute"),
        ({"minutes": "2000"}, "at most 1440"),
        ({"minutes": "ten"}, "number of minutes"),
        ({"minutes": "²"}, "number of minutes"),  # "²".isdigit(), yet int("²") fails
        ({"amount": "1.50 ZZZ"}, "not a currency"),
    ]:
        full = {"amount": "1.50", "minutes": "10", "title": "T", **values}
        replies = await h.submit_modal(modal, full, user=h.bob)
        assert replies[-1].ephemeral and words in replies[-1].content, replies[-1].content
    assert await stored(h, h.bob) == []


async def test_a_button_for_an_unknown_or_foreign_alert(configured: Harness) -> None:
    h = configured
    message = h.api._store_message(
        h.world.general,
        {
            "content": "x",
            "components": [
                {
                    "type": 1,
                    "components": [
                        {
                            "type": 2,
                            "style": 1,
                            "label": "Log",
                            "custom_id": "earnings:from-alert:999999:5",
                        }
                    ],
                }
            ],
        },
        [],
    )
    replies = await h.click(message, "Log", user=h.bob)
    assert replies[-1].ephemeral and "no longer available" in replies[-1].content
    # an alert of another server is not readable from here
    other = await tasks_db.share(
        h.db,
        tasks_db.NewAlert(
            guild_id=h.world.guild_id + 1,
            platform="MTurk",
            task_key="other:1",
            title="Secret",
            reward_cents=100,
            currency="USD",
            minutes=5,
            hourly_cents=1200,
            sharer_id=h.alice.id,
        ),
        now=int(h.clock.now().timestamp()),
        expires_at=int(h.clock.now().timestamp()) + 3600,
    )
    message["components"][0]["components"][0]["custom_id"] = (
        f"earnings:from-alert:{other.alert.id}:5"
    )
    replies = await h.click(message, "Log", user=h.bob)
    assert "no longer available" in replies[-1].content
