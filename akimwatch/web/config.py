"""Settings of the web app (defaults suit a local run; environment variables override)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ("1", "true", "yes", "on")


@dataclass
class WebConfig:
    private: bool = False  # True: every page and API needs a signed-in user or an API key
    service_level_hours: float = 24.0  # due time for a first answer to a citizen request
    secure_cookies: bool = False  # set True behind HTTPS
    session_hours: float = 12.0
    login_attempts: int = 5  # failures per window per client address and per user name
    login_window_seconds: int = 600
    cache_recheck_seconds: float = 30.0  # how often cached aggregates check whether the store changed
    sync_interval_seconds: float = 60.0  # how often new labelled comments become inbox requests
    sync_on_start: bool = True
    background_sync: bool = True
    jurisdiction_id: str = "akimwatch.kz"
    metrics_period: str = "all"
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides) -> WebConfig:
        cfg = cls(
            private=_env_bool("AKIMWATCH_PRIVATE", False),
            service_level_hours=float(os.environ.get("AKIMWATCH_SLA_HOURS", "24")),
            secure_cookies=_env_bool("AKIMWATCH_SECURE_COOKIES", False),
        )
        for key, value in overrides.items():
            setattr(cfg, key, value)
        return cfg
