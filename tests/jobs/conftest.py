"""The jobs tests run against the real RabbitMQ, Redis and PostgreSQL (skipped without them; a failure under CI)."""

from __future__ import annotations

import os

import pytest

from tests.conftest import pg_problem
from tests.jobs.cluster import Cluster, services_problem


def _require_services() -> None:
    problem = pg_problem() or services_problem()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the jobs tests need RabbitMQ, Redis and PostgreSQL under CI=true: {problem}")
        pytest.skip(f"RabbitMQ, Redis and PostgreSQL needed: {problem}")


@pytest.fixture
def cluster(tmp_path):
    _require_services()
    c = Cluster(tmp_path)
    try:
        yield c
    finally:
        c.close()
