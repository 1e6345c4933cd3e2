"""A flagged requester is recognised in an export however its id is written.

Found by a hostile probe: an MTurk Suite export naming a scam requester by its id in full
width (`[Ａ９Ｚ８…]`), with a Cyrillic "А", a bidi isolate or dashes inside it, was read
as a clean requester called "Nice Lab [Ａ９Ｚ８…]" and posted with no warning, where
`/task share` folds the id and refuses it. A name word such as "Analytics" was read as
the id "ANALYTICS", which split a flagged name ("Acme Analytics") away from its record.
"""

from __future__ import annotations

import json

import pytest

from bot.settings import Settings
from cogs.intake.parsers import ExportError, parse_export
from tests.cogs.intake.helpers import mark_scam
from tests.cogs.intake.samples import HIT, PLAIN, REQ, SHORT
from tests.cogs.intake.test_exports_channel import replies_to
from tests.cogs.intake.test_paste import paste
from tests.cogs.tasks.conftest import stored
from tests.harness.driver import Harness

SCAM = "A9Z8Y7X6W5V4U3"
OTHER_TASK = "https://worker.mturk.com/projects/3Z8UJEJOCZEG603II9CQDYWSGSQY70/tasks"
VARIANTS = {
    "full width": "Ａ９Ｚ８Ｙ７Ｘ６Ｗ５Ｖ４Ｕ３",
    "cyrillic A": "\u04109Z8Y7X6W5V4U3",
    "bidi isolate": "A9Z8Y7\u2066X6W5V4U3",
    "dashed": "A9Z8-Y7X6-W5V4U3",
    "lower case": SCAM.lower(),
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"message_content_intent": True})


async def flag_scam(h: Harness, name: str = "Evil Corp") -> None:
    """Dave shares a task of the requester; a moderator then flags it as a scam."""
    sent = await h.slash(
        "task share",
        user=h.dave,
        reward=1.0,
        minutes=5,
        link=OTHER_TASK,
        requester=name,
        requester_id=SCAM,
    )
    assert "Alert posted" in sent.content
    assert "scam" in (await mark_scam(h, SCAM, name=name)).content.lower()


def plain_export(requester: str) -> str:
    line = f"Acme Research [{REQ}] (Contact)"
    return PLAIN.replace(line, requester) + "\nTime taken: 6 min"


@pytest.mark.parametrize("variant", sorted(VARIANTS))
async def test_a_pasted_export_with_an_oddly_written_scam_id_is_refused(
    configured: Harness, variant: str
) -> None:
    h = configured
    await flag_scam(h)
    preview = await paste(h, plain_export(f"Nice Lab [{VARIANTS[variant]}]"))
    assert SCAM in preview.field("Requester")
    replies = await h.click(preview, "Post")
    assert replies[-1].ephemeral and "flagged as a scam" in replies[-1].content
    assert len(await stored(h)) == 1  # only Dave's alert, from before the flag
    h.api.assert_never_pinged()


async def assert_pasted_scam_refused(h: Harness, text: str) -> None:
    """The preview names the flagged id, and posting it is refused (nothing more stored)."""
    preview = await paste(h, text)
    assert SCAM in preview.field("Requester")
    modal = (await h.click(preview, "Post"))[-1]
    replies = await h.submit_modal(modal, {"minutes": "6"}, message=preview.message)
    assert "flagged as a scam" in replies[-1].content
    assert len(await stored(h)) == 1


async def test_a_short_export_with_a_full_width_scam_id_is_refused(configured: Harness) -> None:
    h = configured
    await flag_scam(h)
    text = SHORT.replace(REQ, VARIANTS["full width"]).replace("Acme Research", "Nice Lab")
    await assert_pasted_scam_refused(h, text)


async def test_mturk_json_with_a_full_width_scam_id_is_refused(configured: Harness) -> None:
    h = configured
    await flag_scam(h)
    text = json.dumps({**HIT, "requester_id": VARIANTS["full width"], "requester_name": "Nice"})
    await assert_pasted_scam_refused(h, text)


async def test_the_exports_channel_refuses_it_too_and_warns_under_warn(
    configured: Harness,
) -> None:
    h = configured
    sent = await h.slash("setup channel", user=h.admin, kind="exports", target=h.world.general)
    assert "Exports channel" in sent.content
    await flag_scam(h)
    text = plain_export(f"Nice Lab [{VARIANTS['cyrillic A']}]")
    message = await h.post_message(text, user=h.bob, channel=h.world.general)
    [answer] = replies_to(h, message)
    assert "flagged as a scam" in answer.content
    assert len(await stored(h)) == 1
    await h.slash("setup reports", user=h.admin, scam_policy="warn")
    message = await h.post_message(text, user=h.carol, channel=h.world.general)
    [answer] = replies_to(h, message)
    assert "Alert posted" in answer.content and "scam" in answer.content
    alerts = await stored(h)
    assert len(alerts) == 2 and alerts[-1].platform_requester_id == SCAM
    h.api.assert_never_pinged()


