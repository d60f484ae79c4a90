"""Coverage: the span of time and the streams an account's data really cover, so that nothing is concluded outside.

A full export (Instagram «Download your information», Telegram Desktop, a VK or X dump …) covers the account's
history from its first post up to the end of the data; a preview page (``t.me/s/<channel>``) covers only the days
of the posts it shows; a harvest covers its posts up to the moment it looked. Silences, rates, statuses and ranks
are computed inside these spans only, and an account whose spans add up to fewer than
``activity.min_coverage_days`` is ``thin``: its silence and status are withheld (the reports say «data for 1 day —
no conclusions»).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

# Formats that show a window of recent posts rather than the account's history.
PREVIEW_FORMATS = frozenset({"telegram_preview"})
Span = tuple[datetime, datetime]


def stream_of(row: dict[str, Any]) -> str:
    """``export`` (full history), ``preview`` (a page of recent posts) or ``harvest`` (a live collector)."""
    if row.get("kind") == "harvest":
        return "harvest"
    return "preview" if row.get("format") in PREVIEW_FORMATS else "export"


def merge_spans(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def covered_seconds(a: datetime, b: datetime, spans: list[Span]) -> float:
    """How much of [a, b] lies inside the (merged) spans."""
    return sum(max(0.0, (min(b, y) - max(a, x)).total_seconds()) for x, y in spans)


def compute_data_coverage(rows: list[dict[str, Any]], post_times: list[datetime], posts_before: int,
                          start: datetime | None, as_of: datetime | None, min_days: float) -> dict[str, Any]:
    """The merged spans of one account (or of an official's accounts) inside the period, and whether they suffice.

    ``rows`` are the stored spans (store/metrics_queries.py ``coverage_rows``); without any (posts that came in
    some other way) the posts themselves stand for a full export, as before coverage was stored."""
    spans: list[Span] = []
    streams: set[str] = set()
    for r in rows:
        kind = stream_of(r)
        streams.add(kind)
        a, b = r["start_utc"], r["end_utc"]
        if kind == "export" and as_of is not None:
            b = max(b, as_of)
        elif kind == "harvest" and r.get("taken_utc") is not None:
            b = max(b, r["taken_utc"])  # the collector looked up to then and found nothing newer
        spans.append((a, b))
    if not rows and post_times:
        streams.add("export")
        first = start if (posts_before and start is not None) else min(post_times)
        spans.append((first, max(as_of or max(post_times), max(post_times))))
    clipped = []
    for a, b in spans:
        a = max(a, start) if start is not None else a
        b = min(b, as_of) if as_of is not None and b > as_of else b
        if b >= a:
            clipped.append((a, b))
    merged = merge_spans(clipped)
    if not merged:  # stored spans all outside the period: nothing to judge there either
        return {"state": "thin" if streams else "none", "start": None, "end": None, "days": 0,
                "streams": sorted(streams), "spans": []}
    seconds = sum((b - a).total_seconds() for a, b in merged)
    days = max(1, math.ceil(seconds / 86400 - 1e-9))
    return {"state": "thin" if days < min_days else "full", "start": merged[0][0].isoformat(),
            "end": merged[-1][1].isoformat(), "days": days, "streams": sorted(streams),
            "spans": [[a.isoformat(), b.isoformat()] for a, b in merged]}


def spans_of(coverage: dict[str, Any]) -> list[Span]:
    return [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in coverage.get("spans") or []]


def merge_coverages(coverages: list[dict[str, Any]], min_days: float) -> dict[str, Any]:
    """An official's coverage: the union of his accounts' spans."""
    merged = merge_spans([s for c in coverages for s in spans_of(c)])
    streams = sorted({s for c in coverages for s in c.get("streams") or []})
    if not merged:
        return {"state": "none", "start": None, "end": None, "days": 0, "streams": streams, "spans": []}
    days = max(1, math.ceil(sum((b - a).total_seconds() for a, b in merged) / 86400 - 1e-9))
    return {"state": "thin" if days < min_days else "full", "start": merged[0][0].isoformat(),
            "end": merged[-1][1].isoformat(), "days": days, "streams": streams,
            "spans": [[a.isoformat(), b.isoformat()] for a, b in merged]}
