"""The stairs run one way (docs/architecture.md): a test, so they stay that way.

`db/` needs nothing above it, `bot/` needs no feature package (only `bot.bot` walks
`cogs/` to discover extensions), `rules.py` modules never import discord, and no package
imports itself in a circle.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every module this file imports, at any level.

    Lazy and `TYPE_CHECKING` imports count: a view that names its cog's type only for the
    type checker still reaches back into the cog at run time.
    """
    found: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _sources(*packages: str) -> dict[str, set[str]]:
    return {
        _module_name(path): _imports(path)
        for package in packages
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def _is_under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def test_db_imports_nothing_above_it() -> None:
    wrong = {
        module: sorted(
            i
            for i in imports
            if _is_under(i, "cogs") or _is_under(i, "bot") or _is_under(i, "discord")
        )
        for module, imports in _sources("db").items()
    }
    assert not {m: i for m, i in wrong.items() if i}


def test_bot_imports_no_feature_package() -> None:
    wrong = {}
    for module, imports in _sources("bot").items():
        upward = sorted(i for i in imports if _is_under(i, "cogs") and i != "cogs")
        if upward:
            wrong[module] = upward
    assert not wrong, "bot/ may only discover extensions (import cogs), never use a feature"


def test_rules_never_import_discord() -> None:
    wrong = {
        module: sorted(i for i in imports if _is_under(i, "discord"))
        for module, imports in _sources("cogs").items()
        if module.endswith(".rules")
    }
    assert not {m: i for m, i in wrong.items() if i}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_between_modules() -> None:
    sources = _sources("bot", "cogs", "db")
    graph: dict[str, set[str]] = defaultdict(set)
    for module, imports in sources.items():
        for name in imports:
            # `from pkg import mod` names the module `pkg.mod`; keep whichever exists.
            target = name if name in sources else name.rsplit(".", 1)[0]
            # A package importing its own parent, and extension discovery (`cogs`), are
            # not stairs.
            upward_to_parent = module.startswith(target + ".")
            if target in sources and target not in {module, "cogs"} and not upward_to_parent:
                graph[module].add(target)
    assert _cycles(graph) == []
