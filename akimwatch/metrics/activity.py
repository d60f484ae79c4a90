"""Activity and formats: how often an account posts, when (local time of its region), in which form, whose voice."""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from akimwatch.metrics.coverage import covered_seconds, merge_spans, spans_of
from akimwatch.models import MEDIA_KINDS

# Time zone per region (ISO 3166-2:KZ, current and legacy codes) as it was in 2019: the west of the country on
# UTC+5 (Aktobe, Atyrau, West Kazakhstan, Mangystau, Kyzylorda), the rest on UTC+6. IANA zones carry the history
# (e.g. the 2024 move of the whole country to UTC+5), so a post is shown in the local time of its own date.
REGION_TZ: dict[str, str] = {
    "KZ-15": "Asia/Aqtobe", "KZ-AKT": "Asia/Aqtobe",
    "KZ-23": "Asia/Atyrau", "KZ-ATY": "Asia/Atyrau",
    "KZ-27": "Asia/Oral", "KZ-ZAP": "Asia/Oral",
    "KZ-47": "Asia/Aqtau", "KZ-MAN": "Asia/Aqtau",
    "KZ-43": "Asia/Qyzylorda", "KZ-KZY": "Asia/Qyzylorda",
    "KZ-39": "Asia/Qostanay", "KZ-KUS": "Asia/Qostanay",
}
DEFAULT_TZ = "Asia/Almaty"
STATUS_ORDER = ("active", "irregular", "thin_coverage", "dormant", "inactive", "tagged_only", "none")


def tz_for_region(region: str | None) -> str:
    return REGION_TZ.get(region or "", DEFAULT_TZ)


def compute_activity(times: list[datetime], posts_ever: int, posts_before_period: int,
                     period_start: datetime | None, as_of: datetime | None, tz: str,
                     cfg: dict[str, Any], coverage: dict[str, Any] | None = None) -> dict[str, Any]:
    """Activity of one account (or of an official's accounts merged) from its post times in the period (UTC, sorted).

    With a ``coverage`` (metrics/coverage.py) weeks, silences and the time since the last post count only the
    time the data cover; thin coverage withholds the silences and gives the status ``thin_coverage``."""
    times = sorted(times)
    n = len(times)
    out: dict[str, Any] = {"posts": n, "posts_ever": posts_ever, "first_post": None, "last_post": None,
                           "days_since_last_post": None, "longest_silence_days": None, "posts_per_week": 0.0,
                           "weeks_observed": None, "weeks_with_posts": 0, "weekday": [0] * 7, "hour": [0] * 24}
    thin = bool(coverage) and coverage["state"] == "thin"
    if thin:  # too short a window to call the account inactive, dormant or active
        out["status"] = "thin_coverage"
    elif posts_ever <= cfg["inactive_max_posts"]:
        out["status"] = "inactive"
    if not n:
        out.setdefault("status", "dormant" if posts_ever else "inactive")
        return out
    end = max(as_of or times[-1], times[-1])
    start = period_start if (posts_before_period > 0 and period_start is not None) else times[0]
    spans = spans_of(coverage) if coverage and coverage.get("spans") else [(min(start, times[0]), end)]
    start, end = min(spans[0][0], times[0]), max(spans[-1][1], times[-1])
    spans = merge_spans([*spans, *((t, t) for t in times)])
    observed_days = sum((b - a).total_seconds() for a, b in spans) / 86400
    weeks = max(1, math.ceil((observed_days + 1e-9) / 7))
    week_ids = {int(covered_seconds(start, t, spans) // (7 * 86400)) for t in times}
    gaps = [covered_seconds(a, b, spans) / 86400 for a, b in zip([start, *times], [*times, end], strict=True)]
    zone = ZoneInfo(tz)
    for t in times:
        local = t.astimezone(zone)
        out["weekday"][local.weekday()] += 1
        out["hour"][local.hour] += 1
    since = covered_seconds(times[-1], end, spans) / 86400
    out.update({
        "first_post": times[0].isoformat(), "last_post": times[-1].isoformat(),
        "days_since_last_post": round(since, 1), "longest_silence_days": round(max(gaps), 1),
        "posts_per_week": round(n / weeks, 2), "weeks_observed": weeks, "weeks_with_posts": len(week_ids),
    })
    if thin:  # a day or two of posts says nothing about silences
        out.update(days_since_last_post=None, longest_silence_days=None)
    if "status" not in out:
        if since >= cfg["dormant_days"]:
            out["status"] = "dormant"
        elif len(week_ids) / weeks >= cfg["active_min_week_share"] and n / weeks >= cfg["active_min_posts_per_week"]:
            out["status"] = "active"
        else:
            out["status"] = "irregular"
    return out


def compute_formats(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Shares of media kinds and of reposts, and the sources reposted (news portals by domain, other channels)."""
    n = len(rows)
    kinds = Counter(r["media_kind"] for r in rows)
    reposts = [r for r in rows if r["is_repost"]]
    sources = Counter((r["repost_source_domain"] or r["repost_source_name"] or "unknown") for r in reposts)
    return {
        "formats": {k: (round(kinds.get(k, 0) / n, 3) if n else None) for k in MEDIA_KINDS},
        "format_counts": {k: kinds.get(k, 0) for k in MEDIA_KINDS},
        "reposts": len(reposts),
        "repost_share": round(len(reposts) / n, 3) if n else None,
        "repost_sources": [{"source": s, "posts": c} for s, c in sources.most_common()],
    }


def compute_voice(values: list[str | None]) -> dict[str, Any]:
    """Share of posts per voice; ``unknown`` = the rules found no cue, ``None`` = no posts."""
    n = len(values)
    c = Counter(v or "unknown" for v in values)
    if not n:
        return {"personal": None, "press_service": None, "unknown": None, "posts": 0}
    return {"personal": round(c["personal"] / n, 3), "press_service": round(c["press_service"] / n, 3),
            "unknown": round((n - c["personal"] - c["press_service"]) / n, 3), "posts": n,
            "counts": {"personal": c["personal"], "press_service": c["press_service"],
                       "unknown": n - c["personal"] - c["press_service"]}}


def overall_status(account_statuses: list[str], any_posts: bool, tagged: int) -> str:
    """An official's status: tags without any own post → tagged_only; otherwise the best account status."""
    if not any_posts and tagged > 0:
        return "tagged_only"
    if not account_statuses:
        return "none"
    return min(account_statuses, key=STATUS_ORDER.index)
