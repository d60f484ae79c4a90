"""Every read and write of the inbox's tables (SQL stays here; the rules are in workflow.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, func, or_, select

from akimwatch.inbox.tables import request_events, requests
from akimwatch.models import to_utc
from akimwatch.store.labels import count_labels, current_labels, current_versions
from akimwatch.store.save import bulk_insert
from akimwatch.store.schema import accounts, comments, posts
from akimwatch.store.web_queries import iso

OPEN_STATUSES = ("new", "in_progress")  # the first-answer clock runs (workflow.py re-exports it)
STATUSES = ("new", "in_progress", "answered", "resolved", "closed", "rejected")


def overdue_by_official(conn: Connection, now: datetime, open_statuses: Sequence[str]) -> list[Any]:
    """(official_id, n, oldest due) of open requests past their due time and not answered, per official."""
    when = now.astimezone(UTC).replace(tzinfo=None) if conn.dialect.name == "sqlite" else now
    return conn.execute(
        select(requests.c.official_id, func.count().label("n"), func.min(requests.c.due_utc).label("oldest"))
        .where(requests.c.due_utc.is_not(None), requests.c.due_utc < when, requests.c.answered_utc.is_(None),
               requests.c.status.in_(list(open_statuses)))
        .group_by(requests.c.official_id).order_by(requests.c.official_id)).all()


def save_event(conn: Connection, request_id: int, actor: str, action: str, old: Any, new: Any,
               now: datetime) -> None:
    """One line of a request's audit log."""
    conn.execute(request_events.insert().values(request_id=request_id, at_utc=now, actor=actor, action=action,
                                                old_value=None if old is None else str(old),
                                                new_value=None if new is None else str(new)))


def labelled_comment_count(conn: Connection) -> int:
    """Comments carrying a current comment-type label: when it changes, there may be new requests to make."""
    return count_labels(conn, "comment_type")


def request_candidates(conn: Connection, kinds: Sequence[str], after_id: int, limit: int) -> list[Any]:
    """Citizen comments whose current type is one of ``kinds`` and that have no request yet, by id, with their
    current topic (or None), post, account and official."""
    versions = current_versions(conn, ("comment_type", "topic"))
    kind, current_kind = current_labels(versions, "comment_type", "comment")
    topic, current_topic = current_labels(versions, "topic", "comment")
    return conn.execute(
        select(comments.c.id, comments.c.text, comments.c.published_utc, comments.c.post_id,
               kind.c.value.label("kind"), topic.c.value.label("topic"), posts.c.account_id,
               accounts.c.official_id)
        .select_from(kind.join(comments, and_(current_kind, kind.c.item_id == comments.c.id))
                     .outerjoin(topic, and_(current_topic, topic.c.item_id == comments.c.id))
                     .outerjoin(posts, posts.c.id == comments.c.post_id)
                     .outerjoin(accounts, accounts.c.id == posts.c.account_id))
        .where(kind.c.value.in_(list(kinds)), comments.c.is_official_reply.is_(False), comments.c.id > after_id,
               ~exists().where(requests.c.comment_id == comments.c.id))
        .order_by(comments.c.id).limit(limit)).all()


def next_request_id(conn: Connection) -> int:
    return (conn.execute(select(func.max(requests.c.id))).scalar() or 0) + 1


def save_requests(conn: Connection, rows: list[dict[str, Any]], events: list[dict[str, Any]]) -> None:
    """New requests with explicit ids, and their «created» events (PostgreSQL's id sequence is moved past them)."""
    bulk_insert(conn, requests, rows)
    if rows:
        bulk_insert(conn, request_events, events)
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('requests', 'id'), "
                                 "(SELECT max(id) FROM requests))")


def open_incidents(conn: Connection, official_id: str | None, account_id: str | None, topic: str | None,
                   limit: int = 30) -> list[Any]:
    """(id, requested_utc, description) of the latest incidents of one official (or account) and topic."""
    stmt = (select(requests.c.id, requests.c.requested_utc, requests.c.description)
            .where(requests.c.incident_id == requests.c.id).order_by(requests.c.id.desc()).limit(limit))
    stmt = stmt.where(requests.c.official_id == official_id if official_id else requests.c.official_id.is_(None))
    if not official_id:
        stmt = stmt.where(requests.c.account_id == account_id if account_id else requests.c.account_id.is_(None))
    stmt = stmt.where(requests.c.topic == topic if topic else requests.c.topic.is_(None))
    return list(reversed(conn.execute(stmt).all()))


def answered_open_requests(conn: Connection) -> list[Any]:
    """(id, status, at) of open requests whose comment has an official reply in its thread (at: the first)."""
    reply = comments.alias("reply")
    orig = comments.alias("orig")
    return conn.execute(
        select(requests.c.id, requests.c.status, func.min(reply.c.published_utc).label("at"))
        .select_from(requests.join(orig, orig.c.id == requests.c.comment_id)
                     .join(reply, and_(reply.c.platform == orig.c.platform,
                                       reply.c.parent_platform_id == orig.c.platform_id,
                                       reply.c.is_official_reply.is_(True))))
        .where(requests.c.status.in_(OPEN_STATUSES))
        .group_by(requests.c.id, requests.c.status)).all()


