"""`akimwatch import`: detect each file's format, map its records, save them — one transaction a file.

A file either lands whole or not at all (bad record without --skip-bad, truncated file,
Ctrl-C): the store is left as it was before that file, and the import run records why.
Folders are taken as users have them: media and tool side files beside the exports are passed over
silently, files in no known format are listed once as skipped (an error with --strict).
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from akimwatch.models import SkippedRecord
from akimwatch.sources import detect_format, get_format
from akimwatch.sources.base import Format, SourceError, UnknownFormatError, display_path
from akimwatch.sources.limits import (
    READ_ERRORS,
    ImportLimits,
    LimitExceeded,
    check_time,
    describe_read_error,
    file_budget,
)
from akimwatch.store.queries import account_exists
from akimwatch.store.runs import fail_abandoned_runs, finish_run, start_run
from akimwatch.store.save import BadRecord, RecordSaver, UnknownAccountError

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
    not_imported: str | None = None  # a folder file passed over (no known format, not a regular file): why


# In a folder these are documentation, watch lists, code or SQLite stores, never exports.
SKIPPED_SUFFIXES = {".md", ".yaml", ".yml", ".py", ".pyc", ".db", ".db-wal", ".db-shm", ".sqlite", ".sqlite3"}
# Media and tool side files that sit beside exports (instaloader's pictures, videos, caption .txt files and
# unfinished .part downloads; Telegram Desktop's photos/, stickers, css/js): passed over silently.
SIDE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic", ".mp4", ".mov", ".webm", ".mkv", ".m4a",
                 ".mp3", ".ogg", ".oga", ".opus", ".wav", ".txt", ".part", ".tgs", ".css", ".js", ".svg", ".ico",
                 ".pdf", ".zip"}
SIDE_NAMES = {"id", "license", ".ds_store", "thumbs.db", "desktop.ini"}  # `id`: instaloader's profile-id file


def is_side_file(path: Path) -> bool:
    name = path.name.lower()
    suffix = path.suffix.lower()
    return name in SIDE_NAMES or suffix in SIDE_SUFFIXES or suffix in SKIPPED_SUFFIXES or name.endswith(".part")


@dataclass(frozen=True)
class Target:
    path: Path
    in_folder: bool  # found by walking a folder (unknown formats there are listed, not failed)


def walk_folder(folder: Path) -> list[Path]:
    """Every entry of a folder tree that may be an export, sorted; hidden entries, caches and side files left out.
    Symbolic links to folders are not followed (no loops); other non-regular entries are kept so that they are
    refused by name."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__")
        for name in files:
            path = Path(root, name)
            if not name.startswith(".") and not is_side_file(path):
                found.append(path)
    return sorted(found, key=lambda p: os.fsencode(p))


