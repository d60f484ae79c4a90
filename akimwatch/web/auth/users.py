"""Users, sessions and API keys for the web app.

Passwords: argon2id (argon2-cffi). Session cookies and API keys are random 256-bit secrets; only their
SHA-256 is stored, so a copy of the database does not let anyone sign in.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from akimwatch.models import to_utc
from akimwatch.store.web_queries import iso
from akimwatch.web.auth import queries as q

ROLES = ("viewer", "editor", "admin")
SCOPES = ("read", "requests:write")


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def add_user(conn: Connection, username: str, password: str, role: str, *, now: datetime) -> int:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if not username or len(username) > 100:
        raise ValueError("user name must be 1-100 characters")
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    if q.user_row(conn, username) is not None:
        raise ValueError(f"user {username!r} already exists")
    return q.insert_user(conn, username=username, password_hash=_hasher().hash(password), role=role,
                         created_utc=now)


def set_password(conn: Connection, username: str, password: str) -> None:
    q.set_password_hash(conn, username, _hasher().hash(password))


def list_users(conn: Connection) -> list[dict[str, Any]]:
    return [{"id": r.id, "username": r.username, "role": r.role, "disabled": bool(r.disabled),
             "created_utc": iso(r.created_utc)}
            for r in q.user_rows(conn)]


_DUMMY_HASH: str | None = None


def check_password(conn: Connection, username: str, password: str) -> dict[str, Any] | None:
    """The user if the password matches; a dummy verification keeps timing alike for unknown names."""
    global _DUMMY_HASH
    from argon2.exceptions import InvalidHashError, VerificationError

    row = q.user_row(conn, username)
    ph = _hasher()
    if row is None or row.disabled:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = ph.hash("dummy-password")
        with contextlib.suppress(VerificationError):
            ph.verify(_DUMMY_HASH, password + "x")
        return None
    try:
        ph.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return {"id": row.id, "username": row.username, "role": row.role}


def create_session(conn: Connection, user_id: int, *, now: datetime, hours: float = 12) -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    q.insert_session(conn, token_hash=sha256(token), user_id=user_id, csrf_token=csrf, created_utc=now,
                     expires_utc=now + timedelta(hours=hours))
    return token, csrf


def session_user(conn: Connection, token: str, *, now: datetime) -> dict[str, Any] | None:
    row = q.session_row(conn, sha256(token))
    if row is None or row.disabled or to_utc(row.expires_utc) < now:
        return None
    return {"id": row.id, "username": row.username, "role": row.role, "csrf": row.csrf_token}


def delete_session(conn: Connection, token: str) -> None:
    q.delete_session_row(conn, sha256(token))


def create_api_key(conn: Connection, name: str, scopes: list[str], *, user_id: int | None,
                   now: datetime) -> str:
    bad = [s for s in scopes if s not in SCOPES]
    if bad or not scopes:
        raise ValueError(f"scopes must be among {', '.join(SCOPES)}")
    prefix = secrets.token_hex(4)
    key = f"aw_{prefix}_{secrets.token_urlsafe(32)}"
    q.insert_api_key(conn, key_hash=sha256(key), prefix=prefix, name=name[:200],
                     scopes=" ".join(sorted(set(scopes))), user_id=user_id, created_utc=now)
    return key


def api_key_info(conn: Connection, key: str, *, now: datetime) -> dict[str, Any] | None:
    if not key or len(key) > 200:
        return None
    row = q.api_key_row(conn, sha256(key))
    if row is None or row.revoked_utc is not None:
        return None
    q.touch_api_key(conn, row.id, now)
    return {"id": row.id, "prefix": row.prefix, "name": row.name, "scopes": set(row.scopes.split())}


def list_api_keys(conn: Connection) -> list[dict[str, Any]]:
    return [{"id": r.id, "prefix": r.prefix, "name": r.name, "scopes": r.scopes,
             "created_utc": iso(r.created_utc), "revoked_utc": iso(r.revoked_utc),
             "last_used_utc": iso(r.last_used_utc)}
            for r in q.api_key_rows(conn)]


def revoke_api_key(conn: Connection, key_id: int, *, now: datetime) -> bool:
    return q.revoke_api_key_row(conn, key_id, now)
