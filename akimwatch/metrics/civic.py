"""The civic signals as metrics (issue 17): numbers and state codes only; the words are in reports/civic.py.

The arithmetic is in akimwatch/civic (deletion.py); the rows come from its queries through the «removals» input.
"""

from __future__ import annotations

from typing import Any

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
