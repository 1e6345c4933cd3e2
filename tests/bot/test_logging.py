import logging

from bot.logging_setup import SecretFilter


def test_secret_filter_redacts_token() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "token is %s", ("abc.def.ghi",), None
    )
    SecretFilter(["abc.def.ghi"]).filter(record)
    assert "abc.def.ghi" not in record.getMessage()
    assert "[redacted]" in record.getMessage()
