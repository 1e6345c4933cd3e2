"""`/task paste` and the "Share as task alert" menu, end to end through the harness."""

from __future__ import annotations

import json

import pytest

from db import tasks as tasks_db
from tests.cogs.intake.samples import FORMATS, FREE, GROUP, HIT, PROJECT, PROLIFIC_JSON, REQ
from tests.cogs.tasks.conftest import last_alert, stored
from tests.harness.driver import Harness
from tests.harness.sent import Sent


async def paste(h: Harness, text: str, **kw: object) -> Sent:
    modal = await h.slash("task paste", **kw)  # type: ignore[arg-type]
    assert modal.kind == "modal"
    replies = await h.submit_modal(modal, {"export": text}, **kw)  # type: ignore[arg-type]
    return replies[-1]


@pytest.mark.parametrize("name", sorted(FORMATS))
async def test_each_mturk_format_previews_asks_minutes_and_posts(
    configured: Harness, name: str
) -> None:
    h = configured
    preview = await paste(h, FORMATS[name])
    assert preview.ephemeral
    assert "Rate images of food" in preview.field("Title")
    assert REQ in preview.field("Requester")
    assert "$1.50" in preview.field("Reward")
    assert "Not given" in preview.field("Time taken")
    assert "1 h" in preview.field("Time allowed") and "not how long" in preview.field(
        "Time allowed"
    )
    assert "United States" in preview.field("Who can take it")
    assert not h.in_channel(h.world.alerts), "nothing is posted before the member confirms"
    assert await stored(h) == []
    # Post without minutes: the minutes are asked, not guessed from the allowed time.
    modal = (await h.click(preview, "Post"))[-1]
    assert modal.kind == "modal"
    replies = await h.submit_modal(modal, {"minutes": "6"}, message=preview.message)
    assert "Alert posted" in replies[-1].content
    [alert] = await stored(h)
    assert alert.platform == "mturk"
    assert alert.platform_requester_id == REQ
    assert alert.reward_cents == 150 and alert.currency == "USD"
    assert alert.minutes == 6
    assert alert.platform_task_id == GROUP
    assert "US" in alert.countries and "CA" in alert.countries
    assert "masters" in alert.qualifications
    if name != "short":
        assert "approval ≥98%" in alert.qualifications
        assert alert.available == 250
    assert last_alert(h).embed
    h.api.assert_never_pinged()


async def test_prolific_study_has_its_estimate(configured: Harness) -> None:
    h = configured
    preview = await paste(h, PROLIFIC_JSON)
    assert "10 min" in preview.field("Time taken")
    replies = await h.click(preview, "Post")
    assert "Alert posted" in replies[-1].content
    [alert] = await stored(h)
    assert alert.platform == "prolific" and alert.currency == "GBP"
    assert alert.reward_cents == 150 and alert.minutes == 10 and alert.available == 180


async def test_free_text_with_link_amount_and_time(configured: Harness) -> None:
    h = configured
    preview = await paste(h, FREE)
    assert "6 min" in preview.field("Time taken")
    await h.click(preview, "Post")
    [alert] = await stored(h)
    assert alert.minutes == 6 and alert.reward_cents == 150


async def test_the_same_export_twice_merges(configured: Harness) -> None:
    h = configured
    for user in (h.alice, h.bob):
        preview = await paste(h, PROLIFIC_JSON, user=user)
        replies = await h.click(preview, "Post", user=user)
    assert "already live" in replies[-1].content
    assert len(await stored(h)) == 1


async def test_unparseable_says_which_field(configured: Harness) -> None:
    h = configured
    sent = await paste(h, "Title: Something\nRequester: Acme [A1B2C3D4E5F6G7]\nDuration: 1 hour")
    assert sent.ephemeral and "Reward" in sent.content and "not found" in sent.content
    assert await stored(h) == []


async def test_absurd_reward_refused_before_preview(configured: Harness) -> None:
    h = configured
    sent = await paste(h, FORMATS["plain"].replace("$1.50", "$99999.00"))
    assert sent.ephemeral and "10000" in sent.content.replace(",", "").replace("\u202f", "")
    assert await stored(h) == []


async def test_only_the_member_can_use_their_preview(configured: Harness) -> None:
    h = configured
    preview = await paste(h, PROLIFIC_JSON)
    replies = await h.click(preview, "Post", user=h.bob)
    assert "someone else" in replies[-1].content
    assert await stored(h) == []


async def test_cancel_posts_nothing(configured: Harness) -> None:
    h = configured
    preview = await paste(h, PROLIFIC_JSON)
    await h.click(preview, "Cancel")
    assert await stored(h) == []


async def test_message_menu_shares_a_posted_export(configured: Harness) -> None:
    h = configured
    message = h.user_message(FORMATS["markdown"], user=h.bob)
    preview = (await h.message_menu("Share as task alert", message, user=h.carol))[-1]
    assert preview.ephemeral and REQ in preview.field("Requester")
    modal = (await h.click(preview, "Post", user=h.carol))[-1]
    await h.submit_modal(modal, {"minutes": "5"}, user=h.carol, message=preview.message)
    [alert] = await stored(h)
    assert alert.sharer_id == h.carol.id and alert.minutes == 5
    assert await tasks_db.get_alert(h.db, alert.id) is not None


