"""`akimwatch import` on a SQLite store another writer holds: one line naming the file, exit 1, the run
(if it was recorded) marked failed — never a traceback."""

from __future__ import annotations

import sqlite3
import threading

import orjson
from typer.testing import CliRunner

from akimwatch.cli import app
from akimwatch.store import open_store
from tests.test_ingest import C1, POST, write


def _lock(db, seconds: float | None = None) -> sqlite3.Connection:
    con = sqlite3.connect(db, timeout=5, isolation_level=None, check_same_thread=False)
    con.execute("BEGIN IMMEDIATE")
    con.execute("UPDATE store_meta SET value = value")
    if seconds is not None:
        threading.Timer(seconds, lambda: (con.execute("ROLLBACK"), con.close())).start()
    return con


def test_import_on_a_locked_store_is_one_line_and_exit_1(tmp_path, monkeypatch):
    monkeypatch.setenv("AKIMWATCH_SQLITE_BUSY_MS", "300")
    db = tmp_path / "locked.db"
    runner = CliRunner()
    open_store(db).dispose()  # create the store
    path = write(tmp_path, "a.jsonl", POST, C1)
    con = _lock(db)
    try:
        res = runner.invoke(app, ["import", str(path), "--db", str(db)])
    finally:
        con.execute("ROLLBACK")
        con.close()
    assert res.exit_code == 1
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert "Traceback" not in res.output
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and f"{path}: the store is locked by another writer" in lines[0], res.output


def test_a_lock_taken_during_the_import_fails_the_run(tmp_path, monkeypatch):
    monkeypatch.setenv("AKIMWATCH_SQLITE_BUSY_MS", "1000")
    db = tmp_path / "locked.db"
    runner = CliRunner()
    open_store(db).dispose()
    path = write(tmp_path, "a.jsonl", POST, C1)
    import akimwatch.ingest as ingest

    real_detect = ingest.detect_format

    def detect_then_lock(p):  # the run row is written; another writer takes the lock for 1.5 s
        fmt = real_detect(p)
        _lock(db, seconds=1.5)
        return fmt

    monkeypatch.setattr(ingest, "detect_format", detect_then_lock)
    res = runner.invoke(app, ["import", str(path), "--db", str(db)])
    assert res.exit_code == 1 and "the store is locked by another writer" in res.output, res.output
    monkeypatch.setattr(ingest, "detect_format", real_detect)
    status = orjson.loads(runner.invoke(app, ["status", "--json", "--db", str(db)]).stdout)
    run = status["import_runs"][0]
    assert run["status"] == "failed" and status["posts"] == 0
