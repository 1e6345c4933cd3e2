"""README.md carries the user guide built from docs/*.md; it must not fall behind them."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_builder():
    spec = importlib.util.spec_from_file_location("build_readme", ROOT / "docs" / "build_readme.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_readme_guide_is_current() -> None:
    builder = load_builder()
    current = (ROOT / "README.md").read_text(encoding="utf-8")
    assert builder.rebuilt(current) == current, "README.md is out of date: run `make readme`"


def test_readme_gives_the_two_commands_and_documents_every_top_level_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    for command in (
        "/setup",
        "/task share",
        "/alerts subscribe",
        "/profile",
        "/requester report",
        "/mod log",
        "/earnings summary",
        "/privacy export",
        "/digest setup",
        "/platform compare",
        "/help",
        "/about",
    ):
        assert command in readme, f"{command} is not documented in README.md"


def test_developer_sections_stay_out_of_the_guide() -> None:
    builder = load_builder()
    text = (
        "# T\n\n## Use\nhello\n\n## For developers\nsecret\n\n### deeper\nmore\n\n## Privacy\nok\n"
    )
    part = builder.user_part(text, "x.md")
    assert "hello" in part and "ok" in part
    assert "secret" not in part and "more" not in part
    assert "### Use" in part
