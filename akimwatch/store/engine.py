"""Open a store from a path or SQLAlchemy URL and bring its schema to the newest migration."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
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


SQLITE_BUSY_MS = 30000  # how long a writer waits for another writer's lock before giving up


def sqlite_busy_ms() -> int:
    """The SQLite busy timeout in milliseconds (AKIMWATCH_SQLITE_BUSY_MS overrides the 30 s default)."""
    try:
        return max(0, int(os.environ.get("AKIMWATCH_SQLITE_BUSY_MS", SQLITE_BUSY_MS)))
    except ValueError:
        return SQLITE_BUSY_MS


def is_store_busy(exc: BaseException) -> bool:
    """The store could not take the statement in time: SQLite locked by another writer, PostgreSQL lock
    or statement timeouts, deadlock, too many connections, or no free connection in the pool."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, OperationalError):
        return False
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).lower()
    return (getattr(orig, "sqlstate", None) in ("55P03", "57014", "40P01", "53300")
            or "database is locked" in text or "database table is locked" in text or "database is busy" in text)


def _sqlite_pragmas(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA busy_timeout={sqlite_busy_ms()}")
    cur.close()


def create_store_engine(url: str, **kwargs) -> Engine:
    """An engine with the settings each backend needs (SQLite: WAL, foreign keys)."""
    if url.startswith("sqlite"):
        path = _sqlite_path(url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, poolclass=NullPool, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


# The newest migration. Checked against Alembic's own view by tests/store/test_schema.py, so that an up-to-date
# store opens without importing Alembic at all (every command starts faster).
HEAD_REVISION = "0007_account_coverage"


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


class StoreUnavailable(Exception):
    """A store that cannot be opened as asked; the message is one line for the user (no traceback)."""


def safe_url(url: str) -> str:
    """The URL with any password hidden: it goes into messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _sqlite_path(url: str) -> Path | None:
    path = url.split("///", 1)[-1] if url.startswith("sqlite") else ""
    return Path(path) if path and path != ":memory:" else None


def _did_you_mean(path: Path) -> Path | None:
    """The closest existing store file to a mistyped path (a typo in the folder or in the file name)."""
    import difflib

    folders = [path.parent] if path.parent.is_dir() else []
    grand = path.parent.parent
    if not folders and grand.is_dir():
        names = [p.name for p in grand.iterdir() if p.is_dir()]
        folders = [grand / n for n in difflib.get_close_matches(path.parent.name, names, n=3, cutoff=0.6)]
    candidates = [str(f / n) for f in folders for n in (p.name for p in f.glob("*.db"))]
    best = difflib.get_close_matches(str(path), candidates, n=1, cutoff=0.6)
    return Path(best[0]) if best else None


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def check_store_location(url: str, *, create: bool) -> None:
    """Refuse, in one line, a ``--db`` that names no store when the command only reads one."""
    path = _sqlite_path(url)
    if path is None:
        return
    if path.is_dir():
        raise StoreUnavailable(f"{_relative(path)} is a folder, not a store: give a file such as "
                               f"{_relative(path / DEFAULT_DB_PATH)}")
    if create or path.exists():
        return
    guess = _did_you_mean(path)
    hint = f"did you mean {_relative(guess)}? " if guess else ""
    raise StoreUnavailable(f"no store at {_relative(path)} ({hint}create one with akimwatch import or "
                           "akimwatch demo)")


def open_store(db: str | os.PathLike[str] | None = None, *, migrate: bool = True, create: bool = True) -> Engine:
    """The one way commands open the store.

    ``create=False`` is for commands that only read: they refuse a missing SQLite file instead of creating an
    empty store and reporting on nothing. Every failure to reach a store is a ``StoreUnavailable`` with one line.
    """
    url = resolve_db_url(db)
    check_store_location(url, create=create)
    try:
        engine = create_store_engine(url)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise StoreUnavailable(f"cannot open the store {safe_url(url)!r}: not a file path or a supported URL "
                               f"(use a path, sqlite:///path or postgresql+psycopg://user@host/db): {exc}") from None
    except ImportError as exc:
        raise StoreUnavailable(f"cannot open the store {safe_url(url)}: its driver is not installed ({exc})") from None
    except OSError as exc:
        raise StoreUnavailable(f"cannot create the store {safe_url(url)}: {exc.strerror or exc}") from None
    if migrate:
        try:
            ensure_schema(engine)
        except OperationalError as exc:
            engine.dispose()
            reason = str(exc.orig or exc).strip().splitlines()[0] if str(exc.orig or exc).strip() else type(exc).__name__
            raise StoreUnavailable(f"cannot reach the store at {safe_url(url)}: {reason}") from None
    return engine
