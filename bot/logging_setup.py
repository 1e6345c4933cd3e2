"""Logging, set up once, with every secret setting scrubbed from everything written."""

from __future__ import annotations

import logging
from collections.abc import Iterable

import discord

_REDACTED = "[redacted]"


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every (non-empty) secret replaced by a marker."""
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, _REDACTED)
    return text


class SecretFilter(logging.Filter):
    """Replace known secrets in a record, so a token can never reach a log.

    Its message and arguments, a formatted exception (with its chained causes) and a
    stack are all scrubbed.

    The exception is formatted here, scrubbed and kept as `exc_text`; `exc_info` is then
    dropped, since every formatter would format it again from the live exception.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def _has_secret(self, text: str) -> bool:
        return any(secret in text for secret in self._secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: let the handler report it as usual
            message = str(record.msg)
        if self._has_secret(message):
            record.msg = scrub(message, self._secrets)
            record.args = None
        if record.exc_info and record.exc_info[0] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            if self._has_secret(text):
                record.exc_text = scrub(text, self._secrets)
                record.exc_info = None
        if record.exc_text and self._has_secret(record.exc_text):
            record.exc_text = scrub(record.exc_text, self._secrets)
        if record.stack_info and self._has_secret(record.stack_info):
            record.stack_info = scrub(record.stack_info, self._secrets)
        return True


class RedactingFormatter(logging.Formatter):
    """Wrap a handler's formatter and scrub its finished output.

    The last line of defence, for anything the filter cannot see (a formatter adding
    its own fields).
    """

    def __init__(self, inner: logging.Formatter, secrets: Iterable[str]) -> None:
        super().__init__()
        self.inner = inner
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        # discord.py's colour formatter clears `exc_text` after use; keep the scrubbed
        # text for the next handler.
        exc_text = record.exc_text
        try:
            return scrub(self.inner.format(record), self._secrets)
        finally:
            record.exc_text = exc_text


def setup_logging(level: str, secrets: list[str] | None = None) -> None:
    """Configure the root logger with discord.py's formatter and the secret scrubbing."""
    discord.utils.setup_logging(level=getattr(logging, level), root=True)
    secret_filter = SecretFilter(secrets or [])
    for handler in logging.getLogger().handlers:
        handler.addFilter(secret_filter)
        if secret_filter._secrets:
            handler.setFormatter(
                RedactingFormatter(handler.formatter or logging.Formatter(), secrets or [])
            )
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, getattr(logging, level)))
