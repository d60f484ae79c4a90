"""The built-in metrics, per account and per official, in the order their fields appear in the JSON contract.

Each is a small function over a ``Scope``; the arithmetic lives in activity.py, responsiveness.py, agenda.py and
audience.py. Fields starting with ``_`` are passed between metrics and dropped from the output.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from akimwatch.metrics.activity import compute_activity, compute_formats, compute_voice, overall_status
from akimwatch.metrics.agenda import compute_coverage, compute_topics, example_ids, find_acted_on
from akimwatch.metrics.audience import compute_audience
from akimwatch.metrics.coverage import compute_data_coverage, merge_coverages
from akimwatch.metrics.registry import Scope, metric
from akimwatch.metrics.responsiveness import compute_responsiveness, percentile

# ---------------------------------------------------------------- per account


def _activity(s: Scope) -> dict[str, Any]:
    return compute_activity([r["published_utc"] for r in s.posts], s.posts_ever, s.posts_before, s.start, s.as_of,
                            s.tz, s.cfg["activity"], s.row.get("data_coverage"))


@metric("data_coverage", "account", needs=("coverage", "posts", "posts_ever"))
def account_data_coverage(s: Scope) -> dict[str, Any]:
    """The spans this account's data cover in the period (first: activity and status are judged inside them)."""
    return {"data_coverage": compute_data_coverage(s.coverage, [r["published_utc"] for r in s.posts],
                                                   s.posts_before, s.start, s.as_of,
                                                   s.cfg["activity"]["min_coverage_days"])}


@metric("activity", "account", needs=("posts", "posts_ever"))
def account_activity(s: Scope) -> dict[str, Any]:
    return _activity(s)


@metric("formats", "account", needs=("posts",))
def account_formats(s: Scope) -> dict[str, Any]:
    return compute_formats(s.posts)


@metric("voice", "account", needs=("posts",))
def account_voice(s: Scope) -> dict[str, Any]:
    return {"voice": compute_voice([r["voice"] for r in s.posts])}


def _responsiveness(s: Scope) -> dict[str, Any]:
    return compute_responsiveness(s.comment_aggregates, s.official_replies, "comment_type" in s.label_versions,
                                  s.start, s.inbox_cutoff)


@metric("responsiveness", "account", needs=("comment_aggregates", "official_replies"))
def account_responsiveness(s: Scope) -> dict[str, Any]:
    return _responsiveness(s)  # keeps ``_delays`` for the official's median


@metric("comments_closed", "account", needs=("posts",))
def account_comments_closed(s: Scope) -> dict[str, Any]:
    closed = [r["comments_closed"] for r in s.posts if r["comments_closed"] is not None]
    return {"comments_closed": sum(closed) / len(closed) if closed else None}


@metric("audience", "account", needs=("posts", "followers"))
def account_audience(s: Scope) -> dict[str, Any]:
    return compute_audience(s.posts, s.followers,
                            (s.row.get("citizen_comments") or 0) + (s.row.get("official_replies") or 0))


@metric("tagged", "account", needs=("mentions",))
def account_tagged(s: Scope) -> dict[str, Any]:
    return {"tagged": s.tagged}


# ---------------------------------------------------------------- per official

ACTIVITY_FIELDS = ("posts", "posts_ever", "posts_per_week", "first_post", "last_post", "days_since_last_post",
                   "longest_silence_days", "weeks_observed", "weeks_with_posts", "weekday", "hour")


@metric("data_coverage", "official", needs=("accounts",))
def official_data_coverage(s: Scope) -> dict[str, Any]:
    return {"data_coverage": merge_coverages([a["data_coverage"] for a in s.accounts if a.get("data_coverage")],
                                             s.cfg["activity"]["min_coverage_days"])}


@metric("activity", "official", needs=("posts", "posts_ever"))
def official_activity(s: Scope) -> dict[str, Any]:
    act = _activity(s)
    return {"activity": {k: act[k] for k in ACTIVITY_FIELDS}, "posts": act["posts"],
            "posts_per_week": act["posts_per_week"]}


