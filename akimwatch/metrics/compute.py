"""``compute_metrics``: every number per account and per official for a period, as the documented JSON contract."""

from __future__ import annotations

from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from akimwatch.config import load_config
from akimwatch.metrics.activity import (
    compute_activity,
    compute_formats,
    compute_voice,
    overall_status,
    tz_for_region,
)
from akimwatch.metrics.agenda import (
    compute_coverage,
    compute_topics,
    example_ids,
    find_acted_on,
    merge_incidents,
)
from akimwatch.metrics.audience import compute_audience
from akimwatch.metrics.ranking import apply_ranking
from akimwatch.metrics.responsiveness import compute_responsiveness, percentile
from akimwatch.store import metrics_queries as q
from akimwatch.store.save import handle_key

LABEL_ANALYZERS = ("comment_type", "topic", "voice")
Period = tuple[datetime | None, datetime | None]


def parse_period(text: str | None) -> Period | None:
    """``2019-04-01:2019-07-12`` → [2019-04-01 00:00 UTC, 2019-07-13 00:00 UTC); either side may be empty."""
    if not text:
        return None
    if ":" not in text:
        raise ValueError(f"period {text!r} must look like 2019-04-01:2019-07-12 (either side may be empty)")
    a, b = text.split(":", 1)

    def day(s: str) -> date | None:
        s = s.strip()
        if not s:
            return None
        try:
            return date.fromisoformat(s)
        except ValueError:
            raise ValueError(f"period {text!r}: {s!r} is not a date YYYY-MM-DD") from None

    start, end = day(a), day(b)
    return (datetime(start.year, start.month, start.day, tzinfo=UTC) if start else None,
            datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=1) if end else None)


def _iso(d: datetime | None) -> str | None:
    return d.isoformat() if d else None


