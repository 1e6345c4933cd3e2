"""What every endpoint of the personal API needs, apart from the bot itself.

Personal tokens (only their hash is stored), refusals as JSON `{"error": {"code",
"message"}}`, and the per-member rate limiter.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

TOKEN_PREFIX = "ent_"  # noqa: S105 - a prefix, not a secret
#: What `new_token` makes: the prefix and 43 URL-safe characters (32 random bytes).
TOKEN_SHAPE = re.compile(r"ent_[A-Za-z0-9_-]{43}")
#: Anything that looks like a token, as it may appear in a log line (a mistyped or cut
#: token is still most of a real one).
_TOKEN_IN_TEXT = re.compile(r"ent_[A-Za-z0-9_-]{4,}")
#: The number (never the secret) of the token a request used, for the request log.
TOKEN_ID = web.RequestKey("token_id", int | None)
JSON_TYPE = "application/json"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def scrub_tokens(text: str) -> str:
    """`text` with anything shaped like a personal token blanked out."""
    return _TOKEN_IN_TEXT.sub(TOKEN_PREFIX + "[redacted]", text) if TOKEN_PREFIX in text else text


class TokenFilter(logging.Filter):
    """Blank out personal tokens in a logger's records (message, arguments, exception).

    Set on the API's own logger and on the one aiohttp's HTTP parser reports malformed
    requests to, which quotes the offending header line: a member's `Authorization`
    header would otherwise reach the logs. A filter on the logger itself runs before any
    handler (every handler, whoever configured it) sees the record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: let the handler report it as usual
            message = str(record.msg)
        if TOKEN_PREFIX in message:
            record.msg = scrub_tokens(message)
            record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if TOKEN_PREFIX in text:
                record.exc_text = scrub_tokens(text)
                record.exc_info = None
        if record.exc_text and TOKEN_PREFIX in record.exc_text:
            record.exc_text = scrub_tokens(record.exc_text)
        if record.stack_info and TOKEN_PREFIX in record.stack_info:
            record.stack_info = scrub_tokens(record.stack_info)
        return True


class ApiError(Exception):
    """A refusal: HTTP status, a stable code, the member-facing message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
        *,
        close: bool = False,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.text = message
        self.headers = headers or {}
        #: The body was left unread or unreadable: end the connection with the answer,
        #: or the client's next request on it would be read from the rest of this body.
        self.close = close


def error_response(error: ApiError) -> web.Response:
    response = web.json_response(
        {"error": {"code": error.code, "message": error.text}},
        status=error.status,
        headers=error.headers,
        content_type=JSON_TYPE,
    )
    if error.close:
        response.force_close()
    return response


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """A token bucket per key (the member): `per_minute` requests, refilled continuously."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._buckets: dict[int, _Bucket] = {}

    def take(self, key: int) -> float:
        """0 when the request may go ahead, else the seconds until it may."""
        now = self.clock()
        rate = self.per_minute / 60
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(self.per_minute), now)
        bucket.tokens = min(float(self.per_minute), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        if len(self._buckets) > 10_000:  # forget idle buckets now and then
            self._buckets = {k: b for k, b in self._buckets.items() if now - b.updated < 120}
        return (1 - bucket.tokens) / rate
