"""Languages: every catalog complete in English and French, commands valid in both, the
member's language for private replies, Babel for numbers, money and dates.

The completeness checks read every catalog in the project (each feature's included), so
a key added in one language only, or a placeholder renamed in one, fails here.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import discord
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import i18n
from bot.delivery import ChannelProblemError
from bot.i18n import (
    SUPPORTED,
    catalogs,
    format_date,
    format_datetime,
    format_duration_minutes,
    format_money,
    format_number,
    normalize_locale,
    permission_names,
    t,
)
from tests.harness.driver import Harness

pytestmark = pytest.mark.both_backends

ROOT = Path(__file__).resolve().parents[2]
#: What Discord accepts as a command or option name (its documented regex, without the
#: Devanagari and Thai script classes Python's `re` lacks: `str.isalnum` covers them).
NAME_MAX = 32
DESCRIPTION_MAX = 100


# -- the checker, and proof that it fails ---------------------------------------------------


def placeholders(template: str) -> set[str]:
    """`{n}`-style fields of a `str.format` template (raises on a malformed one)."""
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def catalog_problems(cats: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Missing keys, extra keys, placeholder mismatches and malformed templates."""
    problems: list[str] = []
    reference = cats["en"]
    for lang, catalog in cats.items():
        for key in sorted(set(reference) - set(catalog)):
            problems.append(f"{lang}: missing {key}")
        for key in sorted(set(catalog) - set(reference)):
            problems.append(f"{lang}: {key} is not in the English catalog")
        for key, template in catalog.items():
            try:
                mine = placeholders(template)
            except ValueError as exc:
                problems.append(f"{lang}: {key} is not a valid template ({exc})")
                continue
            if key in reference and lang != "en":
                try:
                    theirs = placeholders(reference[key])
                except ValueError:
                    continue
                if mine != theirs:
                    problems.append(f"{lang}: {key} has {sorted(mine)}, English {sorted(theirs)}")
            if not template.strip():
                problems.append(f"{lang}: {key} is empty")
    return problems


def test_the_checker_catches_every_kind_of_problem() -> None:
    broken = {
        "en": {"a.b": "Hello {name}", "a.c": "Bye", "a.d": "{n} items", "a.e": "x"},
        "fr": {"a.b": "Bonjour {nom}", "a.d": "{n} articles}", "a.e": " ", "a.z": "?"},
    }
    problems = catalog_problems(broken)
    assert "fr: missing a.c" in problems
    assert "fr: a.z is not in the English catalog" in problems
    assert "fr: a.b has ['nom'], English ['name']" in problems
    assert any(p.startswith("fr: a.d is not a valid template") for p in problems)
    assert "fr: a.e is empty" in problems
    assert catalog_problems({"en": {"k": "{x}"}, "fr": {"k": "{x} !"}}) == []


def test_every_key_exists_in_every_language_with_the_same_placeholders() -> None:
    assert set(catalogs()) == set(SUPPORTED)
    problems = catalog_problems(catalogs())
    assert not problems, "\n".join(problems)


def test_duplicate_keys_across_catalog_files_are_refused(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "bot" / "locales").mkdir(parents=True)
    (tmp_path / "cogs" / "one" / "locales").mkdir(parents=True)
    (tmp_path / "bot" / "locales" / "en.toml").write_text('[x]\nkey = "a"\n')
    (tmp_path / "cogs" / "one" / "locales" / "en.toml").write_text('[x]\nkey = "b"\n')
    monkeypatch.setattr(i18n, "ROOT", tmp_path)
    with pytest.raises(ValueError, match=r"duplicate translation key x\.key"):
        i18n.load_catalog("en")


