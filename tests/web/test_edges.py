"""Edge validation and resource limits of the web app: out-of-range numbers, body size, authentication
before parsing, a bounded response cache, forwarded headers, API-key handling."""

from __future__ import annotations

import base64
import re
import threading
import time

import httpx
import orjson
import pytest
from sqlalchemy import select

from akimwatch.web.auth.tables import api_keys
from tests.web.conftest import csrf_of, login, make_client

BIG = 2**64 - 1


def _cursor(value) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([value])).decode().rstrip("=")


@pytest.mark.parametrize("path", ["/api/v1/comments", "/api/v1/posts", "/api/v1/requests", "/api/v1/metrics",
                                  "/api/v1/rankings"])
@pytest.mark.parametrize("value", [BIG, 2**63, -1, 0])
def test_out_of_range_cursors_are_400(app_client, path, value):
    r = app_client.get(path, params={"cursor": _cursor(value)})
    assert r.status_code == 400, r.text
    assert app_client.get(path + ".csv", params={"cursor": _cursor(value)}).status_code == 400


def test_out_of_range_ids_are_4xx(app_client):
    c = app_client
    write = {"X-Api-Key": c.info["keys"]["write"]}
    assert c.get("/open311/v2/requests.json", params={"service_request_id": "99999999999999999999"}).status_code == 400
    assert c.get("/open311/v2/requests.xml", params={"service_request_id": "1,²"}).status_code == 400
    assert c.get("/open311/v2/requests/%C2%B2.json").status_code == 404
    assert c.get("/open311/v2/requests/99999999999999999999.json").status_code == 404
    assert c.get("/api/v1/requests/99999999999999999999").status_code == 404
    assert c.patch("/api/v1/requests/99999999999999999999", json={"notes": "x"}, headers=write).status_code == 404
    assert c.get("/inbox/99999999999999999999").status_code == 404
    login(c, "editor")
    token = csrf_of(c)
    assert c.post("/inbox/99999999999999999999", data={"csrf_token": token, "notes": "x"}).status_code == 404


def test_minor_validation(app_client):
    c = app_client
    write = {"X-Api-Key": c.info["keys"]["write"]}
    for due in ("0001-01-01", "9999-12-31", "0001-01-01T00:00:00+14:00"):
        assert c.patch("/api/v1/requests/1", json={"due_utc": due}, headers=write).status_code == 400
    assert c.patch("/api/v1/requests/1", json={"department": "д" * 301}, headers=write).status_code == 400
    assert c.patch("/api/v1/requests/1", json={"department": "ЖКХ"}, headers=write).status_code == 200
    r = c.post("/open311/v2/requests.json", data={"api_key": c.info["keys"]["write"], "service_code": "gas",
                                                 "address_string": "Абая 1", "official_id": "no-such-akim"})
    assert r.status_code == 400 and "official_id" in r.json()[0]["description"]
    r = c.post("/open311/v2/requests.json", data={"api_key": c.info["keys"]["write"], "service_code": "gas",
                                                 "address_string": "Абая 1", "official_id": "almaty-akim"})
    assert r.status_code == 201
    r = c.post("/api/v1/requests", json={"kind": "request", "description": "x", "official_id": "nobody"},
               headers=write)
    assert r.status_code == 400


