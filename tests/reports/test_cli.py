"""`akimwatch report`: options, errors, one metrics computation per report."""

from __future__ import annotations

import json

from typer.testing import CliRunner

import akimwatch.metrics
from akimwatch.cli import app
from akimwatch.reports.data import build_report_data


def test_report_command_writes_each_format(demo_store, tmp_path):
    _engine, result = demo_store
    runner = CliRunner()
    res = runner.invoke(app, ["report", "--db", str(result.db_path), "--lang", "en", "--format", "json",
                              "--period", "2019-06-01:2019-07-12", "--official", "akhmetov",
                              "--official", "kulginov", "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    path = tmp_path / "out" / "report-en.json"
    assert f"report: {path}" in res.output
    data = json.loads(path.read_text("utf-8"))
    assert [o["official_id"] for o in data["officials"]] == ["akhmetov", "kulginov"]
    assert data["report"]["period"]["start"] == "2019-06-01" and data["report"]["period"]["end"] == "2019-07-12"


def test_report_command_errors(demo_store, tmp_path):
    _engine, result = demo_store
    runner = CliRunner()
    res = runner.invoke(app, ["report", "--db", str(result.db_path), "--official", "nobody"])
    assert res.exit_code == 2 and "unknown official id(s): nobody" in res.output
    res = runner.invoke(app, ["report", "--db", str(result.db_path), "--format", "docx"])
    assert res.exit_code == 2 and "unknown report format 'docx'" in res.output
    res = runner.invoke(app, ["report", "--db", str(result.db_path), "--lang", "de", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "unknown language 'de'" in res.output


def test_demo_writes_the_report(demo_store):
    _engine, result = demo_store
    assert result.report_path.name == "report.html"
    assert "демо-данные (синтетические)" in result.report_path.read_text("utf-8")


def test_one_metrics_computation_per_report(demo_engine, monkeypatch):
    calls = []
    real = akimwatch.metrics.compute_metrics

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(akimwatch.metrics, "compute_metrics", counting)
    build_report_data(demo_engine)
    assert len(calls) == 1
