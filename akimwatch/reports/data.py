"""Everything a report shows, gathered once: one ``compute_metrics`` call plus a few set-based reads.

The report never recomputes a metric per section: ``build_report_data`` returns the metrics list unchanged
(the JSON contract of docs/methodology.md) and, beside it, only what the metrics do not carry — posts per week
for the charts, data freshness per account, links of the posts named as «acted on», and representative
citizen comments when topic labels (and so the metrics' own examples) are missing.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from akimwatch.models import to_utc
from akimwatch.privacy import mask_fields, mask_personal_data
from akimwatch.store.queries import is_demo_store
from akimwatch.store.report_queries import example_comments, freshness, post_links, week_start, weekly_posts

Period = tuple[datetime | None, datetime | None]


def _dt(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return to_utc(value)


def build_report_data(engine: Engine, period: Period | None = None, official_ids: list[str] | None = None,
                      config: dict[str, Any] | None = None) -> dict[str, Any]:
    """Metrics (one computation) and the extra series the charts and the prose need."""
    from akimwatch.config import load_config
    from akimwatch.metrics import compute_metrics

    cfg = config or load_config()
    prd: Period = period or (None, None)
    _ensure_voice(engine)
    metrics = compute_metrics(engine, prd, official_ids, cfg)
    acc_ids = [a["account_id"] for o in metrics for a in o["accounts"]]
    with engine.connect() as conn:
        weekly = weekly_posts(conn, acc_ids, prd)
        fresh = freshness(conn, acc_ids)
        post_ids = sorted({a["post_id"] for o in metrics for a in o["acted_on"] if a.get("post_id")})
        links = {pid: _masked_snippet(link) for pid, link in post_links(conn, post_ids).items()}
        need = [o for o in metrics if not o.get("examples") and o["citizen_comments"]]
        fallback = {oid: [mask_fields(e, ("text",)) for e in examples]
                    for oid, examples in (example_comments(conn, need, prd) if need else {}).items()}
    as_of = max((_dt(o["period"]["as_of"]) for o in metrics if o["period"]["as_of"]), default=None)
    starts = [_dt(a["first_post"]) for o in metrics for a in o["accounts"] if a.get("first_post")]
    covered = [_dt(o["data_coverage"]["start"]) for o in metrics if (o.get("data_coverage") or {}).get("start")]
    first = min(covered + starts) if covered or starts else None
    start = prd[0] or first
    # The axis starts where the data do: a period from January over data from May has no empty weeks before May.
    axis_start = max(prd[0], first) if prd[0] and first else start
    end = (prd[1] - timedelta(microseconds=1)) if prd[1] else as_of
    weeks = _week_axis(axis_start, end)
    return {
        "metrics": metrics,
        "config": cfg,
        "demo": is_demo_store(engine),
        # Calendar days of the period as requested (UTC days, as in --period), not shifted to local time.
        "period": {"start": start.date() if start else None, "end": end.date() if end else None,
                   "requested": [p.isoformat() if p else None for p in prd]},
        "generated_utc": datetime.now(UTC),
        "weeks": weeks,
        "weekly": {acc: [weekly.get(acc, {}).get(w, 0) for w in weeks] for acc in acc_ids},
        "freshness": fresh,
        "post_links": links,
        "fallback_examples": fallback,
    }


def _masked_snippet(link: dict[str, Any]) -> dict[str, Any]:
    """Reports are public: personal data in a post snippet is masked, and a digit run cut by the snippet's
    length limit is dropped (the mask cannot recognise half a phone number)."""
    text = link.get("text") or ""
    if len(text) >= 200:
        text = re.sub(r"[\d\s()+\-\u2010-\u2015.]*\d[\d\s()+\-\u2010-\u2015.]*$", "…", text)
    link["text"] = mask_personal_data(text)
    return link


def _ensure_voice(engine: Engine) -> None:
    """The CLI's metrics command labels voice first (idempotent, cheap); the report does the same."""
    try:
        from akimwatch.analysis.voice import run_voice
    except ImportError:  # pragma: no cover - analysis not installed
        return
    run_voice(engine)


def _week_axis(start: datetime | None, end: datetime | None) -> list[date]:
    if not start or not end or end < start:
        return []
    w, last = week_start(start.date()), week_start(end.date())
    out = []
    while w <= last:
        out.append(w)
        w += timedelta(days=7)
    return out
