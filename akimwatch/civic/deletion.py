"""Deleted criticism («Politwoops for comments»): do citizen comments that criticise disappear more than praise?

Pure arithmetic over per-account aggregates (``queries.removal_counts``) and the delays of removed comments
(``queries.removal_delays``). A comment counts as removed when a later harvest of its post no longer listed it
(``comments.deleted_utc``); the harvest cannot tell who removed it (the page or the author), so the figures are
rates of disappearance, and a contrast is claimed only when both groups are big enough and their confidence
intervals do not overlap (docs/methodology.md «Deleted criticism»).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

# Which citizen comments are «criticism» and which are «praise»: the comment type first, the sentiment second.
CRITICISM_TYPES = ("complaint",)
PRAISE_TYPES = ("gratitude",)
Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion k/n (sound for small n and for rates near 0)."""
    if n <= 0:
        return None
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4))


def group_of(comment_type: str | None, sentiment: str | None) -> str:
    """``criticism`` | ``praise`` | ``other`` | ``not_labelled`` for one citizen comment."""
    if comment_type in CRITICISM_TYPES or (comment_type is None and sentiment == "negative"):
        return "criticism"
    if comment_type in PRAISE_TYPES or (comment_type is None and sentiment == "positive"):
        return "praise"
    if comment_type is None and sentiment is None:
        return "not_labelled"
    return "other"


def _rate(k: int, n: int) -> dict[str, Any]:
    return {"comments": n, "removed": k, "rate": round(k / n, 4) if n else None, "ci95": wilson(k, n)}


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    v = sorted(values)
    mid = len(v) // 2
    return round(v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2, 2)


def compute_removals(counts: Iterable[dict[str, Any]], removed_rows: Iterable[dict[str, Any]], checked: bool,
                     min_comments: int) -> dict[str, Any]:
    """The ``removals`` block of one account or official (docs/methodology.md «JSON contract»).

    ``counts``: rows ``{comment_type, sentiment, removed (0/1), n}``; ``removed_rows``: one per removed comment
    ``{comment_type, sentiment, hours, with_parent}``. A reply removed together with its parent is
    not a choice of its own (platforms drop a thread with its head): it leaves both the count and the removals.
    ``checked``: whether a later visit re-listed the account's posts (without one nothing can be seen to vanish)."""
    cells: dict[tuple, list[int]] = {}
    for r in counts:
        cell = cells.setdefault((r["comment_type"], r["sentiment"]), [0, 0])
        cell[0] += int(r["n"]) if r["removed"] else 0
        cell[1] += int(r["n"])
    hours: dict[str, list[float]] = {"all": [], "criticism": [], "praise": []}
    with_parent = 0
    for d in removed_rows:
        if d["with_parent"]:
            with_parent += 1
            cell = cells.get((d["comment_type"], d["sentiment"]))
            if cell:
                cell[0] -= 1
                cell[1] -= 1
            continue
        hours["all"].append(float(d["hours"]))
        g = group_of(d["comment_type"], d["sentiment"])
        if g in hours:
            hours[g].append(float(d["hours"]))
    by_type: dict[str, list[int]] = {}
    by_sentiment: dict[str, list[int]] = {}
    groups: dict[str, list[int]] = {g: [0, 0] for g in ("criticism", "praise", "other", "not_labelled")}
    total = removed = 0
    for (ctype, sentiment), (k, n) in cells.items():
        total += n
        removed += k
        for key, table in ((ctype, by_type), (sentiment, by_sentiment)):
            if key is not None:
                cell = table.setdefault(key, [0, 0])
                cell[0] += k
                cell[1] += n
        cell = groups[group_of(ctype, sentiment)]
        cell[0] += k
        cell[1] += n
    crit, praise = _rate(*groups["criticism"]), _rate(*groups["praise"])
    if not checked:
        state = "not_checked"
    elif crit["comments"] < min_comments or praise["comments"] < min_comments:
        state = "too_few"
    elif crit["ci95"][0] > praise["ci95"][1]:
        state = "criticism_removed_more"
    elif praise["ci95"][0] > crit["ci95"][1]:
        state = "praise_removed_more"
    else:
        state = "no_difference"
    ratio = (round(crit["rate"] / praise["rate"], 2)
             if state == "criticism_removed_more" and praise["rate"] else None)
    return {
        "state": state, "checked": checked, "citizen_comments": total, "removed": removed,
        "rate": round(removed / total, 4) if total else None, "ci95": wilson(removed, total),
        "criticism": crit, "praise": praise, "criticism_to_praise": ratio,
        "by_type": {k: _rate(v[0], v[1]) for k, v in sorted(by_type.items())},
        "by_sentiment": {k: _rate(v[0], v[1]) for k, v in sorted(by_sentiment.items())},
        "median_hours_to_removal": _median(hours["all"]),
        "criticism_median_hours": _median(hours["criticism"]),
        "praise_median_hours": _median(hours["praise"]),
        "removed_with_parent": with_parent,
        "min_comments": min_comments,
    }
