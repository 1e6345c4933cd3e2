"""Reading the links members paste (pure rules, no discord).

A pasted link should be enough to know the platform and the task: MTurk project and
requester URLs and Prolific study URLs are recognised and reduced to a canonical form
(which also drops the worker's own ids that such links often carry); any other http(s)
link is kept as a plain link, cleaned of tracking and personal parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from bot.errors import UserError

LINK_MAX = 500

MTURK_GROUP = re.compile(r"^[A-Z0-9]{20,40}$")
MTURK_REQUESTER = re.compile(r"^A[A-Z0-9]{8,20}$")
PROLIFIC_STUDY = re.compile(r"^[0-9a-f]{24}$")

#: Query parameters that identify the member who copied the link, or only track clicks.
PERSONAL_PARAMS = frozenset(
    {
        "workerid",
        "worker_id",
        "assignmentid",
        "assignment_id",
        "hitid",
        "hit_id",
        "turksubmitto",
        "prolific_pid",
        "session_id",
        "participant_id",
        "fbclid",
        "gclid",
        "ref",
    }
)

#: An MTurk worker id (`A` + 12–21 upper-case letters and digits, with a digit) or a
#: Prolific participant id (24 hex digits), anywhere in a value: a survey link carries the
#: member's own id under whatever name the survey chose (`MID`, `entry.1`, `u`…).
WORKER_ID = re.compile(
    r"(?<![A-Za-z0-9])(?:A(?=[A-Z]*[0-9])[A-Z0-9]{12,21}|[0-9a-f]{24})(?![A-Za-z0-9])"
)
#: Parameters whose id-shaped value is the task's or requester's, not the member's.
ID_PARAMS = frozenset(
    {"requesterid", "requester_id", "groupid", "group_id", "hitgroupid", "study_id", "studyid"}
)
#: Path segments after which the next segment is the member's own id.
_WORKER_SEGMENTS = frozenset(
    {"worker", "workers", "workerid", "worker_id", "participant", "participants", "pid"}
)

#: The personal parameters that name the member (the others in the list only track).
_MEMBER_PARAMS = frozenset(
    {"workerid", "worker_id", "assignmentid", "assignment_id", "prolific_pid", "participant_id"}
)

_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
#: Whitespace (`\s` is exactly `str.isspace`) or a control character: never in a link.
# A surrogate is half a character (a lone one can arrive as a JSON `\uD800` escape).
_BAD_CHAR = re.compile(r"[\s\x00-\x1f\x7f\ud800-\udfff]")
_HTTP = re.compile(r"^https?://", re.IGNORECASE)
_HOST_PORT = re.compile(r"^[a-z0-9.-]+:\d+(/|$)", re.IGNORECASE)
_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")

_HOST_PLATFORMS: tuple[tuple[str, str], ...] = (
    ("mturk.com", "mturk"),
    ("mturkcontent.com", "mturk"),
    ("prolific.com", "prolific"),
    ("prolific.co", "prolific"),
    ("prolific.ac", "prolific"),
    ("clickworker.com", "clickworker"),
    ("toloka.ai", "toloka"),
    ("toloka.yandex.com", "toloka"),
    ("toloka.yandex.ru", "toloka"),
    ("playmsn.com", "uhrs"),
    ("uhrs.ai", "uhrs"),
    ("appen.com", "appen"),
    ("appen.ai", "appen"),
)


#: Links to join a Discord server or claim a "gift": never a task, and the usual bait of
#: spam and account phishing, so they are refused wherever a share could carry them.
_INVITE_PATH_HOSTS = frozenset({"discord.com", "discordapp.com"})
_INVITE_HOSTS = frozenset({"discord.gg", "discord.gift", "discord.new"})
_INVITE_IN_TEXT = re.compile(
    r"(?i)(?<![\w.-])(?:[a-z0-9-]+\.)?(?:discord\.(?:gg|gift|new)|discord(?:app)?\.com/"
    r"(?:invite|gifts)\b)"
)


def is_invite(host: str, path: str) -> bool:
    """Whether a link (its host and path) joins a Discord server or claims a gift."""
    host = host.lower().rstrip(".").removeprefix("www.")
    bare = host.split(".", 1)[1] if host.count(".") > 1 else host  # ptb., canary.
    if host in _INVITE_HOSTS or bare in _INVITE_HOSTS:
        return True
    first = next((s for s in path.split("/") if s), "").lower()
    return (host in _INVITE_PATH_HOSTS or bare in _INVITE_PATH_HOSTS) and first in (
        "invite",
        "gifts",
    )


def invite_in_text(text: str) -> bool:
    """Whether free text (notes, title) carries a Discord invite or gift link."""
    return _INVITE_IN_TEXT.search(text or "") is not None


@dataclass(frozen=True, slots=True)
class ParsedLink:
    """What a link tells: where it goes (canonical), and which platform/task/requester."""

    url: str
    platform: str | None = None
    task_id: str | None = None
    requester_id: str | None = None

    @property
    def dedupe_key(self) -> str:
        """The key two shares of the same task have in common."""
        if self.platform and self.task_id:
            return f"{self.platform}:id:{self.task_id}"
        return "link:" + comparable_url(self.url)


def platform_of_host(host: str) -> str | None:
    host = host.lower().rstrip(".")
    for domain, platform in _HOST_PLATFORMS:
        if host == domain or host.endswith("." + domain):
            return platform
    return None


def carries_worker_id(value: str) -> bool:
    """Whether `value` holds something shaped like a member's MTurk or Prolific id."""
    return WORKER_ID.search(value) is not None


