"""Alerts after a harvest: an account gone silent, a spike in one topic's comments, citizen requests overdue.

Delivered to the log, a webhook (POST JSON) and e-mail (SMTP), as configured by ``AlertConfig.from_env``:

=============================  ===========================================================
``AKIMWATCH_ALERT_SILENT_DAYS``  an account with no post for this many days (default 7)
``AKIMWATCH_ALERT_SPIKE_*``      ``HOURS`` (24), ``BASELINE_DAYS`` (14), ``FACTOR`` (3), ``MIN`` (10)
``AKIMWATCH_ALERT_WEBHOOK_URL``  POST ``{"alerts": [...]}`` here
``AKIMWATCH_ALERT_EMAIL_TO``     comma-separated recipients; ``AKIMWATCH_SMTP_HOST`` / ``_PORT`` /
                                 ``_USER`` / ``_PASSWORD`` / ``_FROM`` / ``_STARTTLS`` (1/0)
``AKIMWATCH_ALERT_REPEAT_HOURS`` the same alert is not sent again within this time (default 24)
=============================  ===========================================================

Overdue requests are read from the inbox table ``requests`` (web inbox) when the store has it; without
it that check is skipped and says so in the log.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
from sqlalchemy import Engine

from akimwatch.harvest.http import redact
from akimwatch.inbox.queries import overdue_by_official
from akimwatch.models import to_utc
from akimwatch.store.labels import topic_counts_between
from akimwatch.store.meta import get_meta, set_meta
from akimwatch.store.queries import last_post_of_watched_accounts

log = logging.getLogger("akimwatch.harvest.alerts")
SENT_KEY = "alerts_sent"
OPEN_REQUEST_STATUSES = ("new", "in_progress")


@dataclass
class AlertConfig:
    silent_days: float = 7.0
    spike_hours: float = 24.0
    spike_baseline_days: float = 14.0
    spike_factor: float = 3.0
    spike_min: int = 10
    repeat_hours: float = 24.0
    to_log: bool = True
    webhook_url: str | None = None
    email_to: list[str] = field(default_factory=list)
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "akimwatch@localhost"
    smtp_starttls: bool = False
    smtp_timeout: float = 20.0

    @classmethod
    def from_env(cls) -> AlertConfig:
        env = os.environ.get
        return cls(
            silent_days=float(env("AKIMWATCH_ALERT_SILENT_DAYS", 7)),
            spike_hours=float(env("AKIMWATCH_ALERT_SPIKE_HOURS", 24)),
            spike_baseline_days=float(env("AKIMWATCH_ALERT_SPIKE_BASELINE_DAYS", 14)),
            spike_factor=float(env("AKIMWATCH_ALERT_SPIKE_FACTOR", 3)),
            spike_min=int(env("AKIMWATCH_ALERT_SPIKE_MIN", 10)),
            repeat_hours=float(env("AKIMWATCH_ALERT_REPEAT_HOURS", 24)),
            webhook_url=env("AKIMWATCH_ALERT_WEBHOOK_URL") or None,
            email_to=[a.strip() for a in (env("AKIMWATCH_ALERT_EMAIL_TO") or "").split(",") if a.strip()],
            smtp_host=env("AKIMWATCH_SMTP_HOST") or None, smtp_port=int(env("AKIMWATCH_SMTP_PORT", 25)),
            smtp_user=env("AKIMWATCH_SMTP_USER") or None, smtp_password=env("AKIMWATCH_SMTP_PASSWORD") or None,
            smtp_from=env("AKIMWATCH_SMTP_FROM", "akimwatch@localhost"),
            smtp_starttls=env("AKIMWATCH_SMTP_STARTTLS", "0") in ("1", "true", "yes"))


@dataclass
class Alert:
    kind: str  # silent | topic_spike | overdue_requests
    key: str  # identity for de-duplication across runs
    message: str  # for people (Russian, like the reports)
    data: dict[str, Any]


def _utc(value: datetime | None) -> datetime | None:
    return to_utc(value) if value is not None else None


def silent_accounts(engine: Engine, config: AlertConfig, now: datetime) -> list[Alert]:
    limit = now - timedelta(days=config.silent_days)
    with engine.connect() as conn:
        rows = last_post_of_watched_accounts(conn)
    out = []
    for row in rows:
        last = _utc(row.last)
        if last is not None and last >= limit:
            continue
        days = round((now - last).total_seconds() / 86400, 1) if last else None
        message = (f"{row.platform} @{row.handle or row.id}: нет публикаций {days:g} дн. (последняя {last:%Y-%m-%d})"
                   if last else f"{row.platform} @{row.handle or row.id}: ни одной публикации в базе")
        out.append(Alert("silent", f"silent:{row.id}", message, {
            "account_id": row.id, "official_id": row.official_id, "platform": row.platform,
            "last_post_utc": last.isoformat() if last else None, "days": days}))
    return out


def topic_spikes(engine: Engine, config: AlertConfig, now: datetime) -> list[Alert]:
    """Comments labelled with one topic in the last ``spike_hours`` against the average of the baseline."""
    window = timedelta(hours=config.spike_hours)
    base_start = now - window - timedelta(days=config.spike_baseline_days)
    periods = max(1.0, timedelta(days=config.spike_baseline_days) / window)
    def counts(start: datetime, end: datetime) -> dict[str, int]:
        with engine.connect() as conn:
            return topic_counts_between(conn, start, end)

    recent = counts(now - window, now + timedelta(microseconds=1))
    before = counts(base_start, now - window)
    out = []
    for topic, n in sorted(recent.items()):
        baseline = before.get(topic, 0) / periods
        if n >= config.spike_min and n >= config.spike_factor * max(baseline, 1.0):
            out.append(Alert("topic_spike", f"topic_spike:{topic}:{now:%Y-%m-%d}",
                             f"всплеск комментариев по теме «{topic}»: {n} за {config.spike_hours:g} ч "
                             f"(обычно {baseline:.1f})",
                             {"topic": topic, "recent": n, "baseline": round(baseline, 2),
                              "hours": config.spike_hours}))
    return out


def overdue_requests(engine: Engine, config: AlertConfig, now: datetime) -> list[Alert]:
    with engine.connect() as conn:
        rows = overdue_by_official(conn, now, OPEN_REQUEST_STATUSES)
    out = []
    for official, n, oldest in rows:
        oldest_s = str(oldest)[:16]
        out.append(Alert("overdue_requests", f"overdue:{official}:{n}",
                         f"{official or 'без чиновника'}: {n} обращ. без ответа после срока (самое старое — срок {oldest_s})",
                         {"official_id": official, "count": int(n), "oldest_due_utc": str(oldest)}))
    return out


def compute_alerts(engine: Engine, config: AlertConfig, now: datetime | None = None) -> list[Alert]:
    now = now or datetime.now(UTC)
    return [*silent_accounts(engine, config, now), *topic_spikes(engine, config, now),
            *overdue_requests(engine, config, now)]


def fresh_alerts(engine: Engine, alerts: list[Alert], config: AlertConfig, now: datetime) -> list[Alert]:
    """Drop alerts already sent within ``repeat_hours``; remember the rest (store_meta)."""
    with engine.begin() as conn:
        raw = get_meta(conn, SENT_KEY)
        sent: dict[str, str] = json.loads(raw) if raw else {}
        keep = [a for a in alerts if a.key not in sent or
                datetime.fromisoformat(sent[a.key]) <= now - timedelta(hours=config.repeat_hours)]
        for alert in keep:
            sent[alert.key] = now.isoformat()
        horizon = now - timedelta(days=30)
        sent = {k: v for k, v in sent.items() if datetime.fromisoformat(v) > horizon}
        set_meta(conn, SENT_KEY, json.dumps(sent, sort_keys=True))
    return keep


def deliver(alerts: list[Alert], config: AlertConfig, *, transport: httpx.BaseTransport | None = None) -> dict[str, Any]:
    """Send alerts to every configured channel; a failing channel is logged, the others still get them."""
    report: dict[str, Any] = {"alerts": len(alerts), "log": 0, "webhook": None, "email": None}
    if not alerts:
        return report
    if config.to_log:
        for alert in alerts:
            log.warning("alert %s: %s", alert.kind, alert.message)
        report["log"] = len(alerts)
    if config.webhook_url:
        try:
            with httpx.Client(timeout=20, transport=transport) as client:
                response = client.post(config.webhook_url, json={"alerts": [asdict(a) for a in alerts]})
            response.raise_for_status()
            report["webhook"] = response.status_code
        except httpx.HTTPError as exc:
            log.error("alerts: webhook %s failed: %s", redact(config.webhook_url), redact(str(exc)))
            report["webhook"] = f"failed: {redact(str(exc))}"
    if config.email_to and config.smtp_host:
        message = EmailMessage()
        message["Subject"] = f"akimwatch: {len(alerts)} предупрежд."
        message["From"] = config.smtp_from
        message["To"] = ", ".join(config.email_to)
        message.set_content("\n".join(f"• [{a.kind}] {a.message}" for a in alerts) + "\n")
        try:
            with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=config.smtp_timeout) as smtp:
                if config.smtp_starttls:
                    smtp.starttls()
                if config.smtp_user and config.smtp_password:
                    smtp.login(config.smtp_user, config.smtp_password)
                smtp.send_message(message)
            report["email"] = len(config.email_to)
        except (OSError, smtplib.SMTPException) as exc:
            log.error("alerts: e-mail via %s:%s failed: %s", config.smtp_host, config.smtp_port, exc)
            report["email"] = f"failed: {exc}"
    return report


def check_alerts(engine: Engine, config: AlertConfig | None = None, now: datetime | None = None,
                 transport: httpx.BaseTransport | None = None) -> tuple[list[Alert], dict[str, Any]]:
    """Compute, de-duplicate and deliver; returns what was sent and how."""
    config = config or AlertConfig.from_env()
    now = now or datetime.now(UTC)
    alerts = fresh_alerts(engine, compute_alerts(engine, config, now), config, now)
    return alerts, deliver(alerts, config, transport=transport)
