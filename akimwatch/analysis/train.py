"""Rebuild every shipped model from the shared corpora and the annotated set (``akimwatch train``).

Reproducible: fixed seeds, fixed splits, deterministic solvers (liblinear). Settings are chosen on dev/tune splits
only (annotated dev, a dev carve-out of each benchmark's training part, a tune carve-out of KazSAnDRA train); test
splits are touched once, by ``evaluate.evaluate_all`` after training, to write the model cards.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from akimwatch.analysis import datasets as d
from akimwatch.analysis.artifacts import MODELS_DIR, save_head, save_idf
from akimwatch.analysis.text import N_FEATURES, clean, featurize

SEED = 13
TRAIN_VERSION = "2026.11-2"
Log = Callable[[str], None]

_ASK = re.compile(
    r"\b(прошу|просим|просьба|требую|требуем|помогите|примите|уберите|убрать|установить|сделайте|замените|"
    r"необходимо|нужно|надо|требуется|очистить|восстановить|демонтировать|отремонтируйте)\b",
    re.IGNORECASE,
)
_QWORD = re.compile(
    r"\s*(когда|где|как|сколько|куда|кто|какой|какие|какая|можно ли|подскажите|скажите)\b", re.IGNORECASE
)
_KK_QUESTION = re.compile(r"\b(қалай|калай|қашан|кашан|қайда|кайда|қанша|канша)\b", re.IGNORECASE)
_THANKS = re.compile(
    r"(спасиб|благодар|поздравл|с днем|с днём|с праздник|с новым год|рахмет|молод)", re.IGNORECASE
)


# --- helpers -------------------------------------------------------------------------------------------------
def _fit(x, y, c: float, balanced: bool, sample_weight=None):
    from sklearn.svm import LinearSVC

    model = LinearSVC(C=c, class_weight="balanced" if balanced else None, random_state=SEED, max_iter=5000)
    return model.fit(x, y, sample_weight=sample_weight)


def _macro_f1(y_true, y_pred, labels=None) -> float:
    from sklearn.metrics import f1_score

    labels = labels if labels is not None else sorted(set(y_true))
    return float(f1_score(y_true, y_pred, average="macro", labels=labels, zero_division=0))


def _carve(items: list, share: float, seed: int, key=lambda e: e.label) -> tuple[list, list]:
    """Stratified (train, dev) carve-out with a fixed seed."""
    rng = random.Random(seed)
    groups: dict[str, list] = {}
    for it in items:
        groups.setdefault(key(it), []).append(it)
    train, dev = [], []
    for k in sorted(groups):
        g = groups[k][:]
        rng.shuffle(g)
        n = int(round(len(g) * share)) if len(g) >= 5 else 0
        dev.extend(g[:n])
        train.extend(g[n:])
    return train, dev


def _sample(items: list, n: int, seed: int) -> list:
    items = list(items)
    random.Random(seed).shuffle(items)
    return items[:n]


class Featurizer:
    """Clean + hash + idf with a per-run cache, so each corpus is featurized once."""

    def __init__(self, idf: np.ndarray | None):
        self.idf = idf

    def __call__(self, texts: list[str]):
        return featurize([clean(t) for t in texts], self.idf)


def compute_idf(texts: list[str]) -> np.ndarray:
    from akimwatch.analysis.text import hasher

    x = hasher().transform([clean(t) for t in texts])
    df = np.bincount(x.indices, minlength=N_FEATURES)
    n = x.shape[0]
    return (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)


def _grid(name: str, fx, train, dev, grid, log: Log, extra=None, labels=None):
    """Try each (C, balanced[, weight]) on dev; return the best settings and the table of dev scores."""
    xtr, ytr = fx([e.text for e in train]), np.array([e.label for e in train])
    xdv, ydv = fx([e.text for e in dev]), [e.label for e in dev]
    tried = []
    for c, bal in grid:
        score = _macro_f1(ydv, _fit(xtr, ytr, c, bal).predict(xdv), labels)
        tried.append({"C": c, "balanced": bal, "dev_macro_f1": round(score, 4)})
        log(f"  {name}: C={c} balanced={bal} dev macro-F1={score:.3f}")
    best = max(tried, key=lambda t: t["dev_macro_f1"])
    return best, tried


# --- product heads -------------------------------------------------------------------------------------------
def annotated_examples(split: str, field: str) -> list[d.Example]:
    return [d.Example(r["text"], r[field], r["source"], r["row_id"]) for r in d.annotated(split)]


def annotated_test_keys() -> set[tuple[str, str]]:
    return {(r["source"], r["row_id"]) for r in d.annotated("test")}


def weak_type_examples(root: Path, exclude: set) -> list[d.Example]:
    """Weak comment-type labels from source labels + cue words (documented in the card; weight < 1)."""
    out: list[d.Example] = []
    ks = [e for e in d.kazsandra_polarity_split(root)[0] if (e.source, e.row_id) not in exclude]
    out += [
        d.Example(e.text, "gratitude", e.source, e.row_id)
        for e in _sample([e for e in ks if e.label == "1"], 2500, 1)
    ]
    out += [
        d.Example(e.text, "complaint", e.source, e.row_id)
        for e in _sample([e for e in ks if e.label == "0"], 2500, 2)
    ]
    rs = [e for e in d.rusentiment(root, d.RUSENTIMENT_TRAIN) if (e.source, e.row_id) not in exclude]
    out += [
        d.Example(e.text, "gratitude", e.source, e.row_id)
        for e in rs
        if e.label == "speech" and _THANKS.search(e.text)
    ]
    plain = [e for e in rs if e.label in ("neutral", "positive", "negative", "skip") and "?" not in e.text]
    out += [d.Example(e.text, "other", e.source, e.row_id) for e in _sample(plain, 3000, 3)]
    q = [e for e in rs if e.label == "neutral" and e.text.rstrip().endswith("?")]
    out += [d.Example(e.text, "question", e.source, e.row_id) for e in _sample(q, 800, 4)]
    spb = [e for e in d.spb_texts(root) if (e.source, e.row_id) not in exclude and len(e.text) > 8]
    for e in _sample(spb, 4000, 5):
        out.append(d.Example(e.text, "request" if _ASK.search(e.text) else "complaint", e.source, e.row_id))
    asks = [
        e for e in spb if _QWORD.match(e.text) and e.text.rstrip().endswith("?") and not _ASK.search(e.text)
    ]
    out += [d.Example(e.text, "question", e.source, e.row_id) for e in _sample(asks, 600, 8)]
    kq = [e for e in ks if _KK_QUESTION.search(e.text) and "?" in e.text]
    out += [d.Example(e.text, "question", e.source, e.row_id) for e in _sample(kq, 600, 9)]
    return out


def topic_examples(root: Path, exclude: set) -> list[d.Example]:
    ktrain, _ = d.kursk_split(root)
    out = d.spb_topic_examples(root, per_topic=3000) + d.kursk_topic_examples(ktrain)
    none_pool = (
        d.rusentiment(root, d.RUSENTIMENT_TRAIN) + d.rusentitweet(root) + d.kazsandra_polarity_split(root)[0]
    )
    out += [d.Example(e.text, "none", e.source, e.row_id) for e in _sample(none_pool, 9000, 6)]
    return [e for e in out if (e.source, e.row_id) not in exclude]


def sentiment_map() -> dict[tuple[str, str], str]:
    """training/mappings/sentiment_labels.csv as {(dataset, source label): sentiment}; '' = leave out."""
    import csv

    with open(d.MAPPINGS_DIR / "sentiment_labels.csv", encoding="utf-8", newline="") as fh:
        return {(r["dataset"], r["source_label"]): r["sentiment"] for r in csv.DictReader(fh)}


def sentiment_examples(root: Path, exclude: set) -> list[d.Example]:
    m = sentiment_map()
    pool = (
        d.rusentiment(root, d.RUSENTIMENT_TRAIN) + d.rusentitweet(root) + d.kazsandra_polarity_split(root)[0]
    )
    out = []
    for e in pool:
        label = m.get((e.source.split("/")[0], e.label), "")
        if label:
            out.append(d.Example(e.text, label, e.source, e.row_id))
    spb = _sample([e for e in d.spb_texts(root) if len(e.text) > 8], 3000, 7)
    out += [d.Example(e.text, "negative", e.source, e.row_id) for e in spb]
    return [e for e in out if (e.source, e.row_id) not in exclude]


def _train_product_head(name, field, base, fx, log, grid, weights=(1.0,), weak=None, ann_weight=3.0):
    """Annotated train (+ corpus data, + weak data at weight w) -> choose on annotated dev -> refit with dev."""
    ann_tr, ann_dv = annotated_examples("train", field), annotated_examples("dev", field)
    x_base, y_base = fx([e.text for e in base]), [e.label for e in base]
    x_ann, y_ann = fx([e.text for e in ann_tr]), [e.label for e in ann_tr]
    x_dev, y_dev = fx([e.text for e in ann_dv]), [e.label for e in ann_dv]
    x_weak = fx([e.text for e in weak]) if weak else None
    from scipy.sparse import vstack

    def stack(extra_x, extra_y, w):
        xs, ys, sw = [x_ann], list(y_ann), [np.full(len(y_ann), ann_weight)]
        if base:
            xs.append(x_base)
            ys += y_base
            sw.append(np.ones(len(y_base)))
        if weak and w > 0:
            xs.append(x_weak)
            ys += [e.label for e in weak]
            sw.append(np.full(len(weak), w))
        if extra_x is not None:
            xs.append(extra_x)
            ys += extra_y
            sw.append(np.full(len(extra_y), ann_weight))
        return vstack(xs).tocsr(), np.array(ys), np.concatenate(sw)

    tried = []
    for w in weights:
        x, y, sw = stack(None, None, w)
        for c, bal in grid:
            score = _macro_f1(y_dev, _fit(x, y, c, bal, sw).predict(x_dev))
            tried.append({"C": c, "balanced": bal, "weak_weight": w, "dev_macro_f1": round(score, 4)})
            log(f"  {name}: C={c} balanced={bal} weak_weight={w} dev macro-F1={score:.3f}")
    best = max(tried, key=lambda t: t["dev_macro_f1"])
    x, y, sw = stack(x_dev, y_dev, best["weak_weight"])
    model = _fit(x, y, best["C"], best["balanced"], sw)
    meta = {
        "head": name,
        "version": TRAIN_VERSION,
        "chosen": best,
        "tried": tried,
        "n_train": int(len(y)),
        "classes": [str(c) for c in model.classes_],
    }
    return model, meta


# --- entry point ---------------------------------------------------------------------------------------------
def train_all(
    data_dir: str | Path | None = None, out_dir: Path = MODELS_DIR, log: Log = print, evaluate: bool = True
) -> dict:
    """Train all heads, write artifacts to ``out_dir`` and (by default) evaluate and write the model cards."""
    from akimwatch.analysis.langwords import build_lang_words

    t0 = time.time()
    root = d.shared_data_dir(data_dir)
    exclude = annotated_test_keys()
    random.seed(SEED)
    np.random.seed(SEED)
    summary: dict = {"data_dir": str(root), "heads": {}}

    log("language word lists")
    ktrain, _ = d.kursk_split(root)
    kk_texts = [
        clean(e.text) for e in d.kazsandra_polarity_split(root)[0] if (e.source, e.row_id) not in exclude
    ]
    ru_texts = [
        clean(e.text)
        for e in d.spb_texts(root) + d.rusentiment(root, d.RUSENTIMENT_TRAIN) + d.rusentitweet(root)
        if (e.source, e.row_id) not in exclude
    ]
    ru_texts += [clean(r["Текст Сообщения"]) for r in ktrain]
    summary["heads"]["language"] = build_lang_words(kk_texts, ru_texts, out_dir / "lang_words.tsv.gz")

    log("shared idf")
    idf_pool = kk_texts[:20000] + ru_texts[:40000]
    idf = compute_idf(idf_pool)
    save_idf(idf, out_dir)
    fx = Featurizer(idf.astype(np.float16).astype(np.float32))  # the same rounding as the shipped file

    grid = [(0.1, False), (0.3, False), (0.3, True), (1.0, True)]

    log("comment_type")
    model, meta = _train_product_head(
        "comment_type",
        "type",
        [],
        fx,
        log,
        grid,
        weights=(0.0, 0.05, 0.1, 0.2),
        weak=weak_type_examples(root, exclude),
    )
    meta["size"] = save_head("comment_type", model.classes_, model.coef_, model.intercept_, meta, out_dir)
    summary["heads"]["comment_type"] = meta

    log("topic")
    model, meta = _train_product_head(
        "topic", "topic", topic_examples(root, exclude), fx, log, [(0.3, True), (1.0, True)]
    )
    meta["size"] = save_head("topic", model.classes_, model.coef_, model.intercept_, meta, out_dir)
    summary["heads"]["topic"] = meta

    log("sentiment")
    model, meta = _train_product_head(
        "sentiment",
        "sentiment",
        sentiment_examples(root, exclude),
        fx,
        log,
        [(0.1, False), (0.3, False), (0.3, True)],
    )
    meta["size"] = save_head("sentiment", model.classes_, model.coef_, model.intercept_, meta, out_dir)
    summary["heads"]["sentiment"] = meta

    summary["heads"].update(train_benchmarks(root, fx, out_dir, log))
    summary["seconds"] = round(time.time() - t0, 1)
    log(f"trained in {summary['seconds']} s")
    if evaluate:
        from akimwatch.analysis.evaluate import evaluate_all

        summary["evaluation"] = evaluate_all(
            data_dir=root, models_dir=out_dir, train_summary=summary, log=log
        )
    return summary


def kazsandra_score_extra(root: Path) -> list[d.Example]:
    """08_sc_train_rus rows not already in 03_pc_train_rus nor (by text) in 04_pc_valid; 1-2 stars -> 0, 4-5 -> 1."""
    seen = {e.text for e in d.kazsandra(root, "03_pc_train_rus.zip")} | {
        e.text for e in d.kazsandra_valid(root)
    }
    return [
        d.Example(e.text, "0" if e.label in ("0", "1") else "1", e.source, e.row_id)
        for e in d.kazsandra(root, "08_sc_train_rus.zip")
        if e.label != "2" and e.text not in seen
    ]


def kazsandra_natural_prior(root: Path) -> float:
    """Share of positive (4-5 star) among polar (1-2, 4-5 star) reviews in the per-source KazSAnDRA files.

    The polarity train split is undersampled to 50/50, real reviews are not; this prior comes from training-side
    files (2GIS, Google Maps), never from 04_pc_valid.
    """
    pos = neg = 0
    for name in ("01_source_2gis.csv", "05_source_maps.csv"):
        for r in d._rows(root / "labeled" / "kazsandra" / name):
            if r["label"] in ("4", "5"):
                pos += 1
            elif r["label"] in ("1", "2"):
                neg += 1
    return round(pos / max(1, pos + neg), 3)


def _prior_shift(root: Path, fx, train, tune, best: dict, log: Log) -> tuple[float, float, float]:
    """Move the decision threshold for the natural class prior: choose it on the tune split re-weighted to it."""
    from sklearn.metrics import f1_score

    prior = kazsandra_natural_prior(root)
    model = _fit(fx([e.text for e in train]), np.array([e.label for e in train]), best["C"], best["balanced"])
    scores = model.decision_function(fx([e.text for e in tune]))
    y = np.array([e.label for e in tune])
    w = np.where(y == "1", prior / 0.5, (1 - prior) / 0.5)
    best_t, best_f = 0.0, -1.0
    for t in np.round(np.linspace(-1.0, 1.0, 41), 3):
        f = f1_score(y, np.where(scores > t, "1", "0"), average="macro", sample_weight=w)
        if f > best_f + 1e-9:
            best_t, best_f = float(t), float(f)
    log(
        f"  kazsandra_polarity: prior {prior}, threshold shift {best_t:+.2f}, re-weighted tune macro-F1 {best_f:.3f}"
    )
    return best_t, prior, best_f


def train_benchmarks(root: Path, fx, out_dir: Path, log: Log) -> dict:
    """Heads that exist to measure the method on public benchmarks (their own label sets)."""
    out = {}
    log("kursk_coarse (Kursk 17 coarse categories)")
    ktrain, _ = d.kursk_split(root)
    ex = d.kursk_examples(ktrain)
    tr, dv = _carve(ex, 0.2, SEED)
    best, tried = _grid(
        "kursk_coarse", fx, tr, dv, [(0.3, True), (1.0, True), (1.0, False), (3.0, True)], log
    )
    model = _fit(fx([e.text for e in ex]), np.array([e.label for e in ex]), best["C"], best["balanced"])
    meta = {
        "head": "kursk_coarse",
        "version": TRAIN_VERSION,
        "chosen": best,
        "tried": tried,
        "n_train": len(ex),
    }
    meta["size"] = save_head("kursk_coarse", model.classes_, model.coef_, model.intercept_, meta, out_dir)
    out["kursk_coarse"] = meta

    log("rusentiment5 (RuSentiment 5 classes)")
    rs = d.rusentiment(root, d.RUSENTIMENT_TRAIN)
    tr, dv = _carve(rs, 0.1, SEED)
    tw = d.rusentitweet(root)
    best, tried = _grid(
        "rusentiment5", fx, tr, dv, [(0.1, False), (0.3, False), (0.3, True)], log, labels=None
    )
    best_tw, tried_tw = _grid("rusentiment5+tweets", fx, tr + tw, dv, [(best["C"], best["balanced"])], log)
    use_tw = best_tw["dev_macro_f1"] > best["dev_macro_f1"]
    for t in tried_tw:
        t["with_rusentitweet"] = True
    full = rs + (tw if use_tw else [])
    model = _fit(fx([e.text for e in full]), np.array([e.label for e in full]), best["C"], best["balanced"])
    meta = {
        "head": "rusentiment5",
        "version": TRAIN_VERSION,
        "chosen": {**best, "with_rusentitweet": use_tw},
        "tried": tried + tried_tw,
        "n_train": len(full),
    }
    meta["size"] = save_head("rusentiment5", model.classes_, model.coef_, model.intercept_, meta, out_dir)
    out["rusentiment5"] = meta

    log("kazsandra_polarity (KazSAnDRA polarity)")
    ks_tr, ks_tune = d.kazsandra_polarity_split(root)
    best, tried = _grid(
        "kazsandra_polarity", fx, ks_tr, ks_tune, [(0.1, False), (0.3, False), (0.3, True)], log
    )
    extra = kazsandra_score_extra(root)
    best_x, tried_x = _grid(
        "kazsandra_polarity+08_sc_train", fx, ks_tr + extra, ks_tune, [(best["C"], best["balanced"])], log
    )
    use_x = best_x["dev_macro_f1"] > best["dev_macro_f1"]
    for t in tried_x:
        t["with_08_sc_train"] = True
    shift, prior, shift_score = _prior_shift(root, fx, ks_tr + (extra if use_x else []), ks_tune, best, log)
    full = ks_tr + ks_tune + (extra if use_x else [])
    model = _fit(fx([e.text for e in full]), np.array([e.label for e in full]), best["C"], best["balanced"])
    intercept = model.intercept_ - shift
    meta = {
        "head": "kazsandra_polarity",
        "version": TRAIN_VERSION,
        "chosen": {**best, "with_08_sc_train": use_x, "threshold_shift": round(shift, 3), "prior_pos": prior},
        "tried": tried
        + tried_x
        + [{"threshold_shift": round(shift, 3), "prior_pos": prior, "dev_macro_f1": round(shift_score, 4)}],
        "n_train": len(full),
    }
    meta["size"] = save_head("kazsandra_polarity", model.classes_, model.coef_, intercept, meta, out_dir)
    out["kazsandra_polarity"] = meta
    return out
