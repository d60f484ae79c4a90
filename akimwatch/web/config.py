"""Settings of the web app: defaults suit a local run; ``[web]`` of the configuration file (akimwatch/config.py)
and environment variables override them."""

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
        """Defaults, then ``[web]`` of the configuration (file, ``AKIMWATCH_WEB__<KEY>``), then the short names
        ``AKIMWATCH_PRIVATE``, ``AKIMWATCH_SLA_HOURS``, ``AKIMWATCH_SECURE_COOKIES``, then ``overrides``."""
        from dataclasses import fields

        from akimwatch.config import ConfigError, load_settings

        settings = load_settings()
        known = {f.name: f for f in fields(cls) if f.name != "extra"}
        cfg = cls()
        for key, value in settings["web"].items():
            if key not in known:
                raise ConfigError(f"config {settings['_source']['path'] or 'environment'} [web]: unknown key "
                                  f"'{key}' (known: {', '.join(sorted(known))})")
            default = getattr(cfg, key)
            try:
                value = (value.strip().lower() in ("1", "true", "yes", "on") if isinstance(value, str) else bool(value)) \
                    if isinstance(default, bool) else type(default)(value)
            except (TypeError, ValueError):
                raise ConfigError(f"config [web] {key}: {value!r} is not a {type(default).__name__}") from None
            setattr(cfg, key, value)
        cfg.private = _env_bool("AKIMWATCH_PRIVATE", cfg.private)
        if os.environ.get("AKIMWATCH_SLA_HOURS"):
            try:
                cfg.service_level_hours = float(os.environ["AKIMWATCH_SLA_HOURS"])
            except ValueError:
                raise ConfigError(f"AKIMWATCH_SLA_HOURS: {os.environ['AKIMWATCH_SLA_HOURS']!r} is not a number of "
                                  "hours") from None
        cfg.secure_cookies = _env_bool("AKIMWATCH_SECURE_COOKIES", cfg.secure_cookies)
        for key, value in overrides.items():
            setattr(cfg, key, value)
        return cfg
