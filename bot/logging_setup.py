"""Logging, set up once, with the bot token scrubbed from every record."""

from __future__ import annotations

import logging

import discord

_REDACTED = "[redacted]"


class SecretFilter(logging.Filter):
    """Replace known secrets in log messages, so a token can never reach a log file."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        if any(secret in message for secret in self._secrets):
            for secret in self._secrets:
                message = message.replace(secret, _REDACTED)
            record.msg = message
            record.args = None
        return True


def setup_logging(level: str, secrets: list[str] | None = None) -> None:
    """Configure the root logger with discord.py's formatter and the secret filter."""
    discord.utils.setup_logging(level=getattr(logging, level), root=True)
    secret_filter = SecretFilter(secrets or [])
    for handler in logging.getLogger().handlers:
        handler.addFilter(secret_filter)
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, getattr(logging, level)))
