"""The methodology appendix: every threshold and weight from the configuration in force (translated), followed by
the full text of docs/methodology.md.

The package ships a copy of docs/methodology.md (``akimwatch/reports/methodology.md``) so an installed report
can print it; ``python -m akimwatch.catalogs`` refreshes the copy, and a test keeps the two equal.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from markupsafe import Markup

from akimwatch.reports.explain import COMPONENT_MSG
from akimwatch.reports.writer import N_, Writer

PACKAGE_COPY = "methodology.md"

# (config section, key, description msgid, unit kind)
THRESHOLDS = (
    ("activity", "active_min_week_share",
     N_("An account is active when it posted in at least this share of the observed weeks"), "pct"),
    ("activity", "dormant_days", N_("Dormant: no post for this many days before the end of the period"), "days"),
    ("activity", "inactive_max_posts", N_("Inactive: at most this many posts ever"), "posts"),
    ("responsiveness", "inbox_days",
     N_("A request or question without an answer older than this many days is in the inbox"), "days"),
    ("agenda", "top_topics", N_("Top topics shown per official"), "count"),
    ("agenda", "cluster_min_comments",
     N_("A citizens' cluster: at least this many comments on one topic"), "count"),
    ("agenda", "acted_on_days",
     N_("An official post within this many days after a cluster counts as acted on"), "days"),
    ("agenda", "near_duplicate_jaccard",
     N_("Comments at least this similar (Jaccard of 4-character shingles) are one incident"), "ratio"),
    ("ranking", "min_posts", N_("Ranked only with at least this many own posts in the period"), "posts"),
    ("ranking", "min_citizen_comments",
     N_("Replies count in the score only with at least this many citizen comments"), "count"),
    ("ranking", "activity_full_posts_per_week",
     N_("Posts per week at which the activity component reaches 100"), "count"),
)


def methodology_text() -> str | None:
    entry = resources.files("akimwatch.reports").joinpath(PACKAGE_COPY)
    return entry.read_text("utf-8") if entry.is_file() else None


def _fmt(w: Writer, value: Any, kind: str) -> str:
    if kind == "pct":
        return w.pct(value)
    if kind == "days":
        return str(w.n_("{n} day", "{n} days", int(value)))
    if kind == "posts":
        return str(w.n_("{n} post", "{n} posts", int(value)))
    if kind == "ratio":
        return w.num(value, 2)
    return w.num(value)


def methodology_model(w: Writer, cfg: dict[str, Any]) -> dict[str, Any]:
    weights = {k: float(v) for k, v in cfg["ranking"]["weights"].items()}
    total = sum(v for v in weights.values() if v > 0) or 1.0
    text = methodology_text()
    body: Any = None
    if text:
        if w.mode == "html":
            from markdown_it import MarkdownIt

            md = MarkdownIt("commonmark", {"html": False}).enable("table")
            body = Markup(md.render(text))  # raw HTML in the source is disabled: the output is escaped
        else:
            body = text
    return {
        "weights": [(w.raw(COMPONENT_MSG[k]), w.pct(v / total) if v > 0 else w.raw("not counted"))
                    for k, v in weights.items() if k in COMPONENT_MSG],
        "thresholds": [(w.raw(msg), _fmt(w, cfg[sec][key], kind)) for sec, key, msg, kind in THRESHOLDS
                       if key in cfg.get(sec, {})],
        "body": body,
        "missing_note": None if text else w.raw("The full methodology text (docs/methodology.md) is not shipped "
                                                "with this installation."),
    }
