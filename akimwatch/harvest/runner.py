"""Run collectors over the watch list: each page's rows and cursor commit together; failures stay per account."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from akimwatch.harvest.base import Collector, Listing, WatchedAccount
from akimwatch.harvest.http import redact
from akimwatch.store.harvest_queries import (  # noqa: F401 - load_cursors/save_cursor: harvest's names
    latest_harvest_runs,
    load_cursors,
    missing_items,
    save_cursor,
    watched_account_rows,
)
from akimwatch.store.runs import finish_run, save_failed_run, start_run
from akimwatch.store.save import RecordSaver, mark_deleted

log = logging.getLogger("akimwatch.harvest")


@dataclass
class AccountResult:
    account_id: str
    ok: bool
    pages: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    deleted: int = 0
    error: str | None = None


def watched_accounts(engine: Engine, *, account_id: str | None = None, platform: str | None = None,
                     platforms: Iterable[str] | None = None) -> list[WatchedAccount]:
    with engine.connect() as conn:
        return [WatchedAccount(r.id, r.platform, r.handle, r.platform_id, r.official_id)
                for r in watched_account_rows(conn, account_id=account_id, platform=platform, platforms=platforms)]


def apply_listing(conn: Connection, account_id: str, platform: str, listing: Listing) -> int:
    """Mark items that no longer appear on the platform as deleted (they stay in the archive)."""
    gone = missing_items(conn, listing.kind, account_id=account_id, platform=platform, scope=listing.scope,
                         start_utc=listing.start_utc, end_utc=listing.end_utc, present=set(listing.ids))
    return mark_deleted(conn, listing.kind, gone)


def harvest_account(engine: Engine, collector: Collector, account: WatchedAccount, *, since: datetime | None = None,
                    full: bool = False, on_page: Callable[[int], None] | None = None) -> AccountResult:
    """Harvest one account; every page lands with its cursor in one transaction."""
    result = AccountResult(account.id, ok=False)
    totals: dict[str, int] = {}
    with engine.begin() as conn:
        run_id = start_run(conn, kind="harvest", source=f"{account.platform}:{account.handle or account.platform_id}",
                           format=collector.name, account_id=account.id)
        cursors = {} if full else load_cursors(conn, account.id)
    status, errors = "ok", None
    try:
        for page in collector.fetch_pages(account, cursors, since=since, full=full):
            with engine.begin() as conn:
                saver = RecordSaver(conn, run_id=run_id, forced_account_id=account.id)
                for record in page.records:
                    saver.add(record)
                counts = saver.finish().as_dict()
                for listing in page.listings:
                    result.deleted += apply_listing(conn, account.id, account.platform, listing)
                if page.cursor is not None:
                    save_cursor(conn, account.id, page.stream, page.cursor)
                    cursors[page.stream] = page.cursor
            for key in ("posts_new", "posts_updated", "comments_new", "comments_updated", "followers", "skipped"):
                totals[key] = totals.get(key, 0) + int(counts.get(key, 0))
            result.pages += 1
            if on_page:
                on_page(result.pages)
        result.ok = True
    except KeyboardInterrupt:
        _finish(engine, run_id, "failed", totals, [{"error": "interrupted; committed pages are kept"}])
        raise
    except Exception as exc:  # noqa: BLE001 - one account's failure must not stop the others
        result.error = redact(f"{type(exc).__name__}: {exc}")
        status, errors = "failed", [{"error": result.error}]
        log.warning("harvest %s failed: %s", account.id, result.error)
    totals["deleted"] = result.deleted
    result.counts = totals
    _finish(engine, run_id, status, totals, errors)
    return result


def _finish(engine: Engine, run_id: int, status: str, counts: dict[str, int], errors: list | None) -> None:
    finish_run(engine, run_id, status, counts, errors)


def record_failure(engine: Engine, account: WatchedAccount, collector_name: str, error: str) -> AccountResult:
    """An account that could not even start (no credential, no collector) is a failed run, shown by status."""
    error = redact(error)
    save_failed_run(engine, kind="harvest", source=f"{account.platform}:{account.handle or account.platform_id}",
                    format=collector_name, account_id=account.id, error=error)
    log.warning("harvest %s failed: %s", account.id, error)
    return AccountResult(account.id, ok=False, error=error)


def harvest_all(engine: Engine, accounts: list[WatchedAccount], *, since: datetime | None = None,
                full: bool = False, factory: Callable[..., Collector] | None = None,
                on_account: Callable[[AccountResult], None] | None = None,
                on_page: Callable[[str, int], None] | None = None) -> list[AccountResult]:
    """Harvest many accounts: platforms in parallel, at most the platform's ``concurrency`` accounts at once.

    One collector (one polite client, one rate controller) serves all accounts of a platform, so the
    per-platform request rate holds however many accounts run together.
    """
    from concurrent.futures import ThreadPoolExecutor

    from akimwatch.harvest.collectors import make_collector

    factory = factory or make_collector
    by_platform: dict[str, list[WatchedAccount]] = {}
    for account in accounts:
        by_platform.setdefault(account.platform, []).append(account)
    results: dict[str, AccountResult] = {}

    def done(result: AccountResult) -> None:
        results[result.account_id] = result
        if on_account:
            on_account(result)

    def run_platform(platform: str, group: list[WatchedAccount]) -> None:
        try:
            collector = factory(platform)
        except Exception as exc:  # noqa: BLE001 - missing credential / collector: every account says so
            for account in group:
                done(record_failure(engine, account, f"{platform}_collector", f"{type(exc).__name__}: {exc}"))
            return
        workers = max(1, getattr(getattr(collector, "policy", None), "concurrency", 1))
        try:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"harvest-{platform}") as pool:
                futures = [pool.submit(harvest_account, engine, collector, account, since=since, full=full,
                                       on_page=(lambda n, a=account.id: on_page(a, n)) if on_page else None)
                           for account in group]
                for future in futures:
                    done(future.result())
        finally:
            close = getattr(collector, "close", None)
            if close:
                close()

    if len(by_platform) == 1:
        (platform, group), = by_platform.items()
        run_platform(platform, group)
    else:
        with ThreadPoolExecutor(max_workers=len(by_platform), thread_name_prefix="harvest") as pool:
            for future in [pool.submit(run_platform, p, g) for p, g in by_platform.items()]:
                future.result()
    return [results[a.id] for a in accounts if a.id in results]


def harvest_status(engine: Engine) -> list[dict[str, Any]]:
    """Per watched (or ever harvested) account: its latest harvest run — status, time, error, counts."""
    from akimwatch.models import to_utc

    with engine.connect() as conn:
        rows = latest_harvest_runs(conn)
    out = []
    for r in rows:
        errors = r.errors or []
        first = errors[0] if errors else None
        out.append({"account_id": r.account_id, "collector": r.format, "status": r.status,
                    "finished_utc": to_utc(r.finished_utc).isoformat() if r.finished_utc else None,
                    "counts": r.counts or {},
                    "error": (first.get("error") if isinstance(first, dict) else str(first)) if first else None})
    return out
