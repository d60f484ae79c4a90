"""What citizens ask, what the official posts about, and where a post followed the citizens' demand («acted on»)."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from akimwatch.models import UNCERTAIN

ASKING = ("request", "question")

# An official reply that commits to doing something counts as acted-on evidence too.
PROMISE = re.compile(
    r"(?:рассмотр(?:им|ено|ят)|примем меры|приняты меры|будут приняты|будет (?:сделан|отремонтир|решен|решён|"
    r"установлен|построен|заменен|заменён|проверен|устранен|устранён)|поручено|поручил|дано поручение|разбер[её]мся|"
    r"взят[оа]? на контроль|на контроле|отремонтируем|исправим|устраним|направлен[оа]? (?:в|на)|"
    r"қарастырамыз|шара қолданылады|тапсырма берілді|бақылауға алынды|жөндейміз)",
    re.IGNORECASE)


def compute_topics(agg: list[dict[str, Any]], top_n: int) -> dict[str, Any]:
    """Top topics of citizen comments by count and by requests, with the trend (first vs second half of the period)."""
    by: dict[str, Counter] = defaultdict(Counter)
    labelled = 0
    citizen = 0
    uncertain = 0
    for r in agg:
        if r["official"]:
            continue
        citizen += r["n"]
        if r["topic"] is None:
            continue
        if r["topic"] == UNCERTAIN:  # the analyzer abstained: shown apart, never counted as a topic
            uncertain += r["n"]
            continue
        labelled += r["n"]
        if r["topic"] == "none":
            continue
        c = by[r["topic"]]
        c["comments"] += r["n"]
        c["requests"] += r["n"] if r["ctype"] == "request" else 0
        c["asking"] += r["n"] if r["ctype"] in ASKING else 0
        c["late" if r["late"] else "early"] += r["n"]
    items = []
    for topic, c in by.items():
        early, late = c["early"], c["late"]
        trend = "rising" if late > early * 1.25 else "falling" if early > late * 1.25 else "steady"
        items.append({"topic": topic, "comments": c["comments"], "requests": c["requests"],
                      "requests_questions": c["asking"], "first_half": early, "second_half": late, "trend": trend})
    by_comments = sorted(items, key=lambda x: (-x["comments"], x["topic"]))
    by_requests = sorted((i for i in items if i["requests"]), key=lambda x: (-x["requests"], x["topic"]))
    state = "ok" if labelled else ("not_labelled" if citizen else "no_comments")
    return {"top_topics": by_comments[:top_n], "top_request_topics": [i["topic"] for i in by_requests[:top_n]],
            "topics_state": state, "topic_labelled_share": round(labelled / citizen, 3) if citizen else None,
            "topic_uncertain": uncertain,
            "_all": {i["topic"]: i["comments"] for i in items}}


def compute_coverage(citizen_topics: dict[str, int], post_topics: Counter) -> float | None:
    """Share of the citizens' topical comments whose topic the official also posted about in the period."""
    total = sum(citizen_topics.values())
    if not total or not post_topics:
        return None
    return round(sum(n for t, n in citizen_topics.items() if post_topics.get(t)) / total, 3)


