"""Read commands refuse a store that is not there, in one line; only the commands that fill a store create one."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from akimwatch.cli import app
from akimwatch.store import StoreUnavailable, open_store

runner = CliRunner()
READERS = (["status"], ["metrics"], ["rank"], ["report", "--out", "r.html"], ["analyze"], ["serve", "--port", "1"])


def one_line_error(result) -> str:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


@pytest.mark.parametrize("command", READERS, ids=lambda c: c[0])
def test_read_commands_refuse_a_missing_store_and_suggest_the_near_one(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "demo-output").mkdir()
    open_store("demo-output/akimwatch.db").dispose()
    line = one_line_error(runner.invoke(app, [*command, "--db", "demo-outptu/akimwatch.db"]))
    assert line == ("error: no store at demo-outptu/akimwatch.db (did you mean demo-output/akimwatch.db? "
                    "create one with akimwatch import or akimwatch demo)")
    assert not (tmp_path / "demo-outptu").exists()  # nothing created on the way


def test_a_missing_store_with_nothing_near_gets_no_guess(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    line = one_line_error(runner.invoke(app, ["status", "--db", "nowhere.db"]))
    assert line == "error: no store at nowhere.db (create one with akimwatch import or akimwatch demo)"
    assert not (tmp_path / "nowhere.db").exists()


def test_writers_create_the_store(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["user", "add", "ann", "--role", "admin", "--password-stdin",
                                 "--db", "new/akimwatch.db"], input="a-long-password-1\n")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "new" / "akimwatch.db").exists()
    assert runner.invoke(app, ["status", "--db", "new/akimwatch.db"]).exit_code == 0


@pytest.mark.parametrize("db, expected", [
    ("{tmp}", "is a folder, not a store"),
    ("mysql+nosuchdriver://u@h/db", "not a file path or a supported URL"),
    ("postgresql+psycopg://postgres:s3cret@127.0.0.1:1/test", "cannot reach the store at postgresql+psycopg://postgres:***@127.0.0.1:1/test"),
    ("postgresql+psycopg://postgres@no-such-host.invalid/test", "cannot reach the store at"),
])
def test_unreachable_or_wrong_stores_are_one_line(db, expected, tmp_path):
    line = one_line_error(runner.invoke(app, ["status", "--db", db.format(tmp=tmp_path)]))
    assert expected in line
    assert "s3cret" not in line


def test_open_store_raises_one_exception_type(tmp_path):
    with pytest.raises(StoreUnavailable, match="no store at"):
        open_store(tmp_path / "missing.db", create=False)
    with pytest.raises(StoreUnavailable, match="is a folder"):
        open_store(tmp_path)
