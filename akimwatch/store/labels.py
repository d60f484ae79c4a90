"""The one reader of labels: which version of each analyzer is current, and its rows only.

``labels`` keeps every version an analyzer ever wrote (key: item, analyzer, version), so a retrain adds a second
row per item. Every consumer — metrics, reports, web pages, API, inbox, alerts — reads through this module, so
a retrain never counts an item twice and every reader agrees on which version is current:

- the current version of an analyzer is the newest one present in the store, versions compared number by
  number (``topic-2026.11-10`` is newer than ``topic-2026.11-9``; string order says the opposite);
- one version per analyzer for the whole store (one tier): items the current version has not labelled yet
  read as «not labelled», never as a mix of an old model's and a new model's answers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, false, func, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Alias

from akimwatch.store.schema import comments, labels

Versions = dict[str, str]


def version_key(version: str) -> tuple:
    """Sort key comparing the numbers inside a version as numbers: '-10' after '-9', '2026.11-2' after '2026.9-5'."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", version) if p != "")


def _distinct(conn: Connection, col: Any, *where: ColumnElement[bool]) -> list[str]:
    """The distinct values of an indexed column, walked one ``min(col) > last`` probe at a time (no scan)."""
    out: list[str] = []
    while True:
        stmt = select(func.min(col)).where(*where)
        if out:
            stmt = stmt.where(col > out[-1])
        value = conn.execute(stmt).scalar_one_or_none()
        if value is None:
            return out
        out.append(value)


def current_versions(conn: Connection, analyzers: Iterable[str] | None = None) -> Versions:
    """The current (newest, numerically compared) version of each analyzer present in ``labels``.

    Walks the (analyzer, version, value) index one distinct version at a time, so it costs a few index probes,
    not a scan of millions of label rows. ``analyzers`` None: every analyzer in the store.
    """
    out: Versions = {}
    for name in _distinct(conn, labels.c.analyzer) if analyzers is None else analyzers:
        versions = _distinct(conn, labels.c.version, labels.c.analyzer == name)
        if versions:
            out[name] = max(versions, key=version_key)
    return out


def current_labels(versions: Versions, analyzer: str, item_kind: str,
                   name: str | None = None) -> tuple[Alias, ColumnElement[bool]]:
    """``labels`` aliased, and the condition that keeps only the current version of ``analyzer`` on ``item_kind``.

    Join it as ``frm.join(lab, and_(cond, lab.c.item_id == <item id column>))`` (or ``outerjoin`` to keep the
    unlabelled items). When the analyzer has never run the condition is false: nothing counts as labelled.
    """
    lab = labels.alias(name or f"cur_{item_kind}_{analyzer}")
    if analyzer not in versions:
        return lab, false()
    return lab, and_(lab.c.item_kind == item_kind, lab.c.analyzer == analyzer, lab.c.version == versions[analyzer])


def labels_of_items(conn: Connection, item_kind: str, ids: Sequence[int],
                    versions: Versions | None = None) -> dict[int, dict[str, dict[str, Any]]]:
    """The current label of every analyzer per item: ``{item_id: {analyzer: {value, confidence, version}}}``."""
    out: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    if not ids:
        return out
    versions = current_versions(conn) if versions is None else versions
    if not versions:
        return out
    ids = list(ids)
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for r in conn.execute(select(labels.c.item_id, labels.c.analyzer, labels.c.version, labels.c.value,
                                     labels.c.confidence)
                              .where(labels.c.item_kind == item_kind, labels.c.item_id.in_(chunk),
                                     _any_current(versions))):
            out[r.item_id][r.analyzer] = {"value": r.value, "confidence": r.confidence, "version": r.version}
    return out


def _any_current(versions: Versions) -> ColumnElement[bool]:
    return or_(*[and_(labels.c.analyzer == a, labels.c.version == v) for a, v in sorted(versions.items())])


def count_labels(conn: Connection, analyzer: str, versions: Versions | None = None) -> int:
    """How many items carry the current label of ``analyzer`` (changes when the analysis labels more)."""
    versions = current_versions(conn, [analyzer]) if versions is None else versions
    if analyzer not in versions:
        return 0
    return int(conn.execute(select(func.count()).select_from(labels)
                            .where(labels.c.analyzer == analyzer, labels.c.version == versions[analyzer]))
               .scalar_one())


def topic_counts_between(conn: Connection, start: datetime, end: datetime) -> dict[str, int]:
    """Comments per current topic label, published in [start, end) (the topic-spike alert)."""
    versions = current_versions(conn, ["topic"])
    lab, cond = current_labels(versions, "topic", "comment")
    stmt = (select(lab.c.value, func.count())
            .select_from(lab.join(comments, and_(cond, comments.c.id == lab.c.item_id)))
            .where(comments.c.published_utc >= start, comments.c.published_utc < end)
            .group_by(lab.c.value))
    return {value: int(n) for value, n in conn.execute(stmt)}
