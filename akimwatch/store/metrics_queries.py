"""Set-based reads for the metrics (GROUP BY per account / per day); SQL stays inside the store package.

Nothing here loads comments one by one: comments are counted in the database, and only aggregated rows
(per account × flags, per account × topic × day) and the official replies come back to Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, case, func, literal, select

from akimwatch.models import PLATFORMS, UNCERTAIN, to_utc
from akimwatch.store.labels import current_labels
from akimwatch.store.schema import (
    account_coverage,
    account_links,
    accounts,
    comments,
    follower_snapshots,
    import_runs,
    officials,
    post_mentions,
    posts,
)

Period = tuple[datetime | None, datetime | None]


def load_officials(conn: Connection, official_ids: Sequence[str] | None) -> list[dict[str, Any]]:
    stmt = select(officials).order_by(officials.c.id)
    if official_ids:
        stmt = stmt.where(officials.c.id.in_(list(official_ids)))
    return [dict(r) for r in conn.execute(stmt).mappings().all()]


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


def _comments_posts(many: bool):
    """comments ⋈ posts. For many accounts the join key is wrapped (``post_id + 0``) so SQLite scans comments once
    in storage order and finds each post by primary key (sequential label probes), instead of walking every post's
    comments through the index (random reads). PostgreSQL plans a hash join either way."""
    key = comments.c.post_id + 0 if many else comments.c.post_id
    return comments.join(posts, posts.c.id == key)


MANY_ACCOUNTS = 20


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
    return func.substr(col, 1, 10)  # SQLite stores 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC): cheaper than date()


def as_date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def _join_labels(frm: Any, cols: list[Any], item_kind: str, item_id: Any, wanted: Sequence[tuple[str, str]],
                 label_versions: dict[str, str]) -> Any:
    """Outer-join the current label of each analyzer in ``wanted`` ((analyzer, column key) pairs) to ``item_id``;
    a column of NULLs where the analyzer has not run, so callers say «not labelled» instead of guessing."""
    for name, key in wanted:
        if name in label_versions:
            lab, current = current_labels(label_versions, name, item_kind, f"l_{key}")
            frm = frm.outerjoin(lab, and_(current, lab.c.item_id == item_id))
            cols.append(lab.c.value.label(key))
        else:
            cols.append(literal(None).label(key))
    return frm


def post_rows(conn: Connection, account_ids: Sequence[str], period: Period,
              label_versions: dict[str, str]) -> list[dict[str, Any]]:
    """Own posts of the accounts in the period with their voice/topic labels (posts are few; comments are not)."""
    if not account_ids:
        return []
    cols = [posts.c.id, posts.c.account_id, posts.c.published_utc, posts.c.media_kind, posts.c.is_repost,
            posts.c.repost_source_domain, posts.c.repost_source_name, posts.c.likes, posts.c.comments_count,
            posts.c.views, posts.c.comments_closed, posts.c.deleted_utc]
    frm = _join_labels(posts, cols, "post", posts.c.id, (("voice", "voice"), ("topic", "topic")), label_versions)
    stmt = (select(*cols).select_from(frm).where(posts.c.account_id.in_(list(account_ids)),
                                                 _within(posts.c.published_utc, period))
            .order_by(posts.c.account_id, posts.c.published_utc))
    out = []
    for r in conn.execute(stmt).mappings().all():
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


def post_texts(conn: Connection, post_ids: Sequence[int]) -> dict[int, tuple[str | None, bool]]:
    out: dict[int, tuple[str | None, bool]] = {}
    ids = list(post_ids)
    for i in range(0, len(ids), 900):
        for r in conn.execute(select(posts.c.id, posts.c.text, posts.c.is_repost)
                              .where(posts.c.id.in_(ids[i:i + 900]))):
            out[r[0]] = (r[1], bool(r[2]))
    return out


def comment_aggregates(conn: Connection, account_ids: Sequence[str], period: Period, label_versions: dict[str, str],
                       mid: datetime | None, inbox_cutoff: datetime | None) -> list[dict[str, Any]]:
    """Comment counts per (account, is official reply, comment type, topic, second half?, older than inbox cutoff?)."""
    if not account_ids:
        return []
    frm = _comments_posts(len(account_ids) > MANY_ACCOUNTS)
    cols = [posts.c.account_id.label("account_id"), comments.c.is_official_reply.label("official")]
    frm = _join_labels(frm, cols, "comment", comments.c.id, (("comment_type", "ctype"), ("topic", "topic")),
                       label_versions)
    late = (case((comments.c.published_utc >= mid, 1), else_=0) if mid is not None else literal(0)).label("late")
    old = (case((comments.c.published_utc < inbox_cutoff, 1), else_=0)
           if inbox_cutoff is not None else literal(0)).label("old")
    cols += [late, old]
    stmt = (select(*cols, func.count().label("n"), func.sum(comments.c.likes).label("likes"))
            .select_from(frm)
            .where(posts.c.account_id.in_(list(account_ids)), _within(comments.c.published_utc, period))
            .group_by(*[c for c in cols]))
    return [dict(r) for r in conn.execute(stmt).mappings().all()]


def topic_days(conn: Connection, account_ids: Sequence[str], period: Period,
               label_versions: dict[str, str]) -> list[tuple[str, str, date, int, int, int]]:
    """Citizen comments per (account, topic, UTC day), topic ≠ none: (account, topic, day, n, lowest id, highest id)."""
    if not account_ids or "topic" not in label_versions:
        return []
    lab, current = current_labels(label_versions, "topic", "comment", "l_topic")
    day = _day(conn, comments.c.published_utc).label("day")
    stmt = (select(posts.c.account_id, lab.c.value.label("topic"), day, func.count().label("n"),
                   func.min(comments.c.id).label("first_id"), func.max(comments.c.id).label("last_id"))
            .select_from(_comments_posts(len(account_ids) > MANY_ACCOUNTS)
                         .join(lab, and_(current, lab.c.item_id == comments.c.id)))
            .where(posts.c.account_id.in_(list(account_ids)), _within(comments.c.published_utc, period),
                   comments.c.is_official_reply.is_(False), lab.c.value.notin_(("none", UNCERTAIN)))
            .group_by(posts.c.account_id, lab.c.value, day))
    days: dict[Any, date] = {}
    out = []
    for acc, topic, d, n, first, last in conn.execute(stmt).all():
        dd = days.get(d)
        if dd is None:
            dd = days[d] = as_date(d)
        out.append((acc, topic, dd, int(n), first, last))
    return out


def official_replies(conn: Connection, account_ids: Sequence[str], period: Period,
                     label_versions: dict[str, str]) -> list[dict[str, Any]]:
    """Official replies in the period that answer a comment (threaded), with the parent's time, type and topic.

    Reached through the (platform, parent_platform_id) index: only threaded comments are read. Official comments
    without a parent are counted in ``comment_aggregates`` (they answer no comment in particular).
    """
    if not account_ids:
        return []
    parent = comments.alias("parent")
    frm = comments.join(posts, posts.c.id == comments.c.post_id + 0).outerjoin(
        parent, and_(parent.c.platform == comments.c.platform,
                     parent.c.platform_id == comments.c.parent_platform_id))
    cols = [comments.c.id, posts.c.account_id, comments.c.post_id, comments.c.published_utc, comments.c.text,
            parent.c.id.label("parent_id"), parent.c.published_utc.label("parent_utc"),
            parent.c.is_official_reply.label("parent_official")]
    frm = _join_labels(frm, cols, "comment", parent.c.id,
                       (("comment_type", "parent_ctype"), ("topic", "parent_topic")), label_versions)
    stmt = (select(*cols).select_from(frm)
            .where(posts.c.account_id.in_(list(account_ids)), comments.c.is_official_reply.is_(True),
                   comments.c.platform.in_(list(PLATFORMS)), comments.c.parent_platform_id.is_not(None),
                   _within(comments.c.published_utc, period)))
    out = []
    for r in conn.execute(stmt).mappings().all():
        row = dict(r)
        row["published_utc"] = to_utc(row["published_utc"])
        if row["parent_utc"] is not None:
            row["parent_utc"] = to_utc(row["parent_utc"])
        out.append(row)
    return out


def comment_texts(conn: Connection, comment_ids: Sequence[int]) -> list[dict[str, Any]]:
    """id, text, likes of the given comments (primary-key lookups, in chunks)."""
    ids = sorted(set(comment_ids))
    out = []
    for i in range(0, len(ids), 900):
        out += [{"id": r[0], "text": r[1], "likes": r[2]} for r in conn.execute(
            select(comments.c.id, comments.c.text, comments.c.likes).where(comments.c.id.in_(ids[i:i + 900]))).all()]
    return out


def mention_counts(conn: Connection, period: Period) -> list[dict[str, Any]]:
    """Posts of the period that tag or mention an account, per (platform, handle_key, platform_id, posting account)."""
    stmt = (select(post_mentions.c.platform, post_mentions.c.handle_key, post_mentions.c.platform_id,
                   posts.c.account_id, func.count(func.distinct(posts.c.id)).label("n"))
            .select_from(post_mentions.join(posts, posts.c.id == post_mentions.c.post_id))
            .where(_within(posts.c.published_utc, period))
            .group_by(post_mentions.c.platform, post_mentions.c.handle_key, post_mentions.c.platform_id,
                      posts.c.account_id))
    return [dict(r) for r in conn.execute(stmt).mappings().all()]


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


def coverage_rows(conn: Connection, account_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The spans each import or harvest run covered per account, with the run's kind, format and start time."""
    if not account_ids:
        return []
    stmt = (select(account_coverage.c.account_id, account_coverage.c.start_utc, account_coverage.c.end_utc,
                   account_coverage.c.posts, import_runs.c.kind, import_runs.c.format, import_runs.c.started_utc)
            .select_from(account_coverage.outerjoin(import_runs,
                                                    import_runs.c.id == account_coverage.c.import_run_id))
            .where(account_coverage.c.account_id.in_(list(account_ids)))
            .order_by(account_coverage.c.account_id, account_coverage.c.start_utc))
    return [{"account_id": r.account_id, "start_utc": to_utc(r.start_utc), "end_utc": to_utc(r.end_utc),
             "posts": r.posts, "kind": r.kind, "format": r.format,
             "taken_utc": to_utc(r.started_utc) if r.started_utc else None} for r in conn.execute(stmt)]


def official_ids(conn: Connection) -> list[str]:
    return [r[0] for r in conn.execute(select(officials.c.id).order_by(officials.c.id))]
