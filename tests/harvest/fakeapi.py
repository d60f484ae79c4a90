"""A fake platform API for collector tests: routes replay recorded (or built) responses; faults on demand.

The same fake serves through ``httpx.MockTransport`` (fast, lets a test "kill" the harvest mid-way with
KeyboardInterrupt) and as a real HTTP server on 127.0.0.1 (``serve()``; sockets, timeouts).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from akimwatch.harvest.http import RateController, RatePolicy

Handler = Callable[[dict[str, str]], Any]  # params → body (dict/list → JSON, str → text) or (status, body, headers)


def load(path: Path, **replace: str) -> Any:
    text = path.read_text(encoding="utf-8")
    for old, new in replace.items():
        text = text.replace(old, new)
    return json.loads(text)


def no_sleep_controller(**policy: Any) -> RateController:
    slept: list[float] = []
    controller = RateController(RatePolicy(per_second=0, **policy), sleep=slept.append)
    controller.slept_calls = slept  # type: ignore[attr-defined]
    return controller


class FakeAPI:
    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.faults: list[dict[str, Any]] = []
        self.log: list[tuple[str, dict[str, str]]] = []
        self.kill_after: int | None = None

    def route(self, path: str, handler: Handler | Any) -> None:
        self.routes["/" + path.strip("/")] = handler if callable(handler) else (lambda _p, v=handler: v)

    def fault(self, path_contains: str, kind: str, times: int = 1, **extra: Any) -> None:
        """kind: '429' (with Retry-After), '500', 'timeout', or any (status, body) via ``response=``."""
        self.faults.append({"match": path_contains, "kind": kind, "left": times, **extra})

    def paths(self) -> list[str]:
        return [p for p, _ in self.log]

    def respond(self, path: str, params: dict[str, str]) -> tuple[int, dict[str, str], bytes | str]:
        """(status, headers, body) or the string 'timeout'."""
        path = re.sub(r"^/(v\d+(\.\d+)?|method|youtube/v3)(?=/)", "", "/" + path.strip("/"))  # API prefix
        self.log.append((path, params))
        if self.kill_after is not None and len(self.log) > self.kill_after:
            raise KeyboardInterrupt  # the operator pressed Ctrl-C / the machine died
        for fault in self.faults:
            if fault["left"] > 0 and fault["match"] in path:
                fault["left"] -= 1
                if fault["kind"] == "429":
                    return 429, {"Retry-After": str(fault.get("retry_after", 3))}, b""
                if fault["kind"] == "500":
                    return 500, {}, b"internal error"
                if fault["kind"] == "timeout":
                    return 0, {}, "timeout"
                status, body = fault["response"]
                return status, {"Content-Type": "application/json"}, json.dumps(body).encode()
        handler = self.routes.get(path)
        if handler is None:
            return 404, {"Content-Type": "application/json"}, json.dumps(
                {"error": {"message": f"no route {path}", "code": 803}}).encode()
        result = handler(params)
        status, headers = 200, {}
        if isinstance(result, tuple):
            status, result, headers = result
        if isinstance(result, str):
            return status, {"Content-Type": "text/html; charset=utf-8", **headers}, result.encode()
        return status, {"Content-Type": "application/json", **headers}, json.dumps(result).encode()

    # -- httpx.MockTransport -------------------------------------------------------------------
    def transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            params = dict(parse_qsl(request.url.query.decode(), keep_blank_values=True))
            status, headers, body = self.respond(request.url.path, params)
            if body == "timeout":
                raise httpx.ReadTimeout("timed out", request=request)
            return httpx.Response(status, headers=headers, content=body)

        return httpx.MockTransport(handle)

    # -- a real server on 127.0.0.1 ------------------------------------------------------------
    @contextmanager
    def serve(self, timeout_sleep: float = 0.6) -> Iterator[str]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                parts = urlsplit(self.path)
                status, headers, body = fake.respond(parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)))
                if body == "timeout":
                    time.sleep(timeout_sleep)
                    status, headers, body = 200, {"Content-Type": "application/json"}, b"{}"
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()


# -- store helpers shared by the collector tests ---------------------------------------------------
def watch(engine, *accounts) -> None:
    """Put accounts (akimwatch.models.Account) of one official on the watch list."""
    from akimwatch.models import Official
    from akimwatch.registry import Registry
    from akimwatch.store.watchlist import save_registry

    with engine.begin() as conn:
        save_registry(conn, Registry(officials=[Official("o1", "Аким", "akim_region", "KZ-75")],
                                     accounts=list(accounts)))


def rows(engine) -> tuple[list[tuple], list[tuple]]:
    """(posts, comments) as sorted tuples: id, text, deleted?, version (+ parent and official flag)."""
    from sqlalchemy import select

    from akimwatch.store.schema import comments, posts

    with engine.connect() as conn:
        p = conn.execute(select(posts.c.platform_id, posts.c.text, posts.c.deleted_utc.is_not(None),
                                posts.c.version, posts.c.likes, posts.c.views)).all()
        c = conn.execute(select(comments.c.platform_id, comments.c.post_platform_id, comments.c.parent_platform_id,
                                comments.c.text, comments.c.deleted_utc.is_not(None), comments.c.version,
                                comments.c.is_official_reply)).all()
    return sorted(tuple(r) for r in p), sorted(tuple(r) for r in c)


def cursors(engine, account_id: str) -> dict:
    from akimwatch.harvest.runner import load_cursors

    with engine.connect() as conn:
        return load_cursors(conn, account_id)


def fresh_sqlite(path):
    from akimwatch.store.engine import create_store_engine, ensure_schema

    engine = create_store_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    return engine