def expand_targets(paths: Iterable[str | Path]) -> list[Target]:
    """Files as given; folders walked."""
    out: list[Target] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(Target(f, True) for f in walk_folder(p))
        else:
            out.append(Target(p, False))
    return out


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; folders are walked (sorted, hidden and side files ignored)."""
    return [t.path for t in expand_targets(paths)]


def check_readable(path: Path) -> None:
    """Refuse in one line what is not a regular file: missing, a symlink loop, a named pipe (which would block
    forever), a device or socket."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if os.path.islink(path):
            raise SourceError(path, "", None, "is a symbolic link to nothing") from None
        raise SourceError(path, "", None, "does not exist") from None
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            raise SourceError(path, "", None, "is a symbolic link loop") from None
        raise SourceError(path, "", None, f"cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(mode):
        raise SourceError(path, "", None, "is a folder (give it as a folder argument)")
    if stat.S_ISFIFO(mode):
        raise SourceError(path, "", None, "is a named pipe (FIFO), not a file: refused, it could block forever")
    if not stat.S_ISREG(mode):
        raise SourceError(path, "", None, "is not a regular file (device or socket): refused")


def import_file(engine: Engine, path: Path, *, format_id: str | None = None, account_id: str | None = None,
                skip_bad: bool = False, strict: bool = False, in_folder: bool = False,
                limits: ImportLimits | None = None,
                on_record: Callable[[int], None] | None = None) -> FileResult:
    """Import one file in one transaction; returns what happened (never raises for bad input).

    In a folder (``in_folder``), a file of no known format or not a regular file is passed over and said so in
    ``not_imported`` (no import run), unless ``strict``.
    """
    shown = display_path(path)
    result = FileResult(path=shown, format=None, ok=False)
    fmt: Format | None = None
    with file_budget(limits):
        if in_folder and not strict and format_id is None:
            try:
                check_readable(path)
                fmt = detect_format(path)
            except UnknownFormatError as exc:
                result.not_imported = exc.reason
                return result
            except SourceError as exc:
                if exc.reason.startswith(("is a named pipe", "is not a regular file", "is a symbolic link")):
                    result.not_imported = exc.reason
                    return result
            except (LimitExceeded, *READ_ERRORS):
                pass  # reported with a run below
        return _import_detected(engine, path, shown, result, fmt, format_id=format_id, account_id=account_id,
                                skip_bad=skip_bad, strict=strict, on_record=on_record)


def _import_detected(engine: Engine, path: Path, shown: str, result: FileResult, fmt: Format | None, *,
                     format_id: str | None, account_id: str | None, skip_bad: bool, strict: bool,
                     on_record: Callable[[int], None] | None) -> FileResult:
    with engine.begin() as conn:
        run_id = start_run(conn, kind="import", source=shown, format=format_id, account_id=account_id)
    try:
        try:
            check_readable(path)
            if fmt is None:
                fmt = get_format(format_id) if format_id else detect_format(path)
            result.format = fmt.id
            with engine.begin() as conn:
                if account_id and not account_exists(conn, account_id):
                    raise SourceError(path, "", None, f"--account '{account_id}' is not in the store",
                                      "load the watch list first (akimwatch registry load) or check the id")
                saver = RecordSaver(conn, run_id=run_id, forced_account_id=account_id, strict=strict)
                for n, record in enumerate(fmt.parse(path), start=1):
                    if isinstance(record, SkippedRecord) and not skip_bad:
                        raise SourceError(path, record.location, record.field if record.field not in ("-", "") else None,
                                          record.reason, "fix the record or run with --skip-bad")
                    try:
                        saver.add(record)
                    except BadRecord as bad:
                        if not skip_bad:
                            raise SourceError(path, bad.location, bad.field, bad.reason,
                                              "fix the record or run with --skip-bad") from None
                        saver.add(SkippedRecord(bad.location, bad.field, bad.reason))
                    if n % 1000 == 0:
                        check_time()
                        if on_record:
                            on_record(n)
                counts = saver.finish()
        except LimitExceeded as exc:
            raise SourceError(path, "", None, str(exc)) from None
        except READ_ERRORS as exc:
            raise SourceError(path, "", None, describe_read_error(exc)) from None
        except RecursionError:
            raise SourceError(path, "", None, "is nested too deeply to read") from None
        except UnicodeDecodeError as exc:
            raise SourceError(path, "", None, f"is not UTF-8 text ({exc.reason} at byte {exc.start})",
                              "save the file as UTF-8") from None
        result.ok = True
        result.counts = counts.as_dict()
        result.skipped = counts.skipped
        created = counts.accounts_created
        if len(created) == 1:
            result.warnings = [f"account '{created[0]}' is not on the watch list: imported as unassigned"]
        elif created:
            listed = ", ".join(f"'{a}'" for a in created[:5]) + (f" and {len(created) - 5} more" if len(created) > 5 else "")
            result.warnings = [f"{len(created)} accounts are not on the watch list: imported as unassigned "
                               f"({listed}); assign them in the watch list (akimwatch registry load)"]
        status = "partial" if counts.skipped else "ok"
        errors = counts.skipped or None
    except (SourceError, UnknownAccountError) as exc:
        result.error = str(exc) if isinstance(exc, SourceError) else f"{shown}, {exc}"
        status, errors = "failed", [{"error": result.error}]
    except KeyboardInterrupt:
        _finish_run(engine, run_id, "failed", fmt, {}, [{"error": "interrupted; nothing from this file was saved"}])
        raise
    except Exception as exc:  # noqa: BLE001 - a bug must not end the whole folder with a traceback
        from sqlalchemy.exc import DBAPIError

        from akimwatch.store.engine import is_store_busy

        if isinstance(exc, DBAPIError) and is_store_busy(exc):
            raise  # a locked store is not a bug: the caller says so in one line and fails the run
        log.debug("unexpected error importing %s", shown, exc_info=True)
        first = str(exc).splitlines()[0][:300] if str(exc) else ""
        result.error = (f"{shown}: could not be imported: internal error ({exc.__class__.__name__}"
                        f"{': ' + first if first else ''}); a bug in akimwatch: please report it with the file")
        status, errors = "failed", [{"error": result.error}]
    _finish_run(engine, run_id, status, fmt, result.counts, errors)
    for warning in result.warnings:
        log.info("%s: %s", shown, warning)
    return result


def _finish_run(engine: Engine, run_id: int, status: str, fmt: Format | None, counts: dict[str, Any],
                errors: list[dict[str, str]] | None) -> None:
    finish_run(engine, run_id, status, counts, errors, format=fmt.id if fmt else None)


def import_files(engine: Engine, paths: Iterable[str | Path], **kwargs: Any) -> list[FileResult]:
    fail_abandoned_runs(engine)
    return [import_file(engine, t.path, in_folder=t.in_folder, **kwargs) for t in expand_targets(paths)]
