"""Shared fixtures: a fresh store on SQLite and on PostgreSQL, paths to the real format samples."""

from __future__ import annotations

import dis
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from akimwatch.store.engine import create_store_engine, ensure_schema

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("AKIMWATCH_SHARED_DATA", REPO.parent / "shared" / "data"))
FORMATS = SHARED / "formats"
PG_URL = os.environ.get("AKIMWATCH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means unreachable
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"


_PG_PROBLEM: str | None | bool = False


def pg_problem() -> str | None:
    global _PG_PROBLEM
    if _PG_PROBLEM is False:
        _PG_PROBLEM = _pg_available()
    return _PG_PROBLEM  # type: ignore[return-value]


def _require_pg() -> None:
    problem = pg_problem()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {PG_URL} is unreachable under CI=true: {problem}")
        pytest.skip(f"PostgreSQL at {PG_URL} is unreachable: {problem}")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """A migrated, empty store on each backend (PostgreSQL: a throwaway schema)."""
    if request.param == "sqlite":
        engine = create_store_engine(f"sqlite:///{tmp_path / 'test.db'}")
        ensure_schema(engine)
        yield engine
        engine.dispose()
        return
    _require_pg()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_store_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        ensure_schema(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_store(tmp_path):
    engine = create_store_engine(f"sqlite:///{tmp_path / 'test.db'}")
    ensure_schema(engine)
    yield engine
    engine.dispose()


SHARED_REASON = (f"needs the real third-party samples and corpora in {SHARED} (../shared/data beside the "
                 "repository, or AKIMWATCH_SHARED_DATA); a clone without them tests everything else")


def shared_missing(path: Path | None = None) -> None:
    """Skip (fail under CI=true) a test whose data live in ../shared/data, when they are not there.

    Other people's samples are never committed here, so a public clone has no ../shared: its tests of real
    formats skip with one reason. CI has ../shared, so there a missing file is a failure, never a silent skip.
    """
    where = path or SHARED
    if os.environ.get("CI") == "true":
        pytest.fail(f"{where} is missing under CI=true (set AKIMWATCH_SHARED_DATA)")
    pytest.skip(SHARED_REASON if not SHARED.exists() else f"{where} is not in {SHARED}")


_SHARED_READERS = {"require_sample", "real_samples", "require_shared", "SHARED", "FORMATS"}


def _shared_objects() -> tuple:
    return (require_sample, real_samples, require_shared, SHARED, FORMATS)


def _globals_read(code) -> set[str]:
    """The global names a code object (and every function, lambda or comprehension inside it) loads; not
    ``co_names``, which also holds attribute names (``module.FORMATS`` is not our FORMATS)."""
    names = {i.argval for i in dis.get_instructions(code) if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            names |= _globals_read(const)
    return names


def _reads_shared(func, module_globals: dict, seen: set) -> bool:
    """Whether a test function (or a helper or fixture of the test suite it calls) reaches ../shared/data."""
    code = getattr(func, "__code__", None)
    if code is None or code in seen:
        return False
    seen.add(code)
    for name in _globals_read(code):
        target = getattr(func, "__globals__", module_globals).get(name)
        if name in _SHARED_READERS and any(target is ours for ours in _shared_objects()):
            return True
        if callable(target) and getattr(target, "__module__", "").startswith("tests") and \
                _reads_shared(target, module_globals, seen):
            return True
    return False


def pytest_collection_modifyitems(config, items) -> None:
    """Mark every test that reads ../shared/data ``shared_data`` (``-m "not shared_data"`` deselects them)."""
    for item in items:
        funcs = [getattr(item, "function", None)]
        for defs in getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {}).values():
            funcs += [d.func for d in defs if getattr(d.func, "__module__", "").startswith("tests")]
        seen: set = set()
        if any(f is not None and _reads_shared(f, {}, seen) for f in funcs):
            item.add_marker("shared_data")


def pytest_runtest_setup(item) -> None:
    if item.get_closest_marker("shared_data") and not SHARED.exists():
        shared_missing()


def require_sample(*parts: str) -> Path:
    """A real sample file from shared/data/formats; tests on real formats must not silently vanish."""
    path = FORMATS.joinpath(*parts)
    if not path.exists():
        shared_missing(path)
    return path


def require_shared(*parts: str) -> Path:
    """A file or folder of ../shared (data, seed): skipped on a clone without it, a failure under CI."""
    path = SHARED.parent.joinpath(*parts)
    if not path.exists():
        shared_missing(path)
    return path


def real_samples() -> list[Path]:
    """Every real format sample file (SOURCE.md / LICENSE excluded); never passes on nothing."""
    files = sorted(p for p in FORMATS.rglob("*") if p.is_file() and p.suffix != ".md" and p.name != "LICENSE")
    if not files:
        shared_missing(FORMATS)
    return files
