"""The jobs feature's SQL: which items still need labels (to cut analysis batches), and a store digest.

The digest compares two stores by content, not by surrogate ids or fetch times: with several workers rows
are inserted in another order (other serial ids) and at other moments, yet the store must say the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, and_, exists, func, not_, or_, select

from akimwatch.store.schema import comments, follower_snapshots, labels, posts


def _missing(kind: str, table, versions: Mapping[str, str], official_only: Sequence[str] = ()):
    """An item misses a label of ``name`` at its current version (official replies need only some)."""
    conds = []
    for name, version in versions.items():
        absent = not_(exists().where(labels.c.item_kind == kind, labels.c.item_id == table.c.id,
                                     labels.c.analyzer == name, labels.c.version == version))
        if official_only and name not in official_only:
            absent = and_(absent, not_(table.c.is_official_reply))
        conds.append(absent)
    return or_(*conds)


def iter_pending_ids(engine: Engine, kind: str, versions: Mapping[str, str], *, batch: int,
                     official_only: Sequence[str] = ()) -> Iterator[list[int]]:
    """Ids of ``kind`` items ('comment' or 'post') lacking a current label, in batches of ``batch``."""
    table = comments if kind == "comment" else posts
    after = 0
    while True:
        query = (select(table.c.id).where(table.c.id > after, _missing(kind, table, versions, official_only))
                 .order_by(table.c.id).limit(batch))
        with engine.connect() as conn:
            ids = [r[0] for r in conn.execute(query)]
        if not ids:
            return
        yield ids
        after = ids[-1]


def count_pending(engine: Engine, kind: str, versions: Mapping[str, str], official_only: Sequence[str] = ()) -> int:
    table = comments if kind == "comment" else posts
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)
                                .where(_missing(kind, table, versions, official_only))).scalar_one())


def _norm(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}"
    if hasattr(value, "isoformat"):
        from akimwatch.models import to_utc

        return to_utc(value).isoformat()
    return str(value)


def _digest(rows: list[tuple]) -> tuple[int, str]:
    lines = sorted("\x1f".join(_norm(v) for v in row) for row in rows)
    return len(lines), hashlib.sha256("\x1e".join(lines).encode()).hexdigest()[:16]


def compute_store_digest(engine: Engine) -> dict[str, tuple[int, str]]:
    """Per table: (row count, hash of the rows by natural keys). Equal digests = equal store content.

    Left out: surrogate ids, fetch/first-seen/update times, import runs (a redelivered job is one more run)
    and the number of follower snapshots (each fetch is a dated measurement): those are kept as the
    distinct (account, followers) values.
    """
    post_key = select(posts.c.id, posts.c.platform, posts.c.platform_id).subquery()
    comment_key = select(comments.c.id, comments.c.platform, comments.c.platform_id).subquery()
    with engine.connect() as conn:
        p = conn.execute(select(posts.c.platform, posts.c.platform_id, posts.c.account_id, posts.c.published_utc,
                                posts.c.text, posts.c.likes, posts.c.comments_count, posts.c.views, posts.c.shares,
                                posts.c.version, posts.c.is_repost, posts.c.deleted_utc.is_not(None))).all()
        c = conn.execute(select(comments.c.platform, comments.c.platform_id, comments.c.post_platform_id,
                                comments.c.parent_platform_id, comments.c.author_platform_id, comments.c.text,
                                comments.c.published_utc, comments.c.likes, comments.c.version,
                                comments.c.is_official_reply, comments.c.post_id.is_not(None),
                                comments.c.deleted_utc.is_not(None))).all()
        lp = conn.execute(select(post_key.c.platform, post_key.c.platform_id, labels.c.analyzer, labels.c.version,
                                 labels.c.value, labels.c.confidence)
                          .join(post_key, and_(labels.c.item_kind == "post", labels.c.item_id == post_key.c.id))).all()
        lc = conn.execute(select(comment_key.c.platform, comment_key.c.platform_id, labels.c.analyzer,
                                 labels.c.version, labels.c.value, labels.c.confidence)
                          .join(comment_key, and_(labels.c.item_kind == "comment",
                                                  labels.c.item_id == comment_key.c.id))).all()
        f = conn.execute(select(follower_snapshots.c.account_id, follower_snapshots.c.followers).distinct()).all()
    return {"posts": _digest([tuple(r) for r in p]), "comments": _digest([tuple(r) for r in c]),
            "post_labels": _digest([tuple(r) for r in lp]), "comment_labels": _digest([tuple(r) for r in lc]),
            "followers": _digest([tuple(r) for r in f])}