def set_request_values(conn: Connection, request_id: int, **values: Any) -> None:
    conn.execute(requests.update().where(requests.c.id == request_id).values(**values))


def request_row(conn: Connection, request_id: int, *, for_update: bool = False) -> Any:
    stmt = select(requests).where(requests.c.id == request_id)
    return conn.execute(stmt.with_for_update() if for_update else stmt).first()


def insert_request(conn: Connection, **values: Any) -> int:
    """A new request that is its own incident; returns its id."""
    rid = int(conn.execute(requests.insert().values(**values)).inserted_primary_key[0])
    set_request_values(conn, rid, incident_id=rid)
    return rid


def _request_dict(row, now: datetime) -> dict[str, Any]:
    due = to_utc(row.due_utc) if row.due_utc else None
    return {"id": row.id, "source": row.source, "comment_id": row.comment_id, "incident_id": row.incident_id,
            "official_id": row.official_id, "account_id": row.account_id, "post_id": row.post_id,
            "kind": row.kind, "topic": row.topic, "description": row.description, "address": row.address,
            "lat": row.lat, "lon": row.lon, "status": row.status, "department": row.department,
            "notes": row.notes, "requested_utc": iso(row.requested_utc), "due_utc": iso(row.due_utc),
            "answered_utc": iso(row.answered_utc), "created_utc": iso(row.created_utc),
            "updated_utc": iso(row.updated_utc),
            "overdue": bool(due and row.status in OPEN_STATUSES and due < now)}


_LIST_COLS = [c for c in requests.c if c.name != "requester"]


def list_requests(conn: Connection, *, now: datetime, status: list[str] | None = None,
                  official_id: str | None = None, topic: str | None = None, kind: str | None = None,
                  overdue: bool | None = None, since: datetime | None = None, until: datetime | None = None,
                  incident_id: int | None = None, department: str | None = None, ids: list[int] | None = None,
                  after: int | None = None, limit: int = 50, incidents_only: bool = False) -> list[dict[str, Any]]:
    stmt = select(*_LIST_COLS).order_by(requests.c.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(requests.c.status.in_(status))
    if official_id:
        stmt = stmt.where(requests.c.official_id == official_id)
    if topic:
        stmt = stmt.where(requests.c.topic == topic)
    if kind:
        stmt = stmt.where(requests.c.kind == kind)
    if department:
        stmt = stmt.where(requests.c.department == department)
    if overdue is True:
        stmt = stmt.where(requests.c.status.in_(OPEN_STATUSES), requests.c.due_utc < now)
    elif overdue is False:
        stmt = stmt.where(or_(requests.c.status.not_in(OPEN_STATUSES), requests.c.due_utc >= now,
                              requests.c.due_utc.is_(None)))
    if since:
        stmt = stmt.where(requests.c.requested_utc >= since)
    if until:
        stmt = stmt.where(requests.c.requested_utc < until)
    if incident_id is not None:
        stmt = stmt.where(requests.c.incident_id == incident_id)
    if incidents_only:
        stmt = stmt.where(requests.c.incident_id == requests.c.id)
    if ids is not None:
        stmt = stmt.where(requests.c.id.in_(ids))
    if after is not None:
        stmt = stmt.where(requests.c.id < after)
    out = [_request_dict(r, now) for r in conn.execute(stmt)]
    if incidents_only and out:
        sizes = dict(conn.execute(select(requests.c.incident_id, func.count())
                                  .where(requests.c.incident_id.in_([r["id"] for r in out]))
                                  .group_by(requests.c.incident_id)).all())
        for r in out:
            r["incident_size"] = int(sizes.get(r["id"], 1))
    return out


def status_counts(conn: Connection, *, now: datetime) -> dict[str, int]:
    counts = {s: 0 for s in STATUSES}
    for s, n in conn.execute(select(requests.c.status, func.count()).group_by(requests.c.status)):
        counts[s] = int(n)
    counts["overdue"] = int(conn.execute(select(func.count()).select_from(requests)
                                         .where(requests.c.status.in_(OPEN_STATUSES), requests.c.due_utc < now))
                            .scalar_one())
    return counts


def get_request(conn: Connection, request_id: int, *, now: datetime) -> dict[str, Any] | None:
    row = request_row(conn, request_id)
    if row is None:
        return None
    out = _request_dict(row, now)
    out["requester"] = row.requester
    out["events"] = request_events_for(conn, request_id)
    out["incident_size"] = int(conn.execute(select(func.count()).select_from(requests)
                                            .where(requests.c.incident_id == row.incident_id)).scalar_one())
    return out


def request_events_for(conn: Connection, request_id: int) -> list[dict[str, Any]]:
    return [{"at_utc": iso(r.at_utc), "actor": r.actor, "action": r.action, "old_value": r.old_value,
             "new_value": r.new_value}
            for r in conn.execute(select(request_events).where(request_events.c.request_id == request_id)
                                  .order_by(request_events.c.at_utc, request_events.c.id))]


def departments(conn: Connection) -> list[str]:
    return [r[0] for r in conn.execute(select(requests.c.department).where(requests.c.department.is_not(None))
                                       .group_by(requests.c.department).order_by(requests.c.department).limit(200))]
