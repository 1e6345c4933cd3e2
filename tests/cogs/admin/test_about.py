import pytest

from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends


async def test_about_answers_ephemerally_with_version_uptime_and_size(harness: Harness) -> None:
    harness.clock.advance(minutes=5)
    sent = await harness.slash("about", user=harness.alice)
    assert sent.kind == "response"
    assert sent.ephemeral
    assert sent.embed["title"] == "Entraide"
    assert sent.field("Version")
    if harness.bot.db.path is not None:  # a SQLite file: its size
        assert "KiB" in sent.field("Database") or "MiB" in sent.field("Database")
    else:  # PostgreSQL: the server's business, no size line
        assert "Database" not in [f["name"] for f in sent.embed["fields"]]
    assert sent.field("Servers") == "1"
    harness.api.assert_never_pinged()


async def test_about_speaks_french_to_a_french_client(harness: Harness) -> None:
    sent = await harness.slash("about", user=harness.bob, locale="fr")
    assert sent.field("Stockage")
    assert "travailleurs du clic" in sent.embed["description"]


@pytest.mark.sqlite_only(reason="the size line shows a SQLite file's size")
async def test_the_database_size_is_written_the_french_way(harness: Harness) -> None:
    import re

    sent = await harness.slash("about", user=harness.bob, locale="fr")
    size = sent.field("Base de données")
    assert re.fullmatch(r"\d+,\d\u00a0(KiB|MiB)", size), size  # 539,1 KiB, not 539.1 KiB
    english = await harness.slash("about", user=harness.alice)
    assert re.fullmatch(r"[\d,]+\.\d\u00a0(KiB|MiB)", english.field("Database"))


async def test_about_names_the_storage_backend(harness: Harness) -> None:
    sent = await harness.slash("about", user=harness.alice)
    store = harness.bot.db
    assert sent.field("Storage") == store.url.display
    expected = "SQLite " if store.dialect == "sqlite" else "PostgreSQL "
    assert sent.field("Storage").startswith(expected)
    french = await harness.slash("about", user=harness.bob, locale="fr")
    assert french.field("Stockage").startswith(expected)


async def test_about_on_postgresql_names_the_server_never_the_password(
    settings, clock, monkeypatch, pg_url
) -> None:
    # The whole bot started on PostgreSQL (setup_hook: open, migrate, every feature loaded).
    on_pg = settings.model_copy(update={"database_url": pg_url.dsn()})
    h = await Harness.start(on_pg, clock, monkeypatch, extensions=None)
    try:
        sent = await h.slash("about", user=h.alice)
        assert h.bot.db.dialect == "postgresql"
        assert sent.field("Storage") == pg_url.display
        assert "Database" not in [f["name"] for f in sent.embed["fields"]]
    finally:
        await h.stop()
