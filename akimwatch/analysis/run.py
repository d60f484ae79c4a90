"""Label what the store holds: every comment (four labels) and every post (language, topic).

Idempotent: an item is labelled by an analyzer only if the ``labels`` table has no row for (item, analyzer,
current version), so a second run labels nothing and a retrained model (or another tier) re-labels everything once.
Official replies (``is_official_reply``) are not citizen comments: they get language and topic only, like posts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine, and_, delete, func, select

from akimwatch.analysis.base import DEFAULT_TIER, Batch, label_batch, registry
from akimwatch.store.schema import comments, labels, posts

BATCH = 2000


def _existing(conn, kind: str, name: str, version: str) -> set[int]:
    q = select(labels.c.item_id).where(
        labels.c.item_kind == kind, labels.c.analyzer == name, labels.c.version == version
    )
    return {row[0] for row in conn.execute(q)}


def _items(conn, kind: str, since: datetime | None,
           ids: Sequence[int] | None = None) -> Iterator[tuple[int, str, str, bool]]:
    """(id, text, item kind for the registry, is_repost) of every comment or post in scope."""
    table = comments if kind == "comment" else posts
    flag = table.c.is_official_reply if kind == "comment" else table.c.is_repost
    q = select(table.c.id, table.c.text, flag).order_by(table.c.id)
    if since is not None:
        q = q.where(table.c.published_utc >= since)
    if ids is not None:
        q = q.where(table.c.id.in_(ids))
    for item_id, text, f in conn.execute(q):
        if kind == "comment":
            yield item_id, text or "", "official_reply" if f else "comment", False
        else:
            yield item_id, text or "", "post", bool(f)


def _count(conn, table, since: datetime | None, ids: Sequence[int] | None = None) -> int:
    if ids is not None:
        return len(ids)
    q = select(func.count()).select_from(table)
    if since is not None:
        q = q.where(table.c.published_utc >= since)
    return int(conn.execute(q).scalar_one())


def run_analysis(
    engine: Engine,
    since: datetime | None = None,
    relabel: bool = False,
    progress: bool = True,
    tier: str = DEFAULT_TIER,
    names: Sequence[str] | None = None,
    items: Mapping[str, Sequence[int]] | None = None,
) -> dict:
    """Label items missing a label from the current analyzer versions of ``tier``; returns counts per kind.

    ``since`` limits the run to items published at or after it (UTC); ``relabel`` drops and rewrites the current
    version's labels for the items in scope; ``names`` limits the run to some analyzers (e.g. ``("voice",)``).
    Which analyzer labels which item comes from the registry (``Analyzer.applies_to``): citizen comments get
    the four comment labels, official replies and posts language and topic, posts also voice. ``items``
    (kind → ids, e.g. ``{"comment": [...]}``) limits the run to those items — one analysis job of a worker
    (akimwatch.jobs) is one such batch.
    """
    reg = registry(tier)
    chosen = [reg[n] for n in (names or reg)]
    versions = {a.name: a.version for a in chosen}
    jobs = {
        "comment": [a for a in chosen if {"comment", "official_reply"} & set(a.applies_to)],
        "post": [a for a in chosen if "post" in a.applies_to],
    }
    if items is not None:
        jobs = {kind: job for kind, job in jobs.items() if kind in items}
    scope_ids = {kind: (None if items is None else list(items[kind])) for kind in jobs}
    counts: dict[str, dict[str, int]] = {kind: {a.name: 0 for a in job} for kind, job in jobs.items()}
    with engine.begin() as conn:
        totals = {kind: _count(conn, comments if kind == "comment" else posts, since, scope_ids[kind])
                  for kind in jobs}
    bar = _progress(progress)
    with bar:
        for kind, job in jobs.items():
            if not job:
                continue
            table = comments if kind == "comment" else posts
            task = bar.add_task(f"labelling {kind}s", total=totals[kind])
            with engine.begin() as conn:
                if relabel:
                    scope = select(table.c.id)
                    if since is not None:
                        scope = scope.where(table.c.published_utc >= since)
                    if scope_ids[kind] is not None:
                        scope = scope.where(table.c.id.in_(scope_ids[kind]))
                    for a in job:
                        conn.execute(
                            delete(labels).where(
                                and_(
                                    labels.c.item_kind == kind,
                                    labels.c.analyzer == a.name,
                                    labels.c.version == a.version,
                                    labels.c.item_id.in_(scope),
                                )
                            )
                        )
                done = {a.name: _existing(conn, kind, a.name, a.version) for a in job}
                rows_in = list(_items(conn, kind, since, scope_ids[kind]))
            for start in range(0, len(rows_in), BATCH):
                chunk = rows_in[start : start + BATCH]
                todo = []
                for item_id, text, item_kind, repost in chunk:
                    need = [a.name for a in job if item_kind in a.applies_to and item_id not in done[a.name]]
                    if need:
                        todo.append((item_id, text, repost, need))
                if todo:
                    batch = Batch([t for _, t, _, _ in todo], reposts=[r for _, _, r, _ in todo])
                    wanted = sorted({n for *_, need in todo for n in need}, key=list(versions).index)
                    result = label_batch(batch, wanted, tier)
                    now = datetime.now(UTC)
                    rows = []
                    for i, (item_id, _, _, need) in enumerate(todo):
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
    return {"labelled": total, "versions": versions, "tier": tier, **counts}


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
