"""MTurk Suite's HIT Exporter: the labelled exports (Plain, Markdown, BBCode) and Short."""

from __future__ import annotations

import re
import unicodedata

from cogs.intake.parsers.amounts import positive_int, read_duration, read_money
from cogs.intake.parsers.model import DESCRIPTION_MAX, TITLE_MAX, ExportError, ParsedTask, missing
from cogs.intake.parsers.qualifications import LimitsBuilder, add_suite_qualifications
from cogs.intake.parsers.text import URL, plain, unmask_links
from cogs.tasks.links import MTURK_REQUESTER
from db.requester_identity import name_key

LABELS = {
    "title": "title",
    "requester": "requester",
    "reward": "reward",
    "duration": "duration",
    "time allotted": "duration",
    "available": "available",
    "hits available": "available",
    "qualifications": "qualifications",
    "qualification": "qualifications",
    "quals": "qualifications",
    "description": "description",
    "tv": "review",
    "to": "review",
    "to 1": "review",
    "to 2": "review",
    "turkerview": "review",
    "turkopticon": "review",
    "est. time": "estimate",
    "estimated time": "estimate",
    "time taken": "estimate",
    "took": "estimate",
}
_LABEL = re.compile(
    r"^\s*(?:[>\-•*]\s+)?(?:\*\*|__|\[b\])?\s*(?P<label>[A-Za-z][A-Za-z .]{0,20}?)\s*"
    r"(?::\s*(?:\*\*|__|\[/b\])|(?:\*\*|__|\[/b\])\s*:|:)\s*(?P<value>.*)$",
    re.IGNORECASE,
)
_PROJECT_URL = re.compile(
    r"mturk\.com/(?:mturk/preview\?groupId=|projects/)([A-Z0-9]{20,40})", re.I
)
#: An id written bare among the name's words: it must hold a digit ("Acme Analytics" is a
#: name, not the requester "ANALYTICS").
_BARE_ID = re.compile(r"(?<![A-Z0-9])(A(?=[A-Z]*[0-9])[A-Z0-9]{8,20})(?![A-Z0-9])", re.IGNORECASE)
#: What the exporter puts between brackets after the name: the id, or "(Contact)".
_BRACKETED = re.compile(r"[\[(]([^\[\]()\n]{1,80})[\])]")
REQUESTER_URL = re.compile(r"requesters/(A[A-Z0-9]{8,20})", re.IGNORECASE)
_PANDA_WORDS = re.compile(r"\b(?:PREVIEW|ACCEPT|PANDA|ONCE|SEARCH|PC|VB|TO|TV|Contact)\b")


