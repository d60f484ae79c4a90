"""Label what the store holds: every comment (four labels) and every post (language, topic).

Idempotent: an item is labelled by an analyzer only if the ``labels`` table has no row for (item, analyzer,
current version), so a second run labels nothing and a retrained model re-labels everything once. Official replies
(``is_official_reply``) are not citizen comments: they get language and topic only, like posts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine, and_, delete, func, select

from akimwatch.analysis.base import ANALYZERS, get_analyzer
from akimwatch.store.schema import comments, labels, posts

BATCH = 2000
POST_ANALYZERS = ("language", "topic")
OFFICIAL_ANALYZERS = ("language", "topic")


def _existing(conn, kind: str, name: str, version: str, ids: Sequence[int] | None = None) -> set[int]:
    q = select(labels.c.item_id).where(
        labels.c.item_kind == kind, labels.c.analyzer == name, labels.c.version == version
    )
    if ids is not None:
        q = q.where(labels.c.item_id.in_(ids))
    return {row[0] for row in conn.execute(q)}


def _items(conn, table, since: datetime | None, with_official: bool,
           ids: Sequence[int] | None = None) -> Iterator[tuple[int, str, bool]]:
    cols = [table.c.id, table.c.text] + ([table.c.is_official_reply] if with_official else [])
    q = select(*cols).order_by(table.c.id)
    if since is not None:
        q = q.where(table.c.published_utc >= since)
    if ids is not None:
        q = q.where(table.c.id.in_(ids))
    for row in conn.execute(q):
        yield row[0], row[1] or "", bool(row[2]) if with_official else False


def _count(conn, table, since: datetime | None, ids: Sequence[int] | None = None) -> int:
    q = select(func.count()).select_from(table)
    if since is not None:
        q = q.where(table.c.published_utc >= since)
    if ids is not None:
        q = q.where(table.c.id.in_(ids))
    return int(conn.execute(q).scalar_one())


def run_analysis(
    engine: Engine, since: datetime | None = None, relabel: bool = False, progress: bool = True,
    items: Mapping[str, Sequence[int]] | None = None,
) -> dict:
    """Label items missing a label from the current analyzer versions; returns counts per kind and analyzer.

    ``since`` limits the run to items published at or after it (UTC); ``relabel`` drops and rewrites the current
    version's labels for the items in scope. ``items`` (kind → ids, e.g. ``{"comment": [...]}``) limits the
    run to those items — one analysis job of a worker (akimwatch.jobs) is one such batch.
    """
    from akimwatch.analysis.heads import label_all

    analyzers = {name: get_analyzer(name) for name in ANALYZERS}
    versions = {name: a.version for name, a in analyzers.items()}
    counts: dict[str, dict[str, int]] = {
        "comment": dict.fromkeys(ANALYZERS, 0),
        "post": dict.fromkeys(POST_ANALYZERS, 0),
    }
    jobs = tuple(job for job in (("comment", comments, ANALYZERS), ("post", posts, POST_ANALYZERS))
                 if items is None or job[0] in items)
    scope = {kind: (None if items is None else list(items[kind])) for kind, _, _ in jobs}

    with engine.begin() as conn:
        totals = {kind: _count(conn, table, since, scope[kind]) for kind, table, _ in jobs}
    bar = _progress(progress)
    with bar:
        for kind, table, names in jobs:
            task = bar.add_task(f"labelling {kind}s", total=totals[kind])
            with engine.begin() as conn:
                if relabel:
                    in_scope = select(table.c.id)
                    if since is not None:
                        in_scope = in_scope.where(table.c.published_utc >= since)
                    if scope[kind] is not None:
                        in_scope = in_scope.where(table.c.id.in_(scope[kind]))
                    for name in names:
                        conn.execute(
                            delete(labels).where(
                                and_(
                                    labels.c.item_kind == kind,
                                    labels.c.analyzer == name,
                                    labels.c.version == versions[name],
                                    labels.c.item_id.in_(in_scope),
                                )
                            )
                        )
                done = {name: _existing(conn, kind, name, versions[name], scope[kind]) for name in names}
                rows_in = list(_items(conn, table, since, with_official=kind == "comment", ids=scope[kind]))
            for start in range(0, len(rows_in), BATCH):
                chunk = rows_in[start : start + BATCH]
                todo = []
                for item_id, text, official in chunk:
                    allowed = OFFICIAL_ANALYZERS if official else names
                    need = [n for n in allowed if item_id not in done[n]]
                    if need:
                        todo.append((item_id, text, need))
                if todo:
                    result = label_all([t for _, t, _ in todo])
                    now = datetime.now(UTC)
                    rows = []
                    for i, (item_id, _, need) in enumerate(todo):
                        for name in need:
                            lab = result[name][i]
                            rows.append(
                                {
                                    "item_kind": kind,
                                    "item_id": item_id,
                                    "analyzer": name,
                                    "version": versions[name],
                                    "value": lab.value,
                                    "confidence": lab.confidence,
                                    "extra": lab.extra,
                                    "created_utc": now,
                                }
                            )
                            counts[kind][name] += 1
                    with engine.begin() as conn:
                        conn.execute(labels.insert(), rows)
                bar.advance(task, len(chunk))
    total = sum(sum(v.values()) for v in counts.values())
    return {"labelled": total, "versions": versions, **counts}


def _progress(enabled: bool):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        disable=not enabled,
        transient=False,
    )
