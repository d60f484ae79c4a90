"""Periodic harvesting in the foreground: harvest, analyse what is new, check alerts, sleep, repeat.

``akimwatch schedule --every 1h`` is a plain loop (no daemon, no extra dependency); systemd timers and
cron can run ``akimwatch schedule --once`` instead (docs/deploy.md).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from akimwatch.harvest.alerts import Alert, AlertConfig, check_alerts
from akimwatch.harvest.config import install_redaction
from akimwatch.harvest.runner import AccountResult, harvest_all, watched_accounts

log = logging.getLogger("akimwatch.harvest")
UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400, "day": 86400}


def parse_every(value: str) -> timedelta:
    """'90s', '15m', '15min', '1h', '2d' → timedelta."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*", value.lower())
    if not m or m.group(2) not in UNITS:
        raise ValueError(f"interval {value!r} is not like 30m, 1h or 1d")
    seconds = float(m.group(1)) * UNITS[m.group(2)]
    if seconds < 60:
        raise ValueError(f"interval {value!r} is shorter than a minute; be polite to the platforms")
    return timedelta(seconds=seconds)


def harvest(engine: Engine, *, account_id: str | None = None, platform: str | None = None,
            since: datetime | None = None, full: bool = False, factory: Callable[..., Any] | None = None,
            on_account: Callable[[AccountResult], None] | None = None,
            on_page: Callable[[str, int], None] | None = None) -> list[AccountResult]:
    """Harvest the watch list (or one account / platform); each account's failure stays its own."""
    install_redaction()
    accounts = watched_accounts(engine, account_id=account_id, platform=platform)
    if account_id and not accounts:
        raise ValueError(f"account {account_id!r} is not in the store; load the watch list first "
                         "(akimwatch registry load)")
    return harvest_all(engine, accounts, since=since, full=full, factory=factory, on_account=on_account,
                       on_page=on_page)


def analyse_new(engine: Engine, since: datetime | None = None) -> dict | None:
    """Label the items that have no labels yet, when the analysis package is present (else None)."""
    try:
        from akimwatch.analysis.run import run_analysis
    except ImportError:
        log.info("analysis is not installed in this build; new items stay unlabelled")
        return None
    return run_analysis(engine, since=since, progress=False)


@dataclass
class RunSummary:
    started_utc: datetime
    results: list[AccountResult]
    analysis: dict | None = None
    alerts: list[Alert] = field(default_factory=list)
    delivery: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if not r.ok)


def run_once(engine: Engine, *, account_id: str | None = None, platform: str | None = None, full: bool = False,
             factory: Callable[..., Any] | None = None, alert_config: AlertConfig | None = None,
             now: Callable[[], datetime] | None = None, alert_transport=None) -> RunSummary:
    clock = now or (lambda: datetime.now(UTC))
    started = clock()
    results = harvest(engine, account_id=account_id, platform=platform, full=full, factory=factory)
    analysis = None
    try:
        analysis = analyse_new(engine)
    except Exception as exc:  # noqa: BLE001 - analysis trouble must not stop collection
        log.error("analysis after harvest failed: %s", exc)
    alerts, delivery = check_alerts(engine, alert_config, now=clock(), transport=alert_transport)
    return RunSummary(started, results, analysis, alerts, delivery)


def schedule(engine: Engine, *, every: timedelta, once: bool = False, max_runs: int | None = None,
             sleep: Callable[[float], None] = time.sleep, monotonic: Callable[[], float] = time.monotonic,
             on_run: Callable[[RunSummary], None] | None = None, **kwargs: Any) -> list[RunSummary]:
    """Run ``run_once`` now and then every ``every`` (measured start to start) until stopped."""
    runs: list[RunSummary] = []
    while True:
        began = monotonic()
        summary = run_once(engine, **kwargs)
        runs.append(summary)
        if on_run:
            on_run(summary)
        if once or (max_runs is not None and len(runs) >= max_runs):
            return runs
        sleep(max(0.0, every.total_seconds() - (monotonic() - began)))
