"""SQLite-style parameters (`?`, `?NNN`, `:name`) rewritten as PostgreSQL's `$n`.

Repositories keep writing the placeholders they write for SQLite; asyncpg only knows
`$1, $2, …`. The rewrite walks the statement once, copying string literals (`'…'`,
`E'…'`), quoted identifiers (`"…"`), comments (`--…`, nested `/* … */`), dollar-quoted
bodies (`$tag$…$tag$`) and `::` casts untouched, and is cached per statement text (the
statements are constants, so the cache stays small and every later call is a lookup).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from db.dialect import POSTGRESQL, text_for


class ParameterError(ValueError):
    """Parameters that do not fit their statement (a programming error, as in sqlite3)."""


@dataclass(frozen=True, slots=True)
class Translated:
    """A statement in PostgreSQL's form and how to order its parameters."""

    sql: str
    #: The named parameters in `$n` order, or None for positional ones.
    names: tuple[str, ...] | None
    #: How many positional parameters the statement takes.
    count: int

    def bind(self, params: Sequence[Any] | Mapping[str, Any]) -> tuple[Any, ...]:
        """The arguments for asyncpg, in `$n` order."""
        if self.names is not None:
            if not isinstance(params, Mapping):
                if not self.names and not params:
                    return ()
                msg = f"named parameters {', '.join(self.names)} need a mapping"
                raise ParameterError(msg)
            try:
                return tuple(params[name] for name in self.names)
            except KeyError as exc:
                msg = f"missing named parameter :{exc.args[0]}"
                raise ParameterError(msg) from None
        if isinstance(params, Mapping):
            if self.count == 0:
                return ()
            msg = "positional parameters need a sequence, not a mapping"
            raise ParameterError(msg)
        values = tuple(params)
        if len(values) != self.count:
            msg = f"the statement takes {self.count} parameters, {len(values)} were given"
            raise ParameterError(msg)
        return values


def _is_ident(char: str) -> bool:
    return char.isalnum() or char == "_"


def _end_of_quoted(sql: str, start: int, quote: str, *, backslash: bool = False) -> int:
    """Index just past the quoted run opening at `start` (doubled quotes escape)."""
    i = start + 1
    n = len(sql)
    while i < n:
        char = sql[i]
        if backslash and char == "\\":
            i += 2
            continue
        if char == quote:
            if i + 1 < n and sql[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return n


def _end_of_block_comment(sql: str, start: int) -> int:
    depth = 0
    i = start
    n = len(sql)
    while i < n:
        pair = sql[i : i + 2]
        if pair == "/*":
            depth += 1
            i += 2
        elif pair == "*/":
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return n


def _dollar_tag(sql: str, start: int) -> str | None:
    """The `$tag$` opening a dollar-quoted body at `start`, if there is one."""
    i = start + 1
    n = len(sql)
    if i < n and sql[i].isdigit():
        return None  # `$1`: a parameter
    while i < n and _is_ident(sql[i]):
        i += 1
    if i < n and sql[i] == "$":
        return sql[start : i + 1]
    return None


def translate(sql: str) -> Translated:
    """The PostgreSQL text of `sql` (its `db.dialect.Sql` twin, if any), placeholders rewritten.

    The cache is keyed by the PostgreSQL text, never by `sql` itself: an `Sql` compares
    equal to its SQLite text, so keying by it would hand one statement the other's twin.
    """
    return _translate_text(text_for(sql, POSTGRESQL))


@functools.lru_cache(maxsize=2048)
def _translate_text(sql: str) -> Translated:
    """Rewrite `sql`'s placeholders; mixing positional and named ones is refused."""
    out: list[str] = []
    names: list[str] = []
    positional = 0
    highest = 0
    i = 0
    n = len(sql)
    while i < n:
        char = sql[i]
        nxt = sql[i + 1] if i + 1 < n else ""
        if char == "'":
            escaped = i > 0 and sql[i - 1] in "eE" and (i < 2 or not _is_ident(sql[i - 2]))
            end = _end_of_quoted(sql, i, "'", backslash=escaped)
        elif char == '"':
            end = _end_of_quoted(sql, i, '"')
        elif char == "-" and nxt == "-":
            newline = sql.find("\n", i)
            end = n if newline < 0 else newline
        elif char == "/" and nxt == "*":
            end = _end_of_block_comment(sql, i)
        elif char == ":" and nxt == ":":
            end = i + 2
        elif char == "$" and (tag := _dollar_tag(sql, i)) is not None:
            close = sql.find(tag, i + len(tag))
            end = n if close < 0 else close + len(tag)
        elif char == "?":
            j = i + 1
            while j < n and sql[j].isdigit():
                j += 1
            if j > i + 1:
                number = int(sql[i + 1 : j])
                highest = max(highest, number)
            else:
                positional += 1
                number = positional
            out.append(f"${number}")
            i = j
            continue
        elif char == ":" and (nxt.isalpha() or nxt == "_") and (i == 0 or sql[i - 1] != ":"):
            j = i + 1
            while j < n and _is_ident(sql[j]):
                j += 1
            name = sql[i + 1 : j]
            if name not in names:
                names.append(name)
            out.append(f"${names.index(name) + 1}")
            i = j
            continue
        else:
            end = i + 1
        out.append(sql[i:end])
        i = end
    if names and (positional or highest):
        msg = "a statement cannot mix named (:name) and positional (?) parameters"
        raise ParameterError(msg)
    if positional and highest:
        msg = "a statement cannot mix ? and ?NNN parameters"
        raise ParameterError(msg)
    if names:
        return Translated("".join(out), tuple(names), len(names))
    return Translated("".join(out), None, max(positional, highest))
