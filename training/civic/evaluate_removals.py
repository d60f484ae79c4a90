"""How often does «criticism is removed more than praise» come out true, and how often is it found?

    python training/civic/evaluate_removals.py [--pages 4000] [--seed 17] [--demo PATH/akimwatch.db]

A simulation with known truth, run through the same ``compute_removals`` the metrics use. Each page gets citizen
comments (criticism and praise volumes drawn log-normally, 10–2,000 each), a background removal rate (authors
removing their own comments, 0.5–5 %, equal for both groups) and, on half of the pages, a page that also removes
criticism (extra 1.5–10× the background). Comments are then passed through a label channel with the comment-type
head's confusions (a criticism read as praise 4 %, as other 12 %; praise read as criticism 3 %, as other 10 %), so
the detector sees what it would see in a real store. Printed: precision of the claim (pages claimed that really
remove criticism), recall among removing pages by size, and the false-claim rate on honest pages.

With ``--demo``: the demo store's states per official next to the generator's truth (demo/generate.py REMOVING).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from akimwatch.civic.deletion import compute_removals  # noqa: E402

CONFUSION = {"criticism": (("complaint", 0.84), ("gratitude", 0.04), ("other", 0.12)),
             "praise": (("gratitude", 0.87), ("complaint", 0.03), ("other", 0.10))}


def wilson_interval(k: int, n: int) -> tuple[float, float]:
    from akimwatch.civic.deletion import wilson

    return wilson(k, n) or (0.0, 1.0)


def simulate_page(rng: random.Random, removing: bool, min_comments: int) -> tuple[dict, int]:
    n = {"criticism": int(min(2000, max(10, rng.lognormvariate(math.log(120), 1.0)))),
         "praise": int(min(2000, max(10, rng.lognormvariate(math.log(90), 1.0))))}
    base = rng.uniform(0.005, 0.05)
    rate = {"criticism": min(0.9, base * rng.uniform(1.5, 10)) if removing else base, "praise": base}
    cells: dict[tuple, list[int]] = {}
    for group in ("criticism", "praise"):
        labels, weights = zip(*CONFUSION[group], strict=True)
        for _ in range(n[group]):
            ctype = rng.choices(labels, weights)[0]
            gone = rng.random() < rate[group]
            cell = cells.setdefault((ctype, gone), [0])
            cell[0] += 1
    counts = [{"comment_type": t, "sentiment": None, "removed": int(g), "n": c[0]} for (t, g), c in cells.items()]
    out = compute_removals(counts, [], True, min_comments)
    return out, min(n.values())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=4000)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--min-comments", type=int, default=30)
    ap.add_argument("--demo", type=Path)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    tp = fp = fn = honest = removing_pages = 0
    by_size: dict[str, list[int]] = {}
    for i in range(args.pages):
        removing = i % 2 == 0
        out, smaller = simulate_page(rng, removing, args.min_comments)
        claimed = out["state"] == "criticism_removed_more"
        if removing:
            removing_pages += 1
            bucket = "<30" if smaller < 30 else "30–99" if smaller < 100 else "100–299" if smaller < 300 else "≥300"
            cell = by_size.setdefault(bucket, [0, 0])
            cell[0] += claimed
            cell[1] += 1
            tp += claimed
            fn += not claimed
        else:
            honest += 1
            fp += claimed
    lo, hi = wilson_interval(tp, tp + fp)
    print(f"pages: {args.pages} ({removing_pages} removing criticism, {honest} honest); min comments per group "
          f"{args.min_comments}")
    print(f"precision of «criticism removed more»: {tp / max(1, tp + fp):.3f} ({tp}/{tp + fp}; 95 % CI {lo:.3f}–{hi:.3f})")
    print(f"false claims on honest pages: {fp}/{honest} = {fp / max(1, honest):.4f}")
    print(f"recall among removing pages: {tp / max(1, removing_pages):.3f}")
    for bucket in ("<30", "30–99", "100–299", "≥300"):
        if bucket in by_size:
            k, n = by_size[bucket]
            print(f"  recall, smaller group {bucket:>8}: {k / n:.3f} ({k}/{n})")
    if args.demo:
        from akimwatch.config import load_config
        from akimwatch.metrics import compute_metrics
        from akimwatch.store import open_store

        sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
        from demo.generate import REMOVING

        engine = open_store(args.demo)
        for o in compute_metrics(engine, None, None, load_config()):
            r = o["removals"]
            truth = "removes criticism" if o["official_id"] in REMOVING else "background only"
            print(f"demo {o['official_id']:12} {truth:18} → {r['state']}")
        engine.dispose()


if __name__ == "__main__":
    main()
