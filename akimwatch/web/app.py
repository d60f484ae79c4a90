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

from akimwatch.i18n import normalize_lang
from akimwatch.web.config import WebConfig
from akimwatch.web.data import SnapshotCache
from akimwatch.web.security import LoginLimiter, now_utc

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


def create_app(engine: Engine, config: WebConfig | None = None) -> FastAPI:
    config = config or WebConfig.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        stop = threading.Event()
        if config.sync_on_start:
            run_sync(app)
        thread = None
        if config.background_sync:
            thread = threading.Thread(target=_sync_loop, args=(app, stop), daemon=True, name="inbox-sync")
            thread.start()
        yield
        stop.set()

    app = FastAPI(title="akimwatch API", version="1.0",
                  description="How Kazakhstan's akims use social networks: officials, accounts, posts, "
                              "citizens' comments with labels, metrics, rankings and the inbox of citizen "
                              "requests. Open311 GeoReport v2 under /open311/v2/.",
                  lifespan=lifespan, docs_url=None, redoc_url=None)  # no CDN-hosted Swagger UI
    app.state.engine = engine
    app.state.config = config
    app.state.cache = SnapshotCache(engine, config.cache_recheck_seconds)
    app.state.limiter = LoginLimiter(config.login_attempts, config.login_window_seconds)
    app.state.sync_lock = threading.Lock()

    app.add_middleware(FrameMiddleware, secure_cookies=config.secure_cookies)

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

    @app.exception_handler(DBAPIError)
    async def db_error(request: Request, exc: DBAPIError):
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

    def __init__(self, app, secure_cookies: bool = False):
        self.app = app
        self.secure = secure_cookies
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


def _error(request: Request, status: int, detail: str, headers=None) -> Response:
    path = request.url.path
    if path.startswith("/open311/"):
        from akimwatch.web.open311 import error_response

        return error_response(request, status, detail)
    if path.startswith("/api/") or path == "/openapi.json" or "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    if status == 401 and request.method == "GET":
        from urllib.parse import quote

        from fastapi.responses import RedirectResponse

        return RedirectResponse(f"/login?next={quote(path)}", status_code=303)
    from akimwatch.web.render import render

    return render(request, "error.html", {"status": status, "detail": detail}, status_code=status)


__all__ = ["create_app", "run_sync", "HTMLResponse"]