def compute_metrics(engine: Engine, period: Period | None = None, official_ids: list[str] | None = None,
                    config: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """One dict per official (ranked first, then «not enough data»), see docs/methodology.md «JSON contract»."""
    cfg = config or load_config()
    act_cfg, agenda_cfg = cfg["activity"], cfg["agenda"]
    with engine.connect() as conn:
        versions = q.latest_label_versions(conn, LABEL_ANALYZERS)
        offs = q.load_officials(conn, official_ids)
        if official_ids:
            missing = sorted(set(official_ids) - {o["id"] for o in offs})
            if missing:
                raise KeyError(f"unknown official id(s): {', '.join(missing)}")
        accs = q.load_accounts(conn, [o["id"] for o in offs])
        acc_ids = [a["id"] for a in accs]
        start, end = period or (None, None)
        as_of = end or q.data_end(conn)
        begin = start or q.data_start(conn)
        mid = begin + (as_of - begin) / 2 if begin and as_of else None
        inbox_cutoff = as_of - timedelta(days=cfg["responsiveness"]["inbox_days"]) if as_of else None
        prd = (start, end)
        prows = q.post_rows(conn, acc_ids, prd, versions)
        ever = q.posts_ever(conn, acc_ids, end)
        before = q.posts_ever(conn, acc_ids, start) if start else {}
        # The two comment scans are independent: on a file or server database they run side by side on their own
        # connections (the database works outside Python's GIL); on an in-memory SQLite they run in turn.
        parallel = len(acc_ids) > q.MANY_ACCOUNTS and engine.url.database not in (None, "", ":memory:")
        with ThreadPoolExecutor(max_workers=2 if parallel else 1) as pool:
            def on_own_connection(fn, *args):
                with engine.connect() as c2:
                    return fn(c2, *args)

            f_days = pool.submit(on_own_connection, q.topic_days, acc_ids, prd, versions) if parallel else None
            agg = q.comment_aggregates(conn, acc_ids, prd, versions, mid, inbox_cutoff)
            replies = q.official_replies(conn, acc_ids, prd, versions)
            tdays = f_days.result() if f_days else q.topic_days(conn, acc_ids, prd, versions)
        mentions = q.mention_counts(conn, prd)
        snaps = q.follower_rows(conn, acc_ids, prd)
        # Voice: stored labels first; posts without one are classified on the fly (rules are cheap) and marked.
        unvoiced = [r["id"] for r in prows if r["voice"] is None]
        voice_source = "labels" if not unvoiced else ("rules (not stored)" if len(unvoiced) == len(prows) else "mixed")
        if unvoiced:
            from akimwatch.analysis.voice import classify_voice

            texts = q.post_texts(conn, unvoiced)
            for r in prows:
                if r["voice"] is None:
                    text, repost = texts.get(r["id"], (None, False))
                    r["voice"] = classify_voice(text, repost).value

        by_acc: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for r in prows:
            by_acc[r["account_id"]]["posts"].append(r)
        for r in agg:
            by_acc[r["account_id"]]["agg"].append(r)
        for r in replies:
            by_acc[r["account_id"]]["replies"].append(r)
        for r in tdays:
            by_acc[r[0]]["days"].append(r)
        for r in snaps:
            by_acc[r["account_id"]]["snaps"].append(r)
        tagged = _tag_counts(accs, offs, mentions, cfg)

        result = []
        pending_examples: dict[tuple[str, str], list[int]] = {}
        for off in offs:
            tz = tz_for_region(off["region"])
            mine = [a for a in accs if a["official_id"] == off["id"]]
            acc_out = []
            all_times, all_posts, all_agg, all_replies, all_days, delays = [], [], [], [], [], []
            for a in mine:
                d = by_acc.get(a["id"], {})
                p = d.get("posts", [])
                times = [r["published_utc"] for r in p]
                activity = compute_activity(times, ever.get(a["id"], 0), before.get(a["id"], 0), start, as_of, tz,
                                            act_cfg)
                resp = compute_responsiveness(d.get("agg", []), d.get("replies", []), "comment_type" in versions,
                                              start, inbox_cutoff)
                delays += resp.pop("_delays")
                closed = [r["comments_closed"] for r in p if r["comments_closed"] is not None]
                acc_out.append({
                    "account_id": a["id"], "platform": a["platform"], "handle": a["handle"], "url": a["url"],
                    "role": a["role"], "linked": a["linked"], **activity, **compute_formats(p),
                    "voice": compute_voice([r["voice"] for r in p]), **resp,
                    "comments_closed": (sum(closed) / len(closed) if closed else None),
                    **compute_audience(p, d.get("snaps", []), resp["citizen_comments"] + resp["official_replies"]),
                    "tagged": tagged["accounts"].get(a["id"], 0),
                })
                all_times += times
                all_posts += p
                all_agg += d.get("agg", [])
                all_replies += d.get("replies", [])
                all_days += d.get("days", [])
            o_activity = compute_activity(all_times, sum(ever.get(a["id"], 0) for a in mine),
                                          sum(before.get(a["id"], 0) for a in mine), start, as_of, tz, act_cfg)
            n_tagged = tagged["officials"].get(off["id"], 0)
            status = overall_status([x["status"] for x in acc_out], bool(o_activity["posts_ever"]), n_tagged)
            for x in acc_out:
                if status == "tagged_only" and not x["posts_ever"]:
                    x["status"] = "tagged_only"
            topics = compute_topics(all_agg, agenda_cfg["top_topics"])
            post_topics = Counter(r["topic"] for r in all_posts if r["topic"] and r["topic"] not in ("none", "uncertain"))
            n_resp = compute_responsiveness(all_agg, all_replies, "comment_type" in versions, start, inbox_cutoff)
            n_resp.pop("_delays")
            med = sorted(delays)[(len(delays) - 1) // 2] if delays else None
            if delays and len(delays) % 2 == 0:
                med = (sorted(delays)[len(delays) // 2 - 1] + sorted(delays)[len(delays) // 2]) / 2
            followers = [x["followers"] for x in acc_out if x["followers"]]
            eng = [x["engagement_rate"] for x in acc_out if x["engagement_rate"] is not None]
            o = {
                "official_id": off["id"], "name": off["name_ru"], "name_kk": off["name_kk"], "name_en": off["name_en"],
                "position": off["position"], "region": off["region"], "timezone": tz, "status": status,
                "score": None, "rank": None, "rank_state": None, "why": None,
                "activity": {k: o_activity[k] for k in ("posts", "posts_ever", "posts_per_week", "first_post",
                                                         "last_post", "days_since_last_post", "longest_silence_days",
                                                         "weeks_observed", "weeks_with_posts", "weekday", "hour")},
                "posts": o_activity["posts"], "posts_per_week": o_activity["posts_per_week"],
                "voice": compute_voice([r["voice"] for r in all_posts]), "voice_source": voice_source,
                **{k: n_resp[k] for k in ("citizen_comments", "official_replies", "replied_comments", "reply_rate",
                                          "requests_questions", "replied_requests_questions", "reply_rate_requests",
                                          "unanswered")},
                "median_reply_hours": round(med, 2) if med is not None else None,
                "p90_reply_hours": (round(percentile(delays, 90), 2) if delays else None),
                "followers": sum(followers) if followers else None,
                "engagement_rate": round(sum(eng) / len(eng), 5) if eng else None,
                "tagged": n_tagged,
                "top_topics": topics["top_topics"], "top_request_topics": topics["top_request_topics"],
                "topics_state": topics["topics_state"], "topic_labelled_share": topics["topic_labelled_share"],
                "post_topics": dict(post_topics.most_common()),
                "coverage": compute_coverage(topics["_all"], post_topics),
                "acted_on": find_acted_on(all_days, all_posts, all_replies, agenda_cfg["cluster_min_comments"],
                                          agenda_cfg["acted_on_days"]),
                "examples": {},
                "accounts": acc_out,
                "period": {"start": _iso(start), "end": _iso(end), "as_of": _iso(as_of)},
                "label_versions": versions,
            }
            if "topic" not in versions:
                o["topics_state"] = "not_labelled" if o["citizen_comments"] else "no_comments"
            result.append(o)
            if agenda_cfg["examples"]:
                for t in topics["top_topics"][:3]:
                    pending_examples[(off["id"], t["topic"])] = example_ids(all_days, t["topic"],
                                                                            agenda_cfg["examples_pool"])
        if pending_examples:
            texts = {r["id"]: r for r in q.comment_texts(conn, [i for ids in pending_examples.values() for i in ids])}
            for o in result:
                for t in o["top_topics"][:3]:
                    pool = [texts[i] for i in pending_examples.get((o["official_id"], t["topic"]), []) if i in texts]
                    pool = [r for r in pool if r["text"]]
                    if pool:
                        o["examples"][t["topic"]] = merge_incidents(pool, agenda_cfg["near_duplicate_jaccard"],
                                                                    agenda_cfg["examples_per_topic"])
    apply_ranking(result, cfg)
    from akimwatch.metrics.explain import explain_text  # the words import the report writer: load late

    for o in result:
        o["why"] = explain_text(o, cfg, "ru")  # the JSON's prose is Russian; `akimwatch rank --lang` for others
    return result


def _tag_counts(accs: list[dict[str, Any]], offs: list[dict[str, Any]], mentions: list[dict[str, Any]],
                cfg: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Tags/mentions of each official in posts of *other* accounts, matched by his accounts' handle or platform id
    (or by ``tag_handles`` in the config for an official without an account)."""
    keys: dict[tuple[str, str, str], str] = {}
    acc_of: dict[tuple[str, str, str], str] = {}
    for a in accs:
        if a["handle_key"]:
            keys[(a["platform"], "h", a["handle_key"])] = a["official_id"]
            acc_of[(a["platform"], "h", a["handle_key"])] = a["id"]
        if a["platform_id"]:
            keys[(a["platform"], "p", a["platform_id"])] = a["official_id"]
            acc_of[(a["platform"], "p", a["platform_id"])] = a["id"]
    wanted = {o["id"] for o in offs}
    for oid, handles in (cfg.get("tag_handles") or {}).items():
        if oid not in wanted:
            continue
        for h in handles:
            platform, _, handle = str(h).partition(":")
            keys.setdefault((platform, "h", handle_key(handle) or ""), oid)
    own = {a["id"]: a["official_id"] for a in accs}
    per_off: Counter = Counter()
    per_acc: Counter = Counter()
    for m in mentions:
        k = (m["platform"], "h", m["handle_key"] or "")
        kp = (m["platform"], "p", m["platform_id"] or "")
        oid = keys.get(k) or keys.get(kp)
        if not oid or own.get(m["account_id"]) == oid:
            continue
        per_off[oid] += m["n"]
        acc = acc_of.get(k) or acc_of.get(kp)
        if acc:
            per_acc[acc] += m["n"]
    return {"officials": dict(per_off), "accounts": dict(per_acc)}
