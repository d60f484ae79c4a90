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

from sqlalchemy import Connection

from akimwatch.inbox.queries import (  # noqa: F401 - the reads are the inbox's API too (web_inbox.list_requests …)
    OPEN_STATUSES,
    STATUSES,
    answered_open_requests,
    departments,
    get_request,
    insert_request,
    labelled_comment_count,
    list_requests,
    next_request_id,
    open_incidents,
    request_candidates,
    request_events_for,
    request_row,
    save_event,
    save_requests,
    set_request_values,
    status_counts,
)
from akimwatch.models import to_utc
from akimwatch.store.meta import get_meta, set_meta
from akimwatch.store.web_queries import iso

REQUEST_KINDS = ("complaint", "request", "question")
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


def sync_requests(conn: Connection, *, now: datetime, sla_hours: float = 24.0, batch: int = 20000) -> dict[str, int]:
    """Create requests for labelled comments that have none yet; mark answered ones.

    Comments are usually imported first and labelled later, so the scan is driven by the labels: it runs
    whenever the number of ``comment_type`` labels changed since the last sync (cheap otherwise)."""
    n_labels = str(labelled_comment_count(conn))
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
    while True:
        rows = request_candidates(conn, REQUEST_KINDS, last, batch)
        if not rows:
            break
        new_rows = []
        next_id = next_request_id(conn)
        for r in rows:
            published = to_utc(r.published_utc)
            sig = signature(r.text)
            key = (r.official_id, r.account_id if not r.official_id else None, r.topic)
            incident = next_id
            if key not in recent:
                recent[key] = [(i.id, to_utc(i.requested_utc), signature(i.description))
                               for i in open_incidents(conn, *key)]
            bucket = recent[key]
            for inc_id, at, inc_sig in reversed(bucket):
                if abs(published - at) <= DUP_WINDOW and similar(sig, inc_sig):
                    incident = inc_id
                    break
            else:
                bucket.append((next_id, published, sig))
                if len(bucket) > 30:
                    del bucket[0]
            new_rows.append({"id": next_id, "source": "comment", "comment_id": r.id, "incident_id": incident,
                             "official_id": r.official_id, "account_id": r.account_id, "post_id": r.post_id,
                             "kind": r.kind, "topic": r.topic, "description": r.text, "status": "new",
                             "requested_utc": published, "due_utc": published + timedelta(hours=sla_hours),
                             "created_utc": now, "updated_utc": now})
            next_id += 1
        save_requests(conn, new_rows, [
            {"request_id": row["id"], "at_utc": now, "actor": "system", "action": "created",
             "old_value": None, "new_value": f"{row['kind']} from comment {row['comment_id']}"} for row in new_rows])
        created += len(new_rows)
        last = rows[-1].id
    return created


def mark_answered(conn: Connection, *, now: datetime) -> int:
    """Open requests whose comment got an official reply in its thread become ``answered``."""
    rows = answered_open_requests(conn)
    for r in rows:
        set_request_values(conn, r.id, status="answered", answered_utc=r.at, updated_utc=now)
        save_event(conn, r.id, "system", "status", r.status, "answered", now)
    return len(rows)


def update_request(conn: Connection, request_id: int, changes: dict[str, Any], *, actor: str,
                   now: datetime) -> dict[str, Any]:
    """Apply ``status`` / ``department`` / ``notes`` / ``due_utc`` changes; each change is audited."""
    row = request_row(conn, request_id, for_update=True)
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
    set_request_values(conn, request_id, **values, updated_utc=now)
    for field, value in values.items():
        if field == "answered_utc":
            continue
        old = row._mapping[field]
        if field == "due_utc":
            old, value = iso(old), iso(value)
        save_event(conn, request_id, actor, field.replace("_utc", ""), old, value, now)
    return values


def create_request(conn: Connection, *, kind: str, topic: str | None, description: str | None,
                   official_id: str | None, address: str | None, lat: str | None, lon: str | None,
                   requester: dict | None, source: str, actor: str, now: datetime, sla_hours: float,
                   media_post_id: int | None = None) -> int:
    rid = insert_request(conn, source=source, kind=kind, topic=topic, description=description,
                         official_id=official_id, address=address, lat=lat, lon=lon, requester=requester,
                         status="new", post_id=media_post_id, requested_utc=now,
                         due_utc=now + timedelta(hours=sla_hours), created_utc=now, updated_utc=now)
    save_event(conn, rid, actor, "created", None, f"{kind} ({source})", now)
    return rid
