"""Throughput of labelling (all four labels), both tiers, vs their references.

Usage: python benchmarks/classify.py [--n 100000] [--accurate-n 5000] [--data ../shared/data]
Texts: real comments/appeals/reviews from the shared corpora (SPb appeals, RuSentiment, RuSentiTweet, KazSAnDRA),
deterministically shuffled.

- fast tier, one core, on all ``--n`` texts; reference: a TF-IDF + LinearSVC baseline trained on RuSentiment
  train (not timed), transform + predict of the same texts.
- accurate tier, all cores the machine gives us, on a fixed sample of ``--accurate-n`` of the same texts (every
  20th, so the run stays short); reference: the encoder's raw embedding throughput on the same texts (already
  cut to what the tier feeds it), same batches, same run. The tier's overhead is the heads, the rules and the
  cache; the cache also skips duplicates, so the ratio can exceed 1 on real comment streams.

Last lines: ``classify ratio: X`` (fast ÷ baseline) and ``accurate ratio: Y`` (accurate ÷ raw encoder).
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
    ap.add_argument("--accurate-n", type=int, default=5000)
    args = ap.parse_args()
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_setaffinity") else None
    if cores:
        os.sched_setaffinity(0, {sorted(cores)[0]})

    texts = load_texts(args.n, args.data)
    print(f"texts: {len(texts)}, mean length {sum(map(len, texts)) / len(texts):.0f} chars", flush=True)

    t0 = time.perf_counter()
    from akimwatch.analysis.base import label_all

    label_all(["загрузка моделей"], "fast")
    load_s = time.perf_counter() - t0
    print(f"model load (import + all artifacts + first text): {load_s:.2f} s", flush=True)

    t0 = time.perf_counter()
    counts = 0
    for i in range(0, len(texts), args.batch):
        out = label_all(texts[i : i + args.batch], "fast")
        counts += len(out["topic"])
    ours_s = time.perf_counter() - t0
    ours = counts / ours_s
    peak_ours = _peak_mb()
    print(
        f"fast tier (lang+type+topic+sentiment): {ours:,.0f} comments/s ({ours_s:.1f} s); peak RSS {peak_ours:.0f} MB",
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
    print(f"peak RSS (fast tier + baseline training): {_peak_mb():.0f} MB", flush=True)

    acc, raw = accurate(texts, args.accurate_n, cores)
    print(f"peak RSS (whole run): {_peak_mb():.0f} MB")
    print(f"classify ratio: {ours / base:.2f}")
    print(f"accurate ratio: {acc / raw:.2f}")
    sys.stdout.flush()


def accurate(texts: list[str], n: int, cores) -> tuple[float, float]:
    """(accurate tier texts/s, raw encoder texts/s) on every len(texts)//n-th text, all cores."""
    if cores:
        os.sched_setaffinity(0, cores)
    step = max(1, len(texts) // n)
    sample = texts[::step][:n]
    t0 = time.perf_counter()
    from akimwatch.analysis.base import label_all
    from akimwatch.analysis.encoder import Encoder, prepare, shared_encoder

    label_all(["загрузка моделей"], "accurate")
    print(f"accurate tier: model load (encoder + heads + first text): {time.perf_counter() - t0:.2f} s, "
          f"{shared_encoder().num_threads} encoder threads; {len(sample)} texts, mean length "
          f"{sum(map(len, sample)) / len(sample):.0f} chars, distinct {len(set(sample))}", flush=True)
    ref = Encoder(num_threads=shared_encoder().num_threads)
    ref._model = shared_encoder().model  # the same loaded model: only the reference loop differs
    ref.raw([prepare(t) for t in texts[1::step][:64]])  # warm-up (threads, pages) outside the sample
    prepared = [prepare(t) for t in sample]
    half = len(sample) // 2
    t0 = time.perf_counter()
    ref.raw(prepared[:half])
    raw_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for i in range(0, len(sample), 500):
        label_all(sample[i : i + 500], "accurate")
    acc_s = time.perf_counter() - t0
    acc = len(sample) / acc_s
    t0 = time.perf_counter()  # the second half of the reference after the tier: load drift hits both sides
    ref.raw(prepared[half:])
    raw_s += time.perf_counter() - t0
    raw = len(sample) / raw_s
    print(f"raw encoder (embeddings only, half before and half after the tier): {raw:,.1f} texts/s ({raw_s:.1f} s)")
    print(f"accurate tier (lang+type+topic+sentiment, one encoder pass): {acc:,.1f} comments/s ({acc_s:.1f} s)",
          flush=True)
    return acc, raw


if __name__ == "__main__":
    main()
