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
    from akimwatch.store.web_inbox import sync_requests

    with app.state.sync_lock:
        try:
            with app.state.engine.begin() as conn:
                result = sync_requests(conn, now=now_utc(), sla_hours=app.state.config.service_level_hours)
        except Exception:  # noqa: BLE001 - the site keeps serving; the next run retries
            log.exception("inbox sync failed")
            return None
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
                  lifespan=lifespan, docs_url="/api/docs", redoc_url=None)
    app.state.engine = engine
    app.state.config = config
    app.state.cache = SnapshotCache(engine, config.cache_recheck_seconds)
    app.state.limiter = LoginLimiter(config.login_attempts, config.login_window_seconds)
    app.state.sync_lock = threading.Lock()

    @app.middleware("http")
    async def frame(request: Request, call_next):
        scope = request.scope
        if len(scope.get("query_string", b"")) > MAX_QUERY or len(scope["path"]) > 1000:
            return JSONResponse({"detail": "request line too long"}, status_code=414)
        path = scope["path"]
        raw_qs = scope.get("query_string", b"").lower()
        if b"%00" in raw_qs or b"\x00" in raw_qs or "\x00" in path:
            return _error(request, 400, "NUL characters are not allowed in parameters")
        # /api/v1/<list>.csv is the same list as ?format=csv
        if path.startswith("/api/v1/") and path.endswith(".csv"):
            scope["path"] = path[:-4]
            qs = scope.get("query_string", b"")
            scope["query_string"] = (qs + b"&" if qs else b"") + b"format=csv"
        lang_param = request.query_params.get("lang")
        request.state.lang = normalize_lang(lang_param or request.cookies.get(LANG_COOKIE))
        response = await call_next(request)
        if lang_param and normalize_lang(lang_param) == lang_param:
            response.set_cookie(LANG_COOKIE, lang_param, max_age=365 * 86400, samesite="lax",
                                httponly=True, secure=config.secure_cookies)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        return response

    from akimwatch.web import api, open311, pages

    app.include_router(api.router)
    app.include_router(open311.router)
    app.include_router(pages.router)
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
