"""A BUILT fake VK API on 127.0.0.1 for the jobs tests and benchmarks/scale.py (no recorded data).

Community walls ``-1 … -N``; every account has ``posts`` posts (4 per ``wall.get`` page, as an API may
return fewer than asked) and ``comments`` comments per post, in the documented shapes of ``wall.get``,
``wall.getComments`` and ``groups.getById`` (API 5.199), the texts built from a few Russian and Kazakh
phrases so the analysers have something real to label. The server records the time and owner of every
request (for the rate checks), can slow every answer (to kill a worker mid-job) and answer garbage for
chosen owners (the poison job).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

PAGE = 4
START = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
PHRASES = ("Когда отремонтируют дорогу на улице Абая?", "Спасибо акимату за новый парк!",
           "Газа нет уже третий день, примите меры", "Рахмет, жақсы жұмыс!", "Где обещанный детский сад?",
           "Снег во дворе не убирают", "Отличная новость", "Автобусы ходят редко, просим добавить рейсы")


class FakeVK:
    def __init__(self, accounts: int, *, posts: int = 6, comments: int = 3, delay: float = 0.0,
                 garbage: frozenset[int] = frozenset()):
        self.accounts, self.posts, self.comments = accounts, posts, comments
        self.delay = delay
        self.garbage = set(garbage)
        self.requests: list[tuple[float, str, int]] = []  # (time.monotonic(), method, owner)
        self.lock = threading.Lock()

    # -- content ----------------------------------------------------------------------------------------
    def _post(self, owner: int, n: int) -> dict:
        pid = n + 1
        return {"id": pid, "owner_id": owner, "from_id": owner,
                "date": int(START.timestamp()) + 3600 * (abs(owner) * 100 + pid),
                "text": f"Новость {pid} акимата {abs(owner)}: {PHRASES[(pid + owner) % len(PHRASES)]}",
                "likes": {"count": pid}, "reposts": {"count": 1}, "views": {"count": 100 * pid},
                "comments": {"count": self.comments, "can_post": 1}}

    def _comment(self, owner: int, post: int, n: int) -> dict:
        official = n == self.comments - 1 and n > 0  # the last comment of a thread: the akimat answers
        return {"id": post * 100 + n, "from_id": owner if official else 1000 + n, "post_id": post, "owner_id": owner,
                "date": int(START.timestamp()) + 3600 * (abs(owner) * 100 + post) + 60 * (n + 1),
                "text": "Спасибо, передали в отдел ЖКХ" if official else
                f"{PHRASES[(post * 7 + n + owner) % len(PHRASES)]} ({abs(owner)}/{post}/{n})",
                "likes": {"count": n}}

    def answer(self, method: str, params: dict[str, str]) -> tuple[int, bytes]:
        owner = int(params.get("owner_id") or -int(params.get("group_id", "0")))
        with self.lock:
            self.requests.append((time.monotonic(), method, owner))
        if self.delay:
            time.sleep(self.delay)
        if abs(owner) in self.garbage:
            return 200, b"<html>502 Bad Gateway</html> {not json"
        if not 1 <= abs(owner) <= self.accounts:
            return 200, json.dumps({"error": {"error_code": 100, "error_msg": "unknown owner"}}).encode()
        group = {"id": abs(owner), "name": f"Акимат {abs(owner)}", "screen_name": f"akimat{abs(owner)}"}
        if method == "groups.getById":
            body = {"response": {"groups": [{**group, "members_count": 1000 + abs(owner)}], "profiles": []}}
        elif method == "wall.get":
            items = [self._post(owner, n) for n in reversed(range(self.posts))]  # newest first
            offset = int(params.get("offset", 0))
            body = {"response": {"count": len(items), "items": items[offset:offset + PAGE], "profiles": [],
                                 "groups": [group]}}
        elif method == "wall.getComments":
            items = [self._comment(owner, int(params["post_id"]), n) for n in range(self.comments)]
            offset = int(params.get("offset", 0))
            body = {"response": {"count": len(items), "current_level_count": len(items),
                                 "items": items[offset:offset + 100], "profiles": [], "groups": [group]}}
        else:
            body = {"error": {"error_code": 3, "error_msg": f"unknown method {method}"}}
        return 200, json.dumps(body, ensure_ascii=False).encode()

    def times(self, owners: set[int] | None = None) -> list[float]:
        with self.lock:
            return sorted(t for t, _, o in self.requests if owners is None or abs(o) in owners)

    def count(self, owner: int) -> int:
        with self.lock:
            return sum(1 for _, _, o in self.requests if abs(o) == owner)

    @contextmanager
    def serve(self) -> Iterator[str]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                parts = urlsplit(self.path)
                method = parts.path.rstrip("/").rsplit("/", 1)[-1]
                status, body = fake.answer(method, dict(parse_qsl(parts.query, keep_blank_values=True)))
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        ThreadingHTTPServer.daemon_threads = True
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/method"
        finally:
            server.shutdown()
            server.server_close()


def watch_accounts(engine, count: int) -> None:
    """The watch list of the fake: one official per community wall -1 … -count."""
    from akimwatch.models import Account, Official
    from akimwatch.registry import Registry
    from akimwatch.store.watchlist import save_registry

    officials = [Official(f"o{n}", f"Аким {n}", "akim_region", "KZ-75") for n in range(1, count + 1)]
    accounts = [Account(f"vk-{n}", "vk", handle=f"akimat{n}", platform_id=f"-{n}", official_id=f"o{n}")
                for n in range(1, count + 1)]
    with engine.begin() as conn:
        save_registry(conn, Registry(officials=officials, accounts=accounts))
