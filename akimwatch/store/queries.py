"""The reads the rest of the code needs; SQL stays inside the store package."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, and_, func, select

from akimwatch.models import to_utc
from akimwatch.store import meta
from akimwatch.store.schema import accounts, comments, follower_snapshots, import_runs, officials, posts


def count_rows(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        def n(stmt) -> int:
            return int(conn.execute(stmt).scalar_one())

        return {
            "officials": n(select(func.count()).select_from(officials)),
            "accounts": n(select(func.count()).select_from(accounts)),
            "accounts_unassigned": n(select(func.count()).select_from(accounts)
                                     .where(accounts.c.official_id.is_(None))),
            "posts": n(select(func.count()).select_from(posts)),
            "comments": n(select(func.count()).select_from(comments)
                          .where(comments.c.is_official_reply.is_(False))),
            "official_replies": n(select(func.count()).select_from(comments)
                                  .where(comments.c.is_official_reply.is_(True))),
            "follower_snapshots": n(select(func.count()).select_from(follower_snapshots)),
        }


def last_import_runs(engine: Engine, limit: int = 10) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(import_runs).order_by(import_runs.c.id.desc()).limit(limit)).mappings().all()
    out = []
    for row in rows:
        item = {str(k): v for k, v in row.items()}
        for key in ("started_utc", "finished_utc"):
            if item[key] is not None:
                item[key] = to_utc(item[key]).isoformat()
        out.append(item)
    return out


def official_overview(engine: Engine) -> list[dict[str, Any]]:
    """Per official: platforms, posts, last post, citizen comments, official replies."""
    with engine.connect() as conn:
        offs = conn.execute(select(officials.c.id, officials.c.name_ru, officials.c.region)
                            .order_by(officials.c.id)).all()
        accs = conn.execute(select(accounts.c.id, accounts.c.platform, accounts.c.official_id)).all()
        post_stats = {r.account_id: r for r in conn.execute(
            select(posts.c.account_id, func.count().label("n"), func.max(posts.c.published_utc).label("last"))
            .group_by(posts.c.account_id))}
        comment_stats = {r.account_id: r for r in conn.execute(
            select(posts.c.account_id,
                   func.count().filter(comments.c.is_official_reply.is_(False)).label("citizen"),
                   func.count().filter(comments.c.is_official_reply.is_(True)).label("official"))
            .select_from(comments.join(posts, posts.c.id == comments.c.post_id))
            .group_by(posts.c.account_id))}
    result = []
    for off in offs:
        mine = [a for a in accs if a.official_id == off.id]
        last = [post_stats[a.id].last for a in mine if a.id in post_stats]
        result.append({
            "official_id": off.id, "name": off.name_ru, "region": off.region,
            "platforms": sorted({a.platform for a in mine}),
            "posts": sum(post_stats[a.id].n for a in mine if a.id in post_stats),
            "last_post": max(last) if last else None,
            "citizen_comments": sum(comment_stats[a.id].citizen for a in mine if a.id in comment_stats),
            "official_replies": sum(comment_stats[a.id].official for a in mine if a.id in comment_stats),
        })
    return result


def get_meta(engine: Engine, key: str) -> str | None:
    with engine.connect() as conn:
        return meta.get_meta(conn, key)


def is_demo_store(engine: Engine) -> bool:
    """Outputs from demo data carry a visible «демо-данные (синтетические)» mark."""
    return get_meta(engine, "dataset") == "demo"


def account_exists(conn: Connection, account_id: str) -> bool:
    return conn.execute(select(accounts.c.id).where(accounts.c.id == account_id)).first() is not None


def last_post_of_watched_accounts(conn: Connection) -> list[Any]:
    """(id, platform, handle, official_id, last) of every watched account: its newest post not deleted, or None."""
    return conn.execute(
        select(accounts.c.id, accounts.c.platform, accounts.c.handle, accounts.c.official_id,
               func.max(posts.c.published_utc).label("last"))
        .select_from(accounts.outerjoin(posts, and_(posts.c.account_id == accounts.c.id,
                                                    posts.c.deleted_utc.is_(None))))
        .where(accounts.c.on_watch_list.is_(True))
        .group_by(accounts.c.id, accounts.c.platform, accounts.c.handle, accounts.c.official_id)
        .order_by(accounts.c.id)).all()
