"""Reads behind the web pages and the JSON API. SQL stays in the store package.

Lists use keyset pagination on ``id`` (``after`` = last id of the previous page) so deep pages cost the same
as the first. Every filter value reaches SQL as a bound parameter; full-text queries are rebuilt from
word tokens (never passed through raw).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, exists, func, literal, or_, select, text

from akimwatch.models import COMMENT_TYPES, TOPICS, to_utc  # noqa: F401 - re-exported for the web layer
from akimwatch.store.labels import current_labels, current_versions, labels_of_items
from akimwatch.store.meta import get_meta, set_meta  # noqa: F401 - the one pair, re-exported for the web
from akimwatch.store.schema import (
    accounts,
    comments,
    follower_snapshots,
    import_runs,
    labels,
    officials,
    posts,
    web_snapshots,
)

_WORD = re.compile(r"\w+", re.UNICODE)


def open_pooled_store(db=None):
    """The store for a long-running web server: like ``open_store`` but SQLite connections are pooled
    (one per worker thread, reused) instead of opened per use."""
    from sqlalchemy import create_engine, event

    from akimwatch.store.engine import _sqlite_pragmas, ensure_schema, resolve_db_url

    url = resolve_db_url(db)
    if not url.startswith("sqlite"):
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=30)
    else:
        engine = create_engine(url, pool_size=48, max_overflow=16, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "connect", _web_pragmas)
    ensure_schema(engine)
    return engine


WEB_BUSY_MS = 5000  # a web write waits this long for an import's lock, then the app answers 503
WEB_PAGE_CACHE_KIB = 512  # SQLite page cache per pooled connection (the OS file cache holds the rest)


def _web_pragmas(dbapi_conn, _record) -> None:
    """Web writes (sign-in, Open311 POST) wait seconds, not the CLI's 30 s, for a write lock; each of the
    pool's dozens of connections keeps a small page cache (SQLite's 2 MiB default, times the pool, was the
    server's slow memory growth under a soak of distinct queries)."""
    import os

    ms = int(os.environ.get("AKIMWATCH_WEB_BUSY_MS", str(WEB_BUSY_MS)))
    kib = int(os.environ.get("AKIMWATCH_WEB_SQLITE_CACHE_KIB", str(WEB_PAGE_CACHE_KIB)))
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout={max(0, ms)}")
    cur.execute(f"PRAGMA cache_size=-{max(64, kib)}")
    cur.close()


def utc(value: datetime | None) -> datetime | None:
    return to_utc(value) if value is not None else None


def iso(value: datetime | None) -> str | None:
    return to_utc(value).isoformat().replace("+00:00", "Z") if value is not None else None


# ---------------------------------------------------------------- store facts

def store_fingerprint(conn: Connection) -> str:
    """Changes whenever imports or analysis changed what the pages aggregate."""
    row = conn.execute(select(
        select(func.max(comments.c.id)).scalar_subquery(),
        select(func.max(posts.c.id)).scalar_subquery(),
        select(func.max(import_runs.c.id)).scalar_subquery(),
        select(func.count()).select_from(labels).scalar_subquery(),
        select(func.count()).select_from(officials).scalar_subquery(),
        select(func.count()).select_from(accounts).scalar_subquery(),
    )).one()
    return ":".join(str(v or 0) for v in row)


def data_freshness(conn: Connection) -> dict[str, Any]:
    last_run = conn.execute(select(func.max(import_runs.c.finished_utc))
                            .where(import_runs.c.status.in_(("ok", "partial")))).scalar_one_or_none()
    last_post = conn.execute(select(func.max(posts.c.published_utc))).scalar_one_or_none()
    last_comment = conn.execute(select(func.max(comments.c.published_utc))).scalar_one_or_none()
    return {"last_import_utc": utc(last_run), "last_post_utc": utc(last_post), "last_comment_utc": utc(last_comment)}


def read_snapshot(conn: Connection, key: str) -> tuple[str | None, Any]:
    row = conn.execute(select(web_snapshots.c.fingerprint, web_snapshots.c.data)
                       .where(web_snapshots.c.key == key)).first()
    return (row.fingerprint, row.data) if row else (None, None)


def write_snapshot(conn: Connection, key: str, fingerprint: str, data: Any, now: datetime) -> None:
    conn.execute(web_snapshots.delete().where(web_snapshots.c.key == key))
    conn.execute(web_snapshots.insert().values(key=key, fingerprint=fingerprint, data=data, computed_utc=now))


# ---------------------------------------------------------------- officials / accounts

