"""``create_app(engine, config)``: the FastAPI application (pages, /api/v1, /open311/v2, static files)."""

from __future__ import annotations

import logging
import threading
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import DataError, DBAPIError
from sqlalchemy.exc import TimeoutError as SATimeoutError

from akimwatch.i18n import normalize_lang
from akimwatch.store.engine import is_store_busy
from akimwatch.web.config import WebConfig
from akimwatch.web.data import SnapshotCache
from akimwatch.web.security import KeyUseRecorder, LoginLimiter, now_utc

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
LANG_COOKIE = "aw_lang"
MAX_QUERY = 4000

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                               "script-src 'self'; frame-ancestors 'none'; form-action 'self'",
}


def run_sync(app: FastAPI) -> dict[str, int] | None:
    """Turn newly labelled comments into inbox requests; mark answered ones (safe to call any time)."""
    from akimwatch.inbox.workflow import sync_requests

    with app.state.sync_lock:
        try:
            with app.state.engine.begin() as conn:
                result = sync_requests(conn, now=now_utc(), sla_hours=app.state.config.service_level_hours)
        except Exception:  # noqa: BLE001 - the site keeps serving; the next run retries
            log.exception("inbox sync failed")
            return None
    if result["created"] or result["answered"]:
        app.state.cache.invalidate()
    return result


def _sync_loop(app: FastAPI, stop: threading.Event) -> None:
    while not stop.wait(app.state.config.sync_interval_seconds):
        run_sync(app)


def _key_use_loop(app: FastAPI, stop: threading.Event) -> None:
    while not stop.wait(app.state.config.key_use_flush_seconds):
        app.state.key_use.flush(app.state.engine)


def is_busy_store_error(exc: BaseException) -> bool:
    """Worth a retry (503), not a 500: see ``akimwatch.store.engine.is_store_busy``."""
    return is_store_busy(exc)


def create_app(engine: Engine, config: WebConfig | None = None) -> FastAPI:
    config = config or WebConfig.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        stop = threading.Event()
        if config.sync_on_start:
            run_sync(app)
        if config.background_sync:
            threading.Thread(target=_sync_loop, args=(app, stop), daemon=True, name="inbox-sync").start()
            threading.Thread(target=_key_use_loop, args=(app, stop), daemon=True, name="key-use").start()
        yield
        stop.set()
        app.state.key_use.flush(app.state.engine)

    app = FastAPI(title="akimwatch API", version="1.0",
                  description="How Kazakhstan's akims use social networks: officials, accounts, posts, "
                              "citizens' comments with labels, metrics, rankings and the inbox of citizen "
                              "requests. Open311 GeoReport v2 under /open311/v2/.",
                  lifespan=lifespan, docs_url=None, redoc_url=None)  # no CDN-hosted Swagger UI
    app.state.engine = engine
    app.state.config = config
    app.state.cache = SnapshotCache(engine, config.cache_recheck_seconds, max_bytes=config.cache_max_bytes)
    app.state.key_use = KeyUseRecorder()
    app.state.limiter = LoginLimiter(config.login_attempts, config.login_window_seconds)
    app.state.sync_lock = threading.Lock()

    app.add_middleware(FrameMiddleware, secure_cookies=config.secure_cookies, max_body=config.max_body_bytes)

    from akimwatch.web import api, civic, open311, pages

    app.include_router(api.router)
    app.include_router(open311.router)
    app.include_router(pages.router)
    app.include_router(civic.api)
    app.include_router(civic.pages)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return _error(request, exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        problems = []
        for e in exc.errors()[:10]:
            loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("query", "body", "path"))
            problems.append(f"{loc}: {e.get('msg')}")
        return _error(request, 400, "; ".join(problems) or "invalid parameters")

    def busy(request: Request) -> Response:
        log.warning("store busy on %s %s", request.method, request.url.path)
        return _error(request, 503, "the store is busy (an import is writing); try again shortly",
                      {"Retry-After": str(config.busy_retry_after_seconds)})

    @app.exception_handler(BodyTooLarge)
    async def too_large(request: Request, exc: BodyTooLarge):
        return _error(request, 413, f"request body larger than {config.max_body_bytes} bytes")

    @app.exception_handler(SATimeoutError)
    async def pool_timeout(request: Request, exc: SATimeoutError):
        return busy(request)

    @app.exception_handler(DBAPIError)
    async def db_error(request: Request, exc: DBAPIError):
        if is_busy_store_error(exc):
            return busy(request)
        if isinstance(exc, DataError) or isinstance(getattr(exc, "orig", None), ValueError):
            return _error(request, 400, "a parameter has a value the database cannot take")
        log.exception("database error on %s", request.url.path)
        return _error(request, 500, "internal error; the incident is logged")

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        return _error(request, 500, "internal error; the incident is logged")

    return app


