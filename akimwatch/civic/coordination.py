"""Coordinated praise: clusters of near-identical praise, posted in bursts by accounts that praise only one official.

Pure functions over the praise comments of one official (``queries.praise_comments``) and the authors' footprint
across the whole store (``queries.author_footprints``). A cluster is *suspected* only when three signals meet
(docs/methodology.md «Coordinated praise»):

1. near-identical text — MinHash over character 4-grams of the normalised text (datasketch's ``MinHashLSH``),
   Jaccard ≥ ``civic.coordination_jaccard``, from at least ``civic.coordination_min_authors`` distinct authors;
   short texts («Спасибо!», «Рахмет») are too common to be evidence and never form a cluster;
2. a burst — at least ``min_authors`` of its comments on one post within ``civic.burst_minutes``;
3. single-minded authors — ≥ 2 comments in the store, all praise, all under one official (the candidates are
   read with this rule already applied, queries.praise_comments; ``find_coordinated`` checks it again).

Emoji-only comments (👏👏👏) are evidence only beside a suspected cluster: those by single-minded authors on the same
post within the burst window join it as «template» members. A false accusation is worse than a miss: each rule
leans to missing.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

PRAISE_TYPES = ("gratitude",)
_MENTION = re.compile(r"[@#][\w.]+|https?://\S+")


def normalise(text: str | None) -> tuple[str, bool]:
    """(letters and spaces only, lower-cased; whether the text was emoji/symbols only)."""
    text = _MENTION.sub(" ", text or "")
    letters = []
    symbols = False
    for ch in text.lower():
        cat = unicodedata.category(ch)
        if cat[0] == "L":
            letters.append(ch)
        elif cat in ("So", "Sk", "Cs") or ch in "\u200d\ufe0f":
            symbols = True
            letters.append(" ")
        else:
            letters.append(" ")
    norm = " ".join("".join(letters).split())
    return norm, (not norm and symbols)


def _shingles(norm: str, k: int = 4) -> set[bytes]:
    s = f" {norm} "
    return {s[i:i + k].encode() for i in range(max(1, len(s) - k + 1))}


class _Union:
    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def find(self, x: Any) -> Any:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: Any, b: Any) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def near_identical_groups(keys: list[str], jaccard: float, num_perm: int = 64) -> list[list[str]]:
    """Groups of normalised texts whose estimated Jaccard similarity (character 4-grams) is ≥ ``jaccard``."""
    from datasketch import MinHash, MinHashLSH

    if len(keys) < 2:
        return [[k] for k in keys]
    lsh = MinHashLSH(threshold=jaccard, num_perm=num_perm)
    hashes = MinHash.bulk([list(_shingles(k)) for k in keys], num_perm=num_perm, seed=17)
    for i, m in enumerate(hashes):
        lsh.insert(i, m)
    uf = _Union()
    for i, m in enumerate(hashes):
        uf.find(i)
        for j in lsh.query(m):
            if j != i and hashes[i].jaccard(hashes[j]) >= jaccard:
                uf.union(i, j)
    groups: dict[int, list[str]] = defaultdict(list)
    for i, k in enumerate(keys):
        groups[uf.find(i)].append(k)
    return list(groups.values())


def single_minded_by_official(footprints: Iterable[dict[str, Any]]) -> dict[str, set[str]]:
    """Official id → authors with ≥ 2 comments in the store, every one praise, every one under that official."""
    out: dict[str, set[str]] = defaultdict(set)
    for f in footprints:
        if f["comments"] >= 2 and f["praise"] == f["comments"] and f["officials"] == 1 and f["official_id"]:
            out[f["official_id"]].add(f["author"])
    return dict(out)


def _burst(members: list[dict[str, Any]], minutes: float, min_authors: int) -> list[tuple[Any, datetime, datetime]]:
    """(post, first, last) windows where ≥ ``min_authors`` distinct authors of the cluster wrote within ``minutes``."""
    by_post: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for m in members:
        by_post[m["post_id"]].append(m)
    out = []
    for post, rows in by_post.items():
        rows.sort(key=lambda r: r["published_utc"])
        lo = 0
        best: tuple[int, int] | None = None
        for hi in range(len(rows)):
            while (rows[hi]["published_utc"] - rows[lo]["published_utc"]).total_seconds() > minutes * 60:
                lo += 1
            authors = {r["author"] for r in rows[lo:hi + 1]}
            if len(authors) >= min_authors and (best is None or hi - lo > best[1] - best[0]):
                best = (lo, hi)
        if best:
            out.append((post, rows[best[0]]["published_utc"], rows[best[1]]["published_utc"]))
    return out


def find_coordinated(rows: list[dict[str, Any]], minded: set[str], cfg: dict[str, Any]) -> list[dict[str, Any]]:
    """Suspected clusters among one official's praise comments: ``[{comment_ids, authors, posts, template_ids,
    text_example_id}]``; rows: ``{id, post_id, author, published_utc, text}``."""
    jaccard, min_authors = cfg["coordination_jaccard"], cfg["coordination_min_authors"]
    minutes, min_chars = cfg["burst_minutes"], cfg["coordination_min_chars"]
    by_key: dict[str, list[dict[str, Any]]] = defaultdict(list)
    emoji_only: list[dict[str, Any]] = []
    for r in rows:
        if not r["author"]:
            continue
        norm, only_symbols = normalise(r["text"])
        if only_symbols:
            emoji_only.append(r)
        elif len(norm) >= min_chars:
            by_key[norm].append(r)
    # MinHash only where a cluster is possible at all: keys whose authors could reach min_authors with others.
    keys = sorted(by_key)
    clusters = []
    for group in near_identical_groups(keys, jaccard):
        members = [r for k in group for r in by_key[k]]
        authors = {r["author"] for r in members}
        if len(authors) < min_authors:
            continue
        bursts = _burst(members, minutes, min_authors)
        if not bursts or len(authors & minded) * 2 < len(authors):
            continue
        template = [r for r in emoji_only if r["author"] in minded and any(
            r["post_id"] == post and abs((r["published_utc"] - first).total_seconds()) <= minutes * 60 + (
                last - first).total_seconds() for post, first, last in bursts)]
        clusters.append({"comment_ids": sorted(r["id"] for r in members), "authors": len(authors),
                         "single_minded_authors": len(authors & minded), "posts": len({r["post_id"] for r in members}),
                         "bursts": len(bursts), "template_ids": sorted(r["id"] for r in template),
                         "example_id": min(r["id"] for r in members)})
    return clusters


def compute_coordination(clusters: list[dict[str, Any]], sentiment_of: dict[int, str | None],
                         totals: dict[str, int], praise_comments: int, labelled: bool) -> dict[str, Any]:
    """The ``coordination`` block: the share of suspected comments and sentiment with and without them.

    ``totals``: citizen comments per sentiment (``None`` key: no sentiment label) for the official."""
    citizen = sum(totals.values())
    suspected_ids = {i for c in clusters for i in (*c["comment_ids"], *c["template_ids"])}
    suspected = len(suspected_ids)
    pos = totals.get("positive", 0)
    pos_suspected = sum(1 for i in suspected_ids if sentiment_of.get(i) == "positive")
    with_sent = sum(v for k, v in totals.items() if k is not None)
    sent_suspected = sum(1 for i in suspected_ids if sentiment_of.get(i) is not None)
    state = ("not_labelled" if not labelled else "no_praise" if not praise_comments else
             "suspected" if clusters else "none_found")
    return {
        "state": state, "citizen_comments": citizen, "praise_comments": praise_comments,
        "suspected": suspected, "suspected_share": round(suspected / citizen, 4) if citizen else None,
        "clusters": len(clusters), "largest_cluster": max((len(c["comment_ids"]) + len(c["template_ids"])
                                                           for c in clusters), default=0),
        "suspected_authors": sum(c["authors"] for c in clusters),
        "positive_share": round(pos / with_sent, 4) if with_sent else None,
        "positive_share_without": (round((pos - pos_suspected) / (with_sent - sent_suspected), 4)
                                   if with_sent - sent_suspected > 0 else None),
        "cluster_examples": [{"example_id": c["example_id"], "comments": len(c["comment_ids"]) + len(c["template_ids"]),
                              "authors": c["authors"], "posts": c["posts"]} for c in clusters[:5]],
    }