def _literal_keys() -> Iterator[tuple[Path, int, str]]:
    """String literals passed as a translation key: t("…"), ls("…"), UserError("…"), …"""
    key_shape = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
    sections = {key.split(".")[0] for key in catalogs()["en"]}
    for folder in ("bot", "cogs", "db"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name not in {"t", "ls", "text", "has_key"} and not name.endswith("Error"):
                    continue
                first = node.args[0]
                if (
                    isinstance(first, ast.Constant)
                    and isinstance(first.value, str)
                    and key_shape.match(first.value)
                    and first.value.split(".")[0] in sections
                ):
                    yield path, node.lineno, first.value


def test_every_key_the_code_uses_exists() -> None:
    english = catalogs()["en"]
    used = list(_literal_keys())
    assert len(used) > 50  # the scan really finds the code's keys
    missing = [
        f"{path.relative_to(ROOT)}:{line}: {key}"
        for path, line, key in used
        if key not in english and f"{key}.other" not in english  # a plural table
    ]
    assert not missing, "\n".join(missing)


def test_missing_key_is_logged_and_shown_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    assert t("no.such.key", "fr") == "no.such.key"
    assert "missing translation key no.such.key" in caplog.text


# -- commands as Discord sees them, in every language ----------------------------------------


def _valid_name(name: str) -> bool:
    return (
        1 <= len(name) <= NAME_MAX
        and name == name.lower()
        and all(ch.isalnum() or ch in "-_" for ch in name)
    )


def _walk(payload: Mapping[str, Any], path: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    here = f"{path} {payload['name']}".strip()
    yield here, payload
    for option in payload.get("options") or []:
        yield from _walk(option, here)


def _fr(node: Mapping[str, Any]) -> str | None:
    return (node.get("name_localizations") or {}).get("fr")


@pytest.fixture
async def payloads(harness: Harness) -> list[dict[str, Any]]:
    tree = harness.bot.tree
    assert tree.translator is not None
    return [await c.get_translated_payload(tree, tree.translator) for c in tree.get_commands()]


async def test_every_command_option_and_choice_is_valid_in_english_and_french(
    payloads: list[dict[str, Any]],
) -> None:
    problems: list[str] = []
    for top in payloads:
        for path, node in _walk(top):
            names = {"en": node["name"], "fr": (node.get("name_localizations") or {}).get("fr")}
            descriptions = {
                "en": node.get("description"),
                "fr": (node.get("description_localizations") or {}).get("fr"),
            }
            for lang in SUPPORTED:
                if names[lang] is None:
                    problems.append(f"{path}: no {lang} name")
                elif top.get("type", 1) == 1 and not _valid_name(names[lang]):
                    problems.append(f"{path}: invalid {lang} name {names[lang]!r}")
                if top.get("type", 1) == 1 and not (
                    descriptions[lang] and len(descriptions[lang]) <= DESCRIPTION_MAX
                ):
                    problems.append(f"{path}: bad {lang} description {descriptions[lang]!r}")
            for choice in node.get("choices") or []:
                fr = (choice.get("name_localizations") or {}).get("fr")
                for lang, text in (("en", choice["name"]), ("fr", fr)):
                    if not text or len(text) > DESCRIPTION_MAX:
                        problems.append(f"{path}: bad {lang} choice {text!r}")
    assert not problems, "\n".join(problems)


async def test_sibling_names_are_unique_in_each_language(payloads: list[dict[str, Any]]) -> None:
    def check(level: list[Mapping[str, Any]], where: str) -> list[str]:
        found = []
        for lang in SUPPORTED:
            seen: dict[str, str] = {}
            for node in level:
                name = node["name"] if lang == "en" else _fr(node)
                if name in seen:
                    found.append(f"{where}: {lang} name {name!r} used twice")
                seen[name] = node["name"]
        for node in level:
            children = node.get("options") or []
            if children:
                found += check(children, f"{where} {node['name']}".strip())
        return found

    problems = check(payloads, "")
    assert not problems, "\n".join(problems)


async def test_commands_named_in_the_catalogs_exist_in_that_language(
    payloads: list[dict[str, Any]],
) -> None:
    """A French member told to type `/setup` would find nothing: it is /configuration."""
    names: dict[str, dict[str, set[str]]] = {lang: {} for lang in SUPPORTED}
    for top in payloads:
        for lang in SUPPORTED:
            name = top["name"] if lang == "en" else _fr(top)
            subs = {
                (o["name"] if lang == "en" else _fr(o))
                for o in top.get("options") or []
                if o.get("type") in (1, 2)
            }
            names[lang][name] = subs
    every_sub = {sub for lang in SUPPORTED for subs in names[lang].values() for sub in subs}
    mention = re.compile(r"(?<![\w/.:<}{)\]])/([^\W\d_][\w-]*)(?: ([\w-]+))?")
    problems = []
    for lang, catalog in catalogs().items():
        for key, text in catalog.items():
            for match in mention.finditer(text):
                command, word = match.group(1), match.group(2)
                if command not in names[lang]:
                    problems.append(f"{lang} {key}: /{command} is not a command in {lang}")
                elif word in every_sub and word not in names[lang][command]:
                    problems.append(f"{lang} {key}: /{command} {word} is not a command in {lang}")
    assert not problems, "\n".join(problems)


# -- which language a member gets -------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("fr", "fr"),
        ("fr-CA", "fr"),
        ("en-US", "en"),
        ("en-GB", "en"),
        ("de", "en"),
        ("", "en"),
        (None, "en"),
        (discord.Locale.french, "fr"),
        (discord.Locale.american_english, "en"),
        ("frisian", "en"),
    ],
)
def test_normalize_locale(value: object, expected: str) -> None:
    assert normalize_locale(value) == expected


