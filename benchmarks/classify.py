"""Throughput of labelling (all four labels) vs a TF-IDF + LinearSVC baseline (one label), one core.

Usage: python benchmarks/classify.py [--n 100000] [--data ../shared/data]
Texts: real comments/appeals/reviews from the shared corpora (SPb appeals, RuSentiment, RuSentiTweet, KazSAnDRA),
deterministically shuffled. The baseline is trained on RuSentiment train (not timed) and times transform + predict
of the same texts. Last line: ``classify ratio: X`` = our comments/s ÷ baseline comments/s.
"""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_texts(n: int, data: str | None) -> list[str]:
    from akimwatch.analysis import datasets as d

    root = d.shared_data_dir(data)
    pool = [e.text for e in d.spb_texts(root)]
    pool += [e.text for e in d.rusentiment(root, d.RUSENTIMENT_TRAIN + d.RUSENTIMENT_TEST)]
    pool += [e.text for e in d.rusentitweet(root)] + [
        e.text for e in d.rusentitweet(root, "rusentitweet_test.csv")
    ]
    pool += [e.text for e in d.kazsandra(root, "03_pc_train_rus.zip")]
    random.Random(0).shuffle(pool)
    while len(pool) < n:
        pool += pool[: n - len(pool)]
    return pool[:n]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--data", default=None)
    ap.add_argument("--batch", type=int, default=2000)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})

    texts = load_texts(args.n, args.data)
    print(f"texts: {len(texts)}, mean length {sum(map(len, texts)) / len(texts):.0f} chars", flush=True)

    t0 = time.perf_counter()
    from akimwatch.analysis.heads import label_all

    label_all(["загрузка моделей"])
    load_s = time.perf_counter() - t0
    print(f"model load (import + all artifacts + first text): {load_s:.2f} s", flush=True)

    t0 = time.perf_counter()
    counts = 0
    for i in range(0, len(texts), args.batch):
        out = label_all(texts[i : i + args.batch])
        counts += len(out["topic"])
    ours_s = time.perf_counter() - t0
    ours = counts / ours_s
    peak_ours = _peak_mb()
    print(
        f"ours (lang+type+topic+sentiment): {ours:,.0f} comments/s ({ours_s:.1f} s); peak RSS {peak_ours:.0f} MB",
        flush=True,
    )

    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    from akimwatch.analysis import datasets as d

    train = d.rusentiment(d.shared_data_dir(args.data), d.RUSENTIMENT_TRAIN)
    w, c = TfidfVectorizer(), TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))
    xs = [e.text for e in train]
    model = LinearSVC(random_state=0).fit(
        hstack([w.fit_transform(xs), c.fit_transform(xs)]).tocsr(), [e.label for e in train]
    )
    t0 = time.perf_counter()
    n = 0
    for i in range(0, len(texts), args.batch):
        chunk = texts[i : i + args.batch]
        n += len(model.predict(hstack([w.transform(chunk), c.transform(chunk)]).tocsr()))
    base_s = time.perf_counter() - t0
    base = n / base_s
    print(
        f"baseline (TF-IDF word+char_wb 2-5 + LinearSVC, sentiment only): {base:,.0f} comments/s ({base_s:.1f} s)"
    )
    print(f"peak RSS (whole run, incl. baseline training): {_peak_mb():.0f} MB")
    print(f"classify ratio: {ours / base:.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