async def test_message_menu_in_french(configured: Harness) -> None:
    h = configured
    command = h.bot.tree.get_command(
        "Share as task alert", type=__import__("discord").AppCommandType.message
    )
    assert command is not None
    message = h.user_message("nothing to read here", user=h.bob)
    sent = (await h.message_menu("Share as task alert", message, locale="fr"))[-1]
    assert sent.ephemeral and "introuvable" in sent.content


async def test_api_off_by_default(configured: Harness) -> None:
    h = configured
    assert h.bot.get_cog("Intake").server is None  # type: ignore[union-attr]
    sent = await h.slash("api token create")
    assert sent.ephemeral and "API_PORT" in sent.content
    assert await h.db.fetch_all("SELECT * FROM api_tokens") == []


async def test_change_minutes_then_post(configured: Harness) -> None:
    h = configured
    preview = await paste(h, PROLIFIC_JSON)
    modal = (await h.click(preview, "Change minutes"))[-1]
    assert modal.kind == "modal"
    await h.submit_modal(modal, {"minutes": "1h05"}, message=preview.message)
    assert "1 h 5 min" in h.current(preview).field("Time taken")
    assert await stored(h) == []
    await h.click(preview, "Post")
    [alert] = await stored(h)
    assert alert.minutes == 65


async def test_bad_minutes_are_explained_and_nothing_posted(configured: Harness) -> None:
    h = configured
    preview = await paste(h, FORMATS["plain"])
    modal = (await h.click(preview, "Post"))[-1]
    replies = await h.submit_modal(modal, {"minutes": "soon"}, message=preview.message)
    assert replies[-1].ephemeral and "soon" in replies[-1].content
    assert await stored(h) == []


async def test_paste_in_french(configured: Harness) -> None:
    h = configured
    preview = await paste(h, FORMATS["bbcode"], locale="fr")
    assert "Rémunération" in [f["name"] for f in preview.embed["fields"]]
    assert "Non indiquée" in preview.field("Durée réelle")
    assert "pas la durée" in preview.field("Temps accordé")


async def test_an_export_with_half_a_character_is_explained(configured: Harness) -> None:
    """A pasted MTurk JSON holding a lone `\\ud800` escape is refused saying why, as the
    personal API refuses it (one reader for both). (Found by a hostile probe.)
    """
    h = configured
    broken = PROLIFIC_JSON.replace('"Memory and attention"', '"Memory \\ud800 attention"')
    assert broken != PROLIFIC_JSON
    sent = await paste(h, broken)
    assert sent.ephemeral and "broken character" in sent.content, sent.content
    assert await stored(h) == []


async def test_a_title_cannot_point_the_preview_link_elsewhere(configured: Harness) -> None:
    """Found by a hostile probe: Bob posts an export whose title ends a markdown link early;
    Carol's preview of it ("Share as task alert") linked "x" to Bob's site."""
    h = configured
    title = "x](https://evil.example) [y"
    message = h.user_message(json.dumps({**HIT, "title": title}), user=h.bob)
    preview = (await h.message_menu("Share as task alert", message, user=h.carol))[-1]
    shown = preview.field("Title")
    assert "[x](https://evil.example)" not in shown
    assert shown == rf"[x\](https://evil.example) \[y]({PROJECT})"
    h.api.assert_never_pinged()


async def test_personal_data_in_a_qualification_is_refused_as_in_typed_limits(
    configured: Harness,
) -> None:
    """Found by a hostile probe: a HIT's qualification names became the alert's limits
    without the personal-data check every typed field has, so a phone number pasted in
    one was posted to the whole server."""
    h = configured
    requirement = {
        "qualification_type_id": "3ABCDEFGHIJKLMNOPQRSTUVWXYZ099",
        "comparator": "Exists",
        "qualification_type": {"name": "Text Jo on +1 415 555 0134 first"},
    }
    text = json.dumps({**HIT, "project_requirements": [requirement]})
    sent = await paste(h, text)
    assert sent.ephemeral and "phone number" in sent.content
    assert await stored(h) == []
    typed = await h.slash(
        "task share", reward=1.0, minutes=5, title="x", limits="Text Jo on +1 415 555 0134 first"
    )
    assert typed.ephemeral and "phone number" in typed.content
    assert await stored(h) == []


@pytest.mark.parametrize("written", ["$1,500.00", "$1,500", "$10 000", "1.234,56 €"])
async def test_an_amount_with_thousands_separators_is_refused_not_misread(
    configured: Harness, written: str
) -> None:
    """Found by a hostile probe: "Reward: $1,500.00" was read as $1.50 (and "1.234,56 €"
    as 234.56 €, "$10 000" as $10), so the alert showed every member another pay."""
    h = configured
    sent = await paste(h, FORMATS["plain"].replace("$1.50", written))
    assert sent.ephemeral and "Reward" in sent.content and "do not understand" in sent.content
    assert await stored(h) == []
    # Written plainly, the same export is read.
    preview = await paste(h, FORMATS["plain"].replace("$1.50", "$12.50"))
    assert "$12.50" in preview.field("Reward")
