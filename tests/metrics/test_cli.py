"""`akimwatch metrics` / `akimwatch rank`: formats, options, errors."""

from __future__ import annotations

import csv
import io

import orjson
from typer.testing import CliRunner

from akimwatch.cli import app
from akimwatch.store import open_store
from tests.metrics.builders import build

runner = CliRunner()


def _db(tmp_path):
    path = tmp_path / "m.db"
    engine = open_store(path)
    build(engine)
    engine.dispose()
    return str(path)


def test_metrics_json_csv_table_and_rank(tmp_path):
    db = _db(tmp_path)
    res = runner.invoke(app, ["metrics", "--db", db, "--period", "2019-06-01:2019-06-30", "--format", "json",
                              "--official", "akim_a", "--official", "akim_b"])
    assert res.exit_code == 0, res.output
    data = orjson.loads(res.stdout)
    assert [o["official_id"] for o in data] == ["akim_a", "akim_b"]
    assert data[0]["accounts"][0]["posts"] == 10 and data[1]["status"] == "tagged_only"
    res = runner.invoke(app, ["metrics", "--db", db, "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert res.exit_code == 0 and {r["official_id"] for r in rows} == {"akim_a", "akim_b", "akim_c", "akim_d",
                                                                       "akim_e"}
    res = runner.invoke(app, ["metrics", "--db", db])
    assert res.exit_code == 0 and "Аким А" in res.stdout and "@akim_a" in res.stdout
    cfg = tmp_path / "c.yaml"
    cfg.write_text("ranking:\n  min_citizen_comments: 5\n", "utf-8")
    res = runner.invoke(app, ["rank", "--db", db, "--period", "2019-06-01:2019-06-30", "--config", str(cfg)])
    assert res.exit_code == 0 and "Аким А" in res.stdout and "недостаточно данных" in res.stdout


def test_metrics_errors(tmp_path):
    db = _db(tmp_path)
    res = runner.invoke(app, ["metrics", "--db", db, "--period", "2019-06-01"])
    assert res.exit_code == 2 and "must look like" in res.stderr
    res = runner.invoke(app, ["metrics", "--db", db, "--official", "nobody"])
    assert res.exit_code == 2 and "unknown official id(s): nobody" in res.stderr
    res = runner.invoke(app, ["metrics", "--db", db, "--format", "xml"])
    assert res.exit_code == 2


def test_command_line_manners(tmp_path):
    """Issue 15: «kz» → «did you mean kk?» in one wording; a missing file is «no such file»; an unknown official
    gets the closest ids; flags show no ``<bool>`` in --help."""
    db = _db(tmp_path)
    for args in (["rank", "--db", db, "--lang", "kz"], ["metrics", "--db", db, "--lang", "kz"],
                 ["report", "--db", db, "--lang", "kz", "--out", str(tmp_path / "r.html")]):
        res = runner.invoke(app, args)
        assert res.exit_code == 2, args
        assert "error --lang: unknown language 'kz': did you mean kk? choose ru, kk, en" in res.stderr, args
    res = runner.invoke(app, ["registry", "check", str(tmp_path / "nofile.yaml")])
    assert res.exit_code == 2 and res.stderr.strip() == f"error {tmp_path / 'nofile.yaml'}: no such file"
    res = runner.invoke(app, ["rank", "--db", db, "--official", "akim_ee"])
    assert res.exit_code == 2 and "; did you mean " in res.stderr and "akim_e" in res.stderr.split("did you mean")[1]
    res = runner.invoke(app, ["rank", "--db", db, "--official", "zzzzzz"])
    assert "known ids: akim_a, akim_b, akim_c, akim_d, akim_e" in res.stderr
    for cmd in (["import", "--help"], ["user", "add", "--help"], ["harvest", "--help"], ["serve", "--help"]):
        out = runner.invoke(app, cmd).stdout
        assert "<bool>" not in out and "Show this message" in out, cmd
    assert "[metrics]" in runner.invoke(app, ["rank", "--help"]).stdout  # brackets are not eaten as markup


def test_first_user_is_admin(tmp_path):
    from akimwatch.store import open_store
    from akimwatch.web.auth.users import list_users

    db = str(tmp_path / "u.db")
    res = runner.invoke(app, ["user", "add", "first", "--role", "editor", "--password-stdin", "--db", db],
                        input="long-password\n")
    assert res.exit_code == 0 and "role admin" in res.stdout
    res = runner.invoke(app, ["user", "add", "second", "--role", "editor", "--password-stdin", "--db", db],
                        input="long-password\n")
    assert res.exit_code == 0 and "role editor" in res.stdout
    with open_store(db).connect() as conn:
        assert {u["username"]: u["role"] for u in list_users(conn)} == {"first": "admin", "second": "editor"}
