"""The words behind a rank — why each official stands where he does — in Russian, Kazakh or English.

One wording for the CLI (`akimwatch rank`), the metrics JSON (`why`, Russian by default) and the reports:
every sentence is a catalog message (akimwatch/locale) with plural agreement, numbers formatted per language.
"""

from __future__ import annotations

from typing import Any

from akimwatch.reports.writer import N_, Writer, safe

COMPONENT_MSG = {"activity": N_("activity"), "responsiveness": N_("replies to citizens"),
                 "action": N_("agenda and action"), "personal_voice": N_("personal voice"),
                 "engagement": N_("engagement per follower")}
STATUS_MSG = {"active": N_("active"), "irregular": N_("irregular"), "dormant": N_("dormant"),
              "inactive": N_("inactive"), "tagged_only": N_("only tagged by others"), "no_account": N_("no account"),
              "none": N_("no account")}


def status_name(w: Writer, status: str | None) -> str:
    return w.raw(STATUS_MSG[status]) if status in STATUS_MSG else (status or "—")


def component_facts(w: Writer, o: dict[str, Any]) -> dict[str, Any]:
    """The plain numbers behind each component score."""
    act = o["activity"]
    out: dict[str, Any] = {}
    if act.get("weeks_observed"):
        out["activity"] = w.join([
            w._("{rate} posts a week,", rate=w.num(act["posts_per_week"], 1)),
            w.n_("posts in {k} of {n} week", "posts in {k} of {n} weeks", act["weeks_observed"],
                 k=w.num(act["weeks_with_posts"]))])
    if o.get("reply_rate_requests") is not None:
        out["responsiveness"] = w.n_("answered {k} of {n} request or question",
                                     "answered {k} of {n} requests and questions", o["requests_questions"],
                                     k=w.num(o.get("replied_requests_questions") or 0))
    elif o.get("reply_rate") is not None:
        out["responsiveness"] = w.n_("answered {k} of {n} comment", "answered {k} of {n} comments",
                                     o["citizen_comments"], k=w.num(o.get("replied_comments") or 0))
    if o.get("coverage") is not None:
        links = sum(1 for a in o.get("acted_on") or [] if a["kind"] == "post")
        out["action"] = w._("topic coverage {coverage}, «asked — done» links: {links}",
                            coverage=w.pct(o["coverage"]), links=w.num(links))
    counts = (o.get("voice") or {}).get("counts")
    if counts and counts["personal"] + counts["press_service"]:
        out["personal_voice"] = w.n_("{n} personal post of {total}", "{n} personal posts of {total}",
                                     counts["personal"], total=w.num(counts["personal"] + counts["press_service"]))
    return out


def explain_rank(w: Writer, o: dict[str, Any], cfg: dict[str, Any]) -> Any:
    """«activity 98 — 7,8 posts a week, posts in 19 of 20 weeks (weight 30 %); …» or why there is no rank."""
    r = cfg["ranking"]
    weights = {k: float(v) for k, v in r["weights"].items() if float(v) > 0}
    comp = o.get("components") or {}
    if o.get("rank_state") != "ranked":
        reasons = []
        posts = o["activity"]["posts"]
        if posts < r["min_posts"]:
            reasons.append(w.n_("{n} own post in the period (at least {min} needed)",
                                "{n} own posts in the period (at least {min} needed)", posts, min=r["min_posts"]))
        if not any(comp.get(k) is not None for k in weights):
            reasons.append(w._("no component has enough data"))
        return w._("not enough data: {reasons}", reasons=safe(w.join(reasons, "; ")))
    usable = {k: v for k, v in weights.items() if comp.get(k) is not None}
    total = sum(usable.values()) or 1.0
    facts = component_facts(w, o)
    parts = []
    for key, weight in sorted(usable.items(), key=lambda kv: -comp[kv[0]] * kv[1]):
        params = {"component": w.raw(COMPONENT_MSG[key]), "score": w.num(round(comp[key])),
                  "weight": w.pct(weight / total)}
        if key in facts:
            parts.append(w._("{component} {score} — {facts} (weight {weight})", facts=safe(facts[key]), **params))
        else:
            parts.append(w._("{component} {score} (weight {weight})", **params))
    missing = [w.raw(COMPONENT_MSG[k]) for k in weights if comp.get(k) is None]
    if missing:
        parts.append(w._("no data: {components}", components=", ".join(missing)))
    return w.join(parts, "; ")


def explain_text(o: dict[str, Any], cfg: dict[str, Any], lang: str = "ru") -> str:
    return str(explain_rank(Writer(lang, "text"), o, cfg))
