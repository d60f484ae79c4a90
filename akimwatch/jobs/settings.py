"""Where the broker, Redis and the queue names are: ``[jobs]`` of the one configuration, environment overriding.

The configuration file is akimwatch's one TOML (``AKIMWATCH_CONFIG``, docs/configuration.md), read by
``akimwatch.config.load_settings`` like every other section (so ``AKIMWATCH_JOBS__RETRIES=5`` works too);
``AKIMWATCH_BROKER_URL``, ``AKIMWATCH_RESULT_URL`` and ``AKIMWATCH_JOBS_NAMESPACE`` win over it, so a systemd
unit or a container needs no file at all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Any

ENV_BROKER = "AKIMWATCH_BROKER_URL"
ENV_RESULT = "AKIMWATCH_RESULT_URL"
ENV_NAMESPACE = "AKIMWATCH_JOBS_NAMESPACE"
QUEUES = ("harvest", "analysis", "import")


class JobsConfigError(ValueError):
    """The ``[jobs]`` section is wrong; the message names the file and the key."""


@dataclass(frozen=True)
class JobSettings:
    broker_url: str = "amqp://guest:guest@127.0.0.1:5672//"
    result_url: str = "redis://127.0.0.1:6379/0"
    # prefix of queue, exchange and Redis key names: two deployments (or test runs) can share one broker
    namespace: str = "akimwatch"
    retries: int = 3               # tries after the first, with exponential back-off, before the dead-letter queue
    retry_backoff: float = 10.0    # seconds before the first retry; doubles each time
    retry_backoff_max: float = 600.0
    analysis_batch: int = 1000     # comment (or post) ids per analysis job
    harvest_lease: float = 3600.0  # seconds a harvest slot is held at most if its worker vanished
    harvest_slot_wait: float = 2.0  # seconds a job waits for a platform slot before going back to the queue

    def queue(self, name: str) -> str:
        return f"{self.namespace}.{name}"

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.namespace}.dead"


def _jobs_section(path: str | os.PathLike[str] | None) -> tuple[dict[str, Any], str]:
    from akimwatch.config import ConfigError, load_settings

    try:
        settings = load_settings(path)
    except ConfigError as exc:
        raise JobsConfigError(str(exc)) from None
    return dict(settings.get("jobs") or {}), settings["_source"]["path"] or "environment"


def load_job_settings(path: str | os.PathLike[str] | None = None, **overrides: Any) -> JobSettings:
    """Defaults ← ``[jobs]`` of the configuration ← environment ← ``overrides`` (None values ignored)."""
    known = {f.name for f in fields(JobSettings)}
    section, where = _jobs_section(path)
    for key in section:
        if key not in known:
            raise JobsConfigError(f"config {where} [jobs]: unknown key '{key}' (known: {', '.join(sorted(known))})")
    values: dict[str, Any] = dict(section)
    for key, env in (("broker_url", ENV_BROKER), ("result_url", ENV_RESULT), ("namespace", ENV_NAMESPACE)):
        if os.environ.get(env):
            values[key] = os.environ[env]
    values.update({k: v for k, v in overrides.items() if v is not None})
    default = JobSettings()
    for key, value in values.items():
        want = type(getattr(default, key))
        if want is float and isinstance(value, int):
            value = float(value)
        if not isinstance(value, want) or isinstance(value, bool):
            raise JobsConfigError(f"config {where} [jobs]: '{key}' must be a {want.__name__} (got {value!r})")
        values[key] = value
    return JobSettings(**values)


def jobs_configured(path: str | os.PathLike[str] | None = None) -> bool:
    """Whether this installation uses workers: a broker URL in the environment or a ``[jobs]`` section."""
    return bool(os.environ.get(ENV_BROKER)) or bool(_jobs_section(path)[0])
