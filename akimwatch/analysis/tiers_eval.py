"""Every target figure, per tier, with bootstrap 95 % intervals (``akimwatch eval``).

Why intervals: a 0.02 difference on 300 rows is noise; each figure is re-computed on 1,000 bootstrap resamples of
its held-out rows and the 2.5-97.5 percentiles are printed next to it.

Held-out sets (never trained or tuned on): annotated test split, our Kursk test split (themes mapped to topics),
a fixed sample of rusentiment_test (3 classes), a fixed sample of KazSAnDRA 04_pc_valid (polarity), the dev part
of the Kazakh seed set (Kazakh topic/type; the only Kazakh topic rows we have, so selection also looked at it —
marked ``(dev)``). Abstention: figures score the best guess on every row (as the independent checks do) and
``coverage`` says how many rows the tier would label rather than mark ``uncertain``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from akimwatch.analysis import datasets as d
from akimwatch.analysis.accurate import best_guess
from akimwatch.analysis.base import Batch, label_batch
from akimwatch.analysis.corpora import heldout_sets, seed_kk_examples
from akimwatch.models import UNCERTAIN

Log = Callable[[str], None]
SHORT = 100
BOOT = 1000
KURSK_TOPICS_NOTE = "Kursk test split, themes mapped to our topics"


def _macro_f1(y: np.ndarray, p: np.ndarray, labels: list[str]) -> float:
    f1s = []
    for lab in labels:
        tp = np.sum((y == lab) & (p == lab))
        fp = np.sum((y != lab) & (p == lab))
        fn = np.sum((y == lab) & (p != lab))
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s)) if f1s else 0.0


def figure(y_true: list[str], y_pred: list[str], metric: str = "macro_f1", seed: int = 0) -> dict:
    """{value, lo, hi, n}: the metric and its bootstrap 95 % interval (labels = classes present in y_true)."""
    y, p = np.asarray(y_true), np.asarray(y_pred)
    labels = sorted(set(y_true))

    def score(idx):
        if metric == "accuracy":
            return float(np.mean(y[idx] == p[idx]))
        return _macro_f1(y[idx], p[idx], labels)

    n = len(y)
    value = score(np.arange(n))
    rng = np.random.default_rng(seed)
    boots = [score(rng.integers(0, n, n)) for _ in range(BOOT)] if n else [0.0]
    lo, hi = np.percentile(boots, [2.5, 97.5])
    return {"metric": metric, "value": round(value, 4), "lo": round(float(lo), 4), "hi": round(float(hi), 4), "n": n}


def ece(conf: np.ndarray, correct: np.ndarray, bins: int = 10) -> tuple[float, list[dict]]:
    """Expected calibration error and the reliability table (per confidence bin: mean confidence, accuracy, n)."""
    edges = np.linspace(0, 1, bins + 1)
    table, total = [], 0.0
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        m = (conf >= a) & (conf < b if b < 1 else conf <= b)
        if m.sum():
            gap = abs(conf[m].mean() - correct[m].mean())
            total += m.sum() / len(conf) * gap
            table.append({"bin": f"{a:.1f}-{b:.1f}", "confidence": round(float(conf[m].mean()), 3),
                          "accuracy": round(float(correct[m].mean()), 3), "n": int(m.sum())})
    return round(float(total), 4), table


def _labels(texts: list[str], name: str, tier: str):
    return label_batch(Batch(list(texts)), [name], tier)[name]


def evaluate_tier(tier: str, data_dir: str | Path | None = None, log: Log = print) -> dict:
    """{figure name: {value, lo, hi, n, ...}} for one tier, plus calibration tables under ``calibration``."""
    from akimwatch.analysis.language import detect
    from akimwatch.analysis.text import clean

    if tier == "accurate":
        from akimwatch.analysis.encoder import use_disk_cache
        from akimwatch.analysis.train_accurate import CACHE_DIR

        use_disk_cache(CACHE_DIR)
    root = d.shared_data_dir(data_dir)
    held = heldout_sets(root)
    ann = d.annotated("test")
    out: dict = {"tier": tier, "figures": {}, "calibration": {}, "coverage": {}}
    fig = out["figures"]

    log(f"[{tier}] language")
    short = [r for r in ann if len(r["text"]) < SHORT]
    y_lang, p_lang = [r["lang"] for r in short], [detect(clean(r["text"]))[0] for r in short]
    fig["lang / annotated test, short comments"] = figure(y_lang, p_lang)
    fig["lang / annotated test, short comments, accuracy"] = figure(y_lang, p_lang, "accuracy")

    def labelled(name: str, field: str, rows: list[dict], key: str):
        labs = _labels([r["text"] for r in rows], name, tier)
        y = [r[field] for r in rows]
        pred = [best_guess(lab) for lab in labs]
        fig[key] = figure(y, pred)
        conf = np.array([lab.confidence for lab in labs])
        correct = np.array([a == b for a, b in zip(pred, y, strict=True)])
        e, table = ece(conf, correct)
        out["calibration"][key] = {"ece": e, "table": table}
        out["coverage"][key] = round(float(np.mean([lab.value != UNCERTAIN for lab in labs])), 4)
        return labs

    for name, field in (("comment_type", "type"), ("topic", "topic"), ("sentiment", "sentiment")):
        log(f"[{tier}] {name} on annotated test")
        labelled(name, field, ann, f"{field} / annotated test")
    kk = [r for r in ann if r["lang"] in ("kk", "mixed")]
    labelled("comment_type", "type", kk, "type / annotated test, Kazakh + mixed")
    labelled("topic", "topic", kk, "topic / annotated test, Kazakh + mixed")
    # the fast tier was trained on v1 (train + dev), whose rows are part of v2: rows new in v2 are clean for both
    v1 = {r["id"] for r in d.annotated(version="v1")}
    fresh = [r for r in ann if r["id"] not in v1]
    if len(fresh) < len(ann):
        for name, field in (("comment_type", "type"), ("topic", "topic"), ("sentiment", "sentiment")):
            labelled(name, field, fresh, f"{field} / annotated test, rows new in v2")

    from akimwatch.analysis.train_accurate import seed_split

    for field, name in (("topic", "topic"), ("type", "comment_type")):
        dev = seed_split([e for e in seed_kk_examples(field) if e.label])[1]
        if dev:
            rows = [{"text": e.text, field: e.label} for e in dev]
            labelled(name, field, rows, f"{field} / Kazakh seed (dev)")

    log(f"[{tier}] topic on Kursk")
    kt = held["kursk_test_topic"]
    labs = _labels([e.text for e in kt], "topic", tier)
    y, pred = [e.label for e in kt], [best_guess(lab) for lab in labs]
    fig["topic / Kursk test (mapped)"] = figure(y, pred)
    fig["topic / Kursk test (mapped), accuracy"] = figure(y, pred, "accuracy")

    log(f"[{tier}] sentiment corpora")
    rt = held["rusentiment_test"]
    labs = _labels([e.text for e in rt], "sentiment", tier)
    fig["sentiment / RuSentiment test, 3 classes"] = figure([e.label for e in rt], [best_guess(lab) for lab in labs])
    kv = held["kazsandra_valid"]
    fig["sentiment / KazSAnDRA valid, polarity"] = figure(
        [e.label for e in kv], polarity(tier, [e.text for e in kv])
    )
    return out


def polarity(tier: str, texts: list[str]) -> list[str]:
    """Binary polarity ('1' positive, '0' negative) from the sentiment head: positive vs negative probability."""
    batch = Batch(list(texts))
    if tier == "accurate":
        from akimwatch.analysis.accurate import cached_accurate_head, head_probs

        head = cached_accurate_head("sentiment")
        probs, classes = head_probs("sentiment", batch, head), head.classes
    else:
        from akimwatch.analysis.artifacts import cached_head
        from akimwatch.analysis.heads import fast_probs

        probs, classes = fast_probs("sentiment", batch), cached_head("sentiment").classes
    pos, neg = classes.index("positive"), classes.index("negative")
    return ["1" if a > b else "0" for a, b in zip(probs[:, pos], probs[:, neg], strict=True)]


TARGETS = {
    "type / annotated test": 0.75,
    "lang / annotated test, short comments, accuracy": 0.97,
    "sentiment / RuSentiment test, 3 classes": 0.76,
    "sentiment / KazSAnDRA valid, polarity": 0.83,
    "topic / Kursk test (mapped), accuracy": 0.88,
    "topic / Kazakh seed (dev)": 0.80,
}
