"""Tables of the web application: users, sessions, API keys, the inbox (requests + audit log), cached
snapshots. Declared on the shared ``metadata`` so Alembic sees them; created by migration ``0005_web``.

Full-text search over comment text is not a table here: SQLite gets an FTS5 virtual table
``comments_fts`` (external content, kept in step by triggers), PostgreSQL gets GIN expression indexes on
``to_tsvector('russian', text)`` and ``to_tsvector('simple', text)`` (Kazakh has no stemmer: 'simple').
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from akimwatch.store.schema import UtcDateTime, metadata

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(20), nullable=False),  # viewer | editor | admin
    Column("disabled", Boolean, nullable=False, server_default="0"),
    Column("created_utc", UtcDateTime, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the cookie value
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_utc", UtcDateTime, nullable=False),
    Column("expires_utc", UtcDateTime, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key_hash", String(64), nullable=False, unique=True),  # sha256 of the secret key
    Column("prefix", String(20), nullable=False),  # shown in the UI to recognise a key
    Column("name", Text, nullable=False),
    Column("scopes", Text, nullable=False),  # space separated: read requests:write
    Column("user_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_utc", UtcDateTime, nullable=False),
    Column("revoked_utc", UtcDateTime),
    Column("last_used_utc", UtcDateTime),
)

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

# Precomputed aggregates (overview ranking, topic counts, per-official charts) so pages stay cheap.
web_snapshots = Table(
    "web_snapshots",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("computed_utc", UtcDateTime, nullable=False),
    Column("fingerprint", Text),  # what the store looked like when computed
    Column("data", JSON),
)
