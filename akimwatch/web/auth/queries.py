"""Every read and write of the sign-in tables (SQL stays here; hashing and the rules are in users.py).
Only hashes of secrets ever reach these functions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from akimwatch.web.auth.tables import api_keys, sessions, users


def user_row(conn: Connection, username: str) -> Any:
    return conn.execute(select(users).where(users.c.username == username)).first()


def user_rows(conn: Connection) -> list[Any]:
    return conn.execute(select(users).order_by(users.c.username)).all()


def insert_user(conn: Connection, **values: Any) -> int:
    return int(conn.execute(users.insert().values(**values)).inserted_primary_key[0])


def set_password_hash(conn: Connection, username: str, password_hash: str) -> None:
    conn.execute(users.update().where(users.c.username == username).values(password_hash=password_hash))


def insert_session(conn: Connection, **values: Any) -> None:
    conn.execute(sessions.insert().values(**values))


def session_row(conn: Connection, token_hash: str) -> Any:
    """The session with its user (csrf_token, expires_utc, id, username, role, disabled), or None."""
    return conn.execute(select(sessions.c.csrf_token, sessions.c.expires_utc, users.c.id, users.c.username,
                               users.c.role, users.c.disabled)
                        .join(users, users.c.id == sessions.c.user_id)
                        .where(sessions.c.token_hash == token_hash)).first()


def delete_session_row(conn: Connection, token_hash: str) -> None:
    conn.execute(sessions.delete().where(sessions.c.token_hash == token_hash))


def insert_api_key(conn: Connection, **values: Any) -> None:
    conn.execute(api_keys.insert().values(**values))


def api_key_row(conn: Connection, key_hash: str) -> Any:
    return conn.execute(select(api_keys).where(api_keys.c.key_hash == key_hash)).first()


def touch_api_key(conn: Connection, key_id: int, now: datetime) -> None:
    conn.execute(api_keys.update().where(api_keys.c.id == key_id).values(last_used_utc=now))


def api_key_rows(conn: Connection) -> list[Any]:
    return conn.execute(select(api_keys).order_by(api_keys.c.id.desc())).all()


def revoke_api_key_row(conn: Connection, key_id: int, now: datetime) -> bool:
    res = conn.execute(api_keys.update().where(api_keys.c.id == key_id, api_keys.c.revoked_utc.is_(None))
                       .values(revoked_utc=now))
    return res.rowcount > 0
