"""The civic signals' SQL: set-based reads over the core tables (comments, posts, labels, import runs).

Nothing here loads comments one by one for the public figures: removals are counted in the database per
(account, comment type, sentiment, removed?); only the removed comments (few) come back row by row, for the time to
removal and the caveats (removed with their parent, author still present on the page).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, case, exists, func, select

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
    other = comments.alias("other")
    other_post = posts.alias("other_post")
    frm = comments.join(posts, posts.c.id == comments.c.post_id)
    cols: list[Any] = [comments.c.id, posts.c.account_id.label("account_id"), comments.c.published_utc,
                       comments.c.deleted_utc, comments.c.post_id]
    frm = _join_labels(frm, cols, "comment", comments.c.id, LABELS, versions)
    with_parent = exists().where(parent.c.platform == comments.c.platform,
                                 parent.c.platform_id == comments.c.parent_platform_id,
                                 parent.c.deleted_utc.is_not(None))
    stayed = (exists().select_from(other.join(other_post, other_post.c.id == other.c.post_id))
              .where(other_post.c.account_id == posts.c.account_id, other.c.deleted_utc.is_(None),
                     other.c.id != comments.c.id,
                     and_(comments.c.author_platform_id.is_not(None),
                          other.c.author_platform_id == comments.c.author_platform_id)))
    cols += [with_parent.label("with_parent"), stayed.label("author_stayed")]
    if with_text:
        cols += [comments.c.text, comments.c.author_handle, comments.c.parent_platform_id, posts.c.url.label("post_url")]
    stmt = (select(*cols).select_from(frm)
            .where(posts.c.account_id.in_(list(account_ids)), _within(comments.c.published_utc, period),
                   comments.c.is_official_reply.is_(False), comments.c.deleted_utc.is_not(None))
            .order_by(comments.c.deleted_utc.desc(), comments.c.id))
    if limit:
        stmt = stmt.limit(limit)
    out = []
    for r in conn.execute(stmt).mappings().all():
        row = dict(r)
        published, deleted = to_utc(row["published_utc"]), to_utc(row["deleted_utc"])
        row.update(published_utc=published, deleted_utc=deleted, with_parent=bool(row["with_parent"]),
                   author_stayed=bool(row["author_stayed"]),
                   hours=max(0.0, (deleted - published).total_seconds() / 3600))
        out.append(row)
    return out


def rechecked_accounts(conn: Connection, account_ids: Sequence[str]) -> set[str]:
    """Accounts whose posts a later visit re-listed: a harvest run, or any comment already marked removed.

    Without one, a removed comment is never seen to disappear, so a zero would be a false all-clear."""
    if not account_ids:
        return set()
    ids = list(account_ids)
    harvested = {r[0] for r in conn.execute(select(import_runs.c.account_id).distinct()
                                            .where(import_runs.c.kind == "harvest",
                                                   import_runs.c.account_id.in_(ids)))}
    marked = {r[0] for r in conn.execute(
        select(posts.c.account_id).distinct().select_from(comments.join(posts, posts.c.id == comments.c.post_id))
        .where(posts.c.account_id.in_(ids), comments.c.deleted_utc.is_not(None)))}
    return harvested | marked


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


def _praise_condition(versions: dict[str, str], ctype: Any, sentiment: Any) -> Any:
    from sqlalchemy import or_

    return or_(ctype == "gratitude", sentiment == "positive")


def praise_comments(conn: Connection, account_ids: Sequence[str], period: Period,
                    versions: dict[str, str]) -> list[dict[str, Any]]:
    """Citizen comments labelled gratitude or positive, with an author: the candidates of coordinated praise."""
    if not account_ids or not versions:
        return []
    frm = _comments_posts(len(account_ids) > MANY_ACCOUNTS)
    cols: list[Any] = [comments.c.id, posts.c.account_id.label("account_id"), comments.c.post_id,
                       _author().label("author"), comments.c.published_utc, comments.c.text]
    frm = _join_labels(frm, cols, "comment", comments.c.id, LABELS, versions)
    ctype, sentiment = cols[-2], cols[-1]
    cond = _praise_condition(versions, ctype.element if hasattr(ctype, "element") else ctype,
                             sentiment.element if hasattr(sentiment, "element") else sentiment)
    stmt = (select(*cols).select_from(frm)
            .where(posts.c.account_id.in_(list(account_ids)), _within(comments.c.published_utc, period),
                   comments.c.is_official_reply.is_(False), _author().is_not(None), cond))
    out = []
    for r in conn.execute(stmt).mappings():
        row = dict(r)
        row["published_utc"] = to_utc(row["published_utc"])
        out.append(row)
    return out


def author_footprints(conn: Connection, versions: dict[str, str]) -> list[dict[str, Any]]:
    """Per author with ≥ 2 citizen comments in the whole store: comments, praise among them, distinct officials."""
    frm = comments.join(posts, posts.c.id == comments.c.post_id).join(accounts, accounts.c.id == posts.c.account_id)
    cols: list[Any] = []
    frm = _join_labels(frm, cols, "comment", comments.c.id, LABELS, versions)
    ctype, sentiment = (c.element if hasattr(c, "element") else c for c in cols)
    praise = func.sum(case((_praise_condition(versions, ctype, sentiment), 1), else_=0))
    stmt = (select(_author().label("author"), func.count().label("comments"), praise.label("praise"),
                   func.count(func.distinct(accounts.c.official_id)).label("officials"),
                   func.min(accounts.c.official_id).label("official_id"))
            .select_from(frm)
            .where(comments.c.is_official_reply.is_(False), _author().is_not(None))
            .group_by(_author()).having(func.count() >= 2))
    return [dict(r) for r in conn.execute(stmt).mappings()]
