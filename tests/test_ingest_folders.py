"""Folders as users have them: side files passed over, unknown files listed once, odd entries refused in one line,
runs cut off by a kill marked failed on the next start."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import orjson
import pytest
from sqlalchemy import insert, select
from typer.testing import CliRunner

from akimwatch.cli import app
from akimwatch.ingest import expand_targets, import_file, import_files
from akimwatch.store.queries import count_rows
from akimwatch.store.runs import fail_abandoned_runs, run_owner
from akimwatch.store.save import now_utc
from akimwatch.store.schema import comments, import_runs, posts

FIX = Path(__file__).parent / "fixtures" / "instagram" / "instaloader_414" / "akimat_414"
POST = {"kind": "post", "platform": "instagram", "id": "p1", "account": "someone",
        "published_at": "2024-06-20T05:00:00Z", "text": "hello"}


def jsonl(path: Path, *items: dict) -> Path:
    path.write_bytes(b"".join(orjson.dumps(i) + b"\n" for i in items))
    return path


def test_instaloader_414_folder_imports_with_exit_0_and_every_comment_on_its_post(tmp_path):
    db = tmp_path / "s.db"
    res = CliRunner().invoke(app, ["import", str(FIX), "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert "error" not in res.output and "not imported" not in res.output  # .jpg .mp4 .txt id .part: silent
    assert "imported 5 of 5 files: 2 posts, 4 comments, 2 official replies, 0 skipped" in res.output
    from akimwatch.store.engine import open_store

    engine = open_store(db)
    with engine.connect() as conn:
        rows = conn.execute(select(comments.c.platform_id, comments.c.post_id, comments.c.is_official_reply,
                                   comments.c.parent_platform_id)).all()
        assert len(rows) == 6 and all(r.post_id is not None for r in rows)
        assert sorted(r.platform_id for r in rows if r.is_official_reply) == ["18200000000000102",
                                                                               "18200000000000202"]
        assert conn.execute(select(posts.c.platform_id)).scalars().all() == ["3400000000000000001",
                                                                             "3400000000000000002"]


def test_unknown_files_in_a_folder_are_listed_once_unless_strict(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    jsonl(folder / "a.jsonl", POST)
    (folder / "notes.json").write_text('{"hello": "world"}')
    (folder / "messages.html").write_text("<html><body>chat</body></html>")
    (folder / "photo.jpg").write_bytes(b"\xff\xd8")
    runner = CliRunner()
    res = runner.invoke(app, ["import", str(folder), "--db", str(tmp_path / "s.db")])
    assert res.exit_code == 0, res.output
    assert "2 file(s) not imported" in res.output
    assert f"{folder / 'notes.json'}: is not in a supported format" in res.output
    assert "photo.jpg" not in res.output
    assert res.output.count("supported formats:") == 1
    strict = runner.invoke(app, ["import", str(folder), "--strict", "--db", str(tmp_path / "t.db")])
    assert strict.exit_code == 1 and f"{folder / 'notes.json'}: is not in a supported format" in strict.output


def test_a_broken_file_of_a_known_format_still_fails_naming_record_and_field(tmp_path):
    folder = tmp_path / "f"
    shutil.copytree(FIX, folder)
    broken = folder / "2024-06-01_08-00-00_UTC_comments.json"
    data = orjson.loads(broken.read_bytes())
    data[1]["created_at"] = "yesterday"
    broken.write_bytes(orjson.dumps(data))
    res = CliRunner().invoke(app, ["import", str(folder), "--db", str(tmp_path / "s.db")])
    assert res.exit_code == 1
    assert f"{broken}, record 2: field 'created_at' is not a unix timestamp ('yesterday')" in res.output


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses non-UTF-8 file names")
def test_a_non_utf8_file_name_neither_crashes_nor_stops_the_folder(tmp_path, sqlite_store):
    folder = tmp_path / "names"
    folder.mkdir()
    odd = Path(os.fsdecode(bytes(folder) + b"/\xff\xfe-posts.jsonl"))
    jsonl(odd, POST)
    jsonl(folder / "z.jsonl", dict(POST, id="p2"))
    results = import_files(sqlite_store, [folder])
    assert [r.ok for r in results] == [True, True]
    assert any(r.path.endswith("\\xff\\xfe-posts.jsonl") for r in results)
    assert count_rows(sqlite_store)["posts"] == 2
    with sqlite_store.connect() as conn:
        assert any("\\xff" in s for s in conn.execute(select(import_runs.c.source)).scalars())
    res = CliRunner().invoke(app, ["import", str(folder), "--db", str(tmp_path / "c.db")])
    assert res.exit_code == 0, res.output


def test_fifo_and_symlink_loop_are_refused_in_one_line(tmp_path, sqlite_store):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    res = import_file(sqlite_store, fifo)
    assert not res.ok and res.error == f"{fifo}: is a named pipe (FIFO), not a file: refused, it could block forever"
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    res = import_file(sqlite_store, loop)
    assert not res.ok and res.error == f"{loop}: is a symbolic link loop"
    folder = tmp_path / "withpipe"
    folder.mkdir()
    os.mkfifo(folder / "p.jsonl")
    jsonl(folder / "q.jsonl", POST)
    targets = expand_targets([folder])
    results = [import_file(sqlite_store, t.path, in_folder=t.in_folder) for t in targets]
    assert [(Path(r.path).name, r.ok, r.not_imported) for r in results] == [
        ("p.jsonl", False, "is a named pipe (FIFO), not a file: refused, it could block forever"),
        ("q.jsonl", True, None)]


def test_runs_whose_process_is_gone_are_marked_failed_on_the_next_start(store):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    dead_pid = int(dead.stdout)
    owner = run_owner()
    with store.begin() as conn:
        def run(**values):
            base = {"kind": "import", "source": "x.json", "status": "running", "started_utc": now_utc()}
            return conn.execute(insert(import_runs).values(**(base | values))).inserted_primary_key[0]

        killed = run(pid=dead_pid, host=owner["host"])
        alive = run(pid=os.getppid(), host=owner["host"])
        elsewhere = run(pid=dead_pid, host="another-machine")
        legacy_old = run(started_utc=now_utc() - timedelta(days=2))
        legacy_new = run()
    assert fail_abandoned_runs(store) == 2
    with store.connect() as conn:
        status = dict(conn.execute(select(import_runs.c.id, import_runs.c.status)).all())
        errors = conn.execute(select(import_runs.c.errors).where(import_runs.c.id == killed)).scalar_one()
    assert status == {killed: "failed", alive: "running", elsewhere: "running", legacy_old: "failed",
                      legacy_new: "running"}
    assert f"its process ({dead_pid}) ended" in errors[0]["error"]
