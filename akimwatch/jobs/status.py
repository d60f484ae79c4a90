"""``akimwatch status`` and the admin page: the job queues as numbers, the dead letters as a list."""

from __future__ import annotations

from typing import Any

from akimwatch.jobs.settings import load_job_settings


def compute_jobs_status() -> dict[str, Any]:
    """Progress (Redis) and the broker's view (RabbitMQ); an unreachable service is reported, not raised."""
    from akimwatch.jobs.progress import JobProgress, broker_view
    from akimwatch.store.engine import safe_url

    settings = load_job_settings()
    out: dict[str, Any] = {"namespace": settings.namespace, "broker": safe_url(settings.broker_url)}
    try:
        out.update(JobProgress.connect(settings).summary())
    except Exception as exc:  # noqa: BLE001 - status must still show the store
        out["progress_error"] = f"Redis at {safe_url(settings.result_url)} unreachable: {type(exc).__name__}: {exc}"
    try:
        view = broker_view(settings)
        out["broker_ready"] = view["ready"]
        out["dead_letters"] = view["dead"]
    except Exception as exc:  # noqa: BLE001
        out["broker_error"] = f"broker unreachable: {type(exc).__name__}: {exc}"
    return out


def render_jobs_status(console, data: dict[str, Any]) -> None:
    """Tables for the terminal: jobs per queue and platform, then the dead-letter queue's messages."""
    from rich.table import Table

    for key in ("progress_error", "broker_error"):
        if data.get(key):
            console.print(f"jobs: {data[key]}", style="red", highlight=False, markup=False)
    table = Table(title=f"jobs ({data['namespace']} on {data['broker']})")
    for col in ("queue", "platform", "queued", "running", "failed", "done"):
        table.add_column(col, justify="left" if col in ("queue", "platform") else "right")
    for row in data.get("by_queue", []):
        table.add_row(row["queue"], row["platform"], f"{row['queued']:,}", f"{row['running']:,}",
                      f"{row['failed']:,}", f"{row['done']:,}", style="red" if row["failed"] else None)
    console.print(table)
    oldest = data.get("oldest_unfinished_seconds")
    ready = data.get("broker_ready") or {}
    console.print(f"unfinished jobs: {data.get('unfinished', 0):,}; oldest waiting "
                  f"{_age(oldest) if oldest is not None else '—'}; messages ready on the broker: "
                  + ", ".join(f"{k} {v if v is not None else '—'}" for k, v in ready.items()), highlight=False)
    failed = {f["task_id"]: f for f in data.get("failed", [])}
    dead = data.get("dead_letters") or []
    if dead:
        letters = Table(title="dead-letter queue (jobs that failed after their retries)")
        for col in ("job", "from queue", "what", "tries", "last error"):
            letters.add_column(col, overflow="fold")
        for message in dead:
            info = failed.get(message.get("task_id") or "", {})
            letters.add_row(message.get("task_id") or "", message.get("from_queue") or "",
                            str(info.get("label") or message.get("args")), str(info.get("attempts", "")),
                            info.get("error") or "", style="red")
        console.print(letters)


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
