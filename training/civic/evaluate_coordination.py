"""Precision (and, on the demo, recall) of «suspected coordinated praise».

    python training/civic/evaluate_coordination.py --demo PATH/akimwatch.db
    python training/civic/evaluate_coordination.py --x-jsonl ../shared/data/formats/twitter-api-v2-twarc-csv/*.jsonl

``--demo``: the demo store (after `akimwatch demo`, which labels it); the truth is the invented campaign of
demo/generate.py (CAMPAIGNS: its accounts are known). Prints every flagged cluster (masked text of its first
comment, authors, campaign members among them) for a hand check, and precision/recall per comment and per cluster
with Wilson intervals.

``--x-jsonl``: a stress test on real posts from many authors (twarc exports of X): every original tweet (retweets
dropped: a platform's own copy, not a comment) is treated as praise under one official and every author as
single-minded — the worst case, leaving only the text and burst rules to guard. Every flagged cluster is printed
for a hand check; on genuinely independent authors each is a false positive.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from akimwatch.civic.coordination import find_coordinated  # noqa: E402
from akimwatch.civic.deletion import wilson  # noqa: E402
from akimwatch.config import load_config  # noqa: E402
from akimwatch.privacy import mask_personal_data  # noqa: E402


def demo(path: Path) -> None:
    from sqlalchemy import func, select

    from akimwatch.civic import queries as q
    from akimwatch.civic.coordination import single_minded_by_official
    from akimwatch.store import open_store
    from akimwatch.store.schema import accounts, comments, posts
    from demo.generate import CAMPAIGNS, Ids, people

    crew = {p.ig_id for (official, _), plan in CAMPAIGNS.items()
            for p in people(f"campaign_{official}", plan["accounts"], Ids(f"campaign:{official}"))}
    cfg = load_config()["civic"]
    engine = open_store(path)
    tp = fp = total_campaign = 0
    clusters_ok = clusters_all = 0
    with engine.connect() as conn:
        versions = q.civic_label_versions(conn)
        minded = single_minded_by_official(q.author_footprints(conn, versions))
        officials = {}
        for oid in sorted({r[0] for r in conn.execute(select(accounts.c.official_id)) if r[0]}):
            officials[oid] = q.official_account_ids(conn, oid)
        for oid, acc_ids in officials.items():
            rows = q.praise_comments(conn, acc_ids, (None, None), versions)
            all_campaign = conn.execute(
                select(func.count()).select_from(comments.join(posts, posts.c.id == comments.c.post_id))
                .where(posts.c.account_id.in_(acc_ids), comments.c.author_platform_id.in_(crew))).scalar_one()
            total_campaign += all_campaign
            by_id = {r["id"]: r for r in rows}
            counted: set[int] = set()
            for c in find_coordinated(rows, minded.get(oid, set()), cfg):
                ids = sorted(set(c["comment_ids"] + c["template_ids"]) - counted)
                counted.update(ids)
                good = sum(by_id[i]["author"] in crew for i in ids)
                tp += good
                fp += len(ids) - good
                clusters_all += 1
                clusters_ok += good * 2 > len(ids)
                print(f"{oid}: cluster of {len(ids)} ({c['authors']} authors, {c['posts']} posts), campaign "
                      f"members {good}: «{mask_personal_data(by_id[c['example_id']]['text'])[:70]}»")
    engine.dispose()
    print(f"comments: precision {tp / max(1, tp + fp):.3f} ({tp}/{tp + fp}; 95 % CI {wilson(tp, tp + fp)}), "
          f"recall {tp / max(1, total_campaign):.3f} ({tp}/{total_campaign} campaign comments, including those the "
          "classifier did not label as praise)")
    print(f"clusters: {clusters_ok}/{clusters_all} are the campaign (95 % CI {wilson(clusters_ok, clusters_all)})")


def x_stress(paths: list[Path]) -> None:
    rows, seen = [], set()
    for path in paths:
        for line in path.read_text("utf-8").splitlines():
            if not line.strip():
                continue
            try:
                page = json.loads(line)
            except json.JSONDecodeError:
                continue  # a stream's error line
            tweets = page.get("data") if isinstance(page.get("data"), list) else [page.get("data") or page]
            for t in tweets:
                if not isinstance(t, dict) or "text" not in t or t.get("id") in seen:
                    continue
                seen.add(t.get("id"))
                if t["text"].startswith("RT @") or not t.get("created_at"):
                    continue
                rows.append({"id": len(rows) + 1, "post_id": t.get("conversation_id") or t["id"],
                             "author": t.get("author_id"), "text": t["text"],
                             "published_utc": datetime.fromisoformat(t["created_at"].replace("Z", "+00:00"))})
    cfg = load_config()["civic"]
    authors = {r["author"] for r in rows}
    flagged = find_coordinated(rows, authors, cfg)
    # The per-post burst needs replies under one post; a search export has few. Also judge bursts across the stream.
    flat = [{**r, "post_id": "stream"} for r in rows]
    flagged_stream = find_coordinated(flat, authors, cfg)
    by_id = {r["id"]: r for r in rows}
    print(f"{len(rows)} original tweets from {len(authors)} authors; flagged clusters: {len(flagged)} per "
          f"conversation, {len(flagged_stream)} when the whole stream counts as one post")
    for c in flagged + flagged_stream:
        print(f"  cluster of {len(c['comment_ids'])} from {c['authors']} authors: "
              f"«{mask_personal_data(by_id[c['example_id']]['text'])[:90]}»")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demo", type=Path)
    ap.add_argument("--x-jsonl", type=Path, nargs="*")
    args = ap.parse_args()
    if args.demo:
        demo(args.demo)
    if args.x_jsonl:
        x_stress(args.x_jsonl)


if __name__ == "__main__":
    main()
