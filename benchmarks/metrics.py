"""Benchmark: all metrics for 200 officials over 1,000,000 comments, against one bare GROUP BY on the same file.

    python benchmarks/metrics.py [--comments 1000000] [--accounts 200] [--keep PATH]

Builds a generated SQLite store (schema by ``open_store``, rows written with sqlite3 executemany): 200 officials with
one Instagram account each, 100 posts per account over 2019, comments on those posts (3% official replies threaded
under a citizen comment), and comment_type + topic labels for every citizen comment and topic labels for posts, as
the analysis stage would leave them. Then, in the same run:

- reference: per-account counts (posts, citizen comments, official replies) by one plain SQL GROUP BY in sqlite3;
- ours: ``compute_metrics`` for all officials (every metric, ranking, representative comments).

Prints both times and, last, ``metrics ratio: X`` = reference time ÷ our time (goal ≥ 0.2).

The civic signals (issue 17: removed comments, coordinated praise) are registered metrics, so ``compute_metrics``
includes them. Before timing, every citizen comment gets an author (40,000 authors, each writing on many pages) and
2 % are marked removed, as a re-harvested store would have them (not timed). The same run also times
``compute_metrics`` with the civic metrics taken out of the registry and prints ``civic ratio: X`` = (time with them −
time without) ÷ time without (issue 17's goal: ≤ 2, i.e. the four signals cost at most twice the other metrics).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synthetic_store import build_store  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

from akimwatch.analysis.voice import run_voice  # noqa: E402
from akimwatch.config import load_config  # noqa: E402
from akimwatch.metrics import compute_metrics  # noqa: E402
from akimwatch.store import open_store  # noqa: E402

REFERENCE_SQL = """
SELECT p.account_id, COUNT(DISTINCT p.id) AS posts,
       SUM(CASE WHEN c.is_official_reply = 0 THEN 1 ELSE 0 END) AS comments,
       SUM(CASE WHEN c.is_official_reply = 1 THEN 1 ELSE 0 END) AS official_replies
FROM posts p LEFT JOIN comments c ON c.post_id = p.id
GROUP BY p.account_id
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--comments", type=int, default=1_000_000)
    ap.add_argument("--accounts", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=2, help="Runs of each side; the best time counts.")
    ap.add_argument("--keep", type=Path, help="Build (or reuse) the store at this path instead of a temp dir.")
    args = ap.parse_args()
    t_all = time.perf_counter()
    tmp = tempfile.TemporaryDirectory()
    path = args.keep or Path(tmp.name) / "bench.db"
    if not path.exists():
        t0 = time.perf_counter()
        build_store(path, args.comments, args.accounts)
        print(f"built store: {args.comments:,} comments, {args.accounts} accounts in {time.perf_counter() - t0:.1f} s")
    engine = open_store(path)
    t0 = time.perf_counter()
    labelled = run_voice(engine)
    print(f"voice labels (analysis stage, not timed as metrics): {labelled:,} posts in {time.perf_counter() - t0:.2f} s")

    # Both sides run alternately, best of --repeat runs each (the usual way to time on a shared, noisy machine);
    # CPU seconds are printed too, since our metrics run two comment scans on two connections side by side.
    db = sqlite3.connect(path)
    db.execute("SELECT COUNT(*) FROM comments").fetchone()  # warm the page cache for both sides alike
    t_ref = t_ours = c_ref = c_ours = float("inf")
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        ref = db.execute(REFERENCE_SQL).fetchall()
        t_ref, c_ref = min(t_ref, time.perf_counter() - t0), min(c_ref, time.process_time() - c0)
        t0, c0 = time.perf_counter(), time.process_time()
        res = compute_metrics(engine, None, None, load_config())
        t_ours, c_ours = min(t_ours, time.perf_counter() - t0), min(c_ours, time.process_time() - c0)
    # Civic: the time of compute_metrics without the civic metrics, against the time with them (both best of runs).
    db.execute("UPDATE comments SET author_platform_id = 'u' || (id % 40000) WHERE author_platform_id IS NULL")
    db.execute("UPDATE comments SET deleted_utc = published_utc WHERE id % 50 = 7 AND is_official_reply = 0 "
               "AND deleted_utc IS NULL")
    db.commit()
    db.close()
    from akimwatch.metrics import registry

    registry.metrics_for("official")
    civic = [m for m in registry.METRICS if m.compute.__module__ == "akimwatch.metrics.civic"]
    t_with = t_without = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        res = compute_metrics(engine, None, None, load_config())
        t_with = min(t_with, time.perf_counter() - t0)
        for m in civic:
            registry.METRICS.remove(m)
        try:
            t0 = time.perf_counter()
            compute_metrics(engine, None, None, load_config())
            t_without = min(t_without, time.perf_counter() - t0)
        finally:
            registry.METRICS.extend(civic)
    flagged = sum((o.get("coordination") or {}).get("suspected") or 0 for o in res)
    claims = sum((o.get("removals") or {}).get("state") == "criticism_removed_more" for o in res)

    ours = {a["account_id"]: (a["posts"], a["citizen_comments"], a["official_replies"])
            for o in res for a in o["accounts"]}
    mismatch = [r for r in ref if ours.get(r[0]) != (r[1], r[2], r[3])]
    print(f"reference GROUP BY (posts, comments, official replies per account): {t_ref:.3f} s "
          f"(cpu {c_ref:.3f} s), {len(ref)} accounts")
    print(f"compute_metrics (all metrics, {len(res)} officials, ranked {sum(o['rank'] is not None for o in res)}): "
          f"{t_ours:.3f} s (cpu {c_ours:.3f} s); counts agree with the reference: "
          f"{'yes' if not mismatch else f'NO ({len(mismatch)})'}")
    print(f"best of {args.repeat} runs each; cpu ratio: {c_ref / c_ours:.3f}")
    print(f"compute_metrics without the civic metrics: {t_without:.3f} s; with them: {t_with:.3f} s "
          f"({len(civic)} civic metrics; removal claims {claims}, suspected coordinated comments {flagged})")
    print(f"total run: {time.perf_counter() - t_all:.1f} s")
    engine.dispose()
    tmp.cleanup()
    print(f"civic ratio: {(t_with - t_without) / t_without:.3f}")
    print(f"metrics ratio: {t_ref / t_ours:.3f}")


if __name__ == "__main__":
    main()