def labelled(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.split("\n"):
        match = _LABEL.match(line)
        if match is None:
            continue
        key = LABELS.get(" ".join(match.group("label").lower().split()))
        if key is None:
            continue
        found.setdefault(key, []).append(match.group("value").strip())
    return found


def _single(found: dict[str, list[str]], key: str) -> str | None:
    values = [v for v in found.get(key, []) if v]
    if not values:
        return None
    distinct = {" ".join(v.split()) for v in values}
    if len(distinct) > 1:
        raise ExportError("intake.errors.several")
    return values[0]


def _title_of(value: str) -> str | None:
    """The title value minus the exporter's action links (`| PREVIEW | ACCEPT`)."""
    text = URL.sub("", unmask_links(value))
    parts = [p for p in re.split(r"\s[|•]\s|\s-\s(?=[A-Z]{4,}\b)", text) if p.strip()]
    kept = [p for p in parts if not _PANDA_WORDS.fullmatch(plain(p, 40) or "")]
    return plain(" | ".join(kept) if kept else "", TITLE_MAX)


def fold_requester_id(token: str) -> str | None:
    """`token` as the MTurk requester id it is written as, however oddly; None if none.

    Folded as names are matched (`name_key`): full width, look-alike letters ("А" from
    Cyrillic), case, invisible characters, spaces and dashes ("A9Z8-Y7X6") do not hide
    an id, so a flagged requester's warning cannot be dodged by writing its id oddly.
    """
    folded = name_key(token).upper()
    return folded if MTURK_REQUESTER.match(folded) else None


def requester_id_in(token: str) -> str | None:
    """The id between brackets after a requester's name (`fold_requester_id`), if it is one.

    A token without a digit counts only in capitals ("[AKSJCOVRBXYZQ]"), never a word
    ("(Analytics)").
    """
    folded = fold_requester_id(token)
    if folded is None:
        return None
    shown = unicodedata.normalize("NFKC", token).strip()
    if any(ch.isdigit() for ch in folded) or shown == shown.upper():
        return folded
    return None


def _requester_of(value: str) -> tuple[str | None, str | None]:
    """The requester's name and MTurk id, from its link, its brackets or a bare id.

    Two different ids for one requester are refused: which one the alert would follow
    (and whose warning it would carry) must not be a guess.
    """
    value = unicodedata.normalize("NFKC", value)
    found: set[str] = set()
    url = REQUESTER_URL.search(value)
    if url is not None:
        found.add(url.group(1).upper())
    text = URL.sub("", unmask_links(value))

    def drop_id(match: re.Match[str]) -> str:
        ident = requester_id_in(match.group(1))
        if ident is None:
            return match.group(0)
        found.add(ident)
        return " "

    text = _BRACKETED.sub(drop_id, text)
    for bare in _BARE_ID.findall(text):
        found.add(bare.upper())
    text = _BARE_ID.sub(" ", text)
    if len(found) > 1:
        raise ExportError("intake.errors.bad_value", field_name="requester_id")
    text = re.split(r"\s[|•]\s|\(Contact\)|\[Contact\]", text)[0]
    return plain(text, 100), next(iter(found), None)


def _has_requester_id(part: str) -> bool:
    """Whether a part of a Short export names the requester by its id (link or brackets)."""
    value = unicodedata.normalize("NFKC", part)
    return REQUESTER_URL.search(value) is not None or any(
        requester_id_in(m.group(1)) for m in _BRACKETED.finditer(value)
    )


def _group_of(text: str) -> str | None:
    match = _PROJECT_URL.search(text)
    return match.group(1).upper() if match else None


def _finish_mturk(
    *,
    title: str | None,
    reward_text: str | None,
    group: str | None,
    requester: tuple[str | None, str | None],
    duration: str | None,
    available: str | None,
    quals: str | None,
    description: str | None,
    estimate: str | None,
    source: str,
) -> ParsedTask:
    if not title and not group:
        raise missing("title")
    if reward_text is None:
        raise missing("reward")
    money = read_money(reward_text)
    if money is None:
        raise ExportError("intake.errors.bad_value", field_name="reward")
    amount, code = money
    builder = LimitsBuilder()
    if quals:
        add_suite_qualifications(quals, builder)
    limits, excluded = builder.build()
    count = re.search(r"\d[\d,]{0,12}", available or "")
    return ParsedTask(
        source=source,
        platform="mturk",
        reward=amount,
        currency=code or "USD",
        title=title,
        link=f"https://worker.mturk.com/projects/{group}/tasks" if group else None,
        requester_name=requester[0],
        requester_id=requester[1],
        minutes=read_duration(estimate) if estimate else None,
        allowed_minutes=read_duration(duration) if duration else None,
        available=positive_int(count.group(0).replace(",", "")) if count else None,
        limits=limits,
        excluded=excluded,
        description=plain(description, DESCRIPTION_MAX) if description else None,
    )


def parse_suite_labelled(text: str) -> ParsedTask | None:
    """Plain, Markdown (`**Title:**`) and BBCode (`[b]Title:[/b]`) exports; None if not one."""
    found = labelled(text)
    known = {
        k
        for k in found
        if k in {"title", "requester", "reward", "duration", "available", "qualifications"}
    }
    if len(known) < 2:
        return None
    title_value = _single(found, "title")
    requester_value = _single(found, "requester")
    groups = {g.upper() for g in _PROJECT_URL.findall(text)}
    if len(groups) > 1:
        raise ExportError("intake.errors.several")
    return _finish_mturk(
        title=_title_of(title_value) if title_value else None,
        reward_text=_single(found, "reward"),
        group=next(iter(groups), None),
        requester=_requester_of(requester_value) if requester_value else (None, None),
        duration=_single(found, "duration"),
        available=_single(found, "available"),
        quals=_single(found, "qualifications"),
        description=_single(found, "description"),
        estimate=_single(found, "estimate"),
        source="mturk_suite",
    )


def parse_suite_short(text: str) -> ParsedTask | None:
    """The Short export: `Title • Requester [A…] • $1.50 • 1 hour • 250 • link`."""
    lines = [line for line in text.split("\n") if "•" in line]
    if len(lines) != 1 and len({" ".join(line.split()) for line in lines}) != 1:
        if len(lines) > 1:
            raise ExportError("intake.errors.several")
        return None
    parts = [p.strip() for p in lines[0].split("•") if p.strip()]
    if len(parts) < 3:
        return None
    title = reward = duration = available = quals = None
    requester: tuple[str | None, str | None] = (None, None)
    others: list[str] = []
    for part in parts:
        bare = URL.sub("", part).strip()
        if reward is None and read_money(bare) is not None and len(bare) <= 24:
            reward = bare
        elif requester[1] is None and _has_requester_id(part):
            requester = _requester_of(part)
        elif duration is None and bare and read_duration(bare) is not None and len(bare) <= 30:
            duration = bare
        elif available is None and re.fullmatch(
            r"(?i)(?:available:?\s*)?\d[\d,]*(?:\s*available)?", bare
        ):
            available = bare
        elif quals is None and re.match(r"(?i)quals?(?:ifications)?\b", bare):
            quals = re.sub(r"(?i)^quals?(?:ifications)?:?\s*", "", bare)
        elif bare:
            others.append(part)
    if others:
        title = _title_of(others[0])
        if requester == (None, None) and len(others) > 1:
            requester = _requester_of(others[1])
    group = _group_of(lines[0]) or _group_of(text)
    return _finish_mturk(
        title=title,
        reward_text=reward,
        group=group,
        requester=requester,
        duration=duration,
        available=available,
        quals=quals,
        description=None,
        estimate=None,
        source="mturk_suite",
    )
