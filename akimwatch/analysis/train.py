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
TRAIN_VERSION = "2026.12-1"  # product heads (comment_type, topic, sentiment): part of every stored label
BENCHMARK_VERSION = "2026.11-3"  # research heads (kursk_coarse, rusentiment5, kazsandra_polarity)
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


# --- folded ensembles (research heads) -------------------------------------------------------------------------
# Every part below is linear in the shared features, so a score-level blend of them is one linear head again:
# sum_i w_i * (x @ W_i + b_i) / sigma_i. It ships in the usual artifact format and costs nothing at run time.
def _expand(coef, intercept) -> tuple[np.ndarray, np.ndarray]:
    """(n_classes, N_FEATURES) weights; binary sklearn models keep one row -> (neg, pos) halves like save_head."""
    coef, intercept = np.asarray(coef, dtype=np.float64), np.asarray(intercept, dtype=np.float64)
    if coef.shape[0] == 1:
        return np.vstack([-coef / 2, coef / 2]), np.array([-intercept[0] / 2, intercept[0] / 2])
    return coef, intercept


def _nbsvm(x, y, c: float, sample_weight=None) -> tuple[np.ndarray, np.ndarray]:
    """Binary NB-SVM (Wang & Manning 2012): LinearSVC on features scaled by the log-count ratio r; folded = r * w."""
    from scipy.sparse import diags

    xb = x.copy()
    xb.data[:] = 1
    classes = sorted(set(y))
    pos = np.asarray(xb[y == classes[1]].sum(0)).ravel() + 1
    neg = np.asarray(xb[y == classes[0]].sum(0)).ravel() + 1
    r = np.log((pos / pos.sum()) / (neg / neg.sum())).astype(np.float32)
    model = _fit(x @ diags(r), y, c, False, sample_weight)
    return _expand(model.coef_ * r, model.intercept_)


def _lr(x, y, c: float, balanced: bool, sample_weight=None) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, class_weight="balanced" if balanced else None, max_iter=300)
    model.fit(x, y, sample_weight=sample_weight)
    return _expand(model.coef_, model.intercept_)


def _blend(parts: list[tuple[float, np.ndarray, np.ndarray]], x_ref) -> tuple[np.ndarray, np.ndarray]:
    """Weighted sum of linear parts, each divided by the std of its scores on x_ref (training rows)."""
    coef = np.zeros_like(parts[0][1])
    intercept = np.zeros_like(parts[0][2])
    for w, c, b in parts:
        sigma = float(np.std(np.asarray(x_ref @ c.T) + b))
        coef += w / sigma * c
        intercept += w / sigma * b
    return coef, intercept


def _linear_predict(classes, coef, intercept, x) -> np.ndarray:
    return np.asarray(classes)[(np.asarray(x @ coef.T) + intercept).argmax(axis=1)]


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


def kk_seed(field: str) -> tuple[list[d.Example], list[d.Example]]:
    """Hand-written Kazakh seed comments (train, dev) — the same grouped split as the accurate tier's."""
    from akimwatch.analysis.corpora import seed_kk_examples
    from akimwatch.analysis.train_accurate import seed_split

    return seed_split([e for e in seed_kk_examples(field) if e.label])


def distilled(field: str) -> list[d.Example]:
    """Texts labelled by the accurate tier (training/.cache/distilled.csv, written by training/distill.py): the
    fast tier learns Kazakh words from the encoder's reading. Empty when the file is absent."""
    import csv

    path = d.REPO_ROOT / "training" / ".cache" / "distilled.csv"
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as fh:
        return [d.Example(r["text"], r[field], r["source"], r["row_id"]) for r in csv.DictReader(fh) if r[field]]