def find_acted_on(days: list[tuple], posts: list[dict[str, Any]], replies: list[dict[str, Any]],
                  k: int, window: int) -> list[dict[str, Any]]:
    """Links from a citizen cluster to an official post (or a promising reply) on the same topic.

    A cluster: ≥ ``k`` citizen comments on topic T on the official's accounts during the ``window`` days before
    the day of an official post labelled T (the post's own day excluded). Per topic the strongest link is kept
    (most comments; on a tie the earlier post). ``days_after`` = post day − day of the cluster's first comment.
    """
    # days: (account, topic, day, n, first comment id, last comment id); per topic sorted days + running sums.
    per_topic: dict[str, dict[date, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for d in days:
        per_topic[d[1]][d[2]].append(d)
    index: dict[str, tuple[list[date], list[int]]] = {}
    for topic, by_day in per_topic.items():
        ds = sorted(by_day)
        cum = [0]
        for day in ds:
            cum.append(cum[-1] + sum(c[3] for c in by_day[day]))
        index[topic] = (ds, cum)
    best: dict[str, dict[str, Any]] = {}
    for p in sorted(posts, key=lambda r: r["published_utc"]):
        topic = p.get("topic")
        if not topic or topic == "none" or topic not in index:
            continue
        pday = p["published_utc"].date()
        ds, cum = index[topic]
        lo, hi = bisect_left(ds, pday - timedelta(days=window)), bisect_left(ds, pday)
        n = cum[hi] - cum[lo]
        cur = best.get(topic)
        if n < k or (cur is not None and n <= cur["comments"]):
            continue
        cells = [c for day in ds[lo:hi] for c in per_topic[topic][day]]
        first, last = ds[lo], ds[hi - 1]
        ids = sorted({i for c in cells for i in (c[4], c[5])})[:10]
        best[topic] = {"topic": topic, "kind": "post", "comments": n, "post_id": p["id"],
                       "account_id": p["account_id"], "post_utc": p["published_utc"].isoformat(),
                       "cluster_start": first.isoformat(), "cluster_end": last.isoformat(),
                       "days_after": (pday - first).days, "days_after_last": (pday - last).days, "comment_ids": ids}
    out = sorted(best.values(), key=lambda x: (-x["comments"], x["topic"]))
    # Promising replies, one entry per topic: how many comments got a promise, the earliest one as evidence.
    promises: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rep in replies:
        if rep["parent_id"] is None or rep["parent_official"] or not PROMISE.search(rep["text"] or ""):
            continue
        promises[rep["parent_topic"] or "not labelled"].append(rep)
    for topic, reps in sorted(promises.items(), key=lambda kv: (-len({r["parent_id"] for r in kv[1]}), kv[0])):
        reps.sort(key=lambda r: r["published_utc"])
        first = reps[0]
        out.append({"topic": topic, "kind": "reply_promise", "comments": len({r["parent_id"] for r in reps}),
                    "post_id": first["post_id"], "account_id": first["account_id"], "reply_id": first["id"],
                    "post_utc": first["published_utc"].isoformat(),
                    "days_after": (first["published_utc"].date() - first["parent_utc"].date()).days,
                    "comment_ids": sorted({r["parent_id"] for r in reps})[:10],
                    "reply_ids": sorted(r["id"] for r in reps)[:10]})
    return out


@lru_cache(maxsize=8192)
def _shingles(text: str, n: int = 4) -> frozenset[str]:
    t = re.sub(r"\W+", " ", text.lower()).strip()
    return frozenset(t[i:i + n] for i in range(max(1, len(t) - n + 1)))


def example_ids(days: list[tuple], topic: str, pool: int) -> list[int]:
    """A sample of real comment ids on a topic: the first and last comment of each day, busiest days first."""
    ids: list[int] = []
    for d in sorted((d for d in days if d[1] == topic), key=lambda d: (-d[3], d[2])):
        for i in (d[4], d[5]):
            if i not in ids:
                ids.append(i)
        if len(ids) >= pool:
            break
    return ids[:pool]


def merge_incidents(comments: list[dict[str, Any]], threshold: float, limit: int) -> list[dict[str, Any]]:
    """Greedy near-duplicate merging (character 4-shingle Jaccard ≥ threshold) into «incidents», biggest first.

    Each incident is shown by its most liked comment (a real comment, quoted as written) with the number of
    comments merged into it.
    """
    incidents: list[dict[str, Any]] = []
    for c in comments:
        sh = _shingles(c["text"] or "")
        for inc in incidents:
            inter = len(sh & inc["sh"])
            if inter and inter / len(sh | inc["sh"]) >= threshold:
                inc["members"].append(c)
                break
        else:
            incidents.append({"sh": sh, "members": [c]})
    out = []
    for inc in incidents:
        rep = max(inc["members"], key=lambda m: (m["likes"] or 0, -m["id"]))
        out.append({"comment_id": rep["id"], "text": rep["text"], "likes": rep["likes"],
                    "similar_comments": len(inc["members"]),
                    "comment_ids": sorted(m["id"] for m in inc["members"])[:20]})
    out.sort(key=lambda x: (-x["similar_comments"], -(x["likes"] or 0), x["comment_id"]))
    return out[:limit]