def _official_dict(row) -> dict[str, Any]:
    return {"id": row.id, "name_ru": row.name_ru, "name_kk": row.name_kk, "name_en": row.name_en,
            "position": row.position, "region": row.region, "term_start": row.term_start, "term_end": row.term_end}


def list_officials(conn: Connection, *, region: str | None = None, q: str | None = None,
                   after: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    stmt = select(officials).order_by(officials.c.id)
    if region:
        stmt = stmt.where(officials.c.region == region)
    if after is not None:
        stmt = stmt.where(officials.c.id > after)
    if not q:
        return [_official_dict(r) for r in conn.execute(stmt.limit(limit))]
    # The watch list is small (hundreds); case-folding in Python works for Cyrillic on every backend.
    needle = q.casefold()
    out = []
    for r in conn.execute(stmt):
        hay = " ".join(filter(None, (r.id, r.name_ru, r.name_kk, r.name_en))).casefold()
        if needle in hay:
            out.append(_official_dict(r))
            if len(out) >= limit:
                break
    return out


def get_official(conn: Connection, official_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(officials).where(officials.c.id == official_id)).first()
    return _official_dict(row) if row else None


def _account_dict(row) -> dict[str, Any]:
    return {"id": row.id, "platform": row.platform, "handle": row.handle, "platform_id": row.platform_id,
            "url": row.url, "name": row.name, "role": row.role, "official_id": row.official_id,
            "on_watch_list": bool(row.on_watch_list)}


def list_accounts(conn: Connection, *, platform: str | None = None, official_id: str | None = None,
                  after: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    stmt = select(accounts).order_by(accounts.c.id).limit(limit)
    if platform:
        stmt = stmt.where(accounts.c.platform == platform)
    if official_id:
        stmt = stmt.where(accounts.c.official_id == official_id)
    if after is not None:
        stmt = stmt.where(accounts.c.id > after)
    out = [_account_dict(r) for r in conn.execute(stmt)]
    if out:
        ids = [a["id"] for a in out]
        followers = {}
        for r in conn.execute(select(follower_snapshots.c.account_id, follower_snapshots.c.followers,
                                     follower_snapshots.c.taken_utc)
                              .where(follower_snapshots.c.account_id.in_(ids))
                              .order_by(follower_snapshots.c.taken_utc)):
            followers[r.account_id] = (r.followers, iso(r.taken_utc))
        for a in out:
            f = followers.get(a["id"])
            a["followers"] = f[0] if f else None
            a["followers_taken_utc"] = f[1] if f else None
    return out


# ---------------------------------------------------------------- posts / comments

def _post_dict(row) -> dict[str, Any]:
    return {"id": row.id, "platform": row.platform, "platform_id": row.platform_id, "account_id": row.account_id,
            "published_utc": iso(row.published_utc), "text": row.text, "media_kind": row.media_kind, "url": row.url,
            "is_repost": bool(row.is_repost), "repost_source_name": row.repost_source_name,
            "repost_source_url": row.repost_source_url, "likes": row.likes, "comments_count": row.comments_count,
            "views": row.views, "shares": row.shares, "deleted_utc": iso(row.deleted_utc)}


_POST_COLS = [posts.c[c] for c in ("id", "platform", "platform_id", "account_id", "published_utc", "text",
                                   "media_kind", "url", "is_repost", "repost_source_name", "repost_source_url",
                                   "likes", "comments_count", "views", "shares", "deleted_utc")]


def list_posts(conn: Connection, *, account_id: str | None = None, official_id: str | None = None,
               platform: str | None = None, since: datetime | None = None, until: datetime | None = None,
               q: str | None = None, after: int | None = None, limit: int = 100,
               newest_published: bool = False) -> list[dict[str, Any]]:
    """Newest first by id (keyset pages); ``newest_published`` orders by publication time instead (one page)."""
    order = (posts.c.published_utc.desc(), posts.c.id.desc()) if newest_published else (posts.c.id.desc(),)
    stmt = select(*_POST_COLS).order_by(*order).limit(limit)
    if account_id:
        stmt = stmt.where(posts.c.account_id == account_id)
    if official_id:
        stmt = stmt.where(posts.c.account_id.in_(select(accounts.c.id).where(accounts.c.official_id == official_id)))
    if platform:
        stmt = stmt.where(posts.c.platform == platform)
    if since:
        stmt = stmt.where(posts.c.published_utc >= since)
    if until:
        stmt = stmt.where(posts.c.published_utc < until)
    if q:  # SQLite lower() folds ASCII only: match the words as typed, lower-cased and capitalised
        variants = {q, q.lower(), q[:1].upper() + q[1:].lower()}
        stmt = stmt.where(or_(*[func.coalesce(posts.c.text, "").like(f"%{_escape_like(v)}%", escape="\\")
                                for v in variants]))
    if after is not None:
        stmt = stmt.where(posts.c.id < after)
    return [_post_dict(r) for r in conn.execute(stmt)]


_COMMENT_COLS = [comments.c[c] for c in ("id", "platform", "platform_id", "post_id", "post_platform_id",
                                         "parent_platform_id", "author_handle", "author_name",
                                         "is_official_reply", "text", "published_utc", "likes", "deleted_utc")]


def _comment_dict(row) -> dict[str, Any]:
    return {"id": row.id, "platform": row.platform, "platform_id": row.platform_id, "post_id": row.post_id,
            "parent_platform_id": row.parent_platform_id, "author_handle": row.author_handle,
            "author_name": row.author_name, "is_official_reply": bool(row.is_official_reply), "text": row.text,
            "published_utc": iso(row.published_utc), "likes": row.likes, "deleted_utc": iso(row.deleted_utc)}


def labels_for(conn: Connection, item_kind: str, ids: list[int]) -> dict[int, dict[str, dict[str, Any]]]:
    """The current label of every analyzer per item (store.labels decides which version is current)."""
    return labels_of_items(conn, item_kind, ids)


def post_urls(conn: Connection, post_ids: list[int]) -> dict[int, str | None]:
    """id → url of the given posts (primary-key lookups in chunks)."""
    ids = sorted(set(post_ids))
    out: dict[int, str | None] = {}
    for i in range(0, len(ids), 500):
        out.update(dict(conn.execute(select(posts.c.id, posts.c.url).where(posts.c.id.in_(ids[i:i + 500]))).all()))
    return out


def fts_query_sqlite(q: str) -> str | None:
    words = [w for w in _WORD.findall(q) if w][:12]
    if not words:
        return None
    return " ".join(f'"{w}"*' for w in words)


def comment_text_match(conn: Connection, q: str):
    """A WHERE clause: comment text matches the words of ``q`` (FTS5 on SQLite, tsvector on PostgreSQL)."""
    if conn.dialect.name == "sqlite":
        fq = fts_query_sqlite(q)
        if fq is None:
            return literal(False)
        return comments.c.id.in_(text("SELECT rowid FROM comments_fts WHERE comments_fts MATCH :fq")
                                 .bindparams(fq=fq))
    words = " ".join(_WORD.findall(q)[:12])
    if not words:
        return literal(False)
    doc_ru = func.to_tsvector(literal_column_text("russian"), func.coalesce(comments.c.text, ""))
    doc_simple = func.to_tsvector(literal_column_text("simple"), func.coalesce(comments.c.text, ""))
    return or_(doc_ru.op("@@")(func.plainto_tsquery(literal_column_text("russian"), words)),
               doc_simple.op("@@")(func.plainto_tsquery(literal_column_text("simple"), words)))


def literal_column_text(config: str):
    # regconfig literals must match the index expression exactly: to_tsvector('russian', ...)
    from sqlalchemy import literal_column

    assert config in ("russian", "simple")
    return literal_column(f"'{config}'::regconfig")


def _label_exists(versions: dict[str, str], analyzer: str, value: str):
    lab, current = current_labels(versions, analyzer, "comment", f"has_{analyzer}")
    return exists().where(current, lab.c.item_id == comments.c.id, lab.c.value == value)


def list_comments(conn: Connection, *, post_id: int | None = None, official_id: str | None = None,
                  account_id: str | None = None, comment_type: str | None = None, topic: str | None = None,
                  official_reply: bool | None = None, since: datetime | None = None,
                  until: datetime | None = None, q: str | None = None, after: int | None = None,
                  limit: int = 100, with_labels: bool = True) -> list[dict[str, Any]]:
    stmt = select(*_COMMENT_COLS).order_by(comments.c.id.desc()).limit(limit)
    if post_id is not None:
        stmt = stmt.where(comments.c.post_id == post_id)
    if account_id:
        stmt = stmt.where(comments.c.post_id.in_(select(posts.c.id).where(posts.c.account_id == account_id)))
    if official_id:
        stmt = stmt.where(comments.c.post_id.in_(
            select(posts.c.id).join(accounts, accounts.c.id == posts.c.account_id)
            .where(accounts.c.official_id == official_id)))
    if comment_type or topic:
        versions = current_versions(conn, ("comment_type", "topic"))
        if comment_type:
            stmt = stmt.where(_label_exists(versions, "comment_type", comment_type))
        if topic:
            stmt = stmt.where(_label_exists(versions, "topic", topic))
    if official_reply is not None:
        stmt = stmt.where(comments.c.is_official_reply.is_(official_reply))
    if since:
        stmt = stmt.where(comments.c.published_utc >= since)
    if until:
        stmt = stmt.where(comments.c.published_utc < until)
    if q:
        stmt = stmt.where(comment_text_match(conn, q))
    if after is not None:
        stmt = stmt.where(comments.c.id < after)
    out = [_comment_dict(r) for r in conn.execute(stmt)]
    if with_labels:
        labs = labels_for(conn, "comment", [c["id"] for c in out])
        for c in out:
            c["labels"] = labs.get(c["id"], {})
    return out


def comment_threads(conn: Connection, post_ids: list[int], per_post: int = 20) -> dict[int, list[dict]]:
    """Comments of a few posts (newest posts first on the page), citizens and official replies."""
    out: dict[int, list[dict]] = {}
    for pid in post_ids:
        rows = conn.execute(select(*_COMMENT_COLS).where(comments.c.post_id == pid)
                            .order_by(comments.c.published_utc).limit(per_post)).all()
        out[pid] = [_comment_dict(r) for r in rows]
    return out


# ---------------------------------------------------------------- aggregates (cached by the web layer)

def official_identities(conn: Connection) -> list[dict[str, Any]]:
    """Who each official is and where they post: name, position, region, platforms, number of accounts.
    Their numbers (posts, comments, replies, rates) come from the metrics, never from here."""
    offs = conn.execute(select(officials)).all()
    accs = conn.execute(select(accounts.c.id, accounts.c.platform, accounts.c.official_id)
                        .where(accounts.c.official_id.is_not(None))).all()
    by_off: dict[str, list] = defaultdict(list)
    for a in accs:
        by_off[a.official_id].append(a)
    return [{**_official_dict(off), "platforms": sorted({a.platform for a in by_off.get(off.id, [])}),
             "accounts": len(by_off.get(off.id, []))} for off in offs]


def _week_start(d: datetime) -> str:
    d = to_utc(d)
    return (d - timedelta(days=d.weekday())).date().isoformat()


def official_charts(conn: Connection, official_id: str, weeks: int = 26) -> dict[str, Any]:
    """Posts per week, citizen comments and official replies per week, topics of citizens vs of posts."""
    acc_ids = [r.id for r in conn.execute(select(accounts.c.id).where(accounts.c.official_id == official_id))]
    if not acc_ids:
        return {"weeks": [], "citizen_topics": [], "post_topics": [], "comment_types": [], "last_utc": None}
    last = conn.execute(select(func.max(posts.c.published_utc)).where(posts.c.account_id.in_(acc_ids))).scalar()
    if last is None:
        return {"weeks": [], "citizen_topics": [], "post_topics": [], "comment_types": [], "last_utc": None}
    end = to_utc(last)
    first = conn.execute(select(func.min(posts.c.published_utc)).where(posts.c.account_id.in_(acc_ids))).scalar()
    start = max(end - timedelta(weeks=weeks), to_utc(first))  # no empty weeks before the first post
    post_rows = conn.execute(select(posts.c.published_utc).where(posts.c.account_id.in_(acc_ids),
                                                                 posts.c.published_utc >= start)).all()
    per_week: dict[str, dict[str, int]] = defaultdict(lambda: {"posts": 0, "citizen": 0, "replies": 0})
    for r in post_rows:
        per_week[_week_start(r.published_utc)]["posts"] += 1
    post_ids_sub = select(posts.c.id).where(posts.c.account_id.in_(acc_ids))
    for r in conn.execute(select(comments.c.published_utc, comments.c.is_official_reply)
                          .where(comments.c.post_id.in_(post_ids_sub), comments.c.published_utc >= start)):
        per_week[_week_start(r.published_utc)]["replies" if r.is_official_reply else "citizen"] += 1
    week_keys = []
    cur = to_utc(start)
    cur = cur - timedelta(days=cur.weekday())
    while cur <= end:
        week_keys.append(cur.date().isoformat())
        cur += timedelta(weeks=1)
    versions = current_versions(conn, ("topic", "comment_type"))
    citizen = {}
    for analyzer in ("topic", "comment_type"):
        lab, current = current_labels(versions, analyzer, "comment")
        citizen[analyzer] = Counter({r.value: int(r.n) for r in conn.execute(
            select(lab.c.value, func.count().label("n"))
            .select_from(lab.join(comments, and_(current, lab.c.item_id == comments.c.id)))
            .where(comments.c.post_id.in_(post_ids_sub), comments.c.is_official_reply.is_(False))
            .group_by(lab.c.value))})
    citizen_topics, comment_types = citizen["topic"], citizen["comment_type"]
    lab, current = current_labels(versions, "topic", "post")
    post_topics = Counter({r.value: int(r.n) for r in conn.execute(
        select(lab.c.value, func.count().label("n"))
        .where(current, lab.c.item_id.in_(post_ids_sub))
        .group_by(lab.c.value))})
    return {
        "weeks": [{"week": k, **per_week.get(k, {"posts": 0, "citizen": 0, "replies": 0})} for k in week_keys],
        "citizen_topics": citizen_topics.most_common(),
        "post_topics": post_topics.most_common(),
        "comment_types": comment_types.most_common(),
        "last_utc": iso(end),
    }


def topic_stats(conn: Connection, *, region: str | None = None, official_id: str | None = None,
                since: datetime | None = None, until: datetime | None = None) -> dict[str, Any]:
    """What citizens raise: counts per topic (comments without a topic, ``none``, left out), monthly trend per
    topic, by region. Counted where the metrics count: citizen comments under the watched officials' posts
    (comments under other accounts' posts that merely tag an official are not addressed to him)."""
    lab, current = current_labels(current_versions(conn, ("topic",)), "topic", "comment")
    base = (select(lab.c.value.label("topic"), comments.c.published_utc, officials.c.region)
            .select_from(lab.join(comments, and_(current, lab.c.item_id == comments.c.id))
                         .join(posts, posts.c.id == comments.c.post_id)
                         .join(accounts, accounts.c.id == posts.c.account_id)
                         .join(officials, officials.c.id == accounts.c.official_id))
            .where(lab.c.value != "none", comments.c.is_official_reply.is_(False)))
    if region:
        base = base.where(officials.c.region == region)
    if official_id:
        base = base.where(accounts.c.official_id == official_id)
    if since:
        base = base.where(comments.c.published_utc >= since)
    if until:
        base = base.where(comments.c.published_utc < until)
    sub = base.subquery()
    month = (func.strftime("%Y-%m", sub.c.published_utc) if conn.dialect.name == "sqlite"
             else func.to_char(sub.c.published_utc, "YYYY-MM"))
    totals: Counter = Counter()
    trend: dict[str, Counter] = defaultdict(Counter)
    regions: dict[str, Counter] = defaultdict(Counter)
    for r in conn.execute(select(sub.c.topic, month.label("m"), sub.c.region, func.count().label("n"))
                          .group_by(sub.c.topic, month, sub.c.region)):
        n = int(r.n)
        totals[r.topic] += n
        trend[r.m][r.topic] += n
        regions[r.region or ""][r.topic] += n
    months = sorted(trend)[-24:]
    partial = None
    last = conn.execute(select(func.max(sub.c.published_utc))).scalar()
    if months and last is not None:
        last = to_utc(last)
        next_month = (last.replace(day=28) + timedelta(days=4)).replace(day=1)
        if (next_month - last) > timedelta(days=1) and months[-1] == last.strftime("%Y-%m"):
            partial = months.pop()  # the data end mid-month: a partial month would look like a drop
    return {"totals": totals.most_common(), "partial_month": partial,
            "trend": [{"month": m, "counts": dict(trend[m])} for m in months],
            "regions": {k: dict(v) for k, v in regions.items()}}


def representative_comments(conn: Connection, topic: str, *, official_id: str | None = None,
                            region: str | None = None, limit: int = 5) -> list[dict[str, Any]]:
    """Most-liked recent citizen comments on a topic (newest 2,000 labelled ones considered)."""
    lab, current = current_labels(current_versions(conn, ("topic",)), "topic", "comment")
    ids_stmt = select(lab.c.item_id).where(current, lab.c.value == topic).order_by(lab.c.item_id.desc()).limit(2000)
    stmt = (select(*_COMMENT_COLS).where(comments.c.id.in_(ids_stmt), comments.c.is_official_reply.is_(False))
            .order_by(func.coalesce(comments.c.likes, 0).desc(), comments.c.id.desc()).limit(limit))
    acc = select(posts.c.id).join(accounts, accounts.c.id == posts.c.account_id).where(
        accounts.c.official_id.is_not(None))  # as topic_stats: comments addressed to a watched official
    if official_id or region:
        if official_id:
            acc = acc.where(accounts.c.official_id == official_id)
        if region:
            acc = acc.join(officials, officials.c.id == accounts.c.official_id).where(officials.c.region == region)
    stmt = stmt.where(comments.c.post_id.in_(acc))
    return [_comment_dict(r) for r in conn.execute(stmt)]


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
