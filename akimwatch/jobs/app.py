"""The Celery app: three work queues and a dead-letter queue on RabbitMQ, results in Redis.

Reliability is the broker's, configured here once: a job is acknowledged only after it finished
(``acks_late``), so a worker killed mid-job leaves it unacknowledged and RabbitMQ hands it to another
worker (``task_reject_on_worker_lost`` does the same when only a pool process dies). One job at a time
per process (prefetch 1) so a long harvest never holds jobs another worker could run. Publisher confirms:
``--distributed`` returns only once RabbitMQ has the jobs. A job rejected after its retries goes, by the
queue's ``x-dead-letter-exchange``, to ``<namespace>.dead``, which ``akimwatch status`` lists.
"""

from __future__ import annotations

from functools import cache

from celery import Celery
from kombu import Connection, Exchange, Queue

from akimwatch.jobs.settings import QUEUES, JobSettings, load_job_settings

TASKS = {"harvest": "akimwatch.jobs.harvest_account", "analysis": "akimwatch.jobs.analyze_batch",
         "import": "akimwatch.jobs.import_file"}


def make_queues(settings: JobSettings) -> tuple[list[Queue], Queue]:
    exchange = Exchange(settings.namespace, type="direct", durable=True)
    dlx = Exchange(f"{settings.namespace}.dlx", type="direct", durable=True)
    work = [Queue(settings.queue(name), exchange, routing_key=name, durable=True,
                  queue_arguments={"x-dead-letter-exchange": dlx.name, "x-dead-letter-routing-key": "dead"})
            for name in QUEUES]
    return work, Queue(settings.dead_letter_queue, dlx, routing_key="dead", durable=True)


def make_app(settings: JobSettings) -> Celery:
    work, _dead = make_queues(settings)
    app = Celery("akimwatch", broker=settings.broker_url, backend=settings.result_url, include=["akimwatch.jobs.tasks"])
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_queues=work,
        task_default_queue=settings.queue("analysis"),
        task_default_exchange=settings.namespace,
        task_default_routing_key="analysis",
        task_routes={task: {"queue": settings.queue(queue), "routing_key": queue} for queue, task in TASKS.items()},
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=24 * 3600,
        task_ignore_result=True,   # progress lives in our own records (akimwatch.jobs.progress)
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,   # a broker restart: reconnect until it is back
        broker_heartbeat=10,
        broker_transport_options={"confirm_publish": True},
        redis_socket_timeout=15,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        timezone="UTC",
    )
    app.akimwatch_settings = settings  # type: ignore[attr-defined]
    return app


@cache
def get_app() -> Celery:
    """The process's app, from the ``[jobs]`` config and the environment (read once)."""
    return make_app(load_job_settings())


def ensure_queues(app: Celery) -> None:
    """Declare the work queues and the dead-letter queue (idempotent), so no rejected job is dropped."""
    settings: JobSettings = app.akimwatch_settings  # type: ignore[attr-defined]
    work, dead = make_queues(settings)
    with Connection(settings.broker_url, connect_timeout=5) as conn:
        channel = conn.default_channel
        for queue in (*work, dead):
            queue.bind(channel).declare()


def delete_queues(app: Celery) -> None:
    """Remove this namespace's queues and exchanges from the broker (tests; a decommissioned deployment)."""
    settings: JobSettings = app.akimwatch_settings  # type: ignore[attr-defined]
    work, dead = make_queues(settings)
    with Connection(settings.broker_url, connect_timeout=5) as conn:
        channel = conn.default_channel
        for queue in (*work, dead):
            queue.bind(channel).delete()
        for exchange in (work[0].exchange, dead.exchange):
            exchange.bind(channel).delete()