def _train_product_head(name, field, base, fx, log, grid, weights=(1.0,), weak=None, ann_weight=3.0):
    """Annotated + Kazakh seed train (+ corpus data, + weak and distilled data at weight w) -> choose on annotated
    + seed dev -> refit with dev."""
    seed_tr, seed_dv = kk_seed({"type": "type"}.get(field, field))
    ann_tr = annotated_examples("train", field) + seed_tr
    ann_dv = annotated_examples("dev", field) + seed_dv
    weak = list(weak or []) + distilled(field)
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
        "topic", "topic", topic_examples(root, exclude), fx, log, [(0.3, True), (1.0, True)], weights=(0.0, 0.3, 1.0)
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
        weights=(0.0, 0.3),
    )
    meta["size"] = save_head("sentiment", model.classes_, model.coef_, model.intercept_, meta, out_dir)
    summary["heads"]["sentiment"] = meta

    from akimwatch.analysis.artifacts import RESEARCH_DIR

    research_dir = RESEARCH_DIR if out_dir == MODELS_DIR else out_dir
    summary["heads"].update(train_benchmarks(root, fx, research_dir, log))
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
    fine_y = np.array(
        [e.label for e in d.kursk_examples(ktrain, "Тематика")]
    )  # the 161 fine topics, same rows
    share, tried_h = _kursk_hierarchy_cv(fx, ex, fine_y, best, log)
    classes, coef, intercept, combine = _kursk_head(
        fx([e.text for e in ex]), np.array([e.label for e in ex]), fine_y, best["C"], best["balanced"], share
    )
    meta = {
        "head": "kursk_coarse",
        "version": BENCHMARK_VERSION,
        "chosen": {**best, "coarse_share": share},
        "tried": tried + tried_h,
        "n_train": len(ex),
    }
    if combine:
        meta["combine"] = combine
    meta["size"] = save_head("kursk_coarse", classes, coef, intercept, meta, out_dir)
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
        "version": BENCHMARK_VERSION,
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
    meta_ks, coef, intercept, classes = _kazsandra_blend(root, fx, ks_tr, ks_tune, best, log)
    meta = {
        "head": "kazsandra_polarity",
        "version": BENCHMARK_VERSION,
        "chosen": {**best, **meta_ks["chosen"]},
        "tried": tried + meta_ks["tried"],
        "n_train": meta_ks["n_train"],
    }
    meta["size"] = save_head("kazsandra_polarity", classes, coef, intercept, meta, out_dir)
    out["kazsandra_polarity"] = meta
    return out


def _threshold_on_prior(margin: np.ndarray, y: np.ndarray, prior: float) -> tuple[float, float]:
    """Decision threshold on (pos - neg) scores maximising macro-F1 on the tune split re-weighted to the prior."""
    from sklearn.metrics import f1_score

    w = np.where(y == "1", prior / 0.5, (1 - prior) / 0.5)
    best_t, best_f = 0.0, -1.0
    for t in np.round(np.linspace(-1.5, 1.5, 61), 3):
        f = f1_score(y, np.where(margin > t, "1", "0"), average="macro", sample_weight=w)
        if f > best_f + 1e-9:
            best_t, best_f = float(t), float(f)
    return best_t, best_f


def _kazsandra_blend(root: Path, fx, ks_tr, ks_tune, best: dict, log: Log):
    """SVM alone or SVM + NB-SVM (score blend), with or without 08_sc_train rows; each with its prior-shifted
    threshold. Chosen by macro-F1 on the tune carve-out re-weighted to the natural prior (never 04_pc_valid)."""
    c = best["C"]
    prior = kazsandra_natural_prior(root)
    extra = kazsandra_score_extra(root)
    xt, yt = fx([e.text for e in ks_tune]), np.array([e.label for e in ks_tune])

    def build(items, nb_share):
        x, y = fx([e.text for e in items]), np.array([e.label for e in items])
        m = _fit(x, y, c, best["balanced"])
        parts = [(1.0 - nb_share, *_expand(m.coef_, m.intercept_))]
        if nb_share:
            parts.append((nb_share, *_nbsvm(x, y, c)))
        # also the plain SVM is scaled to unit score std, so one threshold grid fits every variant
        coef, intercept = _blend(parts, x)
        return [str(k) for k in m.classes_], coef, intercept

    tried = []
    for use_x in (False, True):
        for nb_share in (0.0, 0.5):
            classes, coef, intercept = build(ks_tr + (extra if use_x else []), nb_share)
            s = np.asarray(xt @ coef.T) + intercept
            margin = s[:, classes.index("1")] - s[:, classes.index("0")]
            plain = _macro_f1(list(yt), list(np.where(margin > 0, "1", "0")))
            t, f = _threshold_on_prior(margin, yt, prior)
            tried.append(
                {
                    "C": c,
                    "with_08_sc_train": use_x,
                    "nbsvm_share": nb_share,
                    "dev_macro_f1": round(plain, 4),
                    "threshold_shift": t,
                    "prior_pos": prior,
                    "reweighted_tune_macro_f1": round(f, 4),
                }
            )
            log(
                f"  kazsandra_polarity: 08 extra={use_x} NB-SVM share={nb_share} tune macro-F1={plain:.3f}, "
                f"shift {t:+.2f} -> re-weighted {f:.3f}"
            )
    pick = max(tried, key=lambda t: t["reweighted_tune_macro_f1"])
    full = ks_tr + ks_tune + (extra if pick["with_08_sc_train"] else [])
    classes, coef, intercept = build(full, pick["nbsvm_share"])
    shift = pick["threshold_shift"]
    intercept = intercept.copy()
    intercept[classes.index("1")] -= shift / 2
    intercept[classes.index("0")] += shift / 2
    chosen = {k: pick[k] for k in ("with_08_sc_train", "nbsvm_share", "threshold_shift", "prior_pos")}
    chosen["reweighted_tune_macro_f1"] = pick["reweighted_tune_macro_f1"]
    return {"chosen": chosen, "tried": tried, "n_train": len(full)}, coef, intercept, classes


