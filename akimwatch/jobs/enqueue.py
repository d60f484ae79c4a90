"""What ``--distributed`` does: cut the work into jobs and publish them (nothing runs here).

Harvest: one job per watch-list account. Analysis: batches of the comment (and post) ids the current
analyzer versions have not labelled. Import: one job per file. Each job's progress record is written
before it is published, so ``akimwatch status`` counts it from the first moment.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from celery import Celery
from sqlalchemy import Engine

from akimwatch.jobs.app import TASKS, ensure_queues, get_app
from akimwatch.jobs.progress import JobProgress


class DistributedError(Exception):
    """The jobs cannot be sent (no shared store, broker unreachable); one line for the user."""


@dataclass(frozen=True)
class JobRef:
    task_id: str
    queue: str
    platform: str
    label: str


def require_shared_store(url: str) -> None:
    """Workers on other machines must reach the store: a PostgreSQL URL, not a local SQLite file."""
    if not url.startswith("postgresql"):
        from akimwatch.store.engine import safe_url

        raise DistributedError(f"--distributed needs a shared PostgreSQL store that every worker reaches "
                               f"(--db postgresql+psycopg://user@host/db), not {safe_url(url)}")


class Publisher:
    """Publishes jobs of one app, recording each in the progress store first."""

    def __init__(self, app: Celery | None = None):
        self.app = app or get_app()
        self.settings = self.app.akimwatch_settings  # type: ignore[attr-defined]
        try:
            ensure_queues(self.app)
            self.progress = JobProgress.connect(self.settings)
            self.progress.client.ping()
        except Exception as exc:  # noqa: BLE001 - broker/Redis down: one line, not a traceback
            raise DistributedError(f"cannot reach the job broker or Redis ({type(exc).__name__}: {exc}); check "
                                   "AKIMWATCH_BROKER_URL / AKIMWATCH_RESULT_URL or [jobs] in the config") from None
        self.sent: list[JobRef] = []

    def send(self, queue: str, args: list[Any], *, platform: str = "-", label: str = "") -> JobRef:
        task_id = uuid.uuid4().hex
        ref = JobRef(task_id, queue, platform, label)
        self.progress.mark_queued(task_id, queue, platform, label)
        try:
            self.app.send_task(TASKS[queue], args=args, task_id=task_id, queue=self.settings.queue(queue),
                               routing_key=queue)
        except Exception as exc:  # noqa: BLE001
            self.progress.forget(task_id)
            raise DistributedError(f"the broker refused job {label!r}: {type(exc).__name__}: {exc}") from None
        self.sent.append(ref)
        return ref


def enqueue_harvest(engine: Engine, db_url: str, *, account_id: str | None = None, platform: str | None = None,
                    since: datetime | None = None, full: bool = False,
                    publisher: Publisher | None = None) -> list[JobRef]:
    """One harvest job per watched account (the same selection as ``akimwatch harvest``), except accounts whose
    previous job is still queued or running."""
    from akimwatch.harvest.runner import watched_accounts

    require_shared_store(db_url)
    accounts = watched_accounts(engine, account_id=account_id, platform=platform)
    if account_id and not accounts:
        raise ValueError(f"account {account_id!r} is not in the store; load the watch list first "
                         "(akimwatch registry load)")
    publisher = publisher or Publisher()
    busy = publisher.progress.unfinished_labels("harvest")  # a round slower than the interval: not queued twice
    return [publisher.send("harvest", [db_url, a.id, a.platform, since.isoformat() if since else None, full],
                           platform=a.platform, label=a.id) for a in accounts if a.id not in busy]


def enqueue_analysis(engine: Engine, db_url: str, *, batch: int | None = None,
                     publisher: Publisher | None = None) -> list[JobRef]:
    """Batches of the comments and posts the current analyzer versions have not labelled yet."""
    from akimwatch.analysis.base import registry
    from akimwatch.jobs.queries import iter_pending_ids

    require_shared_store(db_url)
    publisher = publisher or Publisher()
    size = batch or publisher.settings.analysis_batch
    refs = []
    reg = registry()  # the workers label with the default tier, as analyze does in-process
    comment_names = [n for n, a in reg.items() if {"comment", "official_reply"} & set(a.applies_to)]
    official = tuple(n for n, a in reg.items() if "official_reply" in a.applies_to)
    post_names = [n for n, a in reg.items() if "post" in a.applies_to]
    for kind, names, official_only in (("comment", comment_names, official), ("post", post_names, ())):
        versions = {name: reg[name].version for name in names}
        for ids in iter_pending_ids(engine, kind, versions, batch=size, official_only=official_only):
            refs.append(publisher.send("analysis", [db_url, kind, ids],
                                       label=f"{len(ids)} {kind}s {ids[0]}…{ids[-1]}"))
    return refs


def enqueue_imports(db_url: str, paths: Iterable[str | Path], *, format_id: str | None = None,
                    account_id: str | None = None, skip_bad: bool = False, strict: bool = False,
                    publisher: Publisher | None = None) -> list[JobRef]:
    """One import job per file (folders expanded here); workers must see the same paths (shared storage)."""
    from akimwatch.ingest import expand_targets

    require_shared_store(db_url)
    publisher = publisher or Publisher()
    return [publisher.send("import", [db_url, str(t.path.resolve()), format_id, account_id, skip_bad, strict,
                                      t.in_folder], label=t.path.name) for t in expand_targets(paths)]


def schedule_tick(engine: Engine, db_url: str, *, account_id: str | None = None, platform: str | None = None,
                  publisher: Publisher | None = None) -> dict[str, Any]:
    """One tick of ``schedule --distributed``: harvest jobs for the watch list, analysis jobs for what is
    still unlabelled (items harvested in this tick are labelled at the next), alerts checked on the store."""
    from datetime import UTC

    from akimwatch.harvest.alerts import check_alerts

    started = datetime.now(UTC)
    publisher = publisher or Publisher()
    harvest = enqueue_harvest(engine, db_url, account_id=account_id, platform=platform, publisher=publisher)
    analysis = enqueue_analysis(engine, db_url, publisher=publisher)
    alerts, _delivery = check_alerts(engine, None, now=datetime.now(UTC))
    return {"started_utc": started, "harvest": len(harvest), "analysis": len(analysis), "alerts": len(alerts)}
