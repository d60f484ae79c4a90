"""The layers of docs/architecture.md hold: cli/web -> reports -> metrics -> analysis -> store -> models.

The contracts are in pyproject.toml ([tool.importlinter]); `lint-imports` checks them by hand, this test in CI.
A wrong import (say `akimwatch.metrics` importing `akimwatch.reports`) fails here, naming the import chain.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("importlinter", reason="import-linter is a test dependency (pip install -e '.[test]')")


def test_import_contracts_are_kept(capsys):
    from importlinter.cli import lint_imports

    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "0 broken" in out


def _cycles(graph, modules: list[str]) -> list[tuple[str, str]]:
    """Pairs of modules (or packages, with their submodules) that import each other, directly or not."""
    found = []
    for i, a in enumerate(modules):
        for b in modules[i + 1:]:
            if graph.chain_exists(a, b, as_packages=True) and graph.chain_exists(b, a, as_packages=True):
                found.append((a, b))
    return found


def test_no_import_cycles_between_packages_or_inside_the_store():
    import grimp

    graph = grimp.build_graph("akimwatch", cache_dir=None)
    top = sorted(m for m in graph.modules if m.count(".") == 1)
    assert _cycles(graph, top) == []
    store = sorted(m for m in graph.modules if m.startswith("akimwatch.store.") and m.count(".") == 2
                   and not m.startswith("akimwatch.store.migrations"))
    assert _cycles(graph, store) == []


def test_the_architecture_page_names_every_room():
    """docs/architecture.md stays the map: every top-level module and package of akimwatch is on it."""
    import grimp

    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    graph = grimp.build_graph("akimwatch", cache_dir=None)
    rooms = {m.split(".")[1] for m in graph.modules if m.count(".") >= 1}
    missing = sorted(r for r in rooms if f"{r}/" not in text and f"{r}.py" not in text
                     and r not in ("catalogs", "data", "demo_data", "locale", "__main__"))
    assert missing == [], f"docs/architecture.md does not say where these live: {missing}"
    for change in ("Add a platform", "Add a metric", "Add a page", "Add an analyzer"):
        assert f"**{change}.**" in text


# SQL is written in store/ or in a feature's queries.py / tables.py; these files still hold some, being moved
# by the people who own them (analysis/run.py: the analyzer-registry work of issue 11).
SQL_NAMES = {"select", "insert", "update", "delete", "exists", "func", "text", "and_", "or_", "case", "literal",
             "literal_column", "Table", "Column", "MetaData", "inspect", "distinct"}
SQL_NOT_YET_MOVED = {"akimwatch/analysis/run.py"}


def test_sql_lives_in_the_store_or_a_features_queries():
    import ast

    found = {}
    for path in sorted((ROOT / "akimwatch").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("akimwatch/store/") or path.name in ("queries.py", "tables.py"):
            continue
        names = {a.name for node in ast.walk(ast.parse(path.read_text("utf-8")))
                 if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy")
                 for a in node.names}
        if names & SQL_NAMES:
            found[rel] = sorted(names & SQL_NAMES)
    assert set(found) <= SQL_NOT_YET_MOVED, f"SQL outside store/ and queries.py: {found}"
