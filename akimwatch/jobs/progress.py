"""Progress of the cluster's jobs, kept in Redis: queued / running / failed per queue and platform.

Each job is a hash ``<ns>:job:<task id>`` (queue, platform, label, state, times, attempts, last error) from
the moment it is enqueued (written before it is published, so a fast worker cannot be overtaken); the
unfinished ones are in a sorted set by enqueue time, which gives the age of the oldest in one call. A
finished job leaves only a counter; a dead-lettered one stays (state ``failed``, its error) for status.
The broker's own view (messages ready per queue, the dead-letter queue's messages) is read beside it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import redis

from akimwatch.jobs.settings import QUEUES, JobSettings

ACTIVE = ("queued", "running")


@dataclass
class JobProgress:
    """Reads and writes the job records of one namespace."""

    client: redis.Redis
    namespace: str
    clock: Any = field(default=time.time)

    @classmethod
    def connect(cls, settings: JobSettings) -> JobProgress:
        return cls(redis.Redis.from_url(settings.result_url, socket_timeout=10, decode_responses=True),
                   settings.namespace)

    def _job(self, task_id: str) -> str:
        return f"{self.namespace}:job:{task_id}"

    @property
    def _unfinished(self) -> str:
        return f"{self.namespace}:unfinished"

    @property
    def _failed(self) -> str:
        return f"{self.namespace}:failed"

    def mark_queued(self, task_id: str, queue: str, platform: str, label: str) -> None:
        now = self.clock()
        pipe = self.client.pipeline()
        pipe.hset(self._job(task_id), mapping={"queue": queue, "platform": platform, "label": label,
                                               "state": "queued", "enqueued": now})
        pipe.zadd(self._unfinished, {task_id: now})
        pipe.execute()

    def forget(self, task_id: str) -> None:
        """The job was never published (the broker refused it)."""
        self.client.delete(self._job(task_id))
        self.client.zrem(self._unfinished, task_id)

    def mark_running(self, task_id: str, worker: str) -> int:
        """Returns the attempt number (2+ = retried or redelivered after a worker died)."""
        pipe = self.client.pipeline()
        pipe.hset(self._job(task_id), mapping={"state": "running", "started": self.clock(), "worker": worker})
        pipe.hincrby(self._job(task_id), "attempts", 1)
        return int(pipe.execute()[1])

    def mark_retry(self, task_id: str, error: str) -> None:
        self.client.hset(self._job(task_id), mapping={"state": "queued", "error": error[:500]})

    def mark_done(self, task_id: str) -> None:
        info = self.client.hgetall(self._job(task_id))
        pipe = self.client.pipeline()
        pipe.hincrby(f"{self.namespace}:done", f"{info.get('queue', '?')}\x1f{info.get('platform', '-')}", 1)
        pipe.delete(self._job(task_id))
        pipe.zrem(self._unfinished, task_id)
        pipe.zrem(self._failed, task_id)
        pipe.execute()

    def mark_failed(self, task_id: str, error: str) -> None:
        pipe = self.client.pipeline()
        pipe.hset(self._job(task_id), mapping={"state": "failed", "error": error[:500], "failed": self.clock()})
        pipe.zrem(self._unfinished, task_id)
        pipe.zadd(self._failed, {task_id: self.clock()})
        pipe.execute()

    def unfinished_labels(self, queue: str) -> set[str]:
        """Labels (account ids, files) of this queue's jobs still queued or running."""
        ids = self.client.zrange(self._unfinished, 0, -1)
        pipe = self.client.pipeline()
        for task_id in ids:
            pipe.hmget(self._job(task_id), "queue", "label")
        return {label for q, label in pipe.execute() if q == queue and label}

    def job(self, task_id: str) -> dict[str, str]:
        return self.client.hgetall(self._job(task_id))

    def summary(self) -> dict[str, Any]:
        """Counts per queue and platform, the oldest unfinished job's age, and the failed jobs."""
        now = self.clock()
        ids = self.client.zrange(self._unfinished, 0, -1) + self.client.zrange(self._failed, 0, -1)
        pipe = self.client.pipeline()
        for task_id in ids:
            pipe.hgetall(self._job(task_id))
        rows: dict[tuple[str, str], dict[str, int]] = {}
        failed = []
        for task_id, info in zip(ids, pipe.execute(), strict=True):
            if not info:
                continue
            key = (info.get("queue", "?"), info.get("platform", "-"))
            counts = rows.setdefault(key, {"queued": 0, "running": 0, "failed": 0, "done": 0})
            state = info.get("state", "queued")
            counts[state if state in counts else "queued"] += 1
            if state == "failed":
                failed.append({"task_id": task_id, "queue": key[0], "platform": key[1], "label": info.get("label"),
                               "attempts": int(info.get("attempts") or 0), "error": info.get("error")})
        for packed, done in self.client.hgetall(f"{self.namespace}:done").items():
            queue, _, platform = packed.partition("\x1f")
            rows.setdefault((queue, platform), {"queued": 0, "running": 0, "failed": 0, "done": 0})["done"] = int(done)
        oldest = self.client.zrange(self._unfinished, 0, 0, withscores=True)
        return {"by_queue": [{"queue": q, "platform": p, **c} for (q, p), c in sorted(rows.items())],
                "unfinished": int(self.client.zcard(self._unfinished)),
                "oldest_unfinished_seconds": round(now - oldest[0][1], 1) if oldest else None,
                "failed": failed}

    def clear(self) -> None:
        """Remove every record of this namespace (tests; after a deployment is torn down)."""
        for key in self.client.scan_iter(f"{self.namespace}:*"):
            self.client.delete(key)


def broker_view(settings: JobSettings, *, dead_limit: int = 50) -> dict[str, Any]:
    """Messages ready per work queue and the dead-letter queue's messages (peeked: they stay there)."""
    from amqp.exceptions import NotFound
    from kombu import Connection

    from akimwatch.store.engine import safe_url

    ready: dict[str, int | None] = {}
    dead: list[dict[str, Any]] = []
    with Connection(settings.broker_url, connect_timeout=5) as conn:
        for name in (*QUEUES, "dead"):
            queue = settings.queue(name)
            channel = conn.channel()
            try:
                _, count, _ = channel.queue_declare(queue=queue, passive=True)
                ready[name] = int(count)
            except NotFound:
                ready[name] = None
            finally:
                if channel.is_open:
                    channel.close()
        if ready.get("dead"):
            channel = conn.channel()
            try:
                while len(dead) < dead_limit:
                    message = channel.basic_get(queue=settings.dead_letter_queue, no_ack=False)
                    if message is None:
                        break
                    headers = message.properties.get("application_headers") or {}
                    deaths = headers.get("x-death") or [{}]
                    try:
                        args = json.loads(message.body)[0]
                    except (ValueError, TypeError, IndexError, KeyError):
                        args = []
                    dead.append({"task_id": headers.get("id"), "task": headers.get("task"),
                                 "args": [safe_url(a) if isinstance(a, str) and "://" in a else a for a in args],
                                 "from_queue": deaths[0].get("queue"), "reason": deaths[0].get("reason")})
            finally:
                channel.close()  # never acknowledged: every peeked message stays in the dead-letter queue
    return {"ready": ready, "dead": dead}
