"""The inbox's tables: citizen requests (made from labelled comments or entered by hand) and their audit log.

Declared on the store's shared ``metadata`` (akimwatch/store/metadata.py lists this module, so Alembic and the
schema checks see it); created by migration ``0005_web``.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from akimwatch.store.metadata import UtcDateTime, metadata

# One row per citizen request: a labelled comment (complaint / request / question) or a manual entry.
requests = Table(
    "requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(20), nullable=False),  # comment | manual | open311
    Column("comment_id", Integer, ForeignKey("comments.id", ondelete="SET NULL"), unique=True),
    Column("incident_id", Integer),  # id of the first request of a group of near-duplicates
    Column("official_id", String(100)),
    Column("account_id", String(200)),
    Column("post_id", Integer),
    Column("kind", String(20), nullable=False),  # complaint | request | question
    Column("topic", String(40)),
    Column("description", Text),
    Column("address", Text),
    Column("lat", String(30)),
    Column("lon", String(30)),
    Column("requester", JSON),  # manual entries only (name/phone/e-mail); never published
    Column("status", String(20), nullable=False, server_default="new"),
    Column("department", Text),
    Column("notes", Text),
    Column("requested_utc", UtcDateTime, nullable=False),
    Column("due_utc", UtcDateTime),
    Column("answered_utc", UtcDateTime),
    Column("created_utc", UtcDateTime, nullable=False),
    Column("updated_utc", UtcDateTime, nullable=False),
    Index(None, "status", "id"),
    Index(None, "official_id", "id"),
    Index(None, "incident_id"),
    Index(None, "requested_utc"),
)

request_events = Table(
    "request_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", Integer, ForeignKey("requests.id", ondelete="CASCADE"), nullable=False),
    Column("at_utc", UtcDateTime, nullable=False),
    Column("actor", Text, nullable=False),  # user name, "api-key:<prefix>" or "system"
    Column("action", String(40), nullable=False),  # created | status | department | notes | due
    Column("old_value", Text),
    Column("new_value", Text),
    Index(None, "request_id", "at_utc"),
)
