"""One configuration: AKIMWATCH_CONFIG names one TOML file with [metrics], [credentials], [web], [harvest];
environment variables override keys; a bad file is one line naming the file. Metrics, rank, report and the
dashboard work when the file holds credentials (they crashed, or silently dropped the ranking, before)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from akimwatch.cli import app
from akimwatch.config import ConfigError, env_overrides, load_config, load_settings
from akimwatch.harvest.config import credential, recent_window
from akimwatch.web.config import WebConfig
from tests.metrics.builders import build

FULL = """
[metrics]
activity.dormant_days = 45
ranking.min_posts = 6
ranking.weights = {activity = 0.1, responsiveness = 0.6, action = 0.2, personal_voice = 0.1}

[credentials]
facebook_token = "EAAB-from-file"

[web]
private = true
service_level_hours = 48

[harvest]
recent_days = 7
"""


@pytest.fixture
def clean_env(monkeypatch):
    import os

    for key in list(os.environ):
        if key.startswith("AKIMWATCH_") and key not in ("AKIMWATCH_TEST_PG",):
            monkeypatch.delenv(key)
    return monkeypatch


def test_one_file_every_section(clean_env, tmp_path):
    path = tmp_path / "akimwatch.toml"
    path.write_text(FULL, "utf-8")
    clean_env.setenv("AKIMWATCH_CONFIG", str(path))
    cfg = load_config()
    assert cfg["activity"]["dormant_days"] == 45 and cfg["ranking"]["min_posts"] == 6
    assert cfg["ranking"]["weights"]["responsiveness"] == 0.6
    assert cfg["activity"]["inactive_max_posts"] == 3  # untouched keys keep their defaults
    assert credential("facebook_token") == "EAAB-from-file"
    web = WebConfig.from_env()
    assert web.private is True and web.service_level_hours == 48.0
    assert recent_window().days == 7


def test_environment_overrides_keys(clean_env, tmp_path):
    path = tmp_path / "akimwatch.toml"
    path.write_text(FULL, "utf-8")
    clean_env.setenv("AKIMWATCH_CONFIG", str(path))
    clean_env.setenv("AKIMWATCH_METRICS__RANKING__MIN_POSTS", "9")
    clean_env.setenv("AKIMWATCH_WEB__PRIVATE", "false")
    clean_env.setenv("AKIMWATCH_HARVEST__RECENT_DAYS", "3")
    clean_env.setenv("AKIMWATCH_FACEBOOK_TOKEN", "from-env")  # the established short name
    clean_env.setenv("AKIMWATCH_SLA_HOURS", "12")
    assert load_config()["ranking"]["min_posts"] == 9
    assert load_config()["activity"]["dormant_days"] == 45
    web = WebConfig.from_env()
    assert web.private is False and web.service_level_hours == 12.0
    assert recent_window().days == 3
    assert credential("facebook_token") == "from-env"
    assert env_overrides({"AKIMWATCH_METRICS__AGENDA__EXAMPLES": "false", "AKIMWATCH_DB": "x",
                          "AKIMWATCH_NOPE__X": "1"}) == {"metrics": {"agenda": {"examples": False}}}


@pytest.mark.parametrize(("text", "message"), [
    ("[metrics\nx = 1", r"akimwatch.toml: not valid TOML \(.*line 1"),
    ("[metrics]\nactivity.dormant = 3", r"akimwatch.toml \[metrics\]\.activity: unknown key 'dormant'"),
    ("[creds]\nx = 1", r"unknown section \[creds\] \(known: \[metrics\], \[credentials\], \[web\], \[harvest\]\)"),
    ("metrics = 3", r"'metrics' must be a section"),
    ("[web]\nprivat = true", r"\[web\]: unknown key 'privat'"),
])
def test_a_bad_file_is_one_line_naming_the_file(clean_env, tmp_path, text, message):
    path = tmp_path / "akimwatch.toml"
    path.write_text(text, "utf-8")
    clean_env.setenv("AKIMWATCH_CONFIG", str(path))
    with pytest.raises(ConfigError, match=message) as info:
        load_config()
        WebConfig.from_env()
    assert "\n" not in str(info.value)


def test_a_missing_named_file_is_an_error(clean_env, tmp_path):
    clean_env.setenv("AKIMWATCH_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match="nope.toml does not exist"):
        load_settings()


def test_a_yaml_thresholds_file_is_still_read_as_metrics(clean_env, tmp_path):
    path = tmp_path / "thresholds.yaml"
    path.write_text("activity:\n  dormant_days: 50\n", "utf-8")
    assert load_config(path)["activity"]["dormant_days"] == 50


@pytest.fixture
def article_db(tmp_path):
    from akimwatch.store import open_store

    engine = open_store(tmp_path / "store.db")
    build(engine)
    engine.dispose()
    return tmp_path / "store.db"


def test_commands_work_with_a_credentials_file(clean_env, tmp_path, article_db):
    """The crash of issue 11: a credentials file in AKIMWATCH_CONFIG broke metrics, rank and report."""
    path = tmp_path / "credentials.toml"
    path.write_text('[credentials]\nfacebook_token = "EAAB..."\nvk_token = "vk1.a"\n', "utf-8")
    clean_env.setenv("AKIMWATCH_CONFIG", str(path))
    runner = CliRunner()
    out = runner.invoke(app, ["metrics", "--db", str(article_db), "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert any(o["rank"] is not None for o in data)
    out = runner.invoke(app, ["rank", "--db", str(article_db)], terminal_width=200)
    assert out.exit_code == 0, out.output
    out = runner.invoke(app, ["report", "--db", str(article_db), "--format", "md", "--out", str(tmp_path / "r.md")])
    assert out.exit_code == 0, out.output


def test_commands_say_one_line_for_a_bad_file(clean_env, tmp_path, article_db):
    path = tmp_path / "akimwatch.toml"
    path.write_text("[metrics]\nranking.weights = {likes = 1}\n", "utf-8")
    clean_env.setenv("AKIMWATCH_CONFIG", str(path))
    for args in (["metrics"], ["rank"], ["report", "--format", "md", "--out", str(tmp_path / "r.md")]):
        out = CliRunner().invoke(app, [*args, "--db", str(article_db)])
        assert out.exit_code == 2, (args, out.output)
        lines = [ln for ln in out.output.splitlines() if ln.strip()]
        assert len(lines) == 1 and "akimwatch.toml [metrics].ranking: unknown weight" in lines[0], out.output


def test_dashboard_keeps_its_ranking_with_a_credentials_file(clean_env, tmp_path, article_db):
    from akimwatch.store import open_store
    from tests.web.conftest import make_client

    path = tmp_path / "credentials.toml"
    path.write_text('[credentials]\nfacebook_token = "EAAB..."\n', "utf-8")
    clean_env.setenv("AKIMWATCH_CONFIG", str(path))
    engine = open_store(article_db)
    with make_client(engine) as client:
        rows = client.get("/api/v1/rankings").json()["items"]
    engine.dispose()
    assert rows and all(r["metrics_available"] for r in rows)
    assert any(r["rank"] is not None for r in rows)
