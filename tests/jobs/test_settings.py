"""The [jobs] config, its environment overrides, and the one-line refusals of --distributed and worker."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from akimwatch.cli import app
from akimwatch.jobs.settings import JobsConfigError, JobSettings, jobs_configured, load_job_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for var in ("AKIMWATCH_CONFIG", "AKIMWATCH_BROKER_URL", "AKIMWATCH_RESULT_URL", "AKIMWATCH_JOBS_NAMESPACE"):
        monkeypatch.delenv(var, raising=False)


def test_defaults_then_toml_then_environment(tmp_path, monkeypatch):
    assert load_job_settings() == JobSettings()
    assert not jobs_configured()
    config = tmp_path / "akimwatch.toml"
    config.write_text('[metrics]\nx = 1\n[jobs]\nbroker_url = "amqp://u:p@mq:5672//"\nretries = 5\n'
                      'retry_backoff = 2\n', encoding="utf-8")
    monkeypatch.setenv("AKIMWATCH_CONFIG", str(config))
    s = load_job_settings()
    assert (s.broker_url, s.retries, s.retry_backoff, s.result_url) == ("amqp://u:p@mq:5672//", 5, 2.0,
                                                                       JobSettings().result_url)
    assert jobs_configured()
    monkeypatch.setenv("AKIMWATCH_BROKER_URL", "amqp://other//")
    monkeypatch.setenv("AKIMWATCH_RESULT_URL", "redis://r:6379/2")
    s = load_job_settings()
    assert (s.broker_url, s.result_url, s.queue("harvest"), s.dead_letter_queue) == (
        "amqp://other//", "redis://r:6379/2", "akimwatch.harvest", "akimwatch.dead")


@pytest.mark.parametrize(("body", "message"), [
    ("[jobs]\nbroker = 'x'\n", "unknown key 'broker'"),
    ("[jobs]\nretries = 'three'\n", "'retries' must be a int"),
    ("[jobs\n", "not valid TOML"),
])
def test_bad_config_is_one_line_naming_file_and_key(tmp_path, body, message):
    config = tmp_path / "akimwatch.toml"
    config.write_text(body, encoding="utf-8")
    with pytest.raises(JobsConfigError, match=message) as info:
        load_job_settings(config)
    assert "\n" not in str(info.value)


def test_distributed_needs_a_shared_store(tmp_path):
    db = tmp_path / "local.db"
    runner = CliRunner()
    result = runner.invoke(app, ["harvest", "--distributed", "--db", str(db)])
    assert result.exit_code == 2
    assert "--distributed needs a shared PostgreSQL store" in result.output
    assert "Traceback" not in result.output
    assert not db.exists()  # refused before any store was created


def test_worker_refuses_unknown_queue():
    result = CliRunner().invoke(app, ["worker", "--queues", "harvest,sleep"])
    assert result.exit_code == 2 and "unknown sleep; choose from harvest, analysis, import" in result.output


def test_ratelimit_reservations_are_spaced_across_clients():
    """Two limiters (two workers) on the real Redis: reservations for one platform are 1/rate apart."""
    import time
    import uuid

    import redis

    from akimwatch.jobs.ratelimit import SharedLimiter
    from tests.jobs.cluster import REDIS, services_problem

    if services_problem():
        pytest.skip(services_problem())
    namespace = f"akwtest-{uuid.uuid4().hex[:8]}"
    a, b = (SharedLimiter(redis.Redis.from_url(REDIS), namespace) for _ in range(2))
    try:
        slots = [time.monotonic() + lim.reserve("vk", 10.0) for lim in (a, b, a, b, a)]
        gaps = [later - earlier for earlier, later in zip(slots, slots[1:], strict=False)]
        # each slot is 0.1 s after the previous one whichever client asked (local clock jitter allowed for)
        assert all(0.05 <= g <= 0.15 for g in gaps) and 0.35 <= slots[-1] - slots[0] <= 0.45, gaps
        assert a.acquire("vk", "w1", 1, 5) and not b.acquire("vk", "w2", 1, 5)
        a.release("vk", "w1")
        assert b.acquire("vk", "w2", 1, 5)
    finally:
        for key in a.client.scan_iter(f"{namespace}:*"):
            a.client.delete(key)