def _clean_query(query: str) -> list[tuple[str, str]]:
    kept = []
    for key, value in parse_qsl(query, keep_blank_values=True):
        lowered = key.lower()
        if lowered in PERSONAL_PARAMS or lowered.startswith("utm_"):
            continue
        if lowered not in ID_PARAMS and (carries_worker_id(value) or carries_worker_id(key)):
            continue
        kept.append((key, value))
    return kept


_URL_IN_TEXT = re.compile(r"(?i)\bhttps?://[^\s<>]+")


def worker_id_in_text_links(text: str) -> bool:
    """Whether a link written inside free text (notes, title) carries a member's own id.

    Such text is shown as typed, so it cannot be cleaned like the share's link: it is
    refused instead, with what to remove.
    """
    for match in _URL_IN_TEXT.finditer(text or ""):
        try:
            parts = urlsplit(match.group(0).rstrip(".,;:!?)"))
        except ValueError:
            continue
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            lowered = key.lower()
            if lowered in _MEMBER_PARAMS and value:
                return True
            if lowered not in ID_PARAMS and (carries_worker_id(value) or carries_worker_id(key)):
                return True
        if carries_worker_id(parts.fragment) or _clean_path(parts.path) != parts.path:
            return True
    return False


def _clean_path(path: str) -> str:
    """Drop a path segment that is clearly the member's id (`/worker/A2…/`)."""
    segments = path.split("/")
    kept = [
        segment
        for index, segment in enumerate(segments)
        if not (
            index > 0
            and segments[index - 1].lower() in _WORKER_SEGMENTS
            and carries_worker_id(segment)
        )
    ]
    return "/".join(kept)


