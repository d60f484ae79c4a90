"""Open a store from a path or SQLAlchemy URL and bring its schema to the newest migration."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.pool import NullPool

DEFAULT_DB_PATH = Path("akimwatch.db")
ENV_DB = "AKIMWATCH_DB"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def resolve_db_url(db: str | os.PathLike[str] | None = None) -> str:
    """Turn ``--db`` / ``AKIMWATCH_DB`` (a file path or an SQLAlchemy URL) into a URL."""
    value = str(db) if db else os.environ.get(ENV_DB) or str(DEFAULT_DB_PATH)
    if "://" in value:
        if value.startswith("postgresql://") or value.startswith("postgres://"):
            value = "postgresql+psycopg://" + value.split("://", 1)[1]
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def create_store_engine(url: str, **kwargs) -> Engine:
    """An engine with the settings each backend needs (SQLite: WAL, foreign keys)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, poolclass=NullPool, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


# The newest migration. Checked against Alembic's own view by tests/store/test_schema.py, so that an up-to-date
# store opens without importing Alembic at all (every command starts faster).
HEAD_REVISION = "0006_runs_pid_approx"


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def ensure_schema(engine: Engine) -> None:
    """Run Alembic migrations up to head (idempotent; cheap when already current)."""
    if current_revision(engine) == HEAD_REVISION:
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def open_store(db: str | os.PathLike[str] | None = None, *, migrate: bool = True) -> Engine:
    """The one way commands open the store."""
    engine = create_store_engine(resolve_db_url(db))
    if migrate:
        ensure_schema(engine)
    return engine


def table_names(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())