async def test_an_interaction_in_french_is_answered_in_french(configured: Harness) -> None:
    h = configured
    sent = await h.slash("setup show", user=h.admin, locale="fr")
    assert sent.embed["title"].startswith("Réglages d'Entraide")
    assert sent.field("Salon des alertes").endswith("✅ Je peux publier ici")
    refused = await h.slash("setup show", user=h.alice, locale="fr")
    assert refused.content.startswith("Seuls les membres qui peuvent gérer ce serveur")


async def test_an_interaction_in_en_us_is_answered_in_english(configured: Harness) -> None:
    h = configured
    sent = await h.slash("setup show", user=h.admin, locale="en-US")
    assert sent.embed["title"].startswith("Entraide settings")
    refused = await h.slash("setup show", user=h.alice, locale="en-US")
    assert refused.content.startswith("Only members who can manage this server")


async def test_unsupported_locales_fall_back_to_english(configured: Harness) -> None:
    sent = await configured.slash("help", user=configured.alice, locale="de")
    assert sent.embed["title"] == "Entraide — help"


async def test_private_replies_follow_the_member_not_the_server(
    settings, clock, monkeypatch
) -> None:
    h = await Harness.start(settings, clock, monkeypatch, guild_locale="fr")
    try:
        sent = await h.slash("help", user=h.alice, locale="en-GB")
        assert sent.embed["title"] == "Entraide — help"
    finally:
        await h.stop()


# -- numbers, money and dates ----------------------------------------------------------------


def test_money_is_formatted_for_the_reader() -> None:
    assert format_money(1234567, "EUR", "en") == "€12,345.67"
    assert format_money(1234567, "EUR", "fr") == "12\u202f345,67\u00a0€"
    assert format_money(725, "USD", "fr") == "7,25\u00a0$US"
    assert format_money(1500, "JPY", "en") == "¥1,500"
    assert format_money(-250, "GBP", "en") == "-£2.50"


def test_numbers_dates_and_durations_are_formatted_for_the_reader() -> None:
    assert format_number(1234567, "en") == "1,234,567"
    assert format_number(1234567, "fr") == "1\u202f234\u202f567"
    assert format_number(3.14159, "fr", digits=2) == "3,14"
    assert format_date(date(2026, 11, 26), "en") == "Nov 26, 2026"
    assert format_date(date(2026, 11, 26), "fr") == "26 nov. 2026"
    moment = datetime(2026, 11, 26, 17, 5, tzinfo=UTC)
    assert format_datetime(moment, "fr", "Europe/Paris", fmt="short") == "26/11/2026 18:05"
    assert (
        format_datetime(moment, "en", "America/New_York", fmt="short") == "11/26/26, 12:05\u202fPM"
    )
    assert format_duration_minutes(95, "fr") == "1 h 35 min"
    assert format_duration_minutes(120, "en") == "2 h"


@given(cents=st.integers(min_value=-(10**12), max_value=10**12), lang=st.sampled_from(SUPPORTED))
def test_money_formatting_never_loses_digits(cents: int, lang: str) -> None:
    text = format_money(cents, "EUR", lang)
    digits = re.sub(r"\D", "", text)
    assert int(digits) == abs(cents)
    assert text.startswith("-") == (cents < 0)


def test_permission_names_are_translated() -> None:
    names = ("send_messages", "embed_links", "some_future_permission")
    assert permission_names(names, "en") == "send messages, embed links, some future permission"
    assert permission_names(names, "fr").startswith("envoyer des messages, intégrer des liens")


def test_delivery_errors_name_channel_and_permissions_in_the_readers_language() -> None:
    error = ChannelProblemError("alerts", "missing_permissions", ("send_messages",))
    assert "in the alerts channel: I am missing send messages" in error.message("en")
    assert "dans le salon d'alertes : il me manque envoyer des messages" in error.message("fr")
    gone = ChannelProblemError("mod", "deleted")
    assert gone.message("fr").startswith("Le salon des modérateurs a été supprimé")


# -- plural forms (issue #12: "1 more member(s)") ------------------------------------------------


def test_no_catalog_string_hedges_a_plural_with_parentheses() -> None:
    found = [
        f"{lang}: {key} = {text}"
        for lang, catalog in catalogs().items()
        for key, text in catalog.items()
        if re.search(r"\w\((?:s|e|es|x)\)", text)
    ]
    assert not found, "\n".join(found)