async def test_a_name_word_is_not_an_id_so_a_flagged_name_still_matches(
    configured: Harness,
) -> None:
    h = configured
    await flag_scam(h, name="Acme Analytics")
    parsed = parse_export(plain_export("Acme Analytics"))
    assert (parsed.requester_name, parsed.requester_id) == ("Acme Analytics", None)
    preview = await paste(h, plain_export("Acme Analytics"))
    replies = await h.click(preview, "Post")
    assert "Held, nothing was posted" in replies[-1].content
    assert len(await stored(h)) == 1


@pytest.mark.parametrize(
    "requester",
    [
        f"[Nice](https://worker.mturk.com/requesters/{REQ}/projects) [{SCAM}]",
        f"[Nice](https://worker.mturk.com/requesters/{REQ}/projects) {SCAM}",
        f"Nice {SCAM} [{REQ}]",
    ],
)
def test_two_different_ids_for_one_requester_are_refused(requester: str) -> None:
    """Which id the alert follows (and whose warning it carries) is never a guess, and
    a flagged id is never left in the shown name of a clean one."""
    with pytest.raises(ExportError) as caught:
        parse_export(plain_export(requester))
    assert caught.value.key == "intake.errors.bad_value"


async def test_a_held_name_offers_the_same_way_out_as_task_share(configured: Harness) -> None:
    """Found by a hostile probe: a pasted export whose requester only has a flagged
    requester's name was held with "press the button below", and no button was there."""
    h = configured
    await flag_scam(h)
    text = json.dumps({**HIT, "requester_id": None, "requester_name": "Evil Corp"})
    preview = await paste(h, text)
    modal = (await h.click(preview, "Post"))[-1]
    replies = await h.submit_modal(modal, {"minutes": "6"}, message=preview.message)
    held = replies[-1]
    assert held.ephemeral and "Held, nothing was posted" in held.content
    assert len(await stored(h)) == 1
    # Only the sharer may press it; then it is posted, without the warning, and audited.
    other = await h.click(held, "It's a different requester — post it", user=h.bob)
    assert other[-1].ephemeral and len(await stored(h)) == 1
    posted = await h.click(held, "It's a different requester — post it")
    assert "You confirmed this is not" in posted[-1].content
    alerts = await stored(h)
    assert len(alerts) == 2 and alerts[-1].requester_id is None
    assert alerts[-1].sharer_id == h.alice.id


async def test_a_warned_name_offers_to_remove_the_warning(configured: Harness) -> None:
    h = configured
    await flag_scam(h)
    await h.slash("setup reports", user=h.admin, scam_policy="warn")
    text = json.dumps({**HIT, "requester_id": None, "requester_name": "Evil Corp"})
    preview = await paste(h, text)
    modal = (await h.click(preview, "Post"))[-1]
    replies = await h.submit_modal(modal, {"minutes": "6"}, message=preview.message)
    answer = replies[-1]
    assert "Alert posted" in answer.content and "a flagged requester" in answer.content
    assert answer.button("It's a different requester — remove the warning")
    h.api.assert_never_pinged()


async def test_the_exports_channel_offers_the_held_name_s_way_out_to_its_author(
    configured: Harness,
) -> None:
    h = configured
    await h.slash("setup channel", user=h.admin, kind="exports", target=h.world.general)
    await flag_scam(h)
    text = json.dumps({**HIT, "requester_id": None, "requester_name": "Evil Corp"})
    message = await h.post_message(text, user=h.bob, channel=h.world.general)
    [ask] = replies_to(h, message)
    form = (await h.click(ask, "Add my minutes", user=h.bob))[-1]
    await h.submit_modal(form, {"minutes": "6"}, user=h.bob, message=ask.message)
    held = h.current(ask)
    assert "Held, nothing was posted" in held.content
    assert len(await stored(h)) == 1
    button = "It's a different requester — post it"
    carol = await h.click(held, button, user=h.carol)
    assert carol[-1].ephemeral and len(await stored(h)) == 1
    posted = await h.click(held, button, user=h.bob)
    assert posted[-1].ephemeral and "You confirmed this is not" in posted[-1].content
    alerts = await stored(h)
    assert len(alerts) == 2 and alerts[-1].sharer_id == h.bob.id
    assert alerts[-1].requester_id is None
    h.api.assert_never_pinged()
