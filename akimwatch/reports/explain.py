"""The words behind a rank — why each official stands where he does — in Russian, Kazakh or English.

The metrics give reason codes and numbers (``why`` in the JSON); this is their one wording, for the CLI
(`akimwatch rank`), the dashboard and the reports: every sentence is a catalog message (akimwatch/locale) with
plural agreement, numbers formatted per language.
"""

from __future__ import annotations

from typing import Any

from akimwatch.reports.writer import N_, Writer, safe

COMPONENT_MSG = {"activity": N_("activity"), "responsiveness": N_("replies to citizens"),
                 "action": N_("agenda and action"), "personal_voice": N_("personal voice"),
                 "engagement": N_("engagement per follower")}
STATUS_MSG = {"active": N_("active"), "irregular": N_("irregular"), "dormant": N_("dormant"),
              "inactive": N_("inactive"), "thin_coverage": N_("too little data"), "tagged_only": N_("only tagged by others"), "no_account": N_("no account"),
              "none": N_("no account")}


def account_label(a: dict[str, Any]) -> str:
    """How an account is named in every output: ``@handle``, else its title (a Telegram channel exported by
    Telegram Desktop has a title and no handle), else its stored id."""
    if a.get("handle"):
        return "@" + a["handle"]
    return a.get("title") or a.get("name") or a.get("account_id") or a.get("id") or "—"


def personal_voice(w: Writer, voice: dict[str, Any] | None) -> str:
    """«14 personal posts of 305»: the one wording and the one number (of posts with a known voice) for the
    metrics table, the ranking's «why» and the reports."""
    counts = (voice or {}).get("counts") or {}
    total = (counts.get("personal") or 0) + (counts.get("press_service") or 0)
    if not total:
        return "—"
    return str(w.n_("{n} personal post of {total}", "{n} personal posts of {total}", counts["personal"],
                    total=w.num(total)))


def status_name(w: Writer, status: str | None) -> str:
    return w.raw(STATUS_MSG[status]) if status in STATUS_MSG else (status or "—")


def _facts(w: Writer, key: str, f: dict[str, Any] | None) -> str | None:
    """The numbers behind one component, in words."""
    if not f:
        return None
    if key == "activity":
        return w.join([w._("{rate} posts a week,", rate=w.num(f["posts_per_week"], 1)),
                       w.n_("posts in {k} of {n} week", "posts in {k} of {n} weeks", f["weeks_observed"],
                            k=w.num(f["weeks_with_posts"]))])
    if key == "responsiveness" and f["basis"] == "requests_questions":
        return w.n_("answered {k} of {n} request or question", "answered {k} of {n} requests and questions",
                    f["of"], k=w.num(f["answered"]))
    if key == "responsiveness":
        return w.n_("answered {k} of {n} comment", "answered {k} of {n} comments", f["of"], k=w.num(f["answered"]))
    if key == "action":
        return w._("topic coverage {coverage}, «asked — done» links: {links}", coverage=w.pct(f["coverage"]),
                   links=w.num(f["links"]))
    if key == "personal_voice":
        return personal_voice(w, {"counts": {"personal": f["personal"],
                                             "press_service": f["total"] - f["personal"]}})
    return None


def explain_rank(w: Writer, o: dict[str, Any], cfg: dict[str, Any] | None = None) -> Any:
    """«activity 98 — 7,8 posts a week, posts in 19 of 20 weeks (weight 30 %); …» or why there is no rank.

    Words for the reason codes of the metrics (``o["why"]``, akimwatch/metrics/ranking.py ``why_codes``);
    ``cfg`` (the configuration in force) is needed only for rows computed before the codes existed."""
    codes = o.get("why")
    if not isinstance(codes, dict):
        from akimwatch.config import load_config
        from akimwatch.metrics.ranking import why_codes

        codes = why_codes(o, cfg or load_config())
    if codes["state"] != "ranked":
        reasons = []
        for r in codes["reasons"]:
            if r["code"] == "few_posts":
                reasons.append(w.n_("{n} own post in the period (at least {min} needed)",
                                    "{n} own posts in the period (at least {min} needed)", r["posts"],
                                    min=r["min_posts"]))
            elif r["code"] == "no_component_data":
                reasons.append(w._("no component has enough data"))
            elif r["code"] == "thin_coverage":
                reasons.append(w.n_("the data cover {n} day (at least {min} needed)",
                                    "the data cover {n} days (at least {min} needed)", r["days"], min=r["min_days"]))
        return w._("not enough data: {reasons}", reasons=safe(w.join(reasons, "; ")))
    parts = []
    for p in codes["parts"]:
        params = {"component": w.raw(COMPONENT_MSG[p["component"]]), "score": w.num(round(p["score"])),
                  "weight": w.pct(p["weight"])}
        facts = _facts(w, p["component"], p.get("facts"))
        if facts is not None:
            parts.append(w._("{component} {score} — {facts} (weight {weight})", facts=safe(facts), **params))
        else:
            parts.append(w._("{component} {score} (weight {weight})", **params))
    if codes["missing"]:
        parts.append(w._("no data: {components}", components=", ".join(w.raw(COMPONENT_MSG[k])
                                                                         for k in codes["missing"])))
    return w.join(parts, "; ")


def explain_text(o: dict[str, Any], cfg: dict[str, Any] | None = None, lang: str = "ru") -> str:
    return str(explain_rank(Writer(lang, "text"), o, cfg))
