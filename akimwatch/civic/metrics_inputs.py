"""The store inputs of the civic metrics, read once per ``compute_metrics`` run and grouped by account."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection

from akimwatch.civic import queries as q


def load_removals(conn: Connection, acc_ids: Sequence[str], period: q.Period,
                  by_account: Callable[[list], dict[str, list]]) -> dict[str, Any]:
    """``removal_counts`` and ``removed_rows`` per account, and the set of re-checked accounts."""
    versions = q.civic_label_versions(conn)
    counts = q.removal_counts(conn, acc_ids, period, versions)
    marked = {r["account_id"] for r in counts if r["removed"]}
    return {"removal_counts": by_account(counts),
            "removed_rows": by_account(q.removed_comments(conn, acc_ids, period, versions) if marked else []),
            "rechecked": q.rechecked_accounts(conn, acc_ids) | marked}


def load_coordination(conn: Connection, acc_ids: Sequence[str], period: q.Period,
                      by_account: Callable[[list], dict[str, list]]) -> dict[str, Any]:
    """``praise_rows`` per account: praise by single-minded authors (≥ 2 comments, all praise, one official)."""
    versions = q.civic_label_versions(conn)
    rows = q.praise_comments(conn, acc_ids, period, versions)
    return {"praise_rows": by_account(rows), "single_minded": {"*": {r["author"] for r in rows}}}
