"""Alerts: silent accounts, topic spikes (labels of the ``topic`` analyzer), overdue inbox requests;
delivered to the log, a webhook (httpx.MockTransport) and e-mail (a tiny SMTP server on 127.0.0.1)."""

from __future__ import annotations

import email
import email.policy
import json
import logging
import socketserver
import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import insert

from akimwatch.harvest.alerts import AlertConfig, check_alerts, compute_alerts
from akimwatch.models import Account, AccountRef, CommentRecord, PostRecord
from akimwatch.store.save import RecordSaver
from akimwatch.store.schema import comments, labels
from tests.harvest.fakeapi import watch

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def seed(engine, *, spike: int = 12, baseline: int = 14) -> None:
    watch(engine, Account("tg-quiet", "telegram", handle="quiet", official_id="o1"),
          Account("tg-busy", "telegram", handle="busy", official_id="o1"),
          Account("tg-empty", "telegram", handle="empty", official_id="o1"))
    with engine.begin() as conn:
        saver = RecordSaver(conn, run_id=None)
        saver.add(PostRecord("telegram", "q/1", AccountRef("telegram", handle="quiet"), NOW - timedelta(days=10), "старое"))
        saver.add(PostRecord("telegram", "b/1", AccountRef("telegram", handle="busy"), NOW - timedelta(days=20), "пост"))
        saver.add(PostRecord("telegram", "b/2", AccountRef("telegram", handle="busy"), NOW - timedelta(hours=3), "пост"))
        when = [NOW - timedelta(hours=1 + n % 20) for n in range(spike)]
        when += [NOW - timedelta(days=2, hours=(n * 7) % 288) for n in range(baseline)]  # within the 14-day baseline
        for n, t in enumerate(when):
            saver.add(CommentRecord("telegram", f"c{n}", "b/2", AccountRef("telegram", platform_id=str(n)), t, "нет воды"))
        saver.finish()
        ids = [r.id for r in conn.execute(comments.select().order_by(comments.c.id))]
        conn.execute(insert(labels), [{"item_kind": "comment", "item_id": i, "analyzer": "topic", "version": "1",
                                       "value": "water" if n < spike else "roads" if n % 2 else "water"}
                                      for n, i in enumerate(ids)])


def test_silent_accounts_and_topic_spike(store):
    seed(store)
    alerts = compute_alerts(store, AlertConfig(silent_days=7), NOW)
    kinds = [(a.kind, a.data.get("account_id") or a.data.get("topic")) for a in alerts]
    assert kinds == [("silent", "tg-empty"), ("silent", "tg-quiet"), ("topic_spike", "water")]
    spike = alerts[-1]
    assert spike.data == {"topic": "water", "recent": 12, "baseline": 0.5, "hours": 24.0}
    assert "нет публикаций 10 дн." in alerts[1].message


def test_no_spike_when_the_baseline_is_as_busy(store):
    seed(store, spike=12, baseline=14 * 12 * 2)
    assert [a.kind for a in compute_alerts(store, AlertConfig(), NOW)] == ["silent", "silent"]


def test_overdue_requests_when_the_inbox_exists(sqlite_store):
    seed(sqlite_store)
    # the inbox table comes from the web migration (0005_web)
    from akimwatch.inbox.tables import requests as inbox
    rows = [
        {"official_id": "o1", "status": "new", "due_utc": NOW - timedelta(hours=5), "answered_utc": None},
        {"official_id": "o1", "status": "in_progress", "due_utc": NOW - timedelta(days=2), "answered_utc": None},
        {"official_id": "o1", "status": "new", "due_utc": NOW + timedelta(hours=5), "answered_utc": None},
        {"official_id": "o1", "status": "answered", "due_utc": NOW - timedelta(days=3), "answered_utc": NOW}]
    required = {"source": "manual", "kind": "request", "requested_utc": NOW - timedelta(days=4),
                "created_utc": NOW, "updated_utc": NOW}
    with sqlite_store.begin() as conn:
        conn.execute(insert(inbox), [{**required, **r} for r in rows])
    overdue = [a for a in compute_alerts(sqlite_store, AlertConfig(), NOW) if a.kind == "overdue_requests"]
    assert [(a.data["official_id"], a.data["count"]) for a in overdue] == [("o1", 2)]


class _SMTP(socketserver.StreamRequestHandler):
    received: list[dict] = []

    def handle(self) -> None:
        mail: dict = {"rcpt": [], "data": ""}
        self.wfile.write(b"220 fake ESMTP\r\n")
        while line := self.rfile.readline():
            cmd = line.decode().strip()
            upper = cmd.upper()
            if upper.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250 fake\r\n")
            elif upper.startswith("MAIL FROM"):
                mail["from"] = cmd[10:]
                self.wfile.write(b"250 ok\r\n")
            elif upper.startswith("RCPT TO"):
                mail["rcpt"].append(cmd[8:])
                self.wfile.write(b"250 ok\r\n")
            elif upper == "DATA":
                self.wfile.write(b"354 go\r\n")
                body = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(chunk)
                mail["data"] = b"".join(body).decode("utf-8", "replace")
                _SMTP.received.append(mail)
                self.wfile.write(b"250 queued\r\n")
            elif upper == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    _SMTP.received = []
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTP)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_delivery_to_log_webhook_and_email_once(store, smtp_server, caplog):
    seed(store)
    posted = []

    def hook(request):
        posted.append(json.loads(request.content))
        return httpx.Response(204)

    config = AlertConfig(webhook_url="https://hooks.example/akimwatch?token=hook-secret", email_to=["press@akimat.kz"],
                         smtp_host="127.0.0.1", smtp_port=smtp_server, smtp_from="akimwatch@example.kz")
    caplog.set_level(logging.WARNING, logger="akimwatch.harvest.alerts")
    alerts, report = check_alerts(store, config, NOW, transport=httpx.MockTransport(hook))
    assert len(alerts) == 3 and report == {"alerts": 3, "log": 3, "webhook": 204, "email": 1}
    assert [a["kind"] for a in posted[0]["alerts"]] == ["silent", "silent", "topic_spike"]
    assert len(_SMTP.received) == 1 and _SMTP.received[0]["rcpt"] == ["<press@akimat.kz>"]
    mail = email.message_from_string(_SMTP.received[0]["data"], policy=email.policy.default)
    assert "всплеск комментариев по теме «water»" in mail.get_content() and mail["To"] == "press@akimat.kz"
    assert "alert silent" in caplog.text
    again, report = check_alerts(store, config, NOW + timedelta(hours=1), transport=httpx.MockTransport(hook))
    assert again == [] and len(posted) == 1 and len(_SMTP.received) == 1  # not repeated within 24 h
    later, _ = check_alerts(store, config, NOW + timedelta(hours=25), transport=httpx.MockTransport(hook))
    assert [a.kind for a in later] == ["silent", "silent"]  # sent again after 24 h; the spike has passed


def test_a_failing_channel_does_not_block_the_others(store, smtp_server):
    seed(store)
    config = AlertConfig(webhook_url="https://hooks.example/x", email_to=["a@b.kz"], smtp_host="127.0.0.1",
                         smtp_port=smtp_server)
    _, report = check_alerts(store, config, NOW, transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    assert report["webhook"].startswith("failed") and report["email"] == 1
