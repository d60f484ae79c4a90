"""A SQLite store write-locked by an import: reads with an API key still answer at once; writes
(login, Open311 POST, PATCH) answer 503 with Retry-After, never 500."""

from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests.web.conftest import PASSWORD, make_client, seed


@pytest.fixture
def sqlite_seeded(tmp_path):
    from akimwatch.store.engine import create_store_engine, ensure_schema

    engine = create_store_engine(f"sqlite:///{tmp_path / 'busy.db'}")
    ensure_schema(engine)
    info = seed(engine)

    @event.listens_for(engine, "connect")
    def _short_wait(dbapi_conn, _record):  # after the store's own pragmas: wait 0.3 s, not 30 s
        dbapi_conn.execute("PRAGMA busy_timeout=300")

    yield engine, info, tmp_path / "busy.db"
    engine.dispose()


@contextmanager
def write_locked(path):
    """What an import does: a write transaction held open (readers go on under WAL)."""
    con = sqlite3.connect(path, timeout=5, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    con.execute("UPDATE store_meta SET value = value")
    try:
        yield
    finally:
        con.execute("ROLLBACK")
        con.close()


def test_busy_store_reads_answer_writes_get_503(sqlite_seeded):
    engine, info, path = sqlite_seeded
    with make_client(engine, sync_on_start=False) as c:
        page = c.get("/login")
        token = c.cookies.get("aw_login_csrf")
        assert page.status_code == 200
        with write_locked(path):
            t0 = time.monotonic()
            for url in ("/api/v1/officials", "/api/v1/comments", "/open311/v2/requests.json"):
                r = c.get(url, headers={"X-Api-Key": info["keys"]["read"]})
                assert r.status_code == 200, (url, r.status_code, r.text)
            assert time.monotonic() - t0 < 3  # no read waits for the lock
            r = c.post("/login", data={"username": "editor", "password": PASSWORD, "csrf_token": token},
                       follow_redirects=False)
            assert r.status_code == 503 and r.headers["retry-after"] == "5", r.text
            r = c.post("/open311/v2/requests.json", data={"api_key": info["keys"]["write"], "service_code": "gas",
                                                         "address_string": "Абая 1"})
            assert r.status_code == 503 and r.headers["retry-after"]
            assert r.json()[0]["code"] == 503
            r = c.patch("/api/v1/requests/1", json={"notes": "x"}, headers={"X-Api-Key": info["keys"]["write"]})
            assert r.status_code in (404, 503)  # no inbox sync ran: request 1 may not exist
            assert c.app.state.key_use.flush(engine) is False  # kept for the next flush
        assert c.app.state.key_use.flush(engine) is True
        r = c.post("/login", data={"username": "editor", "password": PASSWORD, "csrf_token": token},
                   follow_redirects=False)
        assert r.status_code == 303
