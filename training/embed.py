"""Encode every corpus row the accurate tier trains and is measured on, once, into training/.cache/ (not in git).

Run: ``python training/embed.py [--only NAME ...]``. Resumable: rows already in the cache are skipped, and the
cache is written every chunk, so an interrupted run loses at most one chunk.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from akimwatch.analysis import datasets as d
from akimwatch.analysis.corpora import heldout_sets, kk_unlabelled, seed_kk_examples, training_sets
from akimwatch.analysis.encoder import Encoder

CACHE = Path(__file__).resolve().parent / ".cache" / "embeddings"
CHUNK = 256


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--threads", type=int, default=None)
    args = ap.parse_args()
    root = d.shared_data_dir()
    enc = Encoder(num_threads=args.threads, disk_cache=CACHE)
    sets = {"annotated": [d.Example(r["text"], "", "ann", r["id"]) for r in d.annotated()]}
    sets.update(heldout_sets(root))
    sets.update(training_sets(root))
    sets["seed_kk"] = seed_kk_examples("type")
    sets["kk_unlabelled"] = kk_unlabelled(root)
    v2 = d.ANNOTATED_DIR / "v2" / "sample.csv"
    if v2.exists():
        sets["annotated_v2"] = [d.Example(r["text"], "", "v2", r["id"]) for r in d._rows(v2)]
    order = ["annotated", "kursk_topic", "kursk_test_coarse", "spb_topic", "none", "seed_kk", "annotated_v2",
             "rusentiment", "kazsandra",
             "kazsandra_valid", "rusentiment_test", "kursk_coarse", "kursk_test_topic"]
    order += [k for k in sets if k not in order]
    for name in order:
        if name not in sets or (args.only and name not in args.only):
            continue
        texts = [e.text for e in sets[name]]
        t0, before = time.time(), enc.encoded
        for s in range(0, len(texts), CHUNK):
            enc.encode(texts[s : s + CHUNK])
        n = enc.encoded - before
        dt = time.time() - t0
        print(f"{name}: {len(texts)} rows, {n} encoded in {dt:.0f} s ({n / max(dt, 1e-9):.1f}/s)", flush=True)
    print(f"cache holds {len(enc.disk)} texts", file=sys.stderr)


if __name__ == "__main__":
    main()
