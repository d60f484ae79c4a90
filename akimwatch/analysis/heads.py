"""Run the three linear product heads together on one shared feature matrix (the fast path).

Why together: featurization dominates the cost, so a batch (base.Batch) cleans and hashes each text once and feeds
every head from it; the registry (base.py) exposes each head as an analyzer of the ``fast`` tier.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from akimwatch.analysis.artifacts import PRODUCT_HEADS, cached_head, load_idf, softmax

__all__ = ["PRODUCT_HEADS", "features", "head_labels", "labels_from_probs", "label_all"]
from akimwatch.analysis.base import Label
from akimwatch.analysis.text import featurize, fold, word_cues

SECONDARY_MIN = 0.25  # a second topic is reported when its confidence is at least this ...
SECONDARY_RATIO = 0.5  # ... and at least half of the first one's


@lru_cache(maxsize=1)
def _idf():
    return load_idf()


def features(cleaned: list[str]):
    return featurize(cleaned, _idf())


def _gas_cue(text: str) -> bool:
    """Gas has no training rows in any corpus: a lexicon cue decides it (see methodology)."""
    return any("topic:gas" in word_cues(w.strip(".,!?;:()«»\"'")) for w in fold(text).split())


# Zoos are in no training corpus either (`animals_zoo` is learnt from stray-animal appeals), so a
# mention of a zoo decides the topic: «зоопарк», «зоосад», Kazakh «хайуанаттар бағы».
_ZOO = re.compile(r"(?<![а-яёәіңғүұқөһa-z])(зоопарк|зоосад|зоо-парк|хайуанат|хаиуанат)", re.IGNORECASE)

# Rule-decided topics change what the heads output: part of every topic label's version.
TOPIC_RULES_VERSION = "r2"


def _zoo_cue(text: str) -> bool:
    return bool(_ZOO.search(text))


def head_labels(name: str, cleaned: list[str], x=None, head=None) -> list[Label]:
    """Labels of one product head, with the rule-decided topics applied (what users get, and what eval measures)."""
    head = cached_head(name) if head is None else head
    if not cleaned:
        return []
    x = features(cleaned) if x is None else x
    return labels_from_probs(name, head.classes, softmax(head.scores(x)), cleaned)


def labels_from_probs(name: str, classes: list[str], probs, cleaned: list[str]) -> list[Label]:
    """Labels from one head's probabilities with the guide's rules applied (gas and zoo topics, Kazakh asks and
    agreement for the comment type): both tiers and the evaluations go through here."""
    top = probs.argmax(axis=1)
    out: list[Label] = []
    for i, text in enumerate(cleaned):
        value, conf = classes[top[i]], float(probs[i, top[i]])
        extra = None
        if name == "topic":
            if _gas_cue(text) and value in ("utilities", "none", "housing_construction", "prices_tariffs"):
                extra = {"secondary": [value]} if value != "none" else None
                value, conf = "gas", max(conf, 0.6)
            elif value != "animals_zoo" and _zoo_cue(text):
                extra = {"secondary": [value]} if value != "none" else None
                value, conf = "animals_zoo", max(conf, 0.6)
            else:
                order = np.argsort(-probs[i])[1:3]
                sec = [
                    classes[j]
                    for j in order
                    if probs[i, j] >= SECONDARY_MIN
                    and probs[i, j] >= SECONDARY_RATIO * conf
                    and classes[j] != "none"
                ]
                extra = {"secondary": sec} if sec and value != "none" else None
        if not text.strip():
            value = "other" if name == "comment_type" else ("none" if name == "topic" else "neutral")
            conf = 1.0
        out.append(Label(value, round(conf, 4), extra))
    if name == "comment_type":
        from akimwatch.analysis.rules import apply_type_rules

        out = apply_type_rules(cleaned, out)
    return out


def label_all(texts: list[str]) -> dict[str, list[Label]]:
    """All four labels of the fast tier for a batch (see base.label_all for either tier)."""
    from akimwatch.analysis.base import label_all as _label_all

    return _label_all(texts, tier="fast")


def fast_version(name: str) -> str:
    """The trained artifact's version, plus the rules' version when rules change the head's output (topic)."""
    from akimwatch.analysis.rules import TYPE_RULES_VERSION

    base = f"{name}-{cached_head(name).meta.get('version', '0')}"
    rules = {"topic": TOPIC_RULES_VERSION, "comment_type": TYPE_RULES_VERSION}.get(name)
    return f"{base}+{rules}" if rules else base


def fast_probs(name: str, batch) -> np.ndarray:
    """Fast-head confidences on a batch (memoised on it: the accurate tier stacks on the same scores)."""
    return batch.memo(f"fast:{name}", lambda: softmax(cached_head(name).scores(batch.tfidf)))


def fast_scores(name: str, batch) -> np.ndarray:
    return batch.memo(f"fast_scores:{name}", lambda: cached_head(name).scores(batch.tfidf))


def fast_labeller(name: str):
    def label_batch(batch) -> list[Label]:
        return labels_from_probs(name, cached_head(name).classes, fast_probs(name, batch), batch.cleaned)

    return label_batch
