"""Link parsing: MTurk and Prolific links understood, anything else kept plain and clean."""

from __future__ import annotations

import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.errors import UserError
from cogs.tasks.links import ID_PARAMS, ParsedLink, comparable_url, parse_link

GROUP = "3Z8UJEJOCZEG603II9CQDYWSGSQY7F"


@pytest.mark.parametrize(
    "text",
    [
        f"https://worker.mturk.com/projects/{GROUP}/tasks",
        f"https://worker.mturk.com/projects/{GROUP}/tasks/new?ref=w_pl_prvw",
        f"https://worker.mturk.com/projects/{GROUP.lower()}/tasks/3ABC?assignment_id=3XYZ&workerId=A2SECRETWORKER",
        f"<https://worker.mturk.com/projects/{GROUP}/tasks>",
        f"worker.mturk.com/projects/{GROUP}/tasks",
        f"https://www.mturk.com/mturk/preview?groupId={GROUP}",
        f"HTTPS://WORKER.MTURK.COM/projects/{GROUP}/tasks/accept_random",
    ],
)
def test_mturk_project_links_give_the_group_and_a_clean_link(text: str) -> None:
    parsed = parse_link(text)
    assert parsed == ParsedLink(
        url=f"https://worker.mturk.com/projects/{GROUP}/tasks", platform="mturk", task_id=GROUP
    )
    assert "SECRET" not in parsed.url and "assignment" not in parsed.url
    assert parsed.dedupe_key == f"mturk:id:{GROUP}"


def test_mturk_requester_links_give_the_requester_id() -> None:
    parsed = parse_link("https://worker.mturk.com/requesters/A1B2C3D4E5F6G7/projects?ref=w_pl")
    assert parsed is not None
    assert parsed.platform == "mturk" and parsed.requester_id == "A1B2C3D4E5F6G7"
    assert parsed.task_id is None
    assert parsed.url == "https://worker.mturk.com/requesters/A1B2C3D4E5F6G7/projects"


def test_old_mturk_links_carry_both_ids() -> None:
    parsed = parse_link(
        f"https://www.mturk.com/mturk/preview?groupId={GROUP}&requesterId=A1B2C3D4E5F6G7"
    )
    assert parsed is not None
    assert (parsed.task_id, parsed.requester_id) == (GROUP, "A1B2C3D4E5F6G7")


@pytest.mark.parametrize(
    "text",
    [
        "https://app.prolific.com/studies/5f0c1e2d3b4a59687766aabb",
        "https://app.prolific.co/studies/5F0C1E2D3B4A59687766AABB/",
        "https://app.prolific.com/studies/5f0c1e2d3b4a59687766aabb?PROLIFIC_PID=me&SESSION_ID=x",
        "https://survey.example.com/x?STUDY_ID=5f0c1e2d3b4a59687766aabb&PROLIFIC_PID=me",
    ],
)
def test_prolific_study_links(text: str) -> None:
    parsed = parse_link(text)
    assert parsed is not None
    if "survey.example.com" in text:
        # A survey's own link is not Prolific's, but still loses the worker's id.
        assert parsed.platform is None and "PROLIFIC_PID" not in parsed.url
        assert "STUDY_ID" in parsed.url
        return
    assert parsed == ParsedLink(
        url="https://app.prolific.com/studies/5f0c1e2d3b4a59687766aabb",
        platform="prolific",
        task_id="5f0c1e2d3b4a59687766aabb",
    )


def test_prolific_completion_links_are_refused() -> None:
    with pytest.raises(UserError) as err:
        parse_link("https://app.prolific.com/submissions/complete?cc=C1A2B3C4")
    assert err.value.key == "tasks.errors.link_private"


@pytest.mark.parametrize(
    ("text", "platform"),
    [
        ("https://workplace.clickworker.com/en/workplace/jobs/123", "clickworker"),
        ("https://toloka.ai/tasks?id=9", "toloka"),
        ("https://prod.uhrs.playmsn.com/marketplace/app/1", "uhrs"),
        ("https://connect.appen.com/qrp/core/vendors/task/1", "appen"),
        ("https://example.org/survey?utm_source=x&id=42", None),
    ],
)
def test_other_links_are_kept_plain_with_the_platform_from_the_host(
    text: str, platform: str | None
) -> None:
    parsed = parse_link(text)
    assert parsed is not None
    assert parsed.platform == platform and parsed.task_id is None
    assert "utm_" not in parsed.url
    assert parsed.dedupe_key.startswith("link:")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("javascript:alert(1)", "tasks.errors.link_scheme"),
        ("JavaScript:alert(document.cookie)", "tasks.errors.link_scheme"),
        ("data:text/html,<script>", "tasks.errors.link_scheme"),
        ("ftp://files.example.com/x", "tasks.errors.link_scheme"),
        ("mailto:someone@example.com", "tasks.errors.link_scheme"),
        ("https://user:pass@example.com/", "tasks.errors.link_invalid"),
        ("https://exa mple.com/", "tasks.errors.link_invalid"),
        ("https://localhost/", "tasks.errors.link_invalid"),
        ("https:///nohost", "tasks.errors.link_invalid"),
        ("not a link", "tasks.errors.link_invalid"),
        ("https://example.com/" + "a" * 600, "tasks.errors.link_too_long"),
    ],
)
def test_bad_links_are_refused_with_what_to_fix(text: str, key: str) -> None:
    with pytest.raises(UserError) as err:
        parse_link(text)
    assert err.value.key == key


