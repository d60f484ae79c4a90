"""An HTTP client that is polite by default: rate limits, Retry-After, back-off with jitter, no leaked secrets."""

from __future__ import annotations

import logging
import os
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

log = logging.getLogger("akimwatch.harvest")

BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9%._~+/=-]+")
SECRET_PARAMS = re.compile(r"(?i)((?:access_token|token|key|api_key|secret|password|auth|sig)=)[^&\s]+")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("akimwatch")
    except PackageNotFoundError:  # running from a source tree without installing
        return "dev"


def redact(text: str) -> str:
    """Remove secrets from a URL or message before it can reach a log, an error or the store."""
    return BEARER.sub(r"\1***", SECRET_PARAMS.sub(r"\1***", text))


class RedactingFilter(logging.Filter):
    """Installed on akimwatch loggers: secrets in query strings never land in logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        # format first: httpx logs its URLs as httpx.URL objects, which a per-argument filter would miss
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken log call must not hide the secret check
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        return True


def base_url(platform: str, default: str) -> str:
    """``AKIMWATCH_<PLATFORM>_BASE_URL`` overrides the API's address (tests, proxies, mirrors)."""
    return os.environ.get(f"AKIMWATCH_{platform.upper()}_BASE_URL", default).rstrip("/")


class HarvestHTTPError(Exception):
    """A request failed for good (after retries, or a client error such as an expired token)."""

    def __init__(self, message: str, status: int | None = None):
        self.status = status
        super().__init__(redact(message))


@dataclass
class RatePolicy:
    """Polite defaults: at most ``per_second`` requests, ``retries`` tries with exponential back-off."""

    per_second: float = 1.0
    retries: int = 5
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    timeout: float = 30.0
    concurrency: int = 1


@dataclass
class RateController:
    """Spaces requests per platform; injectable so tests run without sleeping (instaloader's idea)."""

    policy: RatePolicy
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _last: float = field(default=-1e9, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    slept: float = field(default=0.0, init=False)

    def wait_turn(self) -> None:
        with self._lock:
            gap = 1.0 / self.policy.per_second if self.policy.per_second > 0 else 0.0
            delay = self._last + gap - self.clock()
            if delay > 0:
                self.pause(delay)
            self._last = self.clock()

    def pause(self, seconds: float) -> None:
        self.slept += seconds
        self.sleep(seconds)

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return min(retry_after, self.policy.backoff_max * 10)
        ceiling = min(self.policy.backoff_max, self.policy.backoff_base * (2 ** attempt))
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not crypto


# Set by a job worker (akimwatch.jobs.ratelimit): every PoliteClient then takes its controller from here, so a
# platform's rate and Retry-After pauses hold across all workers, not per process. None: per-process spacing.
_shared_controllers: Callable[[str, RatePolicy], RateController] | None = None


def set_shared_controllers(factory: Callable[[str, RatePolicy], RateController] | None) -> None:
    """Install (or remove, with None) the cluster-wide rate controller factory for this process."""
    global _shared_controllers
    _shared_controllers = factory


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())


def parse_rate_reset(value: str | None) -> float | None:
    """X sends ``x-rate-limit-reset`` (epoch seconds when the window reopens) instead of Retry-After."""
    if not value:
        return None
    try:
        return max(0.0, float(value) - time.time())
    except ValueError:
        return None


RETRY_STATUS = {429, 500, 502, 503, 504}


class PoliteClient:
    """GET JSON or text with retries on 429/5xx/network errors, honouring Retry-After."""

    def __init__(self, platform: str, *, default_base: str, policy: RatePolicy | None = None,
                 controller: RateController | None = None, transport: httpx.BaseTransport | None = None,
                 headers: Mapping[str, str] | None = None,
                 classify: Callable[[httpx.Response], tuple[str, str] | None] | None = None):
        """``classify(response)`` lets a platform read errors it sends with HTTP 200 (VK) or 4xx rate
        limits (Facebook code 4/17): return ``("retry", why)``, ``("fail", why)`` or None."""
        self.platform = platform
        self.classify = classify
        self.base = base_url(platform, default_base)
        self.policy = policy or RatePolicy()
        if _shared_controllers is not None:  # a job worker: the limit is the cluster's (collectors' own ignored)
            self.controller = _shared_controllers(platform, controller.policy if controller else self.policy)
        else:
            self.controller = controller or RateController(self.policy)
        self.client = httpx.Client(timeout=self.policy.timeout, transport=transport, follow_redirects=True,
                                   headers={"User-Agent": f"akimwatch/{_version()} (civic monitoring of public accounts)",
                                            **(headers or {})})
        self.requests = 0

    def close(self) -> None:
        self.client.close()

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.base}/{path.lstrip('/')}"

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> httpx.Response:
        url = self.url(path)
        last_error = ""
        for attempt in range(self.policy.retries + 1):
            self.controller.wait_turn()
            self.requests += 1
            try:
                response = self.client.get(url, params=params)
            except httpx.TransportError as exc:  # timeouts, refused connections, resets
                last_error = f"{type(exc).__name__}: {exc}"
                log.info("%s: network error on %s (%s), retrying", self.platform, redact(url), last_error)
                self.controller.pause(self.controller.backoff(attempt))
                continue
            verdict = self.classify(response) if self.classify else None
            if verdict is not None and verdict[0] == "fail":
                raise HarvestHTTPError(f"{self.platform}: {verdict[1]} ({redact(str(response.url))})",
                                       response.status_code)
            if response.status_code in RETRY_STATUS or verdict is not None:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                if retry_after is None:
                    retry_after = parse_rate_reset(response.headers.get("x-rate-limit-reset"))
                last_error = verdict[1] if verdict is not None else f"HTTP {response.status_code}"
                log.info("%s: %s on %s, retrying", self.platform, last_error, redact(str(response.url)))
                self.controller.pause(self.controller.backoff(attempt, retry_after))
                continue
            if response.status_code >= 400:
                raise HarvestHTTPError(f"{self.platform}: HTTP {response.status_code} on {response.url}: "
                                       f"{response.text[:300]}", response.status_code)
            return response
        raise HarvestHTTPError(f"{self.platform}: giving up on {url} after {self.policy.retries + 1} tries "
                               f"({last_error})")

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        response = self.get(path, params)
        try:
            return response.json()
        except ValueError:
            raise HarvestHTTPError(f"{self.platform}: {response.url} did not return JSON") from None
