"""Import and harvest runs that were cut off: a run whose process is gone is marked failed on the next start.

A run row is written ``running`` before its file is read and finished after; a kill -9, a power cut or a crash
leaves it ``running`` forever. Each run records its process id and host, so any later command can tell a run
still in progress (its process lives) from an abandoned one.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from sqlalchemy import Engine, select, update

from akimwatch.store.save import now_utc
from akimwatch.store.schema import import_runs

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
    now = now_utc()
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
