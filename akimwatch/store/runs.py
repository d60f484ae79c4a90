"""One import-run lifecycle for every way data comes in (file imports, live harvests): start, finish, or fail.

A run is a row of ``import_runs``: ``running`` while it works, then ``ok``, ``partial`` (some records skipped) or
``failed``, with its counts and at most ``MAX_ERRORS`` errors; ``akimwatch status`` shows them.

A kill -9, a power cut or a crash leaves a run ``running`` forever. Each run records its process id and host, so
any later command can tell a run still in progress (its process lives) from an abandoned one
(``fail_abandoned_runs``, called when imports, harvests and ``status`` start).
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from akimwatch.store.schema import import_runs

MAX_ERRORS = 1000
_UNSET: Any = object()


def _now() -> datetime:
    return datetime.now(UTC)


def start_run(conn: Connection, *, kind: str, source: str, format: str | None = None,
              account_id: str | None = None) -> int:
    """A new ``running`` run; its id tags every row the run saves."""
    return int(conn.execute(insert(import_runs).values(
        kind=kind, source=source, format=format, account_id=account_id, status="running",
        started_utc=_now(), **run_owner())).inserted_primary_key[0])


def finish_run(engine: Engine, run_id: int, status: str, counts: dict[str, Any] | None,
               errors: list[dict[str, Any]] | None, *, format: str | None = _UNSET) -> None:
    """Close a run in its own transaction (so it is recorded even when the run's own transaction rolled back);
    ``format`` is set when given (an import learns its format only after detection)."""
    values: dict[str, Any] = {"status": status, "finished_utc": _now(), "counts": counts or {},
                              "errors": errors[:MAX_ERRORS] if errors else None}
    if format is not _UNSET:
        values["format"] = format
    with engine.begin() as conn:
        conn.execute(update(import_runs).where(import_runs.c.id == run_id).values(**values))


def save_failed_run(engine: Engine, *, kind: str, source: str, format: str | None, account_id: str | None,
                    error: str) -> None:
    """A run that could not even start (no credential, no collector), recorded as failed at once."""
    now = _now()
    with engine.begin() as conn:
        conn.execute(insert(import_runs).values(
            kind=kind, source=source, format=format, account_id=account_id, status="failed", started_utc=now,
            finished_utc=now, counts={}, errors=[{"error": error}]))


# runs written before runs recorded their process: assumed abandoned after this long
LEGACY_RUN_TIMEOUT = timedelta(hours=24)


def run_owner() -> dict[str, object]:
    """The columns that say which process writes a run."""
    return {"pid": os.getpid(), "host": socket.gethostname()[:255]}


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    except OSError:
        return False
    return True


def fail_abandoned_runs(engine: Engine) -> int:
    """Mark ``running`` runs of this host whose process is gone as failed; returns how many."""
    host = socket.gethostname()[:255]
    now = _now()
    with engine.begin() as conn:
        rows = conn.execute(select(import_runs.c.id, import_runs.c.pid, import_runs.c.host, import_runs.c.started_utc)
                            .where(import_runs.c.status == "running")).all()
        gone = []
        for row in rows:
            if row.pid is None:
                started = row.started_utc
                if started is not None and started.tzinfo is None:
                    from datetime import UTC

                    started = started.replace(tzinfo=UTC)
                if started is not None and now - started > LEGACY_RUN_TIMEOUT:
                    gone.append((row.id, "interrupted: still 'running' a day after it started"))
            elif row.host == host and row.pid != os.getpid() and not process_alive(row.pid):
                gone.append((row.id, f"interrupted: its process ({row.pid}) ended before the run finished; "
                                     "nothing from it was saved"))
        for run_id, why in gone:
            conn.execute(update(import_runs).where(import_runs.c.id == run_id, import_runs.c.status == "running")
                         .values(status="failed", finished_utc=now, errors=[{"error": why}]))
    return len(gone)
