"""/earnings export and /earnings import through real dispatch (attachments included)."""

from __future__ import annotations

import csv
import io
import json
import threading
from typing import Any

import pytest

from cogs.earnings import csvio
from db.earnings import entries as entries_db
from db.earnings import privacy as earnings_privacy
from db.models import MANY_ROWS
from tests.cogs.earnings.helpers import log, stored
from tests.harness.driver import Harness

#: Each test runs on SQLite and on PostgreSQL (tests/README.md, "PostgreSQL").
pytestmark = pytest.mark.both_backends

MTURK = (
    "HITId,AssignmentId,RequesterName,Title,Reward,Status,SubmitTime\n"
    "3A,A1,Acme Research,Short survey,$1.50,Approved,2026-11-20T18:30:00Z\n"
    "3B,A2,Acme Research,Short survey,$1.50,Pending,2026-11-21T18:30:00Z\n"
    "3C,A3,Bad Labs,Transcribe,$0.80,Rejected,2026-11-22T18:30:00Z\n"
)


async def test_export_is_a_private_csv_of_ones_own_entries(harness: Harness) -> None:
    h = harness
    await log(h, h.alice, amount="1.50", requester="Acme", title="=cmd|' /C calc'!A0")
    await h.slash("earnings unpaid", user=h.alice, minutes=20)
    await log(h, h.bob, amount="9.99")
    sent = await h.slash("earnings export", user=h.alice)
    assert sent.ephemeral and "2 entries" in sent.content
    ((name, data),) = sent.files
    assert name == "entraide-earnings.csv"
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["kind"] for r in rows] == ["task", "unpaid"]
    assert rows[0]["amount"] == "1.50" and rows[0]["title"].startswith("'=")
    assert "9.99" not in data.decode("utf-8-sig")
    nothing = await h.slash("earnings export", user=h.carol)
    assert "no entries" in nothing.content and not nothing.files


async def test_importing_an_export_twice_adds_nothing_the_second_time(harness: Harness) -> None:
    h = harness
    await log(h, h.alice, amount="1.50", requester="Acme")
    await log(h, h.alice, amount="2", date="2026-11-20", status="approved")
    ((_, data),) = (await h.slash("earnings export", user=h.alice)).files
    # into another account: everything is new
    first = await h.slash_all("earnings import", user=h.bob, file=("mine.csv", data))
    assert [r.kind for r in first] == ["deferred", "followup"]
    assert first[-1].ephemeral and "Imported 2 entries" in first[-1].content
    again = await h.slash("earnings import", user=h.bob, file=("mine.csv", data))
    assert "Imported 0 entries" in again.content and "2 were already" in again.content
    # and back into the same account: nothing is duplicated
    same = await h.slash("earnings import", user=h.alice, file=("mine.csv", data))
    assert "Imported 0 entries" in same.content
    assert len(await stored(h, h.alice)) == 2
    assert [(e.amount_cents, e.source) for e in await stored(h, h.bob)] == [
        (150, "import"),
        (200, "import"),
    ]


async def test_mturk_history_import(harness: Harness) -> None:
    h = harness
    sent = await h.slash("earnings import", user=h.alice, file=("hits.csv", MTURK.encode()))
    assert "Imported 3 entries from the MTurk earnings / HIT history file" in sent.content
    assert "2026-11-20 to 2026-11-22" in sent.content
    entries = await stored(h, h.alice)
    assert [(e.status, e.minutes) for e in entries] == [
        ("approved", None),
        ("pending", None),
        ("rejected", None),
    ]
    again = await h.slash("earnings import", user=h.alice, file=("hits.csv", MTURK.encode()))
    assert "Imported 0 entries" in again.content
    summary = await h.slash("earnings summary", user=h.alice, period="last_week")
    assert "Approved: $1.50" in summary.field("Money")
    assert "3 entries without a time" in summary.embed["footer"]["text"]


async def test_minutes_per_task_when_the_file_has_no_times(harness: Harness) -> None:
    h = harness
    await h.slash(
        "earnings import", user=h.alice, file=("hits.csv", MTURK.encode()), minutes_per_task=6
    )
    assert [e.minutes for e in await stored(h, h.alice)] == [6, 6, 6]


