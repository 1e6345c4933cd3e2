"""The `?`/`?NNN`/`:name` → `$n` rewrite: literals, identifiers, comments and casts kept."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.postgres.sql import ParameterError, translate


def test_qmarks_are_numbered_in_order() -> None:
    t = translate("SELECT * FROM t WHERE a = ? AND b IN (?, ?)")
    assert t.sql == "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)"
    assert t.names is None and t.count == 3
    assert t.bind((1, 2, 3)) == (1, 2, 3)


def test_numbered_qmarks_keep_their_numbers() -> None:
    t = translate("SELECT ?1, ?2, ?1")
    assert t.sql == "SELECT $1, $2, $1"
    assert t.count == 2


def test_named_parameters_share_a_number_and_bind_from_a_mapping() -> None:
    t = translate("UPDATE t SET a = :a, b = :b WHERE a <> :a")
    assert t.sql == "UPDATE t SET a = $1, b = $2 WHERE a <> $1"
    assert t.bind({"b": 2, "a": 1, "unused": 3}) == (1, 2)


def test_literals_identifiers_comments_casts_and_dollar_bodies_are_untouched() -> None:
    sql = (
        "SELECT 'it''s ? :x', E'\\' ?', \"col?\", x::text, ? -- no ? here\n"
        "/* nor :here /* nested ? */ ? */ FROM t WHERE y = :: int AND z = $f$ ? :q $f$"
    )
    t = translate(sql)
    assert t.count == 1
    assert t.sql == sql.replace(", ? --", ", $1 --")


def test_existing_dollar_parameters_pass_through() -> None:
    assert translate("SELECT $1").sql == "SELECT $1"


@pytest.mark.parametrize(
    ("sql", "params", "message"),
    [
        ("SELECT ?, ?", (1,), "takes 2 parameters, 1 were given"),
        ("SELECT :a", (1,), "need a mapping"),
        ("SELECT :a", {"b": 1}, "missing named parameter :a"),
        ("SELECT ?", {"a": 1}, "need a sequence"),
    ],
)
def test_parameters_that_do_not_fit_are_refused(sql: str, params: object, message: str) -> None:
    with pytest.raises(ParameterError, match=message):
        translate(sql).bind(params)  # type: ignore[arg-type]


def test_mixing_styles_is_refused() -> None:
    with pytest.raises(ParameterError):
        translate("SELECT ?, :a")
    with pytest.raises(ParameterError):
        translate("SELECT ?, ?2")


def test_the_rewrite_is_cached_per_statement() -> None:
    sql = "SELECT 'cached' WHERE 1 = ?"
    assert translate(sql) is translate(sql)


# -- property: random statements built from pieces that must survive intact ----------------

_text = st.text(alphabet=st.sampled_from("ab ?:$;-*/\\x1"), max_size=8)
_pieces = st.one_of(
    _text.map(lambda s: ("lit", "'" + s.replace("'", "''") + "'")),
    _text.map(lambda s: ("ident", '"' + s.replace('"', '""') + '"')),
    _text.map(lambda s: ("line", "--" + s.replace("\n", " ") + "\n")),
    _text.filter(lambda s: "*/" not in s and "/*" not in s and not s.endswith("/")).map(
        lambda s: ("block", "/*" + s + "*/")
    ),
    _text.filter(lambda s: "$q$" not in s and not s.endswith("$")).map(
        lambda s: ("dollar", "$q$" + s + "$q$")
    ),
    st.just(("cast", "::int")),
    st.just(("param", "?")),
    st.sampled_from(["a", " = ", ", ", "(", ")", " + "]).map(lambda s: ("code", s)),
)


@given(st.lists(_pieces, max_size=20))
def test_random_statements_keep_their_quoted_parts_and_number_parameters(
    pieces: list[tuple[str, str]],
) -> None:
    sql = " ".join(text for _, text in pieces)
    translated = translate(sql)
    expected: list[str] = []
    number = 0
    for kind, text in pieces:
        if kind == "param":
            number += 1
            expected.append(f"${number}")
        else:
            expected.append(text)
    assert translated.sql == " ".join(expected)
    assert translated.count == number