def test_every_plural_table_has_an_other_form_in_every_language() -> None:
    for lang, catalog in catalogs().items():
        for key in catalog:
            stem, _, form = key.rpartition(".")
            if form in i18n.PLURAL_FORMS:
                assert f"{stem}.other" in catalog, f"{lang}: {stem} has no 'other' form"


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [
        ("en", 1, "Thanks, noted. 1 more member,"),
        ("en", 2, "Thanks, noted. 2 more members,"),
        ("en", 0, "Thanks, noted. 0 more members,"),
        ("fr", 1, "Merci, c'est noté. Encore 1 membre,"),
        ("fr", 0, "Merci, c'est noté. Encore 0 membre,"),  # French: 0 is singular
        ("fr", 3, "Merci, c'est noté. Encore 3 membres,"),
    ],
)
def test_plural_forms_follow_each_languages_rules(lang: str, count: int, expected: str) -> None:
    assert t("tasks.vote.gone_noted", lang, count=count).startswith(expected)


def test_a_plural_count_is_written_with_the_readers_grouping() -> None:
    assert t("profile.qualifications.saved", "en", count=1234) == "1,234 qualifications saved."
    assert t("profile.qualifications.saved", "fr", count=1234) == (
        "1\u202f234 qualifications enregistrées."
    )


# -- one source for content-warning labels and the warning sign --------------------------------


@pytest.mark.parametrize("lang", SUPPORTED)
def test_a_content_warning_reads_the_same_on_the_alert_the_dm_and_the_digest(lang: str) -> None:
    # The digest and every other list of alerts label warned titles in `bot.ui.listed_title`.
    from cogs.alerts.render import warning_label as dm_label
    from cogs.tasks.rules import WARNING_CATEGORIES
    from cogs.tasks.rules import warning_label as alert_label

    for category in WARNING_CATEGORIES:
        label = alert_label(category, lang)
        assert label == dm_label(category, lang)
        assert label == i18n.content_warning_label(category, lang)
    assert alert_label("violence", "en") == "violence or gore"


def test_the_warning_sign_is_always_the_emoji_form() -> None:
    bare = [
        f"{lang}: {key}"
        for lang, catalog in catalogs().items()
        for key, text in catalog.items()
        if re.search("\u26a0(?!\ufe0f)", text)
    ]
    assert not bare, bare
    for path in (ROOT / "cogs").rglob("*.py"):
        assert not re.search("\u26a0(?!\ufe0f)", path.read_text(encoding="utf-8")), path


@pytest.mark.parametrize(
    ("key", "params", "en_one", "fr_one"),
    [
        ("tasks.alert.crowd", {"amount": "$9.00/h"}, "(1 report)", "(1 retour)"),
        ("earnings.pending.updated", {"status": "approved"}, "1 entry marked", "1 entrée marquée"),
        ("earnings.import.refused", {}, "1 row has problems", "1 ligne pose problème"),
        ("privacy.delete.total", {}, "1 record removed", "1 enregistrement supprimé"),
        # Found by a hostile read of every screen ("1 abonnements utilisés", "0 of 1 days").
        ("earnings.goal.days_met", {"met": 0}, "of 1 day worked", "sur 1 jour travaillé"),
        ("alerts.list.limit", {"limit": 10}, "1 of 10", "1 abonnement utilisé"),
        ("requesters.info.hidden_line", {"number": 4, "text": "x"}, "1 flag ·", "1 signalement"),
        ("platforms.info.hidden_line", {"number": 4, "text": "x"}, "1 flag ·", "1 signalement"),
        (
            "digests.member.earnings_line",
            {"earned": "$1", "paid": "-", "effective": "-", "worked": "1 h"},
            "(1 entry)",
            "(1 entrée)",
        ),
    ],
)
def test_counted_nouns_agree_with_their_count(
    key: str, params: dict, en_one: str, fr_one: str
) -> None:
    assert en_one in t(key, "en", count=1, **params)
    assert fr_one in t(key, "fr", count=1, **params)
    assert en_one not in t(key, "en", count=2, **params)


def test_a_limit_in_an_error_is_written_the_readers_way() -> None:
    from bot.errors import UserError

    error = UserError("earnings.errors.amount_too_large", limit=i18n.Number(100_000))
    assert "100,000" in error.message("en")
    assert "100\u202f000" in error.message("fr")  # not "100,000" in French


def test_format_size_follows_the_reader() -> None:
    assert i18n.format_size(552_038, "fr") == "539,1\u00a0KiB"
    assert i18n.format_size(552_038, "en") == "539.1\u00a0KiB"
    assert i18n.format_size(512) == "512\u00a0B"