class FrameMiddleware:
    """Pure ASGI (cheaper than BaseHTTPMiddleware): request-line limits, NUL refusal, ``.csv`` aliases of
    API lists, the language (``?lang=`` sticks in a cookie) and security headers."""

    def __init__(self, app, secure_cookies: bool = False, max_body: int = 1 << 20):
        self.app = app
        self.secure = secure_cookies
        self.max_body = max_body
        self._headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        qs = scope.get("query_string", b"")
        path = scope["path"]
        if len(qs) > MAX_QUERY or len(path) > 1000:
            return await JSONResponse({"detail": "request line too long"}, status_code=414)(scope, receive, send)
        low = qs.lower()
        if b"%00" in low or b"\x00" in low or "\x00" in path:
            request = Request(scope)
            request.state.lang = "ru"
            return await _error(request, 400, "NUL characters are not allowed in parameters")(scope, receive, send)
        declared = _content_length(scope)
        if declared is not None and (declared < 0 or declared > self.max_body):
            return await _too_large(scope, receive, send, self.max_body)
        if scope.get("method") in ("POST", "PUT", "PATCH"):
            receive = _limited(receive, self.max_body)
        if path.startswith("/api/v1/") and path.endswith(".csv"):
            scope["path"] = path[:-4]
            scope["query_string"] = (qs + b"&" if qs else b"") + b"format=csv"
        lang_param = None
        cookie_lang = None
        for part in qs.split(b"&"):
            if part.startswith(b"lang="):
                lang_param = part[5:].decode("latin-1")
        if lang_param is None:
            for k, v in scope.get("headers", ()):
                if k == b"cookie" and LANG_COOKIE.encode() in v:
                    for c in v.decode("latin-1").split(";"):
                        name, _, value = c.strip().partition("=")
                        if name == LANG_COOKIE:
                            cookie_lang = value
        lang = normalize_lang(lang_param or cookie_lang)
        scope.setdefault("state", {})["lang"] = lang
        set_cookie = lang_param is not None and normalize_lang(lang_param) == lang_param
        extra = self._headers
        if set_cookie:
            cookie = f"{LANG_COOKIE}={lang}; Max-Age={365 * 86400}; Path=/; HttpOnly; SameSite=lax"
            if self.secure:
                cookie += "; Secure"
            extra = extra + [(b"set-cookie", cookie.encode())]

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    (k, v) for k, v in extra if k == b"set-cookie" or k not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(Exception):
    """A body without Content-Length grew past the limit while being read."""


def _content_length(scope) -> int | None:
    for k, v in scope.get("headers", ()):
        if k == b"content-length":
            try:
                return int(v)
            except ValueError:
                return -1
    return None


def _limited(receive, limit: int):
    """``receive`` that stops a chunked body at ``limit`` bytes (Content-Length is checked up front)."""
    seen = 0

    async def inner():
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
        return message

    return inner


async def _too_large(scope, receive, send, limit: int) -> None:
    request = Request(scope)
    request.state.lang = "ru"
    resp = _error(request, 413, f"request body larger than {limit} bytes")
    resp.headers["Connection"] = "close"
    await resp(scope, receive, send)


def _error(request: Request, status: int, detail: str, headers=None) -> Response:
    resp = _error_body(request, status, detail)
    for name, value in (headers or {}).items():
        resp.headers[name] = value
    return resp


def _error_body(request: Request, status: int, detail: str) -> Response:
    path = request.url.path
    if path.startswith("/open311/"):
        from akimwatch.web.open311 import error_response

        return error_response(request, status, detail)
    if path.startswith("/api/") or path == "/openapi.json" or "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"detail": detail}, status_code=status)
    if status == 401 and request.method == "GET":
        from urllib.parse import quote

        from fastapi.responses import RedirectResponse

        return RedirectResponse(f"/login?next={quote(path)}", status_code=303)
    from akimwatch.web.render import render

    try:
        return render(request, "error.html", {"status": status, "detail": detail}, status_code=status)
    except Exception:  # noqa: BLE001 - e.g. the store is busy while resolving the caller: plain text then
        log.exception("could not render the error page")
        return Response(detail, status_code=status, media_type="text/plain; charset=utf-8")


__all__ = ["create_app", "run_sync", "HTMLResponse"]
