"""Held-out evaluation of every shipped model; writes models/metrics.json and the model cards.

Held-out data, never used to train or tune: the annotated test split, our seeded Kursk test split, rusentiment_test,
rusentitweet_test, KazSAnDRA 04_pc_valid (the official test split is not distributed; we tune on a carve-out of
train instead, so valid is untouched). A TF-IDF word+char + LinearSVC baseline is re-measured on the same splits.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from akimwatch.analysis import datasets as d
from akimwatch.analysis.artifacts import MODELS_DIR, load_head, load_idf, softmax
from akimwatch.analysis.text import clean, featurize

Log = Callable[[str], None]
SHORT = 100


def report(y_true: list[str], y_pred: list[str], labels: list[str] | None = None) -> dict:
    """Per-class precision/recall/F1/support, macro/weighted F1, accuracy and the confusion matrix."""
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    labels = labels or sorted(set(y_true) | set(y_pred))
    present = [lab for lab in labels if lab in set(y_true)]
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return {
        "n": len(y_true),
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
        "macro_f1": round(
            float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)), 4
        ),
        "weighted_f1": round(
            float(f1_score(y_true, y_pred, labels=present, average="weighted", zero_division=0)), 4
        ),
        # macro-F1 over classes with >= 5 held-out rows: rare classes with 1-4 rows make macro-F1 a coin toss
        "macro_f1_support5": round(
            float(
                f1_score(
                    y_true,
                    y_pred,
                    labels=[lab for lab in present if list(y_true).count(lab) >= 5] or present,
                    average="macro",
                    zero_division=0,
                )
            ),
            4,
        ),
        "per_class": {
            lab: {
                "precision": round(float(p[i]), 3),
                "recall": round(float(r[i]), 3),
                "f1": round(float(f[i]), 3),
                "support": int(s[i]),
            }
            for i, lab in enumerate(labels)
        },
        "labels": labels,
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def _predict(head_name: str, texts: list[str], models_dir: Path) -> list[str]:
    """Predictions as users get them: product heads go through the same rules as the analyzers."""
    from akimwatch.analysis.artifacts import PRODUCT_HEADS, RESEARCH_DIR, RESEARCH_HEADS
    from akimwatch.analysis.heads import head_labels

    research = head_name in RESEARCH_HEADS and models_dir == MODELS_DIR
    head = load_head(head_name, RESEARCH_DIR if research else models_dir)
    idf = load_idf(models_dir)
    cleaned = [clean(t) for t in texts]
    x = featurize(cleaned, idf)
    if head_name in PRODUCT_HEADS:
        return [lab.value for lab in head_labels(head_name, cleaned, x=x, head=head)]
    classes, scores = head.output(x)
    return [classes[i] for i in scores.argmax(axis=1)]


def baseline(train_texts: list[str], train_y: list[str], test_texts: list[str]) -> list[str]:
    """The reference: TF-IDF words + TF-IDF char_wb 2-5 on raw text, LinearSVC with defaults."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    w, c = TfidfVectorizer(), TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))
    a = hstack([w.fit_transform(train_texts), c.fit_transform(train_texts)]).tocsr()
    b = hstack([w.transform(test_texts), c.transform(test_texts)]).tocsr()
    return list(LinearSVC(random_state=0).fit(a, train_y).predict(b))


