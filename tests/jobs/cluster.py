"""A throwaway cluster for the jobs tests and benchmarks/scale.py: a PostgreSQL database, a namespace of
queues on the real RabbitMQ and keys in the real Redis, and ``akimwatch worker`` processes (each in its own
process group, so ``kill -9`` takes the whole worker like a machine dying). Everything is removed after.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from sqlalchemy import create_engine, text

PG_ADMIN = os.environ.get("AKIMWATCH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BROKER = os.environ.get("AKIMWATCH_TEST_BROKER", "amqp://guest:guest@127.0.0.1:5672//")
REDIS = os.environ.get("AKIMWATCH_TEST_REDIS", "redis://127.0.0.1:6379/0")
AKIMWATCH = str(Path(sys.executable).with_name("akimwatch"))


def wait_until(check: Callable[[], bool], timeout: float, what: str, every: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def services_problem() -> str | None:
    """None when RabbitMQ and Redis answer; else why not."""
    import redis
    from kombu import Connection

    try:
        redis.Redis.from_url(REDIS, socket_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001
        return f"Redis at {REDIS}: {type(exc).__name__}: {exc}"
    try:
        with Connection(BROKER, connect_timeout=3) as conn:
            conn.connect()
    except Exception as exc:  # noqa: BLE001
        return f"RabbitMQ at {BROKER}: {type(exc).__name__}: {exc}"
    return None


class Cluster:
    def __init__(self, tmp: Path, *, broker_url: str = BROKER, env: dict[str, str] | None = None):
        self.tmp = tmp
        self.namespace = f"akwtest-{uuid.uuid4().hex[:10]}"
        self.database = f"akw_{uuid.uuid4().hex[:12]}"
        self.broker_url = broker_url
        self.db_url = PG_ADMIN.rsplit("/", 1)[0] + f"/{self.database}"
        self.env = {**os.environ, "AKIMWATCH_BROKER_URL": broker_url, "AKIMWATCH_RESULT_URL": REDIS,
                    "AKIMWATCH_JOBS_NAMESPACE": self.namespace, "AKIMWATCH_CONFIG": "", **(env or {})}
        self.env.pop("AKIMWATCH_CONFIG")
        self.workers: list[subprocess.Popen] = []
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.database}"'))
        admin.dispose()
        from akimwatch.store import open_store

        self.engine = open_store(self.db_url)

    # -- the app as the CLI sees it ---------------------------------------------------------------------
    def settings(self, **overrides):
        from akimwatch.jobs.settings import JobSettings

        return JobSettings(broker_url=self.broker_url, result_url=REDIS, namespace=self.namespace, **overrides)

    def app(self, **overrides):
        from akimwatch.jobs.app import make_app

        return make_app(self.settings(**overrides))

    def publisher(self, **overrides):
        from akimwatch.jobs.enqueue import Publisher

        return Publisher(self.app(**overrides))

    def progress(self):
        from akimwatch.jobs.progress import JobProgress

        return JobProgress.connect(self.settings())

    # -- workers ----------------------------------------------------------------------------------------
    def start_worker(self, queues: str = "harvest,analysis,import", *, concurrency: int = 1, pool: str = "solo",
                     env: dict[str, str] | None = None) -> subprocess.Popen:
        log = open(self.tmp / f"worker-{len(self.workers)}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen([AKIMWATCH, "worker", "--queues", queues, "--concurrency", str(concurrency),
                                 "--pool", pool, "--loglevel", "INFO"], env={**self.env, **(env or {})},
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        proc.log_path = log.name  # type: ignore[attr-defined]
        self.workers.append(proc)
        return proc

    def wait_ready(self, proc: subprocess.Popen, timeout: float = 40) -> None:
        """Until the worker says it is ready (consuming)."""
        path = Path(proc.log_path)  # type: ignore[attr-defined]
        wait_until(lambda: proc.poll() is not None or b"ready." in path.read_bytes(), timeout, "a worker to start")
        assert proc.poll() is None, path.read_text(errors="replace")[-3000:]

    def kill9(self, proc: subprocess.Popen) -> None:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_workers(self) -> None:
        """Cleanup after a test: the jobs are over (or abandoned), so no warm shutdown is waited for."""
        for proc in self.workers:
            if proc.poll() is None:
                self.kill9(proc)
        self.workers.clear()

    def logs(self) -> str:
        return "\n".join(Path(p.log_path).read_text(errors="replace") for p in self.workers)  # type: ignore[attr-defined]

    def close(self) -> None:
        try:
            self.stop_workers()
        finally:
            from akimwatch.jobs.app import delete_queues

            with suppress(Exception):
                delete_queues(self.app())
            with suppress(Exception):
                self.progress().clear()
            self.engine.dispose()
            admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)'))
            admin.dispose()
