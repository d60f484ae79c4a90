"""``akimwatch harvest``, ``schedule`` and ``status`` end to end against fake APIs on 127.0.0.1:
VK and YouTube take their credentials from the environment, Instagram has none (its account fails and says
why; the others are collected). Nothing secret reaches the output or the store. The fakes answer with BUILT
responses (tests/harvest/test_vk.py, test_youtube.py), so these tests run on a clone without ../shared."""

from __future__ import annotations

from datetime import timedelta

import pytest
from typer.testing import CliRunner

from akimwatch.cli import app
from akimwatch.harvest import schedule as schedule_module
from akimwatch.harvest.schedule import parse_every, schedule
from akimwatch.models import Account
from akimwatch.store.engine import open_store
from tests.harvest import test_vk as vk
from tests.harvest import test_youtube as yt
from tests.harvest.fakeapi import rows, watch

ACCOUNTS = [vk.ACCOUNT, yt.ACCOUNT, Account("ig-akimat", "instagram", handle="akimat", platform_id="178414", official_id="o1")]


@pytest.fixture
def env(tmp_path, monkeypatch):
    db = tmp_path / "harvest.db"
    engine = open_store(db)
    watch(engine, *ACCOUNTS)
    engine.dispose()
    with vk.fake_vk().serve() as vk_base, yt.fake_youtube().serve() as yt_base:
        for key in list(__import__("os").environ):
            if key.startswith("AKIMWATCH_") and key != "AKIMWATCH_TEST_PG":
                monkeypatch.delenv(key)
        (tmp_path / "no-credentials.toml").write_text("")
        monkeypatch.setenv("AKIMWATCH_CONFIG", str(tmp_path / "no-credentials.toml"))
        monkeypatch.setenv("AKIMWATCH_VK_BASE_URL", vk_base)
        monkeypatch.setenv("AKIMWATCH_VK_TOKEN", vk.TOKEN)
        monkeypatch.setenv("AKIMWATCH_YOUTUBE_BASE_URL", yt_base)
        monkeypatch.setenv("AKIMWATCH_YOUTUBE_API_KEY", yt.KEY)
        for platform in ("VK", "YOUTUBE", "INSTAGRAM"):
            monkeypatch.setenv(f"AKIMWATCH_{platform}_PER_SECOND", "0")
        yield db


def test_harvest_command_collects_reports_and_keeps_failures_apart(env):
    runner = CliRunner()
    result = runner.invoke(app, ["harvest", "--db", str(env)])
    assert result.exit_code == 1, result.output  # instagram has no credential
    assert "harvested 2 of 3 accounts: 11 new posts, 19 new comments, 0 marked deleted" in result.output
    assert "AKIMWATCH_INSTAGRAM_TOKEN" in result.output
    engine = open_store(env)
    post_rows, comment_rows = rows(engine)
    assert len(post_rows) == 11 and len(comment_rows) == 19
    status = runner.invoke(app, ["status", "--db", str(env), "--json"])
    harvest = __import__("json").loads(status.output)["harvest"]
    assert [(h["account_id"], h["status"]) for h in harvest] == [
        ("ig-akimat", "failed"), ("vk-akimat", "ok"), ("yt-akimat", "ok")]
    assert "no credential" in harvest[0]["error"]
    table = runner.invoke(app, ["status", "--db", str(env)])
    assert "harvest: last run per account" in table.output and "failed" in table.output
    again = runner.invoke(app, ["harvest", "--db", str(env), "--platform", "vk"])
    assert again.exit_code == 0 and "harvested 1 of 1 accounts: 0 new posts" in again.output
    engine.dispose()
    blob = b"".join(p.read_bytes() for p in env.parent.iterdir() if p.name.startswith("harvest.db"))
    for secret in (vk.TOKEN, yt.KEY):
        assert secret.encode() not in blob and secret not in result.output + again.output


def test_harvest_one_account_and_bad_arguments(env):
    runner = CliRunner()
    ok = runner.invoke(app, ["harvest", "--db", str(env), "--account", "vk-akimat", "--since", "2024-05-01"])
    assert ok.exit_code == 0, ok.output
    assert "harvested 1 of 1 accounts" in ok.output
    missing = runner.invoke(app, ["harvest", "--db", str(env), "--account", "nobody"])
    assert missing.exit_code == 1 and "not in the store" in missing.output
    bad = runner.invoke(app, ["harvest", "--db", str(env), "--since", "yesterday"])
    assert bad.exit_code == 2


def test_schedule_once_harvests_and_alerts(env):
    result = CliRunner().invoke(app, ["schedule", "--db", str(env), "--once", "--platform", "vk"])
    assert result.exit_code == 0, result.output
    assert "1 ok, 0 failed, 3 alert(s)" in result.output  # all three silent: the wall since May 2024, two never harvested


def test_schedule_loop_sleeps_between_runs_and_analyses_after_each(env, monkeypatch):
    analysed = []
    monkeypatch.setattr(schedule_module, "analyse_new", lambda engine, since=None: analysed.append(1) or {"ok": 1})
    slept = []
    engine = open_store(env)
    ticks = iter([0.0, 40.0, 3600.0, 3700.0])
    runs = schedule(engine, every=parse_every("1h"), max_runs=2, sleep=slept.append, monotonic=lambda: next(ticks),
                    platform="vk")
    assert len(runs) == 2 and slept == [3560.0] and analysed == [1, 1]
    assert runs[0].results[0].counts["posts_new"] == 6 and runs[1].results[0].counts["posts_new"] == 0
    engine.dispose()


def test_parse_every():
    assert parse_every("15min") == timedelta(minutes=15) and parse_every("2d") == timedelta(days=2)
    with pytest.raises(ValueError):
        parse_every("5s")
    with pytest.raises(ValueError):
        parse_every("hourly")
