"""Cached aggregates for the pages and the metrics adapter.

Expensive aggregates (overview ranking, per-official charts, topic counts) are computed once per store
state: the result is kept in memory and in the ``web_snapshots`` table together with a fingerprint of the
store (max ids, label count). A request only recomputes when an import or analysis changed the store, and
the fingerprint itself is re-read at most every ``cache_recheck_seconds``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Engine

from akimwatch.store import web_queries as q

log = logging.getLogger(__name__)


def size_of(value: Any) -> int:
    """Bytes a cached value holds, near enough to bound memory: exact for response bodies, a JSON
    estimate for aggregates (computed once per store change)."""
    if isinstance(value, bytes | bytearray | str):
        return len(value) + 64
    if isinstance(value, tuple) and value and isinstance(value[0], bytes | str):
        return len(value[0]) + 64 * len(value)
    try:
        return len(orjson.dumps(value, default=str)) * 2 + 256  # Python objects take ~2x their JSON
    except TypeError:
        return 4096


class SnapshotCache:
    """Values per key and store state, least recently used dropped beyond ``max_bytes``. Per-key locks
    (one computation per key at a time) live only while a computation runs."""

    def __init__(self, engine: Engine, recheck_seconds: float = 30.0, *, max_bytes: int = 32 << 20):
        self.engine = engine
        self.recheck = recheck_seconds
        self.max_bytes = max_bytes
        self._fp: str | None = None
        self._fp_at = 0.0
        self._mem: OrderedDict[str, tuple[str, Any, int]] = OrderedDict()
        self._bytes = 0
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @property
    def bytes_held(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._mem)

    def _lookup(self, key: str) -> tuple[str, Any] | None:
        with self._guard:
            hit = self._mem.get(key)
            if hit is None:
                return None
            self._mem.move_to_end(key)
            return hit[0], hit[1]

    def _store(self, key: str, fp: str, data: Any) -> None:
        size = size_of(data)
        with self._guard:
            old = self._mem.pop(key, None)
            if old is not None:
                self._bytes -= old[2]
            if size > self.max_bytes // 4:
                return  # one huge value would evict everything else; compute it again next time
            self._mem[key] = (fp, data, size)
            self._bytes += size
            while self._bytes > self.max_bytes and self._mem:
                _, (_, _, dropped) = self._mem.popitem(last=False)
                self._bytes -= dropped

    def _lock_for(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def _release(self, key: str, lock: threading.Lock) -> None:
        """Drop the key's lock from the table once nobody holds it (a waiter that took it from the table
        still serialises on it; a newcomer at worst computes the same value once more)."""
        lock.release()
        with self._guard:
            if self._locks.get(key) is lock and not lock.locked():
                del self._locks[key]

    def fingerprint(self) -> str:
        """The store fingerprint; when stale it is refreshed in the background (stale-while-revalidate)."""
        now = time.monotonic()
        if self._fp is None:
            self._refresh_fp()
        elif now - self._fp_at > self.recheck:
            self._fp_at = now  # one refresher at a time
            threading.Thread(target=self._refresh_fp, daemon=True).start()
        return self._fp  # type: ignore[return-value]

    def _refresh_fp(self) -> None:
        try:
            with self.engine.connect() as conn:
                self._fp = q.store_fingerprint(conn)
            self._fp_at = time.monotonic()
        except Exception:  # noqa: BLE001 - keep serving the last known state
            log.exception("could not read the store fingerprint")
            if self._fp is None:
                raise

    def invalidate(self) -> None:
        self._fp = None
        with self._guard:
            self._mem.clear()
            self._bytes = 0

    def get(self, key: str, compute: Callable[[Any], Any], *, persist: bool = True, version: str = "") -> Any:
        """Cached ``compute(conn)``. An outdated value is served while a fresh one is computed in the
        background, so a page never waits for a recomputation once it has been computed once.
        ``version`` adds to the store fingerprint (e.g. a time bucket for figures that age)."""
        fp = self.fingerprint() + version
        hit = self._lookup(key)
        if hit and hit[0] == fp:
            return hit[1]
        lock = self._lock_for(key)
        if hit is not None:
            if lock.acquire(blocking=False):
                threading.Thread(target=self._recompute, args=(key, compute, persist, fp, lock), daemon=True).start()
            return hit[1]
        lock.acquire()
        try:
            hit = self._lookup(key)
            if hit and hit[0] == fp:
                return hit[1]
            return self._compute(key, compute, persist, fp)
        finally:
            self._release(key, lock)

    def _recompute(self, key, compute, persist, fp, lock) -> None:
        try:
            self._compute(key, compute, persist, fp)
        except Exception:  # noqa: BLE001 - the old value keeps being served
            log.exception("background recompute of %s failed", key)
        finally:
            self._release(key, lock)

    def _compute(self, key: str, compute: Callable[[Any], Any], persist: bool, fp: str) -> Any:
        data = None
        if persist:
            with self.engine.connect() as conn:
                stored_fp, stored = q.read_snapshot(conn, key)
            if stored_fp == fp:
                data = stored
        if data is None:
            with self.engine.connect() as conn:
                data = compute(conn)
            if persist:
                try:
                    with self.engine.begin() as conn:
                        q.write_snapshot(conn, key, fp, data, datetime.now(UTC))
                except Exception:  # noqa: BLE001 - a failed cache write must not fail the page
                    log.exception("could not store snapshot %s", key)
        self._store(key, fp, data)
        return data


def _metrics_rows(engine: Engine, period: str) -> tuple[list[dict[str, Any]] | None, str | None]:
    """Every per-official number of the pages, from ``akimwatch.metrics.compute_metrics`` (the JSON contract in
    docs/methodology.md), so the dashboard, the API, the CLI and the report cannot disagree.

    Returns (rows, None), or (None, a one-line reason) when the metrics cannot be computed: the pages then say so
    and show no numbers, rather than numbers counted another way. This is the one place that calls the metrics."""
    from akimwatch.metrics import compute_metrics, parse_period

    try:
        span = None if period in (None, "", "all") else parse_period(period)
        rows = list(compute_metrics(engine, span))
    except Exception as exc:  # noqa: BLE001 - say on the page why there are no figures
        log.exception("compute_metrics failed")
        return None, f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    import orjson

    # snapshots are JSON: drop anything that is not (datetimes become ISO strings)
    return orjson.loads(orjson.dumps(rows, default=str)), None


METRIC_FIELDS = ("score", "rank", "rank_state", "why", "status", "top_topics", "acted_on",
                 "reply_rate", "median_reply_hours", "p90_reply_hours", "unanswered", "components",
                 "posts_per_week", "followers", "engagement_rate", "data_coverage", "removals", "coordination")
# The figures every page and the API show, as the metrics name them: (page/API field, metrics field).
FIGURES = (("posts", "posts"), ("citizen_comments", "citizen_comments"), ("official_replies", "official_replies"),
           ("answered_comments", "replied_comments"), ("answered_share", "reply_rate"))


def ranking(cache: SnapshotCache, period: str = "all") -> dict[str, Any]:
    """Overview rows: who each official is (the store), and every number from the metrics."""

    def compute(conn):
        rows = q.official_identities(conn)
        metrics, error = _metrics_rows(cache.engine, period)
        by_id = {m.get("official_id"): m for m in (metrics or [])}
        for row in rows:
            m = by_id.get(row["id"]) or {}
            for key in METRIC_FIELDS:
                row[key] = m.get(key)
            for field, source in FIGURES:
                row[field] = m.get(source)
            row["last_post_utc"] = (m.get("activity") or {}).get("last_post")
        rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, -(r["answered_share"] or -1),
                                 -(r["posts"] or 0), r["id"]))
        fresh = q.data_freshness(conn)
        totals: dict[str, Any] = {k: (sum(r[k] or 0 for r in rows) if metrics is not None else None)
                                  for k in ("posts", "citizen_comments", "official_replies", "answered_comments")}
        totals["accounts"] = sum(r["accounts"] for r in rows)
        totals["officials"] = len(rows)
        totals["answered_share"] = (totals["answered_comments"] / totals["citizen_comments"]
                                    if totals["citizen_comments"] else None)
        return {"rows": rows, "metrics_available": metrics is not None, "metrics_error": error,
                "freshness": {k: q.iso(v) for k, v in fresh.items()}, "totals": totals,
                "demo": q.get_meta(conn, "dataset") == "demo"}

    return cache.get(f"ranking:{period}", compute)


def official_charts(cache: SnapshotCache, official_id: str) -> dict[str, Any]:
    return cache.get(f"official:{official_id}", lambda conn: q.official_charts(conn, official_id))


def topic_stats(cache: SnapshotCache, *, region: str | None, official_id: str | None, since: str | None,
                until: str | None) -> dict[str, Any]:
    key = f"topics:{region or ''}:{official_id or ''}:{since or ''}:{until or ''}"

    def compute(conn):
        return q.topic_stats(conn, region=region, official_id=official_id,
                             since=datetime.fromisoformat(since) if since else None,
                             until=datetime.fromisoformat(until) if until else None)

    # Only the unfiltered view is persisted; filtered ones live in memory.
    return cache.get(key, compute, persist=not (region or official_id or since or until))


def is_demo(cache: SnapshotCache) -> bool:
    return cache.get("meta:demo", lambda conn: q.get_meta(conn, "dataset") == "demo", persist=False)


def normalised_query(request, known: tuple[str, ...] | None = None) -> str:
    """The query string as a cache key: only the parameters the endpoint reads (``known``, or those its
    route declares), last value of each, sorted — so ``?x=1``, ``?x=2`` ... share one entry instead of
    filling the cache."""
    from urllib.parse import urlencode

    if known is None:
        route = request.scope.get("route")
        dependant = getattr(route, "dependant", None)
        known = tuple(f.alias for f in getattr(dependant, "query_params", ())) if dependant else ()
    params = request.query_params
    return urlencode(sorted((k, params[k]) for k in set(known) if k in params))
