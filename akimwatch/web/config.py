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
    max_body_bytes: int = 1 << 20  # larger request bodies are refused (413) before they are read
    cache_max_bytes: int = 32 << 20  # responses and aggregates kept in memory, least recently used dropped
    trusted_proxies: str = ""  # comma-separated addresses whose X-Forwarded-For is believed ("" = none)
    busy_retry_after_seconds: int = 5  # Retry-After of the 503 answered while the store is locked
    key_use_flush_seconds: float = 60.0  # how often API-key use (last_used_utc) is written, in one batch
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides) -> WebConfig:
        cfg = cls(
            private=_env_bool("AKIMWATCH_PRIVATE", False),
            service_level_hours=float(os.environ.get("AKIMWATCH_SLA_HOURS", "24")),
            secure_cookies=_env_bool("AKIMWATCH_SECURE_COOKIES", False),
            max_body_bytes=int(os.environ.get("AKIMWATCH_MAX_BODY_BYTES", str(1 << 20))),
            cache_max_bytes=int(os.environ.get("AKIMWATCH_CACHE_MAX_BYTES", str(32 << 20))),
            trusted_proxies=os.environ.get("AKIMWATCH_TRUSTED_PROXIES", ""),
        )
        for key, value in overrides.items():
            setattr(cfg, key, value)
        return cfg