def comparable_url(url: str) -> str:
    """The form two copies of one link share: no scheme, no `www.`, sorted query."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    host = host.removeprefix("www.")
    path = parts.path.rstrip("/") or "/"
    query = urlencode(sorted(_clean_query(parts.query)))
    return f"{host}{path}" + (f"?{query}" if query else "")


def looks_like_link(text: str | None) -> bool:
    """Whether a member typed a link where a name or an id goes.

    `https://…`, `<…>`, or a platform's address without its scheme
    (`worker.mturk.com/requesters/…`).
    """
    raw = (text or "").strip()
    if raw.startswith("<") and raw.endswith(">"):
        raw = raw[1:-1].strip()
    if _HTTP.match(raw):
        return True
    host = raw.split("/", 1)[0].split("?", 1)[0].lower().rstrip(".")
    return bool(_HOST.match(host)) and platform_of_host(host) is not None


def requester_of_link(text: str | None) -> ParsedLink | None:
    """A link typed where a requester goes, understood; None if `text` is not a link.

    A requester's page or a task link that names its requester gives its platform and
    id (`requester_id`); any other link raises a `UserError` saying what to give
    instead: a link is never a requester's name (stored as one, it would match nobody
    and dodge the requester's warning).
    """
    if not looks_like_link(text):
        return None
    parsed = parse_link(text)
    if parsed is None or parsed.platform is None or parsed.requester_id is None:
        raise UserError("tasks.errors.link_without_requester")
    return parsed


def parse_link(text: str | None) -> ParsedLink | None:
    """Validate and understand a pasted link; raise `UserError` saying what to fix."""
    raw = (text or "").strip()
    if raw.startswith("<") and raw.endswith(">"):  # Discord's "no preview" brackets
        raw = raw[1:-1].strip()
    if not raw:
        return None
    if len(raw) > LINK_MAX:
        raise UserError("tasks.errors.link_too_long", limit=LINK_MAX)
    if _BAD_CHAR.search(raw):
        raise UserError("tasks.errors.link_invalid")
    scheme = _SCHEME.match(raw)
    # `javascript:`, `data:`, `ftp:`… are refused; `host:port/…` without a scheme is not one.
    if scheme and not _HTTP.match(raw) and not _HOST_PORT.match(raw):
        raise UserError("tasks.errors.link_scheme", scheme=scheme.group(1)[:20].lower())
    if not _HTTP.match(raw):
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise UserError("tasks.errors.link_invalid") from None
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UserError("tasks.errors.link_invalid")
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or not _HOST.match(host):
        raise UserError("tasks.errors.link_invalid")
    if is_invite(host, parts.path):
        raise UserError("tasks.errors.link_invite")
    platform = platform_of_host(host)
    segments = [s for s in parts.path.split("/") if s]
    query = {k.lower(): v for k, v in parse_qsl(parts.query, keep_blank_values=True)}

    if platform == "mturk":
        parsed = _mturk(segments, query, sandbox=host == "workersandbox.mturk.com")
        if parsed is not None:
            return parsed
    if platform == "prolific":
        if segments[:2] == ["submissions", "complete"] or "cc" in query:
            raise UserError("tasks.errors.link_private")
        parsed = _prolific(segments, query)
        if parsed is not None:
            return parsed

    netloc = host if port is None else f"{host}:{port}"
    path = quote(_clean_path(parts.path) or "/", safe="/%:@!$&'*+,;=-._~")
    clean = urlencode(_clean_query(parts.query))
    url = urlunsplit((parts.scheme.lower(), netloc, path, clean, ""))
    if len(url) > LINK_MAX:
        raise UserError("tasks.errors.link_too_long", limit=LINK_MAX)
    return ParsedLink(url=url, platform=platform)


def _mturk(segments: list[str], query: dict[str, str], *, sandbox: bool) -> ParsedLink | None:
    """Project and requester links, canonical; the sandbox (test tasks) stays the sandbox."""
    site = "https://workersandbox.mturk.com" if sandbox else "https://worker.mturk.com"
    group = None
    requester = None
    if len(segments) >= 2 and segments[0] == "projects":
        group = segments[1].upper()
    if len(segments) >= 2 and segments[0] == "requesters":
        requester = segments[1].upper()
    group = group or (query.get("groupid") or query.get("group_id") or "").upper() or None
    requester = requester or (query.get("requesterid") or "").upper() or None
    if group is not None and not MTURK_GROUP.match(group):
        group = None
    if requester is not None and not MTURK_REQUESTER.match(requester):
        requester = None
    if group:
        return ParsedLink(
            url=f"{site}/projects/{group}/tasks",
            platform="mturk",
            task_id=group,
            requester_id=requester,
        )
    if requester:
        return ParsedLink(
            url=f"{site}/requesters/{requester}/projects",
            platform="mturk",
            requester_id=requester,
        )
    return None


def _prolific(segments: list[str], query: dict[str, str]) -> ParsedLink | None:
    study = None
    if len(segments) >= 2 and segments[0] == "studies":
        study = segments[1].lower()
    study = study or (query.get("study_id") or "").lower() or None
    if study and PROLIFIC_STUDY.match(study):
        return ParsedLink(
            url=f"https://app.prolific.com/studies/{study}", platform="prolific", task_id=study
        )
    return None
