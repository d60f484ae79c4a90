"""The civic signals as metrics (issue 17): numbers and state codes only; the words are in reports/civic.py.

The arithmetic is in akimwatch/civic (deletion.py); the rows come from its queries through the «removals» input.
"""

from __future__ import annotations

from typing import Any

from akimwatch.civic.coordination import compute_coordination, find_coordinated
from akimwatch.civic.deletion import compute_removals
from akimwatch.metrics.registry import Scope, metric


def _removals(s: Scope) -> dict[str, Any]:
    return {"removals": compute_removals(s.removal_counts, s.removed_rows, s.rechecked,
                                         s.cfg["civic"]["removal_min_comments"])}


@metric("removals", "account", needs=("removals",))
def account_removals(s: Scope) -> dict[str, Any]:
    return _removals(s)


@metric("removals", "official", needs=("removals",))
def official_removals(s: Scope) -> dict[str, Any]:
    return _removals(s)


@metric("coordination", "official", needs=("removals", "coordination"))
def official_coordination(s: Scope) -> dict[str, Any]:
    """Suspected coordinated praise, per official (authors are judged across all of the official's accounts)."""
    minded = s.single_minded.get("*", set())  # every candidate's author is single-minded (queries.praise_comments)
    clusters = find_coordinated(s.praise_rows, minded, s.cfg["civic"])
    totals: dict[str | None, int] = {}
    for r in s.removal_counts:
        totals[r["sentiment"]] = totals.get(r["sentiment"], 0) + int(r["n"])
    sentiment_of = {r["id"]: r["sentiment"] for r in s.praise_rows}
    labelled = any(r["comment_type"] is not None or r["sentiment"] is not None for r in s.removal_counts)
    return {"coordination": compute_coordination(clusters, sentiment_of, totals, len(s.praise_rows), labelled)}
