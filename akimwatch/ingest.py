"""`akimwatch import`: detect each file's format, map its records, save them — one transaction a file.

A file either lands whole or not at all (bad record without --skip-bad, truncated file,
Ctrl-C): the store is left as it was before that file, and the import run records why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from akimwatch.models import SkippedRecord
from akimwatch.sources import detect_format, get_format
from akimwatch.sources.base import Format, SourceError
from akimwatch.store.queries import account_exists
from akimwatch.store.runs import finish_run, start_run
from akimwatch.store.save import RecordSaver, UnknownAccountError

log = logging.getLogger("akimwatch.import")


class ImportFailed(Exception):
    """A file could not be imported; nothing from it was committed."""


@dataclass
class FileResult:
    path: str
    format: str | None
    ok: bool
    counts: dict[str, Any] = field(default_factory=dict)
    skipped: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


# In a folder these are documentation, watch lists, code or SQLite stores, never exports.
SKIPPED_SUFFIXES = {".md", ".txt", ".yaml", ".yml", ".py", ".pyc", ".db", ".db-wal", ".db-shm", ".sqlite", ".sqlite3"}


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; folders are walked (sorted, hidden files ignored)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith(".")
                              and f.suffix.lower() not in SKIPPED_SUFFIXES and f.name != "LICENSE"
                              and "__pycache__" not in f.parts))
        else:
            out.append(p)
    return out


def import_file(engine: Engine, path: Path, *, format_id: str | None = None, account_id: str | None = None,
                skip_bad: bool = False, strict: bool = False,
                on_record: Callable[[int], None] | None = None) -> FileResult:
    """Import one file in one transaction; returns what happened (never raises for bad input)."""
    fmt: Format | None = None
    result = FileResult(path=str(path), format=None, ok=False)
    with engine.begin() as conn:
        run_id = start_run(conn, kind="import", source=str(path), format=format_id, account_id=account_id)
    try:
        if not path.exists():
            raise SourceError(path, "", None, "does not exist")
        fmt = get_format(format_id) if format_id else detect_format(path)
        result.format = fmt.id
        with engine.begin() as conn:
            if account_id and not account_exists(conn, account_id):
                raise SourceError(path, "", None, f"--account '{account_id}' is not in the store",
                                  "load the watch list first (akimwatch registry load) or check the id")
            saver = RecordSaver(conn, run_id=run_id, forced_account_id=account_id, strict=strict)
            for n, record in enumerate(fmt.parse(path), start=1):
                if isinstance(record, SkippedRecord) and not skip_bad:
                    raise SourceError(path, record.location, record.field, record.reason,
                                      "fix the record or run with --skip-bad")
                saver.add(record)
                if on_record and n % 1000 == 0:
                    on_record(n)
            counts = saver.finish()
        result.ok = True
        result.counts = counts.as_dict()
        result.skipped = counts.skipped
        created = counts.accounts_created
        if len(created) == 1:
            result.warnings = [f"account '{created[0]}' is not on the watch list: imported as unassigned"]
        elif created:
            shown = ", ".join(f"'{a}'" for a in created[:5]) + (f" and {len(created) - 5} more" if len(created) > 5 else "")
            result.warnings = [f"{len(created)} accounts are not on the watch list: imported as unassigned "
                               f"({shown}); assign them in the watch list (akimwatch registry load)"]
        status = "partial" if counts.skipped else "ok"
        errors = counts.skipped or None
    except (SourceError, UnknownAccountError) as exc:
        result.error = str(exc) if isinstance(exc, SourceError) else f"{path}, {exc}"
        status, errors = "failed", [{"error": result.error}]
    except KeyboardInterrupt:
        _finish_run(engine, run_id, "failed", fmt, {}, [{"error": "interrupted; nothing from this file was saved"}])
        raise
    _finish_run(engine, run_id, status, fmt, result.counts, errors)
    for warning in result.warnings:
        log.info("%s: %s", path, warning)
    return result


def _finish_run(engine: Engine, run_id: int, status: str, fmt: Format | None, counts: dict[str, Any],
                errors: list[dict[str, str]] | None) -> None:
    finish_run(engine, run_id, status, counts, errors, format=fmt.id if fmt else None)


def import_files(engine: Engine, paths: Iterable[str | Path], **kwargs: Any) -> list[FileResult]:
    return [import_file(engine, p, **kwargs) for p in expand_paths(paths)]
