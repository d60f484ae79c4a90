"""Train the accurate tier's heads (``akimwatch train --tier accurate``): logistic regression on e5 embeddings.

Data per head (sub-sampled corpora from ``corpora.py``, encoded once into ``training/.cache/``):

- topic: Kursk appeals (themes mapped to our topics), SPb «Наш город» appeals (reasons mapped), a «none» pool of
  ordinary posts and reviews, our annotated comments (train split), the hand-written Kazakh seed comments (train
  part). Kazakh comes mostly through the encoder: the same head reads Russian and Kazakh embeddings.
- comment_type: annotated train + Kazakh seed train, plus weak rows from corpus labels at a weight chosen on dev.
- sentiment: RuSentiment (5 → 3 classes), KazSAnDRA polarity, SPb appeals as negative, annotated + seed.

Selection on dev only: annotated dev + the seed dev part (+ a Kursk carve-out for topic). The test splits are
never read here. Calibration: one temperature per head minimising dev log-loss; abstention threshold: the largest
confidence under which dev labels are wrong more often than right (see ``choose_threshold``).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from akimwatch.analysis import datasets as d
from akimwatch.analysis.accurate import save_accurate_head, softmax_t
from akimwatch.analysis.artifacts import MODELS_DIR
from akimwatch.analysis.corpora import seed_kk_examples, training_sets
from akimwatch.analysis.encoder import ENCODER_ID, use_disk_cache

ACCURATE_VERSION = "2026.12-3"
CACHE_DIR = d.REPO_ROOT / "training" / ".cache" / "embeddings"
SEED = 13
Log = Callable[[str], None]

_ASK = re.compile(
    r"\b(прошу|просим|просьба|требую|требуем|помогите|примите|уберите|убрать|установить|сделайте|замените|"
    r"необходимо|нужно|надо|требуется|очистить|восстановить|отремонтируйте)\b",
    re.IGNORECASE,
)


def group_key(text: str) -> str:
    """Near-duplicate group of a text: lower-cased letters only, first 60 of them (reposted / copied comments)."""
    letters = "".join(ch for ch in text.lower() if ch.isalpha())[:60]
    return hashlib.blake2b(letters.encode("utf-8"), digest_size=8).hexdigest()


def seed_split(examples: list[d.Example], dev_share: float = 0.25) -> tuple[list[d.Example], list[d.Example]]:
    """Kazakh seed rows -> (train, dev), by near-duplicate group hash so copies never straddle the split."""
    train, dev = [], []
    for e in examples:
        h = int(group_key(e.text)[:8], 16) / 0xFFFFFFFF
        (dev if h < dev_share else train).append(e)
    return train, dev


def annotated_examples(split: str, field: str) -> list[d.Example]:
    return [d.Example(r["text"], r[field], r["source"], r["row_id"]) for r in d.annotated(split)]


class Embedder:
    """Embeddings through the disk cache (encodes only what the cache lacks), on the process-wide encoder."""

    def __init__(self, cache_dir: Path = CACHE_DIR):
        self.encoder = use_disk_cache(cache_dir)

    def __call__(self, examples: list[d.Example]) -> np.ndarray:
        return self.encoder.encode([e.text for e in examples])


def fit_lr(x: np.ndarray, y: list[str], c: float, weights: np.ndarray | None = None):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    model.fit(x, np.asarray(y), sample_weight=weights)
    return model


def fit_temperature(logits: np.ndarray, y: list[str], classes: list[str]) -> float:
    """The temperature minimising log-loss on held-out rows (grid; one parameter, no overfitting to speak of)."""
    idx = np.array([classes.index(v) if v in classes else -1 for v in y])
    keep = idx >= 0
    best_t, best = 1.0, np.inf
    for t in np.round(np.exp(np.linspace(np.log(0.3), np.log(5.0), 60)), 4):
        p = softmax_t(logits[keep], float(t))
        nll = -np.mean(np.log(p[np.arange(keep.sum()), idx[keep]] + 1e-12))
        if nll < best:
            best_t, best = float(t), nll
    return best_t


def choose_threshold(conf: np.ndarray, correct: np.ndarray) -> float:
    """Largest t (0.2-0.6) such that dev labels with confidence in [t - 0.1, t) are right less than half the time.

    Labels in that band are more often wrong than right, so the analyzer abstains (``uncertain``) below t.
    """
    best = 0.0
    for t in np.arange(0.20, 0.61, 0.05):
        band = (conf >= t - 0.1) & (conf < t)
        if band.sum() >= 10 and correct[band].mean() < 0.5:
            best = float(round(t, 2))
    return best


def macro_f1(y_true, y_pred) -> float:
    from sklearn.metrics import f1_score

    labels = sorted(set(y_true))
    return float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0))


def weak_type_rows(sets: dict[str, list[d.Example]]) -> list[d.Example]:
    """Weak comment-type rows from corpus labels (documented in the card; trained at a weight < 1)."""
    rng = np.random.default_rng(SEED)
    out = []
    ks = sets["kazsandra"]
    out += [d.Example(e.text, "gratitude" if e.label == "positive" else "complaint", e.source, e.row_id) for e in ks]
    rs = [e for e in sets["rusentiment"] if e.label == "neutral" and "?" not in e.text]
    out += [d.Example(e.text, "other", e.source, e.row_id) for e in rs[:600]]
    spb = sets["spb_topic"]
    pick = rng.permutation(len(spb))[:800]
    out += [
        d.Example(spb[i].text, "request" if _ASK.search(spb[i].text) else "complaint", spb[i].source, spb[i].row_id)
        for i in pick
    ]
    return out


def _train_head(
    name: str,
    emb: Embedder,
    base: list[d.Example],
    ann_train: list[d.Example],
    dev: list[d.Example],
    log: Log,
    grid_c=(0.3, 1.0, 3.0),
    weak: list[d.Example] | None = None,
    weak_weights=(0.0,),
    ann_weight: float = 3.0,
    out_dir: Path = MODELS_DIR,
) -> dict:
    xb, xa, xd = emb(base) if base else None, emb(ann_train), emb(dev)
    xw = emb(weak) if weak else None
    yd = [e.label for e in dev]

    def stack(w_weak: float):
        xs, ys, ws = [xa], [e.label for e in ann_train], [np.full(len(ann_train), ann_weight)]
        if base:
            xs.append(xb)
            ys += [e.label for e in base]
            ws.append(np.ones(len(base)))
        if weak and w_weak > 0:
            xs.append(xw)
            ys += [e.label for e in weak]
            ws.append(np.full(len(weak), w_weak))
        return np.vstack(xs), ys, np.concatenate(ws)

    tried = []
    for w in weak_weights:
        x, y, sw = stack(w)
        for c in grid_c:
            m = fit_lr(x, y, c, sw)
            f = macro_f1(yd, list(m.predict(xd)))
            tried.append({"C": c, "weak_weight": w, "dev_macro_f1": round(f, 4)})
            log(f"  {name}: C={c} weak_weight={w} dev macro-F1={f:.3f}")
    best = max(tried, key=lambda t: t["dev_macro_f1"])
    x, y, sw = stack(best["weak_weight"])
    model = fit_lr(x, y, best["C"], sw)
    classes = [str(c) for c in model.classes_]
    logits = xd @ model.coef_.T + model.intercept_
    temp = fit_temperature(logits, yd, classes)
    p = softmax_t(logits, temp)
    conf = p.max(axis=1)
    correct = np.array([classes[i] == v for i, v in zip(p.argmax(axis=1), yd, strict=True)])
    thr = choose_threshold(conf, correct)
    meta = {
        "head": name,
        "version": ACCURATE_VERSION,
        "encoder": ENCODER_ID,
        "chosen": best,
        "tried": tried,
        "n_train": int(len(y)),
        "n_dev": len(dev),
        "temperature": temp,
        "threshold": thr,
        "dev_coverage": round(float((conf >= thr).mean()), 4),
        "classes": classes,
        "stack_fast": False,
    }
    meta["size"] = save_accurate_head(name, classes, model.coef_.T, model.intercept_, meta, out_dir)
    log(f"  {name}: chose {best}, temperature {temp}, abstain below {thr} (dev coverage {meta['dev_coverage']})")
    return meta


def train_accurate(
    data_dir: str | Path | None = None,
    out_dir: Path = MODELS_DIR,
    log: Log = print,
    heads: tuple[str, ...] = ("topic", "comment_type", "sentiment"),
) -> dict:
    """Train the accurate heads; returns their metadata (the card is written by ``akimwatch eval``)."""
    t0 = time.time()
    root = d.shared_data_dir(data_dir)
    sets = training_sets(root)
    emb = Embedder()
    out: dict = {"heads": {}}

    def seed(field: str):
        rows = [e for e in seed_kk_examples(field) if e.label]
        return seed_split(rows)

    if "topic" in heads:
        out["heads"]["topic"] = _topic(sets, emb, seed, log, out_dir)
    if "comment_type" in heads:
        out["heads"]["comment_type"] = _type(sets, emb, seed, log, out_dir)
    if "sentiment" in heads:
        out["heads"]["sentiment"] = _sentiment(sets, emb, seed, log, out_dir)
    log("fusion with the fast heads")
    out["fusion"] = fuse_with_fast(log, out_dir)
    out["seconds"] = round(time.time() - t0, 1)
    out["encoded_now"] = emb.encoder.encoded
    log(f"accurate tier trained in {out['seconds']} s ({emb.encoder.encoded} texts newly encoded)")
    return out


def _topic(sets, emb, seed, log, out_dir) -> dict:
    log("accurate topic")
    s_tr, s_dv = seed("topic")
    ktr, kdv = _carve(sets["kursk_topic"], 0.15)
    base = ktr + sets["spb_topic"] + sets["none"]
    ann = annotated_examples("train", "topic") + s_tr
    dev = annotated_examples("dev", "topic") + s_dv + kdv
    return _train_head("topic", emb, base, ann, dev, log, grid_c=(3.0, 10.0), out_dir=out_dir)


def _type(sets, emb, seed, log, out_dir) -> dict:
    log("accurate comment_type")
    s_tr, s_dv = seed("type")
    ann = annotated_examples("train", "type") + s_tr
    dev = annotated_examples("dev", "type") + s_dv
    return _train_head(
        "comment_type", emb, [], ann, dev, log, grid_c=(1.0, 3.0),
        weak=weak_type_rows(sets), weak_weights=(0.0, 0.3), out_dir=out_dir,
    )


def _sentiment(sets, emb, seed, log, out_dir) -> dict:
    log("accurate sentiment")
    s_tr, s_dv = seed("sentiment")
    spb_neg = [d.Example(e.text, "negative", e.source, e.row_id) for e in sets["spb_topic"][::4]]
    base = sets["rusentiment"] + sets["kazsandra"] + spb_neg
    ann = annotated_examples("train", "sentiment") + s_tr
    dev = annotated_examples("dev", "sentiment") + s_dv
    return _train_head("sentiment", emb, base, ann, dev, log, grid_c=(0.3, 1.0), out_dir=out_dir)


def _carve(items: list[d.Example], share: float) -> tuple[list[d.Example], list[d.Example]]:
    """(train, dev) by near-duplicate group hash (deterministic; copies stay on one side)."""
    train, dev = [], []
    for e in items:
        h = int(group_key(e.text)[8:16], 16) / 0xFFFFFFFF
        (dev if h < share else train).append(e)
    return train, dev


def fuse_with_fast(log: Log = print, out_dir: Path = MODELS_DIR) -> dict:
    """Choose, per head, the weight of the fast head in the accurate tier's probabilities and re-choose the
    abstention threshold on the fused output. Dev rows: annotated dev rows new in v2 (the fast tier trained on v1)
    and the Kazakh seed dev part (+ the Kursk carve-out for topic) — rows neither head trained on."""
    from akimwatch.analysis.accurate import kazakh_rows, load_accurate_head, save_accurate_head
    from akimwatch.analysis.artifacts import cached_head
    from akimwatch.analysis.base import Batch
    from akimwatch.analysis.heads import fast_scores

    use_disk_cache(CACHE_DIR)
    root = d.shared_data_dir()
    sets = training_sets(root)
    v1 = {r["id"] for r in d.annotated(version="v1")}
    out = {}
    for name, field in (("topic", "topic"), ("comment_type", "type"), ("sentiment", "sentiment")):
        head = load_accurate_head(name, out_dir)
        head.meta["fuse_fast"] = 0.0
        dev = [d.Example(r["text"], r[field], r["source"], r["row_id"]) for r in d.annotated("dev")
               if r["id"] not in v1]
        dev += seed_split([e for e in seed_kk_examples(field) if e.label])[1]
        if name == "topic":
            dev += _carve(sets["kursk_topic"], 0.15)[1]
        batch = Batch([e.text for e in dev])
        y = [e.label for e in dev]
        fs = fast_scores(name, batch)
        fclasses = cached_head(name).classes
        kk = kazakh_rows(batch)
        tried = []
        for tf in (0.3, 0.5, 1.0):
            for w in (0.0, 0.2, 0.35, 0.5, 0.65, 0.8):
                head.meta.update(fuse_fast=w, fuse_fast_kk=w, fast_temperature=tf)
                p = head.fused(batch.embeddings, fs, fclasses)
                pred = [head.classes[i] for i in p.argmax(axis=1)]
                f_ru = macro_f1([v for v, k in zip(y, kk, strict=True) if not k],
                                [v for v, k in zip(pred, kk, strict=True) if not k])
                f_kk = macro_f1([v for v, k in zip(y, kk, strict=True) if k],
                                [v for v, k in zip(pred, kk, strict=True) if k])
                tried.append({"fuse_fast": w, "fast_temperature": tf, "dev_macro_f1_ru": round(f_ru, 4),
                              "dev_macro_f1_kk": round(f_kk, 4)})
        best_ru = max(tried, key=lambda t: (t["dev_macro_f1_ru"], -t["fuse_fast"]))
        tf = best_ru["fast_temperature"]
        best_kk = max((t for t in tried if t["fast_temperature"] == tf), key=lambda t: (t["dev_macro_f1_kk"],
                                                                                          -t["fuse_fast"]))
        best = {"fuse_fast": best_ru["fuse_fast"], "fuse_fast_kk": best_kk["fuse_fast"], "fast_temperature": tf,
                "dev_macro_f1_ru": best_ru["dev_macro_f1_ru"], "dev_macro_f1_kk": best_kk["dev_macro_f1_kk"],
                "dev_macro_f1": best_ru["dev_macro_f1_ru"]}
        head.meta.update(fuse_fast=best["fuse_fast"], fuse_fast_kk=best["fuse_fast_kk"], fast_temperature=tf)
        p = head.fused(batch.embeddings, fs, fclasses, kk)
        conf = p.max(axis=1)
        correct = np.array([head.classes[i] == v for i, v in zip(p.argmax(axis=1), y, strict=True)])
        head.meta["threshold"] = choose_threshold(conf, correct)
        head.meta["dev_coverage"] = round(float((conf >= head.meta["threshold"]).mean()), 4)
        head.meta["fusion_tried"] = tried
        head.meta["fusion_dev_rows"] = len(dev)
        head.meta["version"] = ACCURATE_VERSION
        save_accurate_head(name, head.classes, head.coef, head.intercept, head.meta, out_dir)
        log(f"  {name}: fast weight {best['fuse_fast']} (Russian), {best['fuse_fast_kk']} (Kazakh/mixed), T {tf}; "
            f"dev macro-F1 ru {best['dev_macro_f1_ru']} kk {best['dev_macro_f1_kk']} (encoder alone: ru "
            f"{tried[0]['dev_macro_f1_ru']} kk {tried[0]['dev_macro_f1_kk']}); abstain below "
            f"{head.meta['threshold']} (coverage {head.meta['dev_coverage']})")
        out[name] = best
    return out
