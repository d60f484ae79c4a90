"""The three jobs: thin wrappers around the library functions the CLI calls in-process.

``harvest_account`` → ``akimwatch.harvest.schedule.harvest(account_id=...)``; ``analyze_batch`` →
``akimwatch.analysis.run.run_analysis(items=...)``; ``import_file`` → ``akimwatch.ingest.import_file``.
What a task adds is only what a queue needs: the job's progress record, the cluster-wide rate limits,
retries with back-off for what may pass (network, a platform's bad hour, a lost database connection) and
the dead-letter queue for what will not (a file that is not an export; the retries exhausted).
"""

from __future__ import annotations

import logging
import os
import random
import socket
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from celery import Task
from celery.exceptions import Reject
from sqlalchemy import Engine

from akimwatch.jobs.app import get_app
from akimwatch.jobs.progress import JobProgress
from akimwatch.jobs.settings import JobSettings

log = logging.getLogger("akimwatch.jobs")
app = get_app()


class JobFailed(Exception):
    """The library function reported a failure (its message is the one the CLI would print)."""


class NoSlot(Exception):
    """The platform's cluster-wide concurrency is taken: the job goes back to the queue, no failure counted."""


def _settings() -> JobSettings:
    return app.akimwatch_settings  # type: ignore[attr-defined]


@cache
def _progress() -> JobProgress:
    return JobProgress.connect(_settings())


@cache
def _limiter():
    import redis

    from akimwatch.jobs.ratelimit import SharedLimiter

    return SharedLimiter(redis.Redis.from_url(_settings().result_url, socket_timeout=15), _settings().namespace)


@cache
def _engine(db_url: str) -> Engine:
    """One engine per store per worker process (created after the fork, reused by every job)."""
    from akimwatch.store import open_store

    return open_store(db_url, create=False)


@cache
def ensure_worker_setup() -> None:
    """Once per process: polite clients take their rate controller from Redis (cluster-wide limits)."""
    from akimwatch.harvest.config import install_redaction
    from akimwatch.harvest.http import set_shared_controllers
    from akimwatch.jobs.ratelimit import shared_controller_factory

    install_redaction()
    set_shared_controllers(shared_controller_factory(_limiter()))


class _KeptOpen:
    """A collector lent to one job: ``close()`` at the job's end leaves it open for the worker's next job."""

    def __init__(self, collector: Any):
        self._collector = collector

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collector, name)

    def close(self) -> None:
        pass


@cache
def _collector(platform: str) -> Any:
    from akimwatch.harvest.collectors import make_collector

    return make_collector(platform)


def shared_collector(platform: str) -> Any:
    """One collector per platform per worker process, for all its jobs (as ``harvest_all`` shares one among an
    in-process run's accounts): one connection pool and TLS context instead of one per account (~25 ms CPU)."""
    return _KeptOpen(_collector(platform))


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_job(task: Task, body: Callable[[], str | None], *, retry: bool = True) -> str:
    """Run ``body`` as this job: progress record, retry with back-off, or reject to the dead-letter queue.

    ``body`` returns None on success or the failure's one-line message (as the CLI would print it).
    """
    ensure_worker_setup()
    task_id = task.request.id
    progress = _progress()
    progress.mark_running(task_id, _worker_name())
    try:
        error = body()
    except NoSlot:
        progress.mark_retry(task_id, "waiting for a free slot of the platform")
        raise task.retry(countdown=random.uniform(1, 5), max_retries=None) from None  # noqa: S311
    except Exception as exc:  # noqa: BLE001 - a lost connection, a full disk: worth another try
        error, retry = f"{type(exc).__name__}: {exc}", True
        log.warning("job %s raised %s", task_id, error)
    if error is None:
        progress.mark_done(task_id)
        return "ok"
    settings = _settings()
    attempt = int((task.request.kwargs or {}).get("failures", 0))  # not request.retries: slot waits are no failure
    if retry and attempt < settings.retries:
        ceiling = min(settings.retry_backoff_max, settings.retry_backoff * (2 ** attempt))
        countdown = random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not crypto
        progress.mark_retry(task_id, error)
        raise task.retry(exc=JobFailed(error), countdown=countdown, max_retries=None,
                         kwargs={**(task.request.kwargs or {}), "failures": attempt + 1})
    progress.mark_failed(task_id, error)
    log.error("job %s goes to the dead-letter queue: %s", task_id, error)
    raise Reject(JobFailed(error), requeue=False)


@app.task(bind=True, name="akimwatch.jobs.harvest_account")
def harvest_account(self: Task, db_url: str, account_id: str, platform: str, since: str | None = None,
                    full: bool = False, failures: int = 0) -> str:
    """Harvest one watch-list account (resumes from its saved cursors, like ``akimwatch harvest``)."""

    def body() -> str | None:
        from datetime import datetime

        from akimwatch.harvest.config import policy_for
        from akimwatch.harvest.schedule import harvest
        from akimwatch.jobs.ratelimit import ConcurrencySlot

        settings = _settings()
        slot = ConcurrencySlot(_limiter(), platform, policy_for(platform).concurrency, settings.harvest_lease)
        if not slot.acquire(timeout=settings.harvest_slot_wait):
            raise NoSlot(platform)  # back to the queue: this worker takes another platform's job meanwhile
        with slot:
            results = harvest(_engine(db_url), account_id=account_id,
                              since=datetime.fromisoformat(since) if since else None, full=full,
                              factory=shared_collector)
        failed = [r for r in results if not r.ok]
        return f"{failed[0].account_id}: {failed[0].error}" if failed else None

    return run_job(self, body)


@app.task(bind=True, name="akimwatch.jobs.analyze_batch")
def analyze_batch(self: Task, db_url: str, kind: str, ids: list[int], failures: int = 0) -> str:
    """Label one batch of comments or posts that the current analyzer versions have not labelled."""

    def body() -> None:
        from akimwatch.analysis.run import run_analysis

        run_analysis(_engine(db_url), items={kind: ids}, progress=False)
        return None

    return run_job(self, body)


@app.task(bind=True, name="akimwatch.jobs.import_file")
def import_file(self: Task, db_url: str, path: str, format_id: str | None = None, account_id: str | None = None,
                skip_bad: bool = False, strict: bool = False, in_folder: bool = False, failures: int = 0) -> str:
    """Import one export file in one transaction; a file that cannot be imported is not retried.

    ``in_folder``: the file was found in a folder, so one of no known format is passed over (as in-process),
    not a failure."""

    def body() -> str | None:
        from akimwatch.ingest import import_file as import_one

        result = import_one(_engine(db_url), Path(path), format_id=format_id, account_id=account_id,
                            skip_bad=skip_bad, strict=strict, in_folder=in_folder)
        if result.not_imported:
            return None
        return None if result.ok else (result.error or f"{path}: import failed")

    return run_job(self, body, retry=False)

