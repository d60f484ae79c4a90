"""Who is asking: session cookie, API key, roles, CSRF and login rate limiting."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fastapi import HTTPException, Request

from akimwatch.web.auth import users as web_auth

SESSION_COOKIE = "aw_session"
LOGIN_CSRF_COOKIE = "aw_login_csrf"
ROLE_RANK = {"viewer": 1, "editor": 2, "admin": 3}


@dataclass
class Principal:
    """The caller: a signed-in user, an API key, or nobody (anonymous)."""

    username: str | None = None
    role: str | None = None
    csrf: str | None = None
    api_key_prefix: str | None = None
    scopes: set[str] = field(default_factory=set)

    @property
    def anonymous(self) -> bool:
        return self.username is None and self.api_key_prefix is None

    @property
    def actor(self) -> str:
        return self.username or (f"api-key:{self.api_key_prefix}" if self.api_key_prefix else "anonymous")

    def has_role(self, role: str) -> bool:
        return ROLE_RANK.get(self.role or "", 0) >= ROLE_RANK[role]

    @property
    def sees_personal_data(self) -> bool:
        """Signed-in staff see original comment text; everybody else sees it masked."""
        return self.username is not None or "read" in self.scopes or "requests:write" in self.scopes


def now_utc() -> datetime:
    return datetime.now(UTC)


def _api_key_from(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("x-api-key")


def principal(request: Request) -> Principal:
    """Resolve the caller once per request (cached on request.state)."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    p = Principal()
    engine = request.app.state.engine
    token = request.cookies.get(SESSION_COOKIE)
    key = _api_key_from(request)
    if token and len(token) < 200:
        user = _session_cached(request.app, engine, token)
        if user:
            p = Principal(username=user["username"], role=user["role"], csrf=user["csrf"])
    elif key:
        with engine.begin() as conn:
            info = web_auth.api_key_info(conn, key, now=now_utc())
        if info is None:
            raise HTTPException(401, "invalid or revoked API key")
        p = Principal(api_key_prefix=info["prefix"], scopes=info["scopes"],
                      role="viewer" if "read" in info["scopes"] else None)
    request.state.principal = p
    return p


_SESSION_TTL = 5.0  # seconds a session lookup is reused; sign-out evicts at once


def _session_cached(app, engine, token: str):
    cache = _session_store(app)
    hit = cache.get(token)
    now = time.monotonic()
    if hit and now - hit[0] < _SESSION_TTL:
        return hit[1]
    with engine.connect() as conn:
        user = web_auth.session_user(conn, token, now=now_utc())
    if len(cache) > 10000:
        cache.clear()
    cache[token] = (now, user)
    return user


def _session_store(app) -> dict:
    store = getattr(app.state, "session_cache", None)
    if store is None:
        store = app.state.session_cache = {}
    return store


def forget_session(app, token: str | None) -> None:
    if token:
        _session_store(app).pop(token, None)


def require_read(request: Request) -> Principal:
    p = principal(request)
    if request.app.state.config.private and p.anonymous:
        raise HTTPException(401, "sign in or send an API key: this instance is private")
    return p


def require_role(request: Request, role: str) -> Principal:
    p = principal(request)
    if p.anonymous:
        raise HTTPException(401, "sign in first")
    if not p.has_role(role):
        raise HTTPException(403, f"the {role} role is needed")
    return p


def require_write(request: Request, *, csrf_value: str | None) -> Principal:
    """Editors (session + CSRF token) or API keys with the requests:write scope."""
    p = principal(request)
    if p.api_key_prefix:
        if "requests:write" not in p.scopes:
            raise HTTPException(403, "this API key lacks the requests:write scope")
        return p
    if p.anonymous:
        raise HTTPException(401, "sign in first")
    check_csrf(p, csrf_value)
    if not p.has_role("editor"):
        raise HTTPException(403, "the editor role is needed")
    return p


def check_csrf(p: Principal, value: str | None) -> None:
    if not p.csrf or not value or not hmac.compare_digest(p.csrf, value):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


class LoginLimiter:
    """At most ``attempts`` failed logins per ``window`` seconds per client address and per user name."""

    def __init__(self, attempts: int, window: int):
        self.attempts = attempts
        self.window = window
        self._fails: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque:
        q = self._fails[key]
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(len(self._prune(k, now)) >= self.attempts for k in keys)

    def fail(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._prune(k, now).append(now)

    def reset(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._fails.pop(k, None)
