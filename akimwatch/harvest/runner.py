"""Run collectors over the watch list: each page's rows and cursor commit together; failures stay per account."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from akimwatch.harvest.base import Collector, Listing, WatchedAccount
from akimwatch.harvest.http import redact
from akimwatch.store.runs import fail_abandoned_runs, run_owner
from akimwatch.store.save import RecordSaver, dialect_insert, mark_deleted, now_utc
from akimwatch.store.schema import accounts, comments, harvest_cursors, import_runs, posts

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
    query = select(accounts.c.id, accounts.c.platform, accounts.c.handle, accounts.c.platform_id,
                   accounts.c.official_id).where(accounts.c.on_watch_list.is_(True)).order_by(accounts.c.id)
    if account_id:
        query = select(accounts.c.id, accounts.c.platform, accounts.c.handle, accounts.c.platform_id,
                       accounts.c.official_id).where(accounts.c.id == account_id)
    if platform:
        query = query.where(accounts.c.platform == platform)
    if platforms is not None:
        query = query.where(accounts.c.platform.in_(list(platforms)))
    with engine.connect() as conn:
        return [WatchedAccount(r.id, r.platform, r.handle, r.platform_id, r.official_id) for r in conn.execute(query)]


def load_cursors(conn: Connection, account_id: str) -> dict[str, dict[str, Any]]:
    rows = conn.execute(select(harvest_cursors.c.stream, harvest_cursors.c.cursor)
                        .where(harvest_cursors.c.account_id == account_id))
    return {r.stream: r.cursor or {} for r in rows}


def save_cursor(conn: Connection, account_id: str, stream: str, cursor: dict[str, Any] | None) -> None:
    stmt = dialect_insert(conn, harvest_cursors).values(account_id=account_id, stream=stream, cursor=cursor,
                                                        updated_utc=now_utc())
    conn.execute(stmt.on_conflict_do_update(index_elements=["account_id", "stream"],
                                            set_={"cursor": cursor, "updated_utc": now_utc()}))


def apply_listing(conn: Connection, account_id: str, platform: str, listing: Listing) -> int:
    """Mark items that no longer appear on the platform as deleted (they stay in the archive)."""
    if listing.kind == "posts":
        query = select(posts.c.id, posts.c.platform_id).where(
            posts.c.account_id == account_id, posts.c.deleted_utc.is_(None))
        if listing.start_utc is not None:
            query = query.where(posts.c.published_utc >= listing.start_utc)
        if listing.end_utc is not None:
            query = query.where(posts.c.published_utc <= listing.end_utc)
        gone = [r.id for r in conn.execute(query) if r.platform_id not in listing.ids]
        return mark_deleted(conn, "posts", gone)
    if listing.kind == "comments":
        query = select(comments.c.id, comments.c.platform_id).where(
            comments.c.platform == platform, comments.c.post_platform_id == listing.scope,
            comments.c.deleted_utc.is_(None))
        gone = [r.id for r in conn.execute(query) if r.platform_id not in listing.ids]
        return mark_deleted(conn, "comments", gone)
    raise ValueError(f"unknown listing kind {listing.kind!r}")


def harvest_account(engine: Engine, collector: Collector, account: WatchedAccount, *, since: datetime | None = None,
                    full: bool = False, on_page: Callable[[int], None] | None = None) -> AccountResult:
    """Harvest one account; every page lands with its cursor in one transaction."""
    result = AccountResult(account.id, ok=False)
    totals: dict[str, int] = {}
    with engine.begin() as conn:
        run_id = conn.execute(insert(import_runs).values(
            kind="harvest", source=f"{account.platform}:{account.handle or account.platform_id}",
            format=collector.name, account_id=account.id, status="running", started_utc=now_utc(), **run_owner()
        )).inserted_primary_key[0]
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
            for key in ("posts_new", "posts_updated", "all_comments_new", "all_comments_updated", "followers",
                        "skipped"):
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
    with engine.begin() as conn:
        conn.execute(update(import_runs).where(import_runs.c.id == run_id).values(
            status=status, finished_utc=now_utc(), counts=counts, errors=errors))


def record_failure(engine: Engine, account: WatchedAccount, collector_name: str, error: str) -> AccountResult:
    """An account that could not even start (no credential, no collector) is a failed run, shown by status."""
    error = redact(error)
    with engine.begin() as conn:
        conn.execute(insert(import_runs).values(
            kind="harvest", source=f"{account.platform}:{account.handle or account.platform_id}",
            format=collector_name, account_id=account.id, status="failed", started_utc=now_utc(),
            finished_utc=now_utc(), counts={}, errors=[{"error": error}]))
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

    fail_abandoned_runs(engine)

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
    from sqlalchemy import func

    from akimwatch.models import to_utc

    with engine.connect() as conn:
        latest = (select(import_runs.c.account_id, func.max(import_runs.c.id).label("run_id"))
                  .where(import_runs.c.kind == "harvest").group_by(import_runs.c.account_id).subquery())
        rows = conn.execute(
            select(import_runs.c.account_id, import_runs.c.format, import_runs.c.status, import_runs.c.finished_utc,
                   import_runs.c.counts, import_runs.c.errors)
            .join(latest, latest.c.run_id == import_runs.c.id).order_by(import_runs.c.account_id)).all()
    out = []
    for r in rows:
        errors = r.errors or []
        first = errors[0] if errors else None
        out.append({"account_id": r.account_id, "collector": r.format, "status": r.status,
                    "finished_utc": to_utc(r.finished_utc).isoformat() if r.finished_utc else None,
                    "counts": r.counts or {},
                    "error": (first.get("error") if isinstance(first, dict) else str(first)) if first else None})
    return out
