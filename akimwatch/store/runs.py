"""One import-run lifecycle for every way data comes in (file imports, live harvests): start, finish, or fail.

A run is a row of ``import_runs``: ``running`` while it works, then ``ok``, ``partial`` (some records skipped) or
``failed``, with its counts and at most ``MAX_ERRORS`` errors; ``akimwatch status`` shows them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, update

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
        started_utc=_now())).inserted_primary_key[0])


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
