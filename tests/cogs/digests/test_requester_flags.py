"""A flagged requester's task carries its warning in the digest too (issue #12, item 1).

Under the "warn" scam policy a scam's task is posted with its warning; the digest, which
ranks tasks by hourly, must not show that same task as a clean "best task".
"""

from __future__ import annotations

from cogs.digests.compose import compose_member_digest
from db import requesters
from tests.cogs.digests.conftest import configure, epoch, set_requester_status, share
from tests.cogs.digests.test_personal import subscribe
from tests.cogs.digests.test_server_content import IN_WINDOW, SEND, section, send_digest
from tests.harness.driver import Harness


async def test_best_tasks_name_a_flagged_requester_even_through_an_alias(
    configured: Harness,
) -> None:
    h = configured
    await configure(h)
    scam = await set_requester_status(h, "Acme Research", "scam", reason="Phishing", at=IN_WINDOW)
    careful = await set_requester_status(h, "Slow Payer", "caution", reason="Late", at=IN_WINDOW)
    alias = await requesters.upsert(h.db, "mturk", None, "Acme Old", epoch(IN_WINDOW))
    async with h.db.transaction():
        await requesters.merge_records(h.db, alias.id, scam, epoch(IN_WINDOW))
    lure = await share(h, title="Easy money survey", hourly_cents=9000, at=IN_WINDOW)
    old = await share(h, title="Old account survey", hourly_cents=8000, at=IN_WINDOW)
    slow = await share(h, title="Slow payer task", hourly_cents=7000, at=IN_WINDOW)
    await share(h, title="Clean task", hourly_cents=6000, at=IN_WINDOW)
    for alert_id, requester_id in ((lure.id, scam), (old.id, alias.id), (slow.id, careful)):
        await h.db.execute(
            "UPDATE task_alerts SET requester_id = ? WHERE id = ?", (requester_id, alert_id)
        )
    lines = section(await send_digest(h), "Best tasks").split("\n")
    assert lines[0].startswith("**1.** ⛔ requester flagged as a scam: [Easy money survey]")
    assert lines[1].startswith("**2.** ⛔ requester flagged as a scam: [Old account survey]")
    assert lines[2].startswith("**3.** ⚠️ requester: caution advised: [Slow payer task]")
    assert lines[3].startswith("**4.** [Clean task]")


async def test_missed_tasks_in_a_personal_digest_carry_the_flag(configured: Harness) -> None:
    h = configured
    await configure(h)
    await subscribe(h, h.bob, platform="prolific")
    scam = await set_requester_status(h, "Acme Research", "scam", reason="Phishing", at=IN_WINDOW)
    lure = await share(h, title="Easy money survey", hourly_cents=9000, at=IN_WINDOW)
    await h.db.execute("UPDATE task_alerts SET requester_id = ? WHERE id = ?", (scam, lure.id))
    digest = await compose_member_digest(h.bot, h.bob.id, (IN_WINDOW, SEND))
    [task] = digest.missed
    assert task.alert_id == lure.id and task.requester_status == "scam"
