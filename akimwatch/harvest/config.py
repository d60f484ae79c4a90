"""Harvest settings: credentials, polite rate policies, the re-fetch window.

Credentials are looked up as ``AKIMWATCH_<NAME>`` in the environment first, then under ``[credentials]`` of the
one configuration file (``AKIMWATCH_CONFIG``, default ``~/.config/akimwatch/config.toml``; see akimwatch/config.py)::

    [credentials]
    facebook_token = "EAAB..."
    youtube_api_key = "AIza..."

They are passed to the platforms only; never logged (see ``install_redaction``) and never stored.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from pathlib import Path

from akimwatch.config import DEFAULT_FILES, ENV_CONFIG, ConfigError, config_path, load_settings
from akimwatch.harvest.http import RatePolicy, RedactingFilter

CONFIG_ENV = ENV_CONFIG
WINDOW_ENV = "AKIMWATCH_HARVEST_RECENT_DAYS"
DEFAULT_RECENT_DAYS = 14

# Polite defaults per platform (requests per second, parallel accounts); documented in docs/collectors.md.
POLICIES: dict[str, RatePolicy] = {
    "telegram": RatePolicy(per_second=0.5, concurrency=1),   # public web pages: one request per 2 s
    "facebook": RatePolicy(per_second=1.0, concurrency=2),   # Graph API: 200 calls/user/hour budget
    "instagram": RatePolicy(per_second=1.0, concurrency=2),  # Graph API business use case limits
    "x": RatePolicy(per_second=0.2, concurrency=1),          # v2: 900-1500 req / 15 min, 450 for search
    "vk": RatePolicy(per_second=3.0, concurrency=1),         # VK: 3 requests/s per token
    "youtube": RatePolicy(per_second=2.0, concurrency=2),    # Data API: 10,000 quota units per day
}


class MissingCredential(Exception):
    """A collector needs a token the environment and the config file do not give."""


def _config_file() -> Path:
    return config_path() or DEFAULT_FILES[0].expanduser()


def credential(name: str, *, required: bool = True, purpose: str = "") -> str | None:
    """``AKIMWATCH_<NAME>`` from the environment, else ``[credentials] <name>`` of the configuration."""
    value = os.environ.get(f"AKIMWATCH_{name.upper()}")
    if not value:
        value = load_settings()["credentials"].get(name.lower())
    if not value and required:
        raise MissingCredential(
            f"{purpose or name}: no credential; set AKIMWATCH_{name.upper()} or put {name.lower()} = \"...\" "
            f"under [credentials] in {_config_file()} (docs/collectors.md says how to get one)")
    return value or None


def recent_window() -> timedelta:
    """Posts this recent are re-fetched on every run (edits, new comments, deletions)."""
    days = os.environ.get(WINDOW_ENV) or load_settings()["harvest"].get("recent_days", DEFAULT_RECENT_DAYS)
    try:
        return timedelta(days=float(days))
    except (TypeError, ValueError):
        raise ConfigError(f"harvest recent_days must be a number of days (got {days!r}; {WINDOW_ENV} or "
                          "[harvest] recent_days)") from None


def policy_for(platform: str) -> RatePolicy:
    base = POLICIES.get(platform, RatePolicy())
    per_second = os.environ.get(f"AKIMWATCH_{platform.upper()}_PER_SECOND")
    concurrency = os.environ.get(f"AKIMWATCH_{platform.upper()}_CONCURRENCY")
    return RatePolicy(per_second=float(per_second) if per_second else base.per_second,
                      retries=base.retries, backoff_base=base.backoff_base, backoff_max=base.backoff_max,
                      timeout=base.timeout, concurrency=int(concurrency) if concurrency else base.concurrency)


_FILTER = RedactingFilter()


def install_redaction() -> None:
    """Secrets in URLs never reach a log: filter our loggers, httpx's, and every root handler."""
    for name in ("akimwatch", "akimwatch.harvest", "httpx", "httpcore"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