def _kursk_head(x, y: np.ndarray, fine_y: np.ndarray, c: float, balanced: bool, share: float):
    """Coarse SVM alone (share 1) or coarse + fine-topic SVMs in one head (see artifacts.Head.output)."""
    from akimwatch.analysis.artifacts import NO_FINE

    coarse = _fit(x, y, c, balanced)
    if share >= 1.0:
        return coarse.classes_, coarse.coef_, coarse.intercept_, None
    fine = _fit(x, fine_y, c, balanced)
    owner: dict[str, dict[str, int]] = {}
    for f, lab in zip(fine_y, y, strict=True):
        owner.setdefault(f, {})
        owner[f][lab] = owner[f].get(lab, 0) + 1
    # the category that most often carries the fine topic (ties: the smaller category id, deterministic)
    f2c = {f: max(sorted(v), key=lambda k: v[k]) for f, v in owner.items()}
    sc = np.asarray(coarse.decision_function(x))
    sf = np.asarray(fine.decision_function(x))
    names = [str(k) for k in coarse.classes_]
    best = np.full((len(y), len(names)), NO_FINE)
    for j, f in enumerate(fine.classes_):
        k = names.index(f2c[f])
        best[:, k] = np.maximum(best[:, k], sf[:, j])
    combine = {
        "fine_to_coarse": {str(f): f2c[f] for f in fine.classes_},
        "coarse_share": share,
        "sigma_coarse": float(np.std(sc)),
        "sigma_fine": float(np.std(best[best > NO_FINE / 2])),
    }
    classes = names + [f"fine:{f}" for f in fine.classes_]
    coef = np.vstack([coarse.coef_, fine.coef_])
    intercept = np.concatenate([coarse.intercept_, fine.intercept_])
    return classes, coef, intercept, combine


def _kursk_hierarchy_cv(fx, ex: list[d.Example], fine_y, best: dict, log: Log) -> tuple[float, list[dict]]:
    """5-fold CV on Kursk train only: blend the coarse model with the best of its fine Тематика topics?"""
    from scipy.sparse import csr_matrix
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold

    from akimwatch.analysis.artifacts import Head

    x = fx([e.text for e in ex])
    y = np.array([e.label for e in ex])
    counts = {lab: int((y == lab).sum()) for lab in set(y)}
    strata = np.array([lab if counts[lab] >= 5 else "rare" for lab in y])
    folds = list(StratifiedKFold(5, shuffle=True, random_state=SEED).split(x, strata))
    tried = []
    for share in (1.0, 0.7, 0.5, 0.3):
        pred = np.empty(len(y), dtype=object)
        for a, b in folds:
            classes, coef, intercept, combine = _kursk_head(
                x[a], y[a], fine_y[a], best["C"], best["balanced"], share
            )
            meta = {"combine": combine} if combine else {}
            head = Head("cv", [str(k) for k in classes], csr_matrix(coef.T), intercept, meta)
            names, scores = head.output(x[b])
            pred[b] = np.array(names)[scores.argmax(axis=1)]
        pred = pred.astype(str)
        acc = float(accuracy_score(y, pred))
        mf1 = float(f1_score(y, pred, average="macro", zero_division=0))
        tried.append({"coarse_share": share, "cv_accuracy": round(acc, 4), "cv_macro_f1": round(mf1, 4)})
        log(
            f"  kursk_coarse: coarse share {share} (1 = no fine topics) CV accuracy={acc:.3f} macro-F1={mf1:.3f}"
        )
    pick = max(tried, key=lambda t: t["cv_accuracy"] + t["cv_macro_f1"])
    return pick["coarse_share"], tried
