"""Shared fixtures: a fresh store on SQLite and on PostgreSQL, paths to the real format samples."""

from __future__ import annotations

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


def require_sample(*parts: str) -> Path:
    """A real sample file from shared/data/formats; tests on real formats must not silently vanish."""
    path = FORMATS.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"real sample {path} is missing (set AKIMWATCH_SHARED_DATA)")
    return path


def real_samples() -> list[Path]:
    """Every real format sample file (SOURCE.md / LICENSE excluded); fails rather than pass on nothing."""
    files = sorted(p for p in FORMATS.rglob("*") if p.is_file() and p.suffix != ".md" and p.name != "LICENSE")
    if not files:
        pytest.fail(f"no real format samples under {FORMATS} (set AKIMWATCH_SHARED_DATA)")
    return files