def test_blank_is_no_link() -> None:
    assert parse_link(None) is None
    assert parse_link("   ") is None
    assert parse_link("<>") is None


def test_copies_of_one_link_compare_equal() -> None:
    a = parse_link("https://www.example.com/task/7/?b=2&a=1&utm_medium=x")
    b = parse_link("http://example.com/task/7?a=1&b=2")
    assert a is not None and b is not None
    assert comparable_url(a.url) == comparable_url(b.url)
    assert a.dedupe_key == b.dedupe_key


_host = st.from_regex(r"[a-z][a-z0-9]{0,10}\.(com|org|net)", fullmatch=True)
_path = st.lists(st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=8))


@given(host=_host, path=_path, scheme=st.sampled_from(["http", "https"]))
def test_any_plain_http_link_is_kept_and_stable(host: str, path: list[str], scheme: str) -> None:
    url = f"{scheme}://{host}/" + "/".join(path)
    parsed = parse_link(url)
    assert parsed is not None and parsed.url.startswith(f"{scheme}://{host}/")
    again = parse_link(parsed.url)
    assert again is not None and again.dedupe_key == parsed.dedupe_key


@given(st.text(max_size=200))
def test_parsing_never_crashes_and_only_yields_http_links(text: str) -> None:
    try:
        parsed = parse_link(text)
    except UserError:
        return
    if parsed is not None:
        assert parsed.url.startswith(("http://", "https://"))
        assert not any(ch.isspace() for ch in parsed.url)


@given(st.from_regex(r"[A-Z0-9]{30}", fullmatch=True), st.text(string.ascii_letters, max_size=10))
def test_any_group_id_is_found_whatever_follows(group: str, tail: str) -> None:
    parsed = parse_link(f"https://worker.mturk.com/projects/{group}/tasks/{tail}?workerId=zzsecret")
    assert parsed is not None and parsed.task_id == group and "zzsecret" not in parsed.url


# -- the member's own id, whatever the parameter is called (issue #12, item 9) -----------------

WORKER = "A2BCDEFGH3IJKLM"
PID = "5f0c1e2d3b4a59687766aabb"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"https://survey.example.com/s?MID={WORKER}&x=1", "https://survey.example.com/s?x=1"),
        (
            f"https://docs.google.com/forms/d/e/1FA/viewform?entry.1={WORKER}&entry.2=hi",
            "https://docs.google.com/forms/d/e/1FA/viewform?entry.2=hi",
        ),
        (f"https://q.example.com/f?u={PID}&lang=fr", "https://q.example.com/f?lang=fr"),
        (f"https://q.example.com/f?data=id%3A{WORKER}%7Cx", "https://q.example.com/f"),
        (f"https://q.example.com/f#MID={WORKER}", "https://q.example.com/f"),
        (f"https://q.example.com/worker/{WORKER}/start", "https://q.example.com/worker/start"),
        (f"https://q.example.com/participant/{PID}", "https://q.example.com/participant"),
    ],
)
def test_any_worker_id_is_stripped_whatever_its_name(text: str, expected: str) -> None:
    parsed = parse_link(text)
    assert parsed is not None and parsed.url == expected
    assert WORKER not in parsed.url and PID not in parsed.url


@pytest.mark.parametrize(
    "text",
    [
        "https://turkerview.com/requesters/A1B2C3D4E5F6G7",  # a requester page
        "https://x.example.com/r?requesterId=A1B2C3D4E5F6G7",
        "https://x.example.com/s?q=ACCOMMODATIONS",  # a word, not an id
        f"https://survey.example.com/x?STUDY_ID={PID}",  # the study, not the member
    ],
)
def test_requester_and_task_ids_are_kept(text: str) -> None:
    parsed = parse_link(text)
    assert parsed is not None and parsed.url == text


def test_an_mturk_requester_link_keeps_its_requester_id() -> None:
    parsed = parse_link(f"https://worker.mturk.com/requesters/A1B2C3D4E5F6G7/projects?MID={WORKER}")
    assert parsed is not None and parsed.requester_id == "A1B2C3D4E5F6G7"
    assert parsed.url == "https://worker.mturk.com/requesters/A1B2C3D4E5F6G7/projects"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"https://workersandbox.mturk.com/projects/{GROUP}/tasks?workerId={WORKER}",
            f"https://workersandbox.mturk.com/projects/{GROUP}/tasks",
        ),
        (
            "https://workersandbox.mturk.com/requesters/A1B2C3D4E5F6G7/projects",
            "https://workersandbox.mturk.com/requesters/A1B2C3D4E5F6G7/projects",
        ),
    ],
)
def test_sandbox_links_stay_in_the_sandbox(text: str, expected: str) -> None:
    parsed = parse_link(text)
    assert parsed is not None and parsed.url == expected and parsed.platform == "mturk"


@given(
    worker=st.from_regex(r"A[A-Z0-9]{11,20}[0-9]", fullmatch=True),
    name=st.from_regex(r"[A-Za-z][A-Za-z0-9_.]{0,10}", fullmatch=True),
    other=st.from_regex(r"[a-z]{1,8}", fullmatch=True),
)
def test_a_worker_id_never_survives_under_any_parameter_name(
    worker: str, name: str, other: str
) -> None:
    assume(name.lower() not in ID_PARAMS)
    parsed = parse_link(f"https://survey.example.com/go?{name}={worker}&keep={other}")
    assert parsed is not None and worker not in parsed.url
