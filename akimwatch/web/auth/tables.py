"""The web application's sign-in tables: users, sessions, API keys (only hashes of secrets are stored).

Declared on the store's shared ``metadata`` (akimwatch/store/metadata.py lists this module); created by
migration ``0005_web``.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
)

from akimwatch.store.metadata import UtcDateTime, metadata

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