@metric("status", "official", needs=("accounts", "activity", "mentions"))
def official_status(s: Scope) -> dict[str, Any]:
    status = overall_status([a["status"] for a in s.accounts], bool(s.row["activity"]["posts_ever"]), s.tagged)
    for a in s.accounts:
        if status == "tagged_only" and not a["posts_ever"]:
            a["status"] = "tagged_only"
    return {"status": status}


@metric("voice", "official", needs=("posts",))
def official_voice(s: Scope) -> dict[str, Any]:
    return {"voice": compute_voice([r["voice"] for r in s.posts]), "voice_source": s.voice_source}


RESPONSIVENESS_FIELDS = ("citizen_comments", "official_replies", "replied_comments", "reply_rate",
                         "requests_questions", "replied_requests_questions", "reply_rate_requests", "unanswered")


@metric("responsiveness", "official", needs=("comment_aggregates", "official_replies", "accounts"))
def official_responsiveness(s: Scope) -> dict[str, Any]:
    resp = _responsiveness(s)
    delays = sorted(d for a in s.accounts for d in a.get("_delays", []))
    med = None
    if delays:
        mid = len(delays) // 2
        med = delays[mid] if len(delays) % 2 else (delays[mid - 1] + delays[mid]) / 2
    return {**{k: resp[k] for k in RESPONSIVENESS_FIELDS},
            "median_reply_hours": round(med, 2) if med is not None else None,
            "p90_reply_hours": round(percentile(delays, 90), 2) if delays else None}


@metric("audience", "official", needs=("accounts",))
def official_audience(s: Scope) -> dict[str, Any]:
    followers = [a["followers"] for a in s.accounts if a["followers"]]
    eng = [a["engagement_rate"] for a in s.accounts if a["engagement_rate"] is not None]
    return {"followers": sum(followers) if followers else None,
            "engagement_rate": round(sum(eng) / len(eng), 5) if eng else None}


@metric("tagged", "official", needs=("mentions",))
def official_tagged(s: Scope) -> dict[str, Any]:
    return {"tagged": s.tagged}


@metric("topics", "official", needs=("comment_aggregates", "posts"))
def official_topics(s: Scope) -> dict[str, Any]:
    topics = compute_topics(s.comment_aggregates, s.cfg["agenda"]["top_topics"])
    post_topics = Counter(r["topic"] for r in s.posts if r["topic"] and r["topic"] not in ("none", "uncertain"))
    out = {"top_topics": topics["top_topics"], "top_request_topics": topics["top_request_topics"],
           "topics_state": topics["topics_state"], "topic_labelled_share": topics["topic_labelled_share"],
           "post_topics": dict(post_topics.most_common()),
           "coverage": compute_coverage(topics["_all"], post_topics)}
    if "topic" not in s.label_versions:
        out["topics_state"] = "not_labelled" if s.row.get("citizen_comments") else "no_comments"
    return out


@metric("acted_on", "official", needs=("topic_days", "posts", "official_replies"))
def official_acted_on(s: Scope) -> dict[str, Any]:
    agenda = s.cfg["agenda"]
    return {"acted_on": find_acted_on(s.topic_days, s.posts, s.official_replies, agenda["cluster_min_comments"],
                                      agenda["acted_on_days"])}


@metric("examples", "official", needs=("topic_days",))
def official_examples(s: Scope) -> dict[str, Any]:
    """Which comments may illustrate the top topics; their texts are read for every official at once, after."""
    agenda = s.cfg["agenda"]
    pending = {t["topic"]: example_ids(s.topic_days, t["topic"], agenda["examples_pool"])
               for t in (s.row.get("top_topics") or [])[:3]} if agenda["examples"] else {}
    return {"examples": {}, "_example_ids": pending}
import akimwatch.metrics.civic  # noqa: E402,F401 - registers the civic signals (issue 17) after the built-ins
