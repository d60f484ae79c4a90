"""The admin page shows the job queues and the dead letters when workers are configured."""

from __future__ import annotations

import uuid

import pytest

from tests.jobs.cluster import BROKER, REDIS, services_problem
from tests.web.conftest import _fast_password_hashing, app_client, login, seeded  # noqa: F401


@pytest.fixture
def jobs_env(monkeypatch):
    if services_problem():
        pytest.skip(services_problem())
    from akimwatch.jobs.progress import JobProgress
    from akimwatch.jobs.settings import JobSettings

    namespace = f"akwtest-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("AKIMWATCH_BROKER_URL", BROKER)
    monkeypatch.setenv("AKIMWATCH_RESULT_URL", REDIS)
    monkeypatch.setenv("AKIMWATCH_JOBS_NAMESPACE", namespace)
    progress = JobProgress.connect(JobSettings(broker_url=BROKER, result_url=REDIS, namespace=namespace))
    yield progress
    progress.clear()


def test_admin_page_shows_queues_and_dead_letters(app_client, jobs_env):  # noqa: F811
    jobs_env.mark_queued("t1", "harvest", "vk", "vk-1")
    jobs_env.mark_queued("t2", "harvest", "vk", "vk-2")
    jobs_env.mark_running("t2", "host:1")
    jobs_env.mark_failed("t2", "vk: https://api.vk.com/method/wall.get did not return JSON")
    jobs_env.mark_queued("t3", "analysis", "-", "1000 comments")
    jobs_env.mark_running("t3", "host:2")
    login(app_client, "admin")
    page = app_client.get("/admin").text
    assert 'id="jobs"' in page
    assert "<td>harvest</td><td>vk</td><td>1</td><td>0</td><td>1</td><td>0</td>" in page
    assert "<td>analysis</td><td>-</td><td>0</td><td>1</td><td>0</td><td>0</td>" in page
    assert "<td>vk-2</td><td>1</td><td>vk: https://api.vk.com/method/wall.get did not return JSON</td>" in page


def test_admin_page_without_workers_has_no_jobs_section(app_client, monkeypatch):  # noqa: F811
    for var in ("AKIMWATCH_BROKER_URL", "AKIMWATCH_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    login(app_client, "admin")
    assert 'id="jobs"' not in app_client.get("/admin").text
