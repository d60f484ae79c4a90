"""Jobs on a real queue (Celery on RabbitMQ, Redis for results, progress and shared rate state).

Every task is a thin wrapper around the library function the CLI calls (``harvest``, ``run_analysis``,
``import_file``): what a worker does is exactly what ``akimwatch harvest`` / ``analyze`` / ``import`` do
in-process, and it is idempotent by the store's upserts, so a redelivered job changes nothing twice.
Modules: ``settings`` (the ``[jobs]`` config), ``app`` (the Celery app, queues, dead-letter queue),
``tasks``, ``enqueue`` (what ``--distributed`` sends), ``ratelimit`` (cluster-wide politeness),
``progress`` (queued / running / failed per queue and platform), ``queries`` (pending items, store digest).
"""
