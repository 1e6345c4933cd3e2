import io
import logging
from collections.abc import Iterator

import pytest

from bot.logging_setup import RedactingFormatter, SecretFilter, setup_logging
from bot.settings import load_settings

TOKEN = "abc.def.ghi"


def test_secret_filter_redacts_token() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token is %s", (TOKEN,), None)
    SecretFilter([TOKEN]).filter(record)
    assert TOKEN not in record.getMessage()
    assert "[redacted]" in record.getMessage()


@pytest.fixture
def root_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def _raise_with_token() -> None:
    try:
        {}[f"Bot {TOKEN}"]
    except KeyError as exc:
        raise RuntimeError(f"request with {TOKEN} failed") from exc


def test_tracebacks_stacks_and_arguments_are_scrubbed(
    root_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging("INFO", [TOKEN])
    log = logging.getLogger("entraide.test")
    try:
        _raise_with_token()
    except RuntimeError:
        log.exception("failed for %s", TOKEN, stack_info=True)
    log.error("plain", exc_info=RuntimeError(TOKEN))
    log.warning("dict args %(t)s", {"t": TOKEN})
    err = capsys.readouterr().err
    assert "Traceback" in err and "KeyError" in err and "Stack (most recent call last)" in err
    assert "request with [redacted] failed" in err and "failed for [redacted]" in err
    assert "dict args [redacted]" in err
    assert TOKEN not in err


def test_every_handler_gets_the_scrubbed_traceback(root_logging: None) -> None:
    """Two handlers (discord.py's clears `exc_text` after formatting): both stay clean."""
    setup_logging("INFO", [TOKEN])
    streams = [io.StringIO(), io.StringIO()]
    root = logging.getLogger()
    for stream in streams:
        handler = logging.StreamHandler(stream)
        handler.addFilter(SecretFilter([TOKEN]))
        handler.setFormatter(RedactingFormatter(logging.Formatter("%(message)s"), [TOKEN]))
        root.addHandler(handler)
    try:
        _raise_with_token()
    except RuntimeError:
        logging.getLogger("x").exception("boom")
    for stream in streams:
        text = stream.getvalue()
        assert "RuntimeError: request with [redacted] failed" in text
        assert TOKEN not in text


def test_settings_list_every_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = load_settings(
        discord_token=TOKEN, discord_api_base="https://bot:hunter2@spacebar.example/api"
    )
    assert settings.secrets() == [TOKEN, "hunter2"]
    assert load_settings(discord_token="").secrets() == []