def evaluate_all(
    data_dir: str | Path | None = None,
    models_dir: Path = MODELS_DIR,
    train_summary: dict | None = None,
    log: Log = print,
    with_baselines: bool = True,
    write_cards: bool = True,
) -> dict:
    """Evaluate every label on its held-out splits; returns {label: {split: report}} and writes the cards."""
    from akimwatch.analysis.language import detect, load_words

    load_words.cache_clear()
    root = d.shared_data_dir(data_dir)
    res: dict[str, dict] = {}
    ann = d.annotated("test")
    texts = [r["text"] for r in ann]

    log("evaluate: language")
    pred = [detect(clean(t))[0] for t in texts]
    short = [i for i, t in enumerate(texts) if len(t) < SHORT]
    ru_sets = [
        e.text
        for e in d.rusentiment(root, d.RUSENTIMENT_TEST) + d.rusentitweet(root, "rusentitweet_test.csv")
    ]
    ru_short = [t for t in ru_sets if len(clean(t)) < SHORT and any(ch.isalpha() for ch in t)]
    ru_pred = [detect(clean(t))[0] for t in ru_short]
    lang = {
        "annotated_test": report([ann[i]["lang"] for i in range(len(ann))], pred),
        "annotated_test_short": report([ann[i]["lang"] for i in short], [pred[i] for i in short]),
        "ru_sets_short": report(["ru"] * len(ru_short), ru_pred),
    }
    y_all = [ann[i]["lang"] for i in short] + ["ru"] * len(ru_short)
    p_all = [pred[i] for i in short] + ru_pred
    lang["short_combined"] = report(y_all, p_all)
    res["language"] = lang

    for name, field in (("comment_type", "type"), ("topic", "topic"), ("sentiment", "sentiment")):
        log(f"evaluate: {name}")
        res[name] = {"annotated_test": report([r[field] for r in ann], _predict(name, texts, models_dir))}
    if with_baselines:
        tr = d.annotated("train") + d.annotated("dev")
        res["comment_type"]["annotated_test_baseline"] = report(
            [r["type"] for r in ann], baseline([r["text"] for r in tr], [r["type"] for r in tr], texts)
        )

    ktrain, ktest = d.kursk_split(root)
    kt = d.kursk_topic_examples(ktest)
    res["topic"]["kursk_test_mapped"] = report(
        [e.label for e in kt], _predict("topic", [e.text for e in kt], models_dir)
    )

    log("evaluate: sentiment corpora")
    valid = d.kazsandra_valid(root)
    head = load_head("sentiment", models_dir)
    x = featurize([clean(e.text) for e in valid], load_idf(models_dir))
    s = head.scores(x)
    pos, neg = head.classes.index("positive"), head.classes.index("negative")
    res["sentiment"]["kazsandra_valid_polarity"] = report(
        [e.label for e in valid], ["1" if a > b else "0" for a, b in zip(s[:, pos], s[:, neg], strict=True)]
    )
    tw = [e for e in d.rusentitweet(root, "rusentitweet_test.csv") if e.label != "skip"]
    res["sentiment"]["rusentitweet_test_3class"] = report(
        [{"speech": "positive"}.get(e.label, e.label) for e in tw],
        _predict("sentiment", [e.text for e in tw], models_dir),
    )

    log("evaluate: benchmark heads")
    res["kursk_coarse"] = {
        "kursk_test": report(
            [r["Категория"] for r in ktest],
            _predict("kursk_coarse", [r["Текст Сообщения"] for r in ktest], models_dir),
        )
    }
    rt = d.rusentiment(root, d.RUSENTIMENT_TEST)
    res["rusentiment5"] = {
        "rusentiment_test": report(
            [e.label for e in rt], _predict("rusentiment5", [e.text for e in rt], models_dir)
        )
    }
    res["kazsandra_polarity"] = {
        "kazsandra_valid": report(
            [e.label for e in valid], _predict("kazsandra_polarity", [e.text for e in valid], models_dir)
        )
    }
    if with_baselines:
        log("evaluate: baselines (TF-IDF + LinearSVC)")
        res["kursk_coarse"]["kursk_test_baseline"] = report(
            [r["Категория"] for r in ktest],
            baseline(
                [r["Текст Сообщения"] for r in ktrain],
                [r["Категория"] for r in ktrain],
                [r["Текст Сообщения"] for r in ktest],
            ),
        )
        rtr = d.rusentiment(root, d.RUSENTIMENT_TRAIN)
        res["rusentiment5"]["rusentiment_test_baseline"] = report(
            [e.label for e in rt],
            baseline([e.text for e in rtr], [e.label for e in rtr], [e.text for e in rt]),
        )
        ktr = d.kazsandra_polarity_split(root)[0]
        res["kazsandra_polarity"]["kazsandra_valid_baseline"] = report(
            [e.label for e in valid],
            baseline([e.text for e in ktr], [e.label for e in ktr], [e.text for e in valid]),
        )

    (models_dir / "metrics.json").write_text(
        json.dumps(_strip(res), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    if write_cards:
        from akimwatch.analysis.cards import write_cards as _write

        _write(res, models_dir, train_summary)
    return res


def _strip(res: dict) -> dict:
    """metrics.json keeps everything but the long label lists are fine as they are; numpy types are converted."""
    return json.loads(json.dumps(res, default=lambda o: o.item() if isinstance(o, np.generic) else str(o)))


__all__ = ["evaluate_all", "report", "baseline", "softmax"]
