"""Thresholds and weights for metrics and ranking: documented defaults, overridable by a YAML file.

The file is named by ``--config PATH`` or the ``AKIMWATCH_CONFIG`` environment variable. It only needs the keys
it changes, e.g.::

    ranking:
      weights: {activity: 0.1, responsiveness: 0.6, action: 0.2, personal_voice: 0.1}
    activity:
      dormant_days: 45

Every value is explained in docs/methodology.md («Thresholds» and «Score and ranking»).
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import yaml

ENV_CONFIG = "AKIMWATCH_CONFIG"

DEFAULTS: dict[str, Any] = {
    "activity": {
        # An account is `active` when it posted in at least this share of the weeks it was observed.
        "active_min_week_share": 0.5,
        # … and at least this many posts per week on average (a post every other week is not «active»).
        "active_min_posts_per_week": 1.0,
        # `dormant`: nothing posted for this many days before the end of the period.
        "dormant_days": 30,
        # `inactive`: the account exists but has at most this many posts ever (up to the end of the period).
        "inactive_max_posts": 3,
    },
    "responsiveness": {
        # A request or question with no official reply older than this many days is in the «inbox».
        "inbox_days": 7,
    },
    "agenda": {
        "top_topics": 5,
        # A citizen «cluster»: at least this many comments on one topic within `acted_on_days` before a post.
        "cluster_min_comments": 3,
        # An official post (or promising reply) within this many days after the cluster counts as «acted on».
        "acted_on_days": 14,
        # Comments whose character-shingle Jaccard similarity is at least this are one «incident».
        "near_duplicate_jaccard": 0.5,
        "examples_per_topic": 3,
        # Representative comments come from a sample of this many real comments per (official, topic): the first
        # and the last comment of each day, busiest days first.
        "examples_pool": 60,
        "examples": True,
    },
    "ranking": {
        # Fairness: an official is ranked only with at least this many own posts in the period …
        "min_posts": 5,
        # … and the responsiveness part counts only with at least this many citizen comments.
        "min_citizen_comments": 20,
        # Composite score = weighted mean of the component scores (0–100); weights are normalised to sum 1.
        "weights": {"activity": 0.30, "responsiveness": 0.35, "action": 0.20, "personal_voice": 0.15,
                    "engagement": 0.0},
        # Posts per week at which the activity component reaches 100 (fewer scale linearly).
        "activity_full_posts_per_week": 5,
    },
    # Officials with no account of their own can still be found as a tag: official id → ["platform:handle", ...].
    "tag_handles": {},
}


def _merge(base: dict[str, Any], over: dict[str, Any], where: str) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if key not in base:
            raise ValueError(f"config {where}: unknown key '{key}' (known: {', '.join(sorted(base))})")
        if isinstance(base[key], dict) and key not in ("weights", "tag_handles"):
            if not isinstance(value, dict):
                raise ValueError(f"config {where}: '{key}' must be a mapping")
            out[key] = _merge(base[key], value, f"{where}.{key}")
        elif key == "weights":
            unknown = set(value) - set(base[key])
            if unknown:
                raise ValueError(f"config {where}: unknown weight(s) {sorted(unknown)}; known: {sorted(base[key])}")
            out[key] = {**base[key], **{k: float(v) for k, v in value.items()}}
        else:
            out[key] = value
    return out


def load_config(path: str | os.PathLike[str] | None = None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then the YAML file (``path`` or ``$AKIMWATCH_CONFIG``), then ``overrides`` (a dict)."""
    cfg = copy.deepcopy(DEFAULTS)
    path = path or os.environ.get(ENV_CONFIG)
    if path:
        p = Path(path)
        if not p.exists():
            raise ValueError(f"config file {p} does not exist")
        data = yaml.safe_load(p.read_text("utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError(f"config file {p}: the top level must be a mapping")
        cfg = _merge(cfg, data, str(p))
    if overrides:
        cfg = _merge(cfg, overrides, "overrides")
    return cfg
