"""The offline test harness (see tests/README.md)."""
