"""The lock (requirements/*.txt) agrees with pyproject.toml: every declared dependency is pinned, within its range.

`make demo` and `make test` install only from the lock, so a dependency added to pyproject.toml without
`make lock` would be missing on a fresh machine, and a pin outside the declared range would test a version
library users can never get.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
LOCKS = REPO / "requirements"
HINT = "run `make lock` and commit requirements/"


def read_lock(path: Path) -> dict[str, str]:
    """name → pinned version; every pin must carry hashes (installs use --require-hashes)."""
    pins: dict[str, str] = {}
    text = path.read_text("utf-8")
    for block in re.split(r"\n(?=\S)", text):
        line = block.strip()
        if not line or line.startswith("#"):
            continue
        match = re.match(r"([A-Za-z0-9_.\-]+)==([^\s\\;]+)", line)
        assert match, f"{path.name}: not an exact pin: {line.splitlines()[0]!r}; {HINT}"
        assert "--hash=sha256:" in block, f"{path.name}: {match[1]} has no hash; {HINT}"
        pins[canonicalize_name(match[1])] = match[2]
    return pins


def declared(extra: str | None = None) -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    deps = list(project["dependencies"])
    if extra:
        deps += project["optional-dependencies"][extra]
    return [Requirement(d) for d in deps]


@pytest.mark.parametrize("lock, extra", [("main.txt", None), ("test.txt", "test")])
def test_every_declared_dependency_is_pinned_within_its_range(lock, extra):
    pins = read_lock(LOCKS / lock)
    for req in declared(extra):
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is declared in pyproject.toml but not pinned in {lock}; {HINT}"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"{lock} pins {req.name}=={pins[name]} outside pyproject.toml's {req.specifier}; {HINT}")


def test_the_test_lock_installs_what_the_main_lock_does():
    main, test = read_lock(LOCKS / "main.txt"), read_lock(LOCKS / "test.txt")
    differ = {n: (v, test.get(n)) for n, v in main.items() if test.get(n) != v}
    assert not differ, f"main.txt and test.txt pin different versions {differ}; {HINT}"


def test_the_build_backend_is_pinned():
    build = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["build-system"]["requires"]
    pins = read_lock(LOCKS / "build.txt")
    for req in map(Requirement, build):
        assert req.specifier.contains(pins[canonicalize_name(req.name)]), HINT


def test_the_lock_checker_catches_a_dependency_missing_from_the_lock(tmp_path):
    lock = tmp_path / "main.txt"
    lock.write_text("alembic==1.0 \\\n    --hash=sha256:00\n", "utf-8")
    pins = read_lock(lock)
    missing = [r.name for r in declared() if canonicalize_name(r.name) not in pins]
    assert "sqlalchemy" in missing
    lock.write_text("alembic==1.0\n", "utf-8")
    with pytest.raises(AssertionError, match="no hash"):
        read_lock(lock)
