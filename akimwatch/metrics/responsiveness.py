"""Responsiveness: who answers citizens, how fast, and what is left unanswered."""

from __future__ import annotations

import math
import statistics
from datetime import datetime
from typing import Any

ASKING = ("request", "question")


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least q% of the values at or below it."""
    if not values:
        return None
    s = sorted(values)
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)]


def compute_responsiveness(agg: list[dict[str, Any]], replies: list[dict[str, Any]], labelled_types: bool,
                           start: datetime | None, inbox_cutoff: datetime | None) -> dict[str, Any]:
    """From the comment aggregates and the threaded official replies of one account (or official).

    A citizen comment counts as answered when an official reply in the period has it as parent and the comment
    itself lies in the period (from ``start``)."""
    citizen = sum(r["n"] for r in agg if not r["official"])
    official = sum(r["n"] for r in agg if r["official"])
    asking = sum(r["n"] for r in agg if not r["official"] and r["ctype"] in ASKING)
    typed = sum(r["n"] for r in agg if not r["official"] and r["ctype"] is not None)
    asking_old = sum(r["n"] for r in agg if not r["official"] and r["ctype"] in ASKING and r["old"])
    # Types count only where this scope's comments actually carry labels; otherwise «not labelled» (None).
    labelled_types = labelled_types and (typed > 0 or citizen == 0)
    first: dict[int, dict[str, Any]] = {}
    for rep in replies:
        if rep["parent_id"] is None or rep["parent_official"] or (start and rep["parent_utc"] < start):
            continue
        cur = first.get(rep["parent_id"])
        if cur is None or rep["published_utc"] < cur["published_utc"]:
            first[rep["parent_id"]] = rep
    delays = [max(0.0, (r["published_utc"] - r["parent_utc"]).total_seconds() / 3600) for r in first.values()]
    answered_asking = sum(1 for r in first.values() if r["parent_ctype"] in ASKING)
    answered_old = sum(1 for r in first.values() if r["parent_ctype"] in ASKING
                       and inbox_cutoff is not None and r["parent_utc"] < inbox_cutoff)
    med = statistics.median(delays) if delays else None
    p90 = percentile(delays, 90)
    return {
        "citizen_comments": citizen,
        "official_replies": official,
        "replied_comments": len(first),
        "replies_without_parent": official - sum(1 for r in replies if r["parent_id"] is not None),
        "reply_rate": round(len(first) / citizen, 4) if citizen else None,
        "comments_typed": typed,
        "requests_questions": asking if labelled_types else None,
        "replied_requests_questions": answered_asking if labelled_types else None,
        "reply_rate_requests": (round(answered_asking / asking, 4) if asking else None) if labelled_types else None,
        "median_reply_hours": round(med, 2) if med is not None else None,
        "p90_reply_hours": round(p90, 2) if p90 is not None else None,
        "unanswered": max(0, asking_old - answered_old) if labelled_types else None,
        "_delays": delays,
    }
