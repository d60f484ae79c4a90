"""The inbox: citizen requests made from labelled comments (or entered by hand), grouped into incidents,
worked through a status workflow with an audit log.

``sync_requests`` is incremental and idempotent: it creates requests for newly labelled comments (one per
comment, keyed by ``comment_id``) and marks open requests ``answered`` when an official reply appears in
their thread.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, exists, func, or_, select

from akimwatch.inbox.tables import request_events, requests
from akimwatch.models import to_utc
from akimwatch.store.labels import current_labels, current_versions
from akimwatch.store.meta import get_meta, set_meta
from akimwatch.store.save import bulk_insert
from akimwatch.store.schema import accounts, comments, labels, posts
from akimwatch.store.web_queries import iso

REQUEST_KINDS = ("complaint", "request", "question")
STATUSES = ("new", "in_progress", "answered", "resolved", "closed", "rejected")
OPEN_STATUSES = ("new", "in_progress")  # the first-answer clock runs
TRANSITIONS = {
    "new": ("in_progress", "answered", "resolved", "closed", "rejected"),
    "in_progress": ("new", "answered", "resolved", "closed", "rejected"),
    "answered": ("in_progress", "resolved", "closed", "rejected"),
    "resolved": ("in_progress",),
    "closed": ("in_progress",),
    "rejected": ("in_progress",),
}
META_LABELS = "web.requests_synced_comment_type_labels"
_TOKEN = re.compile(r"\w{4,}", re.UNICODE)
DUP_WINDOW = timedelta(days=7)
DUP_THRESHOLD = 0.4  # Jaccard of stems, and at least DUP_MIN_SHARED stems in common
DUP_MIN_SHARED = 3


class WorkflowError(ValueError):
    """A change the workflow does not allow (bad status transition, unknown field)."""


def signature(text: str | None) -> frozenset[str]:
    """Crude stems (first 5 letters of words of 4+ letters) for near-duplicate detection."""
    return frozenset(w[:5] for w in _TOKEN.findall((text or "").lower()) if not w.isdigit())


def similar(a: frozenset[str], b: frozenset[str]) -> bool:
    shared = len(a & b)
    return shared >= DUP_MIN_SHARED and shared / len(a | b) >= DUP_THRESHOLD


def _event(conn: Connection, request_id: int, actor: str, action: str, old: Any, new: Any, now: datetime) -> None:
    conn.execute(request_events.insert().values(request_id=request_id, at_utc=now, actor=actor, action=action,
                                                old_value=None if old is None else str(old),
                                                new_value=None if new is None else str(new)))


def sync_requests(conn: Connection, *, now: datetime, sla_hours: float = 24.0, batch: int = 20000) -> dict[str, int]:
    """Create requests for labelled comments that have none yet; mark answered ones.

    Comments are usually imported first and labelled later, so the scan is driven by the labels: it runs
    whenever the number of ``comment_type`` labels changed since the last sync (cheap otherwise)."""
    n_labels = str(conn.execute(select(func.count()).select_from(labels)
                                .where(labels.c.analyzer == "comment_type")).scalar_one())
    created = 0
    if get_meta(conn, META_LABELS) != n_labels:
        created = _create_from_labels(conn, now=now, sla_hours=sla_hours, batch=batch)
        set_meta(conn, META_LABELS, n_labels)
    answered = mark_answered(conn, now=now)
    return {"created": created, "answered": answered}


def _create_from_labels(conn: Connection, *, now: datetime, sla_hours: float, batch: int) -> int:
    created = 0
    last = 0
    recent: dict[tuple, list[tuple[int, datetime, frozenset]]] = defaultdict(list)
    versions = current_versions(conn, ("comment_type", "topic"))
    kind, current_kind = current_labels(versions, "comment_type", "comment")
    topic, current_topic = current_labels(versions, "topic", "comment")
    while True:
        rows = conn.execute(
            select(comments.c.id, comments.c.text, comments.c.published_utc, comments.c.post_id,
                   kind.c.value.label("kind"), posts.c.account_id, accounts.c.official_id)
            .select_from(kind.join(comments, and_(current_kind, kind.c.item_id == comments.c.id))
                         .outerjoin(posts, posts.c.id == comments.c.post_id)
                         .outerjoin(accounts, accounts.c.id == posts.c.account_id))
            .where(kind.c.value.in_(REQUEST_KINDS),
                   comments.c.is_official_reply.is_(False), comments.c.id > last,
                   ~exists().where(requests.c.comment_id == comments.c.id))
            .order_by(comments.c.id).limit(batch)).all()
        if not rows:
            break
        seen: dict[int, Any] = {r.id: r for r in rows}  # one current label per comment: one row each
        ids = list(seen)
        topics = dict(conn.execute(select(topic.c.item_id, topic.c.value)
                                   .where(current_topic, topic.c.item_id.in_(ids))).all())
        existing = {r[0] for r in conn.execute(select(requests.c.comment_id).where(requests.c.comment_id.in_(ids)))}
        start_id = (conn.execute(select(func.max(requests.c.id))).scalar() or 0) + 1
        new_rows = []
        next_id = start_id
        for cid in ids:
            if cid in existing:
                continue
            r = seen[cid]
            published = to_utc(r.published_utc)
            topic = topics.get(cid)
            sig = signature(r.text)
            key = (r.official_id, r.account_id if not r.official_id else None, topic)
            incident = next_id
            if key not in recent:
                recent[key] = _open_incidents(conn, *key)
            bucket = recent[key]
            for inc_id, at, inc_sig in reversed(bucket):
                if abs(published - at) <= DUP_WINDOW and similar(sig, inc_sig):
                    incident = inc_id
                    break
            else:
                bucket.append((next_id, published, sig))
                if len(bucket) > 30:
                    del bucket[0]
            new_rows.append({"id": next_id, "source": "comment", "comment_id": cid, "incident_id": incident,
                             "official_id": r.official_id, "account_id": r.account_id, "post_id": r.post_id,
                             "kind": r.kind, "topic": topic, "description": r.text, "status": "new",
                             "requested_utc": published, "due_utc": published + timedelta(hours=sla_hours),
                             "created_utc": now, "updated_utc": now})
            next_id += 1
        bulk_insert(conn, requests, new_rows)
        if new_rows:
            bulk_insert(conn, request_events, [
                {"request_id": row["id"], "at_utc": now, "actor": "system", "action": "created",
                 "old_value": None, "new_value": f"{row['kind']} from comment {row['comment_id']}"}
                for row in new_rows])
        created += len(new_rows)
        last = max(ids)
        if conn.dialect.name == "postgresql" and new_rows:
            conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('requests', 'id'), "
                                 "(SELECT max(id) FROM requests))")
    return created


def _open_incidents(conn: Connection, official_id, account_id, topic) -> list[tuple[int, datetime, frozenset]]:
    """The latest incidents of one official (or account) and topic, oldest first, for grouping new requests."""
    stmt = (select(requests.c.id, requests.c.requested_utc, requests.c.description)
            .where(requests.c.incident_id == requests.c.id).order_by(requests.c.id.desc()).limit(30))
    stmt = stmt.where(requests.c.official_id == official_id if official_id else requests.c.official_id.is_(None))
    if not official_id:
        stmt = stmt.where(requests.c.account_id == account_id if account_id else requests.c.account_id.is_(None))
    stmt = stmt.where(requests.c.topic == topic if topic else requests.c.topic.is_(None))
    rows = conn.execute(stmt).all()
    return [(r.id, to_utc(r.requested_utc), signature(r.description)) for r in reversed(rows)]


def mark_answered(conn: Connection, *, now: datetime) -> int:
    """Open requests whose comment got an official reply in its thread become ``answered``."""
    reply = comments.alias("reply")
    orig = comments.alias("orig")
    rows = conn.execute(
        select(requests.c.id, requests.c.status, func.min(reply.c.published_utc).label("at"))
        .select_from(requests.join(orig, orig.c.id == requests.c.comment_id)
                     .join(reply, and_(reply.c.platform == orig.c.platform,
                                       reply.c.parent_platform_id == orig.c.platform_id,
                                       reply.c.is_official_reply.is_(True))))
        .where(requests.c.status.in_(OPEN_STATUSES))
        .group_by(requests.c.id, requests.c.status)).all()
    for r in rows:
        conn.execute(requests.update().where(requests.c.id == r.id)
                     .values(status="answered", answered_utc=r.at, updated_utc=now))
        _event(conn, r.id, "system", "status", r.status, "answered", now)
    return len(rows)


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
    row = conn.execute(select(requests).where(requests.c.id == request_id)).first()
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


def update_request(conn: Connection, request_id: int, changes: dict[str, Any], *, actor: str,
                   now: datetime) -> dict[str, Any]:
    """Apply ``status`` / ``department`` / ``notes`` / ``due_utc`` changes; each change is audited."""
    row = conn.execute(select(requests).where(requests.c.id == request_id).with_for_update()).first()
    if row is None:
        raise LookupError(request_id)
    values: dict[str, Any] = {}
    unknown = set(changes) - {"status", "department", "notes", "due_utc"}
    if unknown:
        raise WorkflowError(f"unknown field(s): {', '.join(sorted(unknown))}")
    if "status" in changes and changes["status"] != row.status:
        new = changes["status"]
        if new not in TRANSITIONS.get(row.status, ()):
            raise WorkflowError(f"status cannot change from {row.status} to {new}")
        values["status"] = new
        if new == "answered" and row.answered_utc is None:
            values["answered_utc"] = now
    for field in ("department", "notes"):
        if field in changes:
            value = (changes[field] or "").strip() or None
            if value is not None and len(value) > 5000:
                raise WorkflowError(f"{field} is longer than 5000 characters")
            if value != row._mapping[field]:
                values[field] = value
    if "due_utc" in changes and changes["due_utc"] is not None:
        due = to_utc(changes["due_utc"])
        if row.due_utc is None or due != to_utc(row.due_utc):
            values["due_utc"] = due
    if not values:
        return {}
    conn.execute(requests.update().where(requests.c.id == request_id).values(**values, updated_utc=now))
    for field, value in values.items():
        if field == "answered_utc":
            continue
        old = row._mapping[field]
        if field == "due_utc":
            old, value = iso(old), iso(value)
        _event(conn, request_id, actor, field.replace("_utc", ""), old, value, now)
    return values


def create_request(conn: Connection, *, kind: str, topic: str | None, description: str | None,
                   official_id: str | None, address: str | None, lat: str | None, lon: str | None,
                   requester: dict | None, source: str, actor: str, now: datetime, sla_hours: float,
                   media_post_id: int | None = None) -> int:
    result = conn.execute(requests.insert().values(
        source=source, kind=kind, topic=topic, description=description, official_id=official_id,
        address=address, lat=lat, lon=lon, requester=requester, status="new", post_id=media_post_id,
        requested_utc=now, due_utc=now + timedelta(hours=sla_hours), created_utc=now, updated_utc=now))
    rid = int(result.inserted_primary_key[0])
    conn.execute(requests.update().where(requests.c.id == rid).values(incident_id=rid))
    _event(conn, rid, actor, "created", None, f"{kind} ({source})", now)
    return rid
