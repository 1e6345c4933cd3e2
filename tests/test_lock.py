"""The lock files pin every dependency pyproject.toml declares, with hashes.

`make run` and `make test` install from requirements/*.lock, so a dependency added to
pyproject.toml without `make lock` would silently be missing on a fresh machine.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)")


def _pins(lock: Path) -> dict[str, tuple[str, int]]:
    """Name → (version, number of hashes) for every pinned line of a lock file."""
    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in lock.read_text().splitlines():
        if match := PIN.match(line):
            current = canonicalize_name(match.group(1))
            pins[current] = (match.group(2), 0)
        elif current and line.strip().startswith("--hash=sha256:"):
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def _declared(extra: str | None) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = [Requirement(spec) for spec in project["dependencies"]]
    if extra:
        requirements += [Requirement(s) for s in project["optional-dependencies"][extra]]
    return requirements


@pytest.mark.parametrize(("lock", "extra"), [("run.lock", None), ("dev.lock", "dev")])
def test_lock_pins_every_declared_dependency_with_hashes(lock: str, extra: str | None) -> None:
    pins = _pins(ROOT / "requirements" / lock)
    assert pins, f"{lock} pins nothing"
    for requirement in _declared(extra):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is declared but not in {lock}: run make lock"
        version, _ = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock} pins {name}=={version}, outside {requirement.specifier}: run make lock"
        )
    unhashed = [name for name, (_, hashes) in pins.items() if hashes == 0]
    assert not unhashed, f"pins without hashes in {lock}: {unhashed}"


def test_makefile_installs_from_the_locks() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements/run.lock" in makefile
    assert "--require-hashes -r requirements/dev.lock" in makefile