def test_body_limit_before_reading_and_authentication_before_parsing(seeded):
    engine, info = seeded
    with make_client(engine, max_body_bytes=2000) as c:
        big = b'{"notes": "' + b"x" * 5000 + b'"}'
        r = c.patch("/api/v1/requests/1", content=big, headers={"Content-Type": "application/json",
                                                                "X-Api-Key": info["keys"]["write"]})
        assert r.status_code == 413
        assert c.post("/open311/v2/requests.json", content=b"a=" + b"x" * 5000,
                      headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 413

        def chunks():  # no Content-Length: counted while read
            for _ in range(10):
                yield b"x" * 500

        r = c.post("/api/v1/requests", content=chunks(), headers={"Content-Type": "application/json",
                                                                  "X-Api-Key": info["keys"]["write"]})
        assert r.status_code == 413
        # anonymous: refused before the body is parsed (malformed JSON is never looked at)
        assert c.patch("/api/v1/requests/1", content=b"{" * 1000,
                       headers={"Content-Type": "application/json"}).status_code == 401
        assert c.post("/api/v1/requests", content=b"[" * 1000,
                      headers={"Content-Type": "application/json"}).status_code == 401
        r = c.patch("/api/v1/requests/1", content=b"{" * 1000, headers={"Content-Type": "application/json",
                                                                        "X-Api-Key": info["keys"]["read"]})
        assert r.status_code == 403


def test_response_cache_is_bounded_and_keys_normalised(seeded):
    engine, _ = seeded
    with make_client(engine, cache_max_bytes=200_000) as c:
        cache = c.app.state.cache
        for n in range(200):
            assert c.get(f"/api/v1/comments?limit=1000&x={n}").status_code == 200
        after_junk = len(cache)
        assert c.get("/api/v1/comments?x=1&limit=1000&y=2").content == c.get("/api/v1/comments?limit=1000").content
        assert len(cache) == after_junk  # unknown parameters share one entry
        for n in range(300):
            assert c.get("/api/v1/comments", params={"q": f"газ{n}"}).status_code == 200
            assert c.get("/topics", params={"q": f"газ{n}"}).status_code == 200
        assert cache.bytes_held <= 200_000
        assert len(cache._locks) == 0  # per-key locks do not outlive their computation


def test_new_api_key_shown_once_on_the_page_not_in_a_cookie(app_client):
    c = app_client
    login(c, "admin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/admin").text).group(1)
    r = c.post("/admin/keys", data={"csrf_token": token, "name": "press", "scopes": ["read"]}, follow_redirects=False)
    assert r.status_code == 201 and "aw_new_key" not in r.headers.get("set-cookie", "")
    assert r.headers["cache-control"] == "no-store"
    key = re.search(r'id="new-key">([^<]+)<', r.text).group(1)
    assert key not in c.get("/admin").text


def _last_used(engine, prefix_of_key: str):
    prefix = prefix_of_key.split("_")[1]
    with engine.connect() as conn:
        return conn.execute(select(api_keys.c.last_used_utc).where(api_keys.c.prefix == prefix)).scalar_one()


def test_refused_key_use_is_not_recorded_and_accepted_use_is_batched(seeded):
    engine, info = seeded
    read = info["keys"]["read"]
    with make_client(engine) as c:
        r = c.post("/open311/v2/requests.json", data={"api_key": read, "service_code": "gas", "address_string": "x"})
        assert r.status_code == 403
        assert c.patch("/api/v1/requests/1", json={"notes": "x"}, headers={"X-Api-Key": read}).status_code == 403
        c.app.state.key_use.flush(engine)
        assert _last_used(engine, read) is None
        assert c.get("/api/v1/officials", headers={"X-Api-Key": read}).status_code == 200
        assert _last_used(engine, read) is None  # not written on the read path ...
    assert _last_used(engine, read) is not None  # ... but at the next flush (here: shutdown)


def test_forwarded_for_is_ignored_unless_from_a_trusted_proxy(seeded):
    """A real uvicorn on loopback: rotating X-Forwarded-For (and user names) does not escape the
    per-address login limit; with the proxy trusted, the forwarded address counts."""
    import uvicorn

    from akimwatch.web import WebConfig, create_app
    from akimwatch.web.serve import uvicorn_options

    engine, _ = seeded

    def failures_until_429(trusted: str) -> int:
        cfg = WebConfig(background_sync=False, trusted_proxies=trusted, login_attempts=3)
        server = uvicorn.Server(uvicorn.Config(create_app(engine, cfg), host="127.0.0.1", port=0,
                                               log_level="error", **uvicorn_options(cfg)))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            for _ in range(200):
                if server.started:
                    break
                time.sleep(0.05)
            port = server.servers[0].sockets[0].getsockname()[1]
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
                http.get("/login")
                token = http.cookies.get("aw_login_csrf")
                for n in range(1, 8):
                    r = http.post("/login", data={"username": f"nobody{n}", "password": "wrong-password",
                                                  "csrf_token": token},
                                  headers={"X-Forwarded-For": f"10.0.0.{n}"})
                    if r.status_code == 429:
                        return n - 1
                return 99
        finally:
            server.should_exit = True
            thread.join(10)

    assert failures_until_429("") == 3
    assert failures_until_429("127.0.0.1") == 99  # each forwarded address is a different client


def test_login_limiter_does_not_keep_names_it_never_failed():
    from akimwatch.web.security import LoginLimiter

    limiter = LoginLimiter(attempts=2, window=600)
    for n in range(1000):
        assert not limiter.blocked(f"ip:10.0.{n // 250}.{n % 250}", f"user:name{n}")
    assert len(limiter) == 0
    limiter.fail("ip:1", "user:a")
    limiter.fail("ip:1", "user:b")
    assert limiter.blocked("ip:1") and not limiter.blocked("user:a") and len(limiter) == 3
    limiter.window = 0
    assert not limiter.blocked("ip:1", "user:a", "user:b") and len(limiter) == 0
