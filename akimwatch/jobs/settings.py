"""Where the broker, Redis and the queue names are: the ``[jobs]`` section of the config, env overriding.

``AKIMWATCH_CONFIG`` names the TOML config (sections ``[metrics]``, ``[credentials]``, ``[web]``,
``[harvest]``, ``[jobs]``); ``AKIMWATCH_BROKER_URL`` and ``AKIMWATCH_RESULT_URL`` override the two URLs, so
a systemd unit or a container needs no file at all. A config that is not TOML (the older YAML of
thresholds) simply has no ``[jobs]``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

ENV_CONFIG = "AKIMWATCH_CONFIG"
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


def _section(path: Path) -> dict[str, Any]:
    if path.suffix.lower() != ".toml":
        return {}
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise JobsConfigError(f"config {path}: not valid TOML ({exc})") from None
    section = data.get("jobs", {})
    if not isinstance(section, dict):
        raise JobsConfigError(f"config {path}: [jobs] must be a table")
    return section


def load_job_settings(path: str | os.PathLike[str] | None = None, **overrides: Any) -> JobSettings:
    """Defaults ← ``[jobs]`` of the TOML config ← environment ← ``overrides`` (None values ignored)."""
    known = {f.name: f for f in fields(JobSettings)}
    values: dict[str, Any] = {}
    path = path or os.environ.get(ENV_CONFIG)
    if path:
        p = Path(path)
        if not p.exists():
            raise JobsConfigError(f"config file {p} does not exist")
        for key, value in _section(p).items():
            if key not in known:
                raise JobsConfigError(f"config {p}, [jobs]: unknown key '{key}' (known: {', '.join(known)})")
            values[key] = value
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
            raise JobsConfigError(f"config [jobs]: '{key}' must be a {want.__name__} (got {value!r})")
        values[key] = value
    return JobSettings(**values)


def jobs_configured(path: str | os.PathLike[str] | None = None) -> bool:
    """Whether this installation uses workers: a broker URL in the environment or a ``[jobs]`` section."""
    if os.environ.get(ENV_BROKER):
        return True
    path = path or os.environ.get(ENV_CONFIG)
    return bool(path) and Path(path).exists() and "jobs" in (
        tomllib.loads(Path(path).read_text("utf-8")) if Path(path).suffix.lower() == ".toml" else {})
