"""From the gathered data to a language-specific document model shared by the HTML, PDF, Markdown and JSON outputs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from akimwatch.reports import charts
from akimwatch.reports.civic import civic_sections
from akimwatch.reports.explain import COMPONENT_MSG, STATUS_MSG, account_label
from akimwatch.reports.methodology import methodology_model
from akimwatch.reports.prose import (
    coverage_phrase,
    key_findings,
    name_of,
    official_text,
    platform_name,
    position_title,
    region_name,
    topic_name,
    why,
)
from akimwatch.reports.writer import Writer

RANK_COLUMNS = ("activity", "responsiveness", "action", "personal_voice")


def build_document(data: dict[str, Any], lang: str, mode: str) -> dict[str, Any]:
    """Everything the templates print, already translated and escaped for ``mode`` (html | md | text)."""
    w = Writer(lang, mode)
    metrics = data["metrics"]
    cfg = data["config"]
    period = data["period"]
    platforms = sorted({a["platform"] for o in metrics for a in o["accounts"]})
    officials = []
    for o in metrics:
        oid = o["official_id"]
        weekly = charts.weekly_posts_svg(w, o, data["weeks"], data["weekly"]) if o["posts"] else None
        topics = charts.topics_svg(w, o)
        officials.append({
            "id": oid, "anchor": f"official-{oid}", "name": name_of(o, w.lang), "title": position_title(w, o),
            "region": region_name(w, o.get("region")), "metrics": o,
            "score": w.num(o["score"]) if o.get("score") is not None else "—", "rank": o.get("rank"),
            "status": w.raw(STATUS_MSG.get(o["status"], o["status"])),
            "why": why(w, o, cfg), "paragraphs": official_text(w, o, data),
            "facts": _facts(w, o), "civic": civic_sections(w, o),
            "charts": {"weekly": weekly, "topics": topics},
            "topics_note": (None if topics else w.raw("No topic labels yet: run the analysis to compare the "
                                                      "citizens' topics with the akim's.")),
            "ranks": {k: o.get("metric_ranks", {}).get(k) for k in RANK_COLUMNS},
        })
    freshness = []
    for o in metrics:
        for a in o["accounts"]:
            f = data["freshness"].get(a["account_id"], {})
            freshness.append({"official": name_of(o, w.lang), "platform": platform_name(a["platform"]),
                              "handle": account_label(a), "coverage": coverage_phrase(w, a.get("data_coverage")),
                              "last_import": _date(w, f.get("last_import_utc")),
                              "latest": _date(w, f.get("latest_item_utc"))})
    return {
        "lang": w.lang, "w": w, "demo": data["demo"],
        "title": w.raw("Feedback: how akims keep their social networks"),
        "period_text": w._("{start} — {end}", start=w.date(period["start"]), end=w.date(period["end"]))
        if period["start"] else w.raw("no data"),
        "covered": w.join([w.n_("{n} official", "{n} officials", len(metrics)),
                           w.n_("{n} platform: {names}", "{n} platforms: {names}", len(platforms),
                                names=", ".join(platform_name(p) for p in platforms))], " · "),
        "generated": w.date(data["generated_utc"]),
        "findings": key_findings(w, metrics),
        "officials": officials,
        "freshness": freshness,
        "rank_columns": [(k, w.raw(COMPONENT_MSG[k])) for k in RANK_COLUMNS],
        "charts": {"replies": charts.replies_svg(w, metrics), "map": charts.map_svg(w, metrics)},
        "methodology": methodology_model(w, cfg),
        "topic_name": lambda t: topic_name(w, t),
    }


def _date(w: Writer, iso: str | None) -> str:
    return w.date(datetime.fromisoformat(iso)) if iso else "—"


def _facts(w: Writer, o: dict[str, Any]) -> list[tuple[str, str]]:
    """The figures strip at the head of an official's section (values equal to the metrics JSON)."""
    return [
        (w.raw("posts"), w.num(o["posts"])),
        (w.raw("posts a week"), w.num(o["posts_per_week"])),
        (w.raw("citizens' comments"), w.num(o["citizen_comments"])),
        (w.raw("answered"), w.pct(o["reply_rate"]) if o["citizen_comments"] else "—"),
        (w.raw("median reply time"), str(w.duration_hours(o.get("median_reply_hours")))
         if o.get("median_reply_hours") is not None else "—"),
        (w.raw("score"), w.num(o["score"]) if o.get("score") is not None else "—"),
    ]
