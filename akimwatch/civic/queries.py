"""The civic signals' SQL: set-based reads over the core tables (comments, posts, labels, import runs).

Nothing here loads comments one by one for the public figures: removals are counted in the database per
(account, comment type, sentiment, removed?); only the removed comments (few) come back row by row, for the time to
removal and the caveats (removed with their parent, author still present on the page).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, case, exists, func, or_, select

from akimwatch.models import to_utc
from akimwatch.store.labels import current_versions
from akimwatch.store.metrics_queries import MANY_ACCOUNTS, _comments_posts, _join_labels, _within
from akimwatch.store.schema import accounts, comments, import_runs, posts

Period = tuple[datetime | None, datetime | None]
LABELS = (("comment_type", "comment_type"), ("sentiment", "sentiment"))


def civic_label_versions(conn: Connection) -> dict[str, str]:
    """Current versions of the analyzers the civic signals read (comment type and sentiment)."""
    return current_versions(conn, [name for name, _ in LABELS])


def removal_counts(conn: Connection, account_ids: Sequence[str], period: Period,
                   versions: dict[str, str]) -> list[dict[str, Any]]:
    """Citizen comments per (account, comment type, sentiment, removed?) published in the period."""
    if not account_ids:
        return []
    frm = _comments_posts(len(account_ids) > MANY_ACCOUNTS)
    cols: list[Any] = [posts.c.account_id.label("account_id")]
    frm = _join_labels(frm, cols, "comment", comments.c.id, LABELS, versions)
    cols.append(case((comments.c.deleted_utc.is_not(None), 1), else_=0).label("removed"))
    stmt = (select(*cols, func.count().label("n")).select_from(frm)
            .where(posts.c.account_id.in_(list(account_ids)), _within(comments.c.published_utc, period),
                   comments.c.is_official_reply.is_(False))
            .group_by(*cols))
    return [dict(r) for r in conn.execute(stmt).mappings().all()]


def removed_comments(conn: Connection, account_ids: Sequence[str], period: Period, versions: dict[str, str],
                     with_text: bool = False, limit: int | None = None) -> list[dict[str, Any]]:
    """The removed citizen comments of the accounts: labels, hours from publication to the harvest that missed them,
    whether the parent comment vanished too, and whether the author still has a visible comment on the account."""
    if not account_ids:
        return []
    parent = comments.alias("parent")
    frm = comments.join(posts, posts.c.id == comments.c.post_id)
    cols: list[Any] = [comments.c.id, posts.c.account_id.label("account_id"), comments.c.published_utc,
                       comments.c.deleted_utc, comments.c.post_id, _author().label("author")]
    frm = _join_labels(frm, cols, "comment", comments.c.id, LABELS, versions)
    with_parent = exists().where(parent.c.platform == comments.c.platform,
                                 parent.c.platform_id == comments.c.parent_platform_id,
                                 parent.c.deleted_utc.is_not(None))
    cols.append(with_parent.label("with_parent"))
    if with_text:
        cols += [comments.c.text, comments.c.author_handle, comments.c.parent_platform_id, posts.c.url.label("post_url")]
    stmt = (select(*cols).select_from(frm)
            .where(posts.c.account_id.in_(list(account_ids)), _within(comments.c.published_utc, period),
                   comments.c.is_official_reply.is_(False), comments.c.deleted_utc.is_not(None))
            .order_by(comments.c.deleted_utc.desc(), comments.c.id))
    if limit:
        stmt = stmt.limit(limit)
    rows = [dict(r) for r in conn.execute(stmt).mappings().all()]
    # Whether the author still has a visible comment: a hint for editors on the evidence page only (one GROUP BY
    # over the accounts' comments; too costly to run for every metrics call over millions of comments).
    stayed = _authors_still_visible(conn, {r["account_id"] for r in rows}) if rows and with_text else set()
    out = []
    for row in rows:
        published, deleted = to_utc(row["published_utc"]), to_utc(row["deleted_utc"])
        row.update(published_utc=published, deleted_utc=deleted, with_parent=bool(row["with_parent"]),
                   author_stayed=(row["account_id"], row.pop("author")) in stayed if with_text else None,
                   hours=max(0.0, (deleted - published).total_seconds() / 3600))
        out.append(row)
    return out


def _authors_still_visible(conn: Connection, account_ids: set[str]) -> set[tuple[str, str]]:
    """(account, author) pairs where the author has a removed comment and still a visible one: one GROUP BY."""
    frm = comments.join(posts, posts.c.id == comments.c.post_id)
    gone = func.sum(case((comments.c.deleted_utc.is_not(None), 1), else_=0))
    visible = func.sum(case((comments.c.deleted_utc.is_(None), 1), else_=0))
    stmt = (select(posts.c.account_id, _author()).select_from(frm)
            .where(posts.c.account_id.in_(sorted(account_ids)), comments.c.is_official_reply.is_(False),
                   _author().is_not(None))
            .group_by(posts.c.account_id, _author()).having(and_(gone > 0, visible > 0)))
    return {(r[0], r[1]) for r in conn.execute(stmt)}


def rechecked_accounts(conn: Connection, account_ids: Sequence[str]) -> set[str]:
    """Accounts a harvest run covered (a later visit re-lists their posts' comments).

    The callers add the accounts with any comment already marked removed (from ``removal_counts``). Without either,
    a removed comment is never seen to disappear, so a zero would be a false all-clear."""
    if not account_ids:
        return set()
    return {r[0] for r in conn.execute(select(import_runs.c.account_id).distinct()
                                       .where(import_runs.c.kind == "harvest",
                                              import_runs.c.account_id.in_(list(account_ids))))}


def official_account_ids(conn: Connection, official_id: str) -> list[str]:
    return [r[0] for r in conn.execute(select(accounts.c.id).where(accounts.c.official_id == official_id))]


def save_removal_marks(conn: Connection, marks: Sequence[tuple[str, str, datetime]]) -> int:
    """Mark comments (platform, platform id) removed at the time a later visit missed them; returns how many.

    The harvest runner marks with the time of its own run (store.save.mark_deleted); this is for re-check files
    that carry the time they were made (the demo's ``removals.csv``)."""
    n = 0
    for platform, platform_id, when in marks:
        res = conn.execute(comments.update()
                           .where(comments.c.platform == platform, comments.c.platform_id == platform_id,
                                  comments.c.deleted_utc.is_(None))
                           .values(deleted_utc=when))
        n += res.rowcount or 0
    return n




def _author():
    return func.coalesce(comments.c.author_platform_id, comments.c.author_handle)


def _praise(ctype: Any, sentiment: Any) -> Any:
    return or_(ctype == "gratitude", sentiment == "positive")


def praise_comments(conn: Connection, account_ids: Sequence[str], period: Period,
                    versions: dict[str, str]) -> list[dict[str, Any]]:
    """Citizen comments labelled gratitude or positive whose author is single-minded (≥ 2 comments in the store,
    all praise, all under one official): the only candidates of coordinated praise (coordination.py, rule 3)."""
    if not account_ids or not versions:
        return []
    minded = _single_minded_authors(versions)
    frm = _comments_posts(len(account_ids) > MANY_ACCOUNTS)
    cols: list[Any] = [comments.c.id, posts.c.account_id.label("account_id"), comments.c.post_id,
                       _author().label("author"), comments.c.published_utc, comments.c.text]
    frm = _join_labels(frm, cols, "comment", comments.c.id, LABELS, versions)
    ctype, sentiment = (c.element if hasattr(c, "element") else c for c in cols[-2:])
    stmt = (select(*cols).select_from(frm)
            .where(posts.c.account_id.in_(list(account_ids)), _within(comments.c.published_utc, period),
                   comments.c.is_official_reply.is_(False), _author().in_(minded), _praise(ctype, sentiment)))
    out = []
    for r in conn.execute(stmt).mappings():
        row = dict(r)
        row["published_utc"] = to_utc(row["published_utc"])
        out.append(row)
    return out


def _single_minded_authors(versions: dict[str, str]) -> Any:
    """A subquery: authors with ≥ 2 citizen comments in the store, every one praise, all under one official."""
    c2, p2, a2 = comments.alias("sm_c"), posts.alias("sm_p"), accounts.alias("sm_a")
    frm = c2.join(p2, p2.c.id == c2.c.post_id).join(a2, a2.c.id == p2.c.account_id)
    cols: list[Any] = []
    frm = _join_labels(frm, cols, "comment", c2.c.id, LABELS, versions)
    ctype, sentiment = (c.element if hasattr(c, "element") else c for c in cols)
    author = func.coalesce(c2.c.author_platform_id, c2.c.author_handle)
    praise = func.sum(case((_praise(ctype, sentiment), 1), else_=0))
    return (select(author).select_from(frm)
            .where(c2.c.is_official_reply.is_(False), author.is_not(None), a2.c.official_id.is_not(None))
            .group_by(author)
            .having(and_(func.count() >= 2, praise == func.count(), func.count(func.distinct(a2.c.official_id)) == 1)))


def author_footprints(conn: Connection, versions: dict[str, str]) -> list[dict[str, Any]]:
    """Per author with ≥ 2 citizen comments in the whole store: comments, praise among them, distinct officials."""
    frm = comments.join(posts, posts.c.id == comments.c.post_id).join(accounts, accounts.c.id == posts.c.account_id)
    cols: list[Any] = []
    frm = _join_labels(frm, cols, "comment", comments.c.id, LABELS, versions)
    ctype, sentiment = (c.element if hasattr(c, "element") else c for c in cols)
    praise = func.sum(case((_praise(ctype, sentiment), 1), else_=0))
    stmt = (select(_author().label("author"), func.count().label("comments"), praise.label("praise"),
                   func.count(func.distinct(accounts.c.official_id)).label("officials"),
                   func.min(accounts.c.official_id).label("official_id"))
            .select_from(frm)
            .where(comments.c.is_official_reply.is_(False), _author().is_not(None))
            .group_by(_author()).having(func.count() >= 2))
    return [dict(r) for r in conn.execute(stmt).mappings()]