async def test_a_bad_file_is_refused_whole_with_line_numbers(harness: Harness) -> None:
    h = harness
    bad = (
        MTURK
        + "3D,A4,Acme,@everyone,-2.00,Approved,2026-11-22\n3E,A5,Acme,T,1.00,Lost,2026-11-22\n"
    )
    sent = await h.slash("earnings import", user=h.alice, file=("hits.csv", bad.encode()))
    assert sent.ephemeral and "Nothing was imported: 2 rows have problems" in sent.content
    assert "Line 5: An amount cannot be negative." in sent.content
    assert "Line 6: “lost” is not a status" in sent.content
    assert await stored(h, h.alice) == []
    h.api.assert_never_pinged()


async def test_many_errors_are_summarised(harness: Harness) -> None:
    text = "Requester,Title,Reward,Status,Date\n" + "A,T,-1,Approved,2026-11-20\n" * 40
    sent = await harness.slash("earnings import", user=harness.alice, file=("x.csv", text.encode()))
    assert "40 rows have problems" in sent.content and "…and 25 more." in sent.content
    assert len(sent.content) <= 2000


async def test_huge_or_unreadable_files(harness: Harness) -> None:
    h = harness
    huge = b"Requester,Title,Reward,Status,Date\n" + b"A,T,1,Approved,2026-11-20\n" * 220_000
    assert len(huge) > csvio.MAX_BYTES
    sent = await h.slash("earnings import", user=h.alice, file=("big.csv", huge))
    assert sent.kind == "response" and "too big" in sent.content  # refused before download
    rows = b"Requester,Title,Reward,Status,Date\n" + b"A,T,1,Approved,2026-11-20\n" * 50_001
    assert len(rows) < csvio.MAX_BYTES
    sent = await h.slash("earnings import", user=h.alice, file=("rows.csv", rows))
    assert "more than 50,000 rows" in sent.content
    sent = await h.slash(
        "earnings import", user=h.alice, file=("cat.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    )
    assert "does not look like a CSV" in sent.content
    sent = await h.slash("earnings import", user=h.alice, file=("x.csv", b"name,age\nbob,4\n"))
    assert "do not recognise" in sent.content
    assert await stored(h, h.alice) == []


async def test_import_in_french(harness: Harness) -> None:
    sent = await harness.slash(
        "earnings import", user=harness.alice, file=("hits.csv", MTURK.encode()), locale="fr"
    )
    assert sent.content.startswith("3 entrées importées")


async def test_an_imported_row_with_personal_data_names_its_field(harness: Harness) -> None:
    h = harness
    text = (
        "Requester,Title,Reward,Status,Date\n"
        "bob＠example.com,T,1.00,Approved,2026-11-20\n"
        "Acme,T,£1.00,Approved,2026-11-20\n"
    )
    sent = await h.slash("earnings import", user=h.alice, file=("x.csv", text.encode()))
    assert "Line 2: Please remove the e-mail address from the requester name field" in sent.content
    assert "1 row has problems" in sent.content  # the £ row is fine: it is in pounds
    french = await h.slash(
        "earnings import", user=h.alice, file=("x.csv", text.encode()), locale="fr"
    )
    assert "Retirez l'adresse e-mail du champ « demandeur »" in french.content
    assert await stored(h, h.alice) == []


async def test_an_imported_reward_in_pounds_is_stored_in_pounds(harness: Harness) -> None:
    h = harness
    text = "Requester,Title,Reward,Status,Date\nAcme,T,£1.20,Approved,2026-11-20\n"
    await h.slash_all("earnings import", user=h.alice, file=("x.csv", text.encode()))
    [entry] = await stored(h, h.alice)
    assert (entry.amount_cents, entry.currency) == (120, "GBP")


async def test_a_long_log_is_imported_and_exported_off_the_event_loop(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thousands of entries become rows, records and JSON in a worker thread, so other
    members' interactions are not held behind one member's big file.
    """
    h = harness
    count = MANY_ROWS + 100
    lines = [MTURK.splitlines()[0]] + [
        f"3H{n},A{n},Acme Research,Survey {n},$0.{n % 90 + 10},Approved,2026-11-20T18:30:00Z"
        for n in range(count)
    ]
    threads: dict[str, set[int]] = {"params": set(), "records": set(), "json": set()}

    def watched(name: str, fn: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            threads[name].add(threading.get_ident())
            return fn(*args, **kwargs)

        return call

    monkeypatch.setattr(entries_db, "_params", watched("params", entries_db._params))
    monkeypatch.setattr(entries_db, "from_row", watched("records", entries_db.from_row))
    monkeypatch.setattr(
        earnings_privacy, "_entry_json", watched("json", earnings_privacy._entry_json)
    )
    data = "\n".join(lines).encode()
    sent = await h.slash("earnings import", user=h.alice, file=("hits.csv", data))
    assert f"Imported {count:,} entries" in sent.content, sent.content
    exported = await h.slash("earnings export", user=h.alice)
    assert exported.ephemeral and f"{count} entries" in exported.content.replace(",", "")
    ((_, csv_data),) = exported.files
    assert len(list(csv.DictReader(io.StringIO(csv_data.decode("utf-8-sig"))))) == count
    everything = await h.slash("privacy export", user=h.alice)
    ((_, json_data),) = everything.files
    assert len(json.loads(json_data)["sections"]["earnings"]["entries"]) == count
    loop_thread = threading.get_ident()
    assert all(threads.values()) and not any(loop_thread in seen for seen in threads.values())


async def test_an_imported_files_own_ids_cannot_become_formulas_in_the_export(
    harness: Harness,
) -> None:
    """(Found by a hostile probe: only the typed text columns were guarded, and a file's
    own id came back unguarded in `uid`, where `-A1` is a formula to a spreadsheet.)"""
    h = harness
    data = (
        b"uid,date,kind,status,amount,currency,minutes,platform,requester,title\r\n"
        b'-A1,2026-11-20,task,approved,1.50,USD,10,MTurk,Acme,"=HYPERLINK(""http://x"",""y"")"\r\n'
        b"-2,2026-11-21,task,approved,2,USD,10,MTurk,Acme,plain\r\n"
    )
    sent = await h.slash("earnings import", user=h.alice, file=("other.csv", data))
    assert "Imported 2 entries" in sent.content
    ((_, out),) = (await h.slash("earnings export", user=h.alice)).files
    rows = list(csv.DictReader(io.StringIO(out.decode("utf-8-sig"))))
    assert [r["uid"] for r in rows] == ["'-A1", "'-2"]
    assert rows[0]["title"] == '\'=HYPERLINK("http://x","y")'
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row.values()), row
    # the guarded export is read back as the same entries: nothing is duplicated
    again = await h.slash("earnings import", user=h.alice, file=("mine.csv", out))
    assert "Imported 0 entries" in again.content
    assert [e.uid for e in await stored(h, h.alice)] == ["-A1", "-2"]


async def test_excels_unicode_text_export_is_read(harness: Harness) -> None:
    """Excel's "Unicode text" is UTF-16 with a byte-order mark and tabs: it was refused
    as "not a CSV text file" (found by a hostile probe)."""
    h = harness
    text = (
        "HITId\tAssignmentId\tRequesterName\tTitle\tReward\tStatus\tSubmitTime\r\n"
        "3A\tA1\tRecherche Événements\tSondage\t$1.50\tApproved\t2026-11-20T18:30:00Z\r\n"
    )
    for encoding in ("utf-16", "utf-16-be"):
        data = text.encode(encoding)
        if encoding == "utf-16-be":
            data = b"\xfe\xff" + data
        sent = await h.slash("earnings import", user=h.alice, file=("mturk.txt", data))
        assert sent.ephemeral and "Imported" in sent.content, sent.content
    (entry,) = await stored(h, h.alice)
    assert (entry.requester_name, entry.amount_cents) == ("Recherche Événements", 150)
    broken = await h.slash("earnings import", user=h.bob, file=("x.csv", b"\xff\xfeA\x00B"))
    assert broken.ephemeral and "does not look like a CSV" in broken.content
