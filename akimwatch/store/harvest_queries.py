"""Reads and writes of live collection (akimwatch/harvest): watched accounts, stream cursors, deletions, run status.

The harvest package keeps the rules (pages, cursors, one transaction a page); the SQL is here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from akimwatch.store.save import dialect_insert
from akimwatch.store.schema import accounts, comments, harvest_cursors, import_runs, posts


def watched_account_rows(conn: Connection, *, account_id: str | None = None, platform: str | None = None,
                         platforms: Iterable[str] | None = None) -> list[Any]:
    """(id, platform, handle, platform_id, official_id) of the watched accounts (or of one account by id)."""
    cols = (accounts.c.id, accounts.c.platform, accounts.c.handle, accounts.c.platform_id, accounts.c.official_id)
    query = select(*cols).where(accounts.c.on_watch_list.is_(True)).order_by(accounts.c.id)
    if account_id:
        query = select(*cols).where(accounts.c.id == account_id)
    if platform:
        query = query.where(accounts.c.platform == platform)
    if platforms is not None:
        query = query.where(accounts.c.platform.in_(list(platforms)))
    return conn.execute(query).all()


def load_cursors(conn: Connection, account_id: str) -> dict[str, dict[str, Any]]:
    rows = conn.execute(select(harvest_cursors.c.stream, harvest_cursors.c.cursor)
                        .where(harvest_cursors.c.account_id == account_id))
    return {r.stream: r.cursor or {} for r in rows}


def save_cursor(conn: Connection, account_id: str, stream: str, cursor: dict[str, Any] | None) -> None:
    now = datetime.now(UTC)
    stmt = dialect_insert(conn, harvest_cursors).values(account_id=account_id, stream=stream, cursor=cursor,
                                                        updated_utc=now)
    conn.execute(stmt.on_conflict_do_update(index_elements=["account_id", "stream"],
                                            set_={"cursor": cursor, "updated_utc": now}))


def missing_items(conn: Connection, kind: str, *, account_id: str, platform: str, scope: str | None,
                  start_utc: datetime | None, end_utc: datetime | None, present: set[str]) -> list[int]:
    """Ids of stored, not yet deleted posts (of the account, within the listed time span) or comments (of the listed
    post) whose platform id the platform no longer lists."""
    if kind == "posts":
        query = select(posts.c.id, posts.c.platform_id).where(posts.c.account_id == account_id,
                                                              posts.c.deleted_utc.is_(None))
        if start_utc is not None:
            query = query.where(posts.c.published_utc >= start_utc)
        if end_utc is not None:
            query = query.where(posts.c.published_utc <= end_utc)
    elif kind == "comments":
        query = select(comments.c.id, comments.c.platform_id).where(
            comments.c.platform == platform, comments.c.post_platform_id == scope, comments.c.deleted_utc.is_(None))
    else:
        raise ValueError(f"unknown listing kind {kind!r}")
    return [r.id for r in conn.execute(query) if r.platform_id not in present]


def latest_harvest_runs(conn: Connection) -> list[Any]:
    """The latest harvest run of every account that was ever harvested."""
    latest = (select(import_runs.c.account_id, func.max(import_runs.c.id).label("run_id"))
              .where(import_runs.c.kind == "harvest").group_by(import_runs.c.account_id).subquery())
    return conn.execute(
        select(import_runs.c.account_id, import_runs.c.format, import_runs.c.status, import_runs.c.finished_utc,
               import_runs.c.counts, import_runs.c.errors)
        .join(latest, latest.c.run_id == import_runs.c.id).order_by(import_runs.c.account_id)).all()
