"""Set-based reads for the metrics (GROUP BY per account / per day); SQL stays inside the store package.

Nothing here loads comments one by one: comments are counted in the database, and only aggregated rows
(per account × flags, per account × topic × day) and the official replies come back to Python.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, case, func, literal, or_, select

from akimwatch.models import to_utc
from akimwatch.store.save import dialect_insert
from akimwatch.store.schema import (
    account_links,
    accounts,
    comments,
    follower_snapshots,
    labels,
    officials,
    post_mentions,
    posts,
)

Period = tuple[datetime | None, datetime | None]


def _natural(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", version))


def latest_label_versions(conn: Connection, analyzers: Sequence[str]) -> dict[str, str]:
    """The newest version of each analyzer present in ``labels`` (versions compared number by number).

    Walks the (analyzer, version, value) index one distinct version at a time, so it costs a few index
    probes, not a scan of millions of label rows.
    """
    out: dict[str, str] = {}
    for name in analyzers:
        versions: list[str] = []
        last: str | None = None
        while True:
            stmt = select(func.min(labels.c.version)).where(labels.c.analyzer == name)
            if last is not None:
                stmt = stmt.where(labels.c.version > last)
            last = conn.execute(stmt).scalar_one_or_none()
            if last is None:
                break
            versions.append(last)
        if versions:
            out[name] = max(versions, key=_natural)
    return out


def load_officials(conn: Connection, official_ids: Sequence[str] | None) -> list[dict[str, Any]]:
    stmt = select(officials).order_by(officials.c.id)
    if official_ids:
        stmt = stmt.where(officials.c.id.in_(list(official_ids)))
    return [dict(r) for r in conn.execute(stmt).mappings()]


def load_accounts(conn: Connection, official_ids: Sequence[str]) -> list[dict[str, Any]]:
    if not official_ids:
        return []
    rows = conn.execute(select(accounts).where(accounts.c.official_id.in_(list(official_ids)))
                        .order_by(accounts.c.official_id, accounts.c.platform, accounts.c.id)).mappings()
    accs = [dict(r) for r in rows]
    links = conn.execute(select(account_links).where(
        account_links.c.account_id.in_([a["id"] for a in accs]))).all() if accs else []
    for acc in accs:
        acc["linked"] = sorted(link.linked_account_id for link in links if link.account_id == acc["id"])
    return accs


def _within(col, period: Period):
    start, end = period
    clauses = []
    if start is not None:
        clauses.append(col >= start)
    if end is not None:
        clauses.append(col < end)
    return and_(literal(True), *clauses) if clauses else literal(True)


def _day(conn: Connection, col):
    """The UTC calendar day of a timestamp column, on each backend."""
    if conn.dialect.name == "postgresql":
        return func.date(func.timezone("UTC", col))
    return func.date(col)


def as_date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def post_rows(conn: Connection, account_ids: Sequence[str], period: Period,
              label_versions: dict[str, str]) -> list[dict[str, Any]]:
    """Own posts of the accounts in the period with their voice/topic labels (posts are few; comments are not)."""
    if not account_ids:
        return []
    cols = [posts.c.id, posts.c.account_id, posts.c.published_utc, posts.c.media_kind, posts.c.is_repost,
            posts.c.repost_source_domain, posts.c.repost_source_name, posts.c.likes, posts.c.comments_count,
            posts.c.views, posts.c.comments_closed, posts.c.deleted_utc]
    frm = posts
    for name in ("voice", "topic"):
        if name in label_versions:
            lab = labels.alias(f"l_{name}")
            frm = frm.outerjoin(lab, and_(lab.c.item_kind == "post", lab.c.item_id == posts.c.id,
                                          lab.c.analyzer == name, lab.c.version == label_versions[name]))
            cols.append(lab.c.value.label(name))
        else:
            cols.append(literal(None).label(name))
    stmt = (select(*cols).select_from(frm).where(posts.c.account_id.in_(list(account_ids)),
                                                 _within(posts.c.published_utc, period))
            .order_by(posts.c.account_id, posts.c.published_utc))
    out = []
    for r in conn.execute(stmt).mappings():
        row = dict(r)
        row["published_utc"] = to_utc(row["published_utc"])
        out.append(row)
    return out


def posts_ever(conn: Connection, account_ids: Sequence[str], before: datetime | None) -> dict[str, int]:
    """Posts per account from the beginning up to ``before`` (for the `inactive` rule)."""
    if not account_ids:
        return {}
    stmt = (select(posts.c.account_id, func.count()).where(posts.c.account_id.in_(list(account_ids)),
                                                          _within(posts.c.published_utc, (None, before)))
            .group_by(posts.c.account_id))
    return {r[0]: int(r[1]) for r in conn.execute(stmt)}


def unlabelled_posts(conn: Connection, analyzer: str, version: str, limit: int | None = None) -> list[tuple]:
    """(id, text, is_repost) of posts without a label of this analyzer version."""
    lab = labels.alias("l")
    stmt = (select(posts.c.id, posts.c.text, posts.c.is_repost)
            .select_from(posts.outerjoin(lab, and_(lab.c.item_kind == "post", lab.c.item_id == posts.c.id,
                                                   lab.c.analyzer == analyzer, lab.c.version == version)))
            .where(lab.c.item_id.is_(None)).order_by(posts.c.id))
    if limit:
        stmt = stmt.limit(limit)
    return [tuple(r) for r in conn.execute(stmt)]


def post_texts(conn: Connection, post_ids: Sequence[int]) -> dict[int, tuple[str | None, bool]]:
    out: dict[int, tuple[str | None, bool]] = {}
    ids = list(post_ids)
    for i in range(0, len(ids), 900):
        for r in conn.execute(select(posts.c.id, posts.c.text, posts.c.is_repost)
                              .where(posts.c.id.in_(ids[i:i + 900]))):
            out[r[0]] = (r[1], bool(r[2]))
    return out


def save_labels(conn: Connection, rows: list[dict[str, Any]]) -> int:
    """Insert label rows; existing (item, analyzer, version) keys are left as they are."""
    if not rows:
        return 0
    stmt = dialect_insert(conn, labels).on_conflict_do_nothing()
    conn.execute(stmt, rows)
    return len(rows)


def comment_aggregates(conn: Connection, account_ids: Sequence[str], period: Period, label_versions: dict[str, str],
                       mid: datetime | None, inbox_cutoff: datetime | None) -> list[dict[str, Any]]:
    """Comment counts per (account, is official reply, comment type, topic, second half?, older than inbox cutoff?)."""
    if not account_ids:
        return []
    frm = comments.join(posts, posts.c.id == comments.c.post_id)
    cols = [posts.c.account_id.label("account_id"), comments.c.is_official_reply.label("official")]
    for name, key in (("comment_type", "ctype"), ("topic", "topic")):
        if name in label_versions:
            lab = labels.alias(f"l_{key}")
            frm = frm.outerjoin(lab, and_(lab.c.item_kind == "comment", lab.c.item_id == comments.c.id,
                                          lab.c.analyzer == name, lab.c.version == label_versions[name]))
            cols.append(lab.c.value.label(key))
        else:
            cols.append(literal(None).label(key))
    late = (case((comments.c.published_utc >= mid, 1), else_=0) if mid is not None else literal(0)).label("late")
    old = (case((comments.c.published_utc < inbox_cutoff, 1), else_=0)
           if inbox_cutoff is not None else literal(0)).label("old")
    cols += [late, old]
    stmt = (select(*cols, func.count().label("n"), func.sum(comments.c.likes).label("likes"))
            .select_from(frm)
            .where(posts.c.account_id.in_(list(account_ids)), _within(comments.c.published_utc, period))
            .group_by(*[c for c in cols]))
    return [dict(r) for r in conn.execute(stmt).mappings()]


def topic_days(conn: Connection, account_ids: Sequence[str], period: Period,
               label_versions: dict[str, str]) -> list[dict[str, Any]]:
    """Citizen comments per (account, topic, UTC day), topic ≠ none, with the lowest and highest comment id."""
    if not account_ids or "topic" not in label_versions:
        return []
    lab = labels.alias("l_topic")
    day = _day(conn, comments.c.published_utc).label("day")
    stmt = (select(posts.c.account_id, lab.c.value.label("topic"), day, func.count().label("n"),
                   func.min(comments.c.id).label("first_id"), func.max(comments.c.id).label("last_id"))
            .select_from(comments.join(posts, posts.c.id == comments.c.post_id)
                         .join(lab, and_(lab.c.item_kind == "comment", lab.c.item_id == comments.c.id,
                                         lab.c.analyzer == "topic", lab.c.version == label_versions["topic"])))
            .where(posts.c.account_id.in_(list(account_ids)), _within(comments.c.published_utc, period),
                   comments.c.is_official_reply.is_(False), lab.c.value != "none")
            .group_by(posts.c.account_id, lab.c.value, day))
    return [{"account_id": r.account_id, "topic": r.topic, "day": as_date(r.day), "n": int(r.n),
             "first_id": r.first_id, "last_id": r.last_id} for r in conn.execute(stmt)]


def official_replies(conn: Connection, account_ids: Sequence[str], period: Period,
                     label_versions: dict[str, str]) -> list[dict[str, Any]]:
    """Every official reply in the period with its parent comment (time, type, topic) when the parent is known."""
    if not account_ids:
        return []
    parent = comments.alias("parent")
    frm = comments.join(posts, posts.c.id == comments.c.post_id).outerjoin(
        parent, and_(parent.c.platform == comments.c.platform,
                     parent.c.platform_id == comments.c.parent_platform_id))
    cols = [comments.c.id, posts.c.account_id, comments.c.post_id, comments.c.published_utc, comments.c.text,
            parent.c.id.label("parent_id"), parent.c.published_utc.label("parent_utc"),
            parent.c.is_official_reply.label("parent_official")]
    for name, key in (("comment_type", "parent_ctype"), ("topic", "parent_topic")):
        if name in label_versions:
            lab = labels.alias(f"l_{key}")
            frm = frm.outerjoin(lab, and_(lab.c.item_kind == "comment", lab.c.item_id == parent.c.id,
                                          lab.c.analyzer == name, lab.c.version == label_versions[name]))
            cols.append(lab.c.value.label(key))
        else:
            cols.append(literal(None).label(key))
    stmt = (select(*cols).select_from(frm)
            .where(posts.c.account_id.in_(list(account_ids)), comments.c.is_official_reply.is_(True),
                   _within(comments.c.published_utc, period)))
    out = []
    for r in conn.execute(stmt).mappings():
        row = dict(r)
        row["published_utc"] = to_utc(row["published_utc"])
        if row["parent_utc"] is not None:
            row["parent_utc"] = to_utc(row["parent_utc"])
        out.append(row)
    return out


def answered_before(conn: Connection, account_ids: Sequence[str], period: Period, label_versions: dict[str, str],
                    inbox_cutoff: datetime | None) -> dict[str, int]:
    """Per account: requests/questions older than the inbox cutoff that have an official reply (any time)."""
    if not account_ids or "comment_type" not in label_versions or inbox_cutoff is None:
        return {}
    reply = comments.alias("reply")
    lab = labels.alias("l_ctype")
    answered = (select(reply.c.id).where(reply.c.platform == comments.c.platform,
                                         reply.c.parent_platform_id == comments.c.platform_id,
                                         reply.c.is_official_reply.is_(True)).exists())
    stmt = (select(posts.c.account_id, func.count())
            .select_from(comments.join(posts, posts.c.id == comments.c.post_id)
                         .join(lab, and_(lab.c.item_kind == "comment", lab.c.item_id == comments.c.id,
                                         lab.c.analyzer == "comment_type",
                                         lab.c.version == label_versions["comment_type"])))
            .where(posts.c.account_id.in_(list(account_ids)), _within(comments.c.published_utc, period),
                   comments.c.published_utc < inbox_cutoff, comments.c.is_official_reply.is_(False),
                   lab.c.value.in_(["request", "question"]), answered)
            .group_by(posts.c.account_id))
    return {r[0]: int(r[1]) for r in conn.execute(stmt)}


def comment_examples(conn: Connection, pairs: Sequence[tuple[str, str]], period: Period,
                     label_versions: dict[str, str], pool: int) -> list[dict[str, Any]]:
    """Up to ``pool`` citizen comments per (account, topic) pair, most liked first, with their texts."""
    if not pairs or "topic" not in label_versions:
        return []
    lab = labels.alias("l_topic")
    wanted = or_(*[and_(posts.c.account_id == a, lab.c.value == t) for a, t in pairs])
    rn = func.row_number().over(partition_by=(posts.c.account_id, lab.c.value),
                                order_by=(func.coalesce(comments.c.likes, 0).desc(), comments.c.id)).label("rn")
    inner = (select(posts.c.account_id, lab.c.value.label("topic"), comments.c.id, comments.c.text,
                    comments.c.likes, comments.c.published_utc, rn)
             .select_from(comments.join(posts, posts.c.id == comments.c.post_id)
                          .join(lab, and_(lab.c.item_kind == "comment", lab.c.item_id == comments.c.id,
                                          lab.c.analyzer == "topic", lab.c.version == label_versions["topic"])))
             .where(posts.c.account_id.in_(sorted({a for a, _ in pairs})), wanted,
                    _within(comments.c.published_utc, period), comments.c.is_official_reply.is_(False),
                    comments.c.text.is_not(None))
             .subquery())
    stmt = select(inner).where(inner.c.rn <= pool)
    return [dict(r) for r in conn.execute(stmt).mappings()]


def mention_counts(conn: Connection, period: Period) -> list[dict[str, Any]]:
    """Tags and mentions in posts of the period, per (platform, handle_key, platform_id), with the posting accounts."""
    stmt = (select(post_mentions.c.platform, post_mentions.c.handle_key, post_mentions.c.platform_id,
                   posts.c.account_id, func.count().label("n"))
            .select_from(post_mentions.join(posts, posts.c.id == post_mentions.c.post_id))
            .where(_within(posts.c.published_utc, period))
            .group_by(post_mentions.c.platform, post_mentions.c.handle_key, post_mentions.c.platform_id,
                      posts.c.account_id))
    return [dict(r) for r in conn.execute(stmt).mappings()]


def follower_rows(conn: Connection, account_ids: Sequence[str], period: Period) -> list[dict[str, Any]]:
    if not account_ids:
        return []
    stmt = (select(follower_snapshots).where(follower_snapshots.c.account_id.in_(list(account_ids)),
                                             _within(follower_snapshots.c.taken_utc, period))
            .order_by(follower_snapshots.c.account_id, follower_snapshots.c.taken_utc))
    return [{"account_id": r.account_id, "taken_utc": to_utc(r.taken_utc), "followers": int(r.followers)}
            for r in conn.execute(stmt)]


def data_end(conn: Connection) -> datetime | None:
    """The newest post or comment time in the store (the default «as of» moment: reproducible, not today)."""
    a = conn.execute(select(func.max(posts.c.published_utc))).scalar_one_or_none()
    b = conn.execute(select(func.max(comments.c.published_utc))).scalar_one_or_none()
    vals = [to_utc(v) for v in (a, b) if v is not None]
    return max(vals) if vals else None


def data_start(conn: Connection) -> datetime | None:
    a = conn.execute(select(func.min(posts.c.published_utc))).scalar_one_or_none()
    return to_utc(a) if a is not None else None
