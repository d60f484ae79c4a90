"""The inbox's reads for other features (alerts): SQL of the inbox lives in the inbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from akimwatch.inbox.tables import requests


def overdue_by_official(conn: Connection, now: datetime, open_statuses: Sequence[str]) -> list[Any]:
    """(official_id, n, oldest due) of open requests past their due time and not answered, per official."""
    when = now.astimezone(UTC).replace(tzinfo=None) if conn.dialect.name == "sqlite" else now
    return conn.execute(
        select(requests.c.official_id, func.count().label("n"), func.min(requests.c.due_utc).label("oldest"))
        .where(requests.c.due_utc.is_not(None), requests.c.due_utc < when, requests.c.answered_utc.is_(None),
               requests.c.status.in_(list(open_statuses)))
        .group_by(requests.c.official_id).order_by(requests.c.official_id)).all()
