"""Composite score and ranking with fairness rules: minimum volume, rates not totals, «not enough data» instead of a rank."""

from __future__ import annotations

from typing import Any

COMPONENTS = ("activity", "responsiveness", "action", "personal_voice", "engagement")


def components(o: dict[str, Any], cfg: dict[str, Any]) -> dict[str, float | None]:
    """Component scores 0–100 for one official (``None`` = not enough data for that component)."""
    r = cfg["ranking"]
    act = o["activity"]
    comp: dict[str, float | None] = dict.fromkeys(COMPONENTS)
    if act["posts"]:
        volume = min(1.0, act["posts_per_week"] / r["activity_full_posts_per_week"])
        regular = act["weeks_with_posts"] / act["weeks_observed"] if act["weeks_observed"] else 0.0
        comp["activity"] = 100 * (0.5 * volume + 0.5 * regular)
    elif o["status"] in ("inactive", "dormant"):
        comp["activity"] = 0.0
    if o["citizen_comments"] >= r["min_citizen_comments"]:
        rate = o["reply_rate_requests"] if o["reply_rate_requests"] is not None else o["reply_rate"]
        comp["responsiveness"] = 100 * (rate or 0.0)
    if o["coverage"] is not None:
        links = sum(1 for a in o["acted_on"] if a["kind"] == "post") + \
            min(1, sum(1 for a in o["acted_on"] if a["kind"] == "reply_promise"))
        comp["action"] = 100 * (0.5 * o["coverage"] + 0.5 * min(1.0, links / 2))
    voice = o["voice"]
    known = (voice.get("counts") or {})
    if known and (known["personal"] + known["press_service"]):
        comp["personal_voice"] = 100 * known["personal"] / (known["personal"] + known["press_service"])
    if o["engagement_rate"] is not None:
        # 10% of followers interacting per post (likes + comments) gives full marks.
        comp["engagement"] = 100 * min(1.0, o["engagement_rate"] / 0.10)
    return {k: (round(v, 1) if v is not None else None) for k, v in comp.items()}


def _thin(o: dict[str, Any]) -> bool:
    """Data covering too few days (metrics/coverage.py): no rank, whatever the volume."""
    return (o.get("data_coverage") or {}).get("state") == "thin"


def _competition_rank(values: dict[str, float]) -> dict[str, int]:
    ordered = sorted(values.items(), key=lambda kv: -kv[1])
    ranks: dict[str, int] = {}
    for i, (key, val) in enumerate(ordered):
        ranks[key] = ranks[ordered[i - 1][0]] if i and val == ordered[i - 1][1] else i + 1
    return ranks


def apply_ranking(result: list[dict[str, Any]], cfg: dict[str, Any]) -> None:
    """Fill score, rank, rank_state, components and metric_ranks for every official (in place)."""
    r = cfg["ranking"]
    weights = {k: float(v) for k, v in r["weights"].items() if float(v) > 0}
    scores: dict[str, float] = {}
    for o in result:
        comp = components(o, cfg)
        o["components"] = comp
        usable = {k: w for k, w in weights.items() if comp.get(k) is not None}
        if o["activity"]["posts"] < r["min_posts"] or not usable or _thin(o):
            o.update(score=None, rank=None, rank_state="not_enough_data")
            continue
        total = sum(usable.values())
        o["score"] = round(sum(comp[k] * w for k, w in usable.items()) / total, 1)
        o["rank_state"] = "ranked"
        scores[o["official_id"]] = o["score"]
    ranks = _competition_rank(scores)
    for o in result:
        o["rank"] = ranks.get(o["official_id"])
    for key in COMPONENTS:
        # Per-metric ranks only among ranked officials: the same minimum-volume rule as the overall rank.
        vals = {o["official_id"]: o["components"][key] for o in result
                if o["rank"] is not None and o["components"].get(key) is not None}
        per = _competition_rank(vals)
        for o in result:
            o.setdefault("metric_ranks", {})[key] = per.get(o["official_id"])
    for o in result:
        o["why"] = why_codes(o, cfg)
    result.sort(key=lambda o: (o["rank"] is None, o["rank"] or 0, o["official_id"]))


def component_facts(o: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The plain numbers behind each component score (what the «why» of a place cites)."""
    act = o["activity"]
    out: dict[str, dict[str, Any]] = {}
    if act.get("weeks_observed"):
        out["activity"] = {"posts_per_week": act["posts_per_week"], "weeks_with_posts": act["weeks_with_posts"],
                           "weeks_observed": act["weeks_observed"]}
    if o.get("reply_rate_requests") is not None:
        out["responsiveness"] = {"basis": "requests_questions", "answered": o.get("replied_requests_questions") or 0,
                                 "of": o["requests_questions"]}
    elif o.get("reply_rate") is not None:
        out["responsiveness"] = {"basis": "comments", "answered": o.get("replied_comments") or 0,
                                 "of": o["citizen_comments"]}
    if o.get("coverage") is not None:
        out["action"] = {"coverage": o["coverage"],
                         "links": sum(1 for a in o.get("acted_on") or [] if a["kind"] == "post")}
    counts = (o.get("voice") or {}).get("counts")
    if counts and counts["personal"] + counts["press_service"]:
        out["personal_voice"] = {"personal": counts["personal"],
                                 "total": counts["personal"] + counts["press_service"]}
    return out


def why_codes(o: dict[str, Any], cfg: dict[str, Any]) -> dict[str, Any]:
    """Why an official stands where he does, as reason codes and numbers (the words: akimwatch/reports/explain.py).

    Ranked: ``{"state": "ranked", "parts": [{component, score, weight, facts}], "missing": [component]}``, parts
    by contribution (score × weight), weights renormalised over the parts with data. Not ranked:
    ``{"state": "not_enough_data", "reasons": [{"code": "few_posts", "posts", "min_posts"} | {"code":
    "no_component_data"} | {"code": "thin_coverage", "days", "min_days"}]}``."""
    r = cfg["ranking"]
    weights = {k: float(v) for k, v in r["weights"].items() if float(v) > 0}
    comp = o.get("components") or {}
    if o.get("rank_state") != "ranked":
        reasons: list[dict[str, Any]] = []
        posts = o["activity"]["posts"]
        if posts < r["min_posts"]:
            reasons.append({"code": "few_posts", "posts": posts, "min_posts": r["min_posts"]})
        if not any(comp.get(k) is not None for k in weights):
            reasons.append({"code": "no_component_data"})
        if _thin(o):
            reasons.append({"code": "thin_coverage", "days": o["data_coverage"]["days"],
                            "min_days": cfg["activity"]["min_coverage_days"]})
        return {"state": "not_enough_data", "reasons": reasons}
    usable = {k: v for k, v in weights.items() if comp.get(k) is not None}
    total = sum(usable.values()) or 1.0
    facts = component_facts(o)
    parts = [{"component": k, "score": comp[k], "weight": round(w / total, 4), "facts": facts.get(k)}
             for k, w in sorted(usable.items(), key=lambda kv: -comp[kv[0]] * kv[1])]
    return {"state": "ranked", "parts": parts, "missing": [k for k in weights if comp.get(k) is None]}
