"""The ``accurate`` tier: linear heads on multilingual-e5-small embeddings, stacked with the fast head's scores.

Why: the encoder carries meaning across Russian and Kazakh (heads learnt mostly on Russian appeals label Kazakh
complaints), while the fast head's hashed word features keep the exact cue words of large Russian corpora. Each
head is a multinomial logistic regression on the embedding, calibrated with one temperature fitted on dev rows,
then mixed with the fast head's softened probabilities at a weight chosen on dev rows the fast head never saw
(``fuse_fast``; reliability table of the result in the model card).

Abstention: below the head's threshold (chosen on dev, see ``train_accurate``) the stored value is
``uncertain`` (``akimwatch.models.UNCERTAIN``) with the best guess in ``extra["guess"]`` — shown apart, never
counted as a fact. Artifacts: ``models/<head>.e5.npz`` (plain numpy, no pickle).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from akimwatch.analysis.artifacts import MODELS_DIR
from akimwatch.analysis.base import Batch, Label
from akimwatch.analysis.encoder import ENCODER_ID
from akimwatch.analysis.heads import TOPIC_RULES_VERSION, fast_scores, labels_from_probs
from akimwatch.analysis.rules import TYPE_RULES_VERSION
from akimwatch.models import UNCERTAIN

SUFFIX = ".e5.npz"


@dataclass
class AccurateHead:
    name: str
    classes: list[str]
    coef: np.ndarray  # (n_features, n_classes): 384 embedding dims, then the fast head's class scores
    intercept: np.ndarray
    meta: dict

    @property
    def temperature(self) -> float:
        return float(self.meta.get("temperature", 1.0))

    @property
    def threshold(self) -> float:
        return float(self.meta.get("threshold", 0.0))

    def logits(self, emb: np.ndarray, fast: np.ndarray | None) -> np.ndarray:
        x = stack_features(emb, fast, self.meta)
        return x @ self.coef + self.intercept

    def probs(self, emb: np.ndarray, fast: np.ndarray | None) -> np.ndarray:
        return softmax_t(self.logits(emb, fast), self.temperature)

    def fused(
        self, emb: np.ndarray, fast_scores: np.ndarray | None, fast_classes: list[str], kazakh: np.ndarray | None = None
    ) -> np.ndarray:
        """Encoder probabilities mixed with the fast head's (weight ``fuse_fast``, or ``fuse_fast_kk`` for Kazakh
        and mixed texts; fast scores softened by ``fast_temperature``): the fast head keeps the cue words of large
        Russian corpora, the encoder reads Kazakh. Classes the fast head lacks (gas) get only the encoder's share."""
        p = self.probs(emb, None)
        w = float(self.meta.get("fuse_fast", 0.0))
        w_kk = float(self.meta.get("fuse_fast_kk", w))
        if (not w and not w_kk) or fast_scores is None:
            return p
        if kazakh is not None:
            w = np.where(kazakh, w_kk, w)[:, None]
        pf = softmax_t(fast_scores, float(self.meta.get("fast_temperature", 1.0)))
        aligned = np.zeros_like(p)
        for j, c in enumerate(fast_classes):
            if c in self.classes:
                aligned[:, self.classes.index(c)] = pf[:, j]
        return (1 - w) * p + w * aligned


def stack_features(emb: np.ndarray, fast: np.ndarray | None, meta: dict) -> np.ndarray:
    """[embedding, fast scores / their training std] — or the embedding alone for a head trained without stacking."""
    if not meta.get("stack_fast") or fast is None:
        return emb
    return np.hstack([emb, fast / float(meta.get("fast_sigma", 1.0)) * float(meta.get("fast_scale", 1.0))])


def softmax_t(z: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = z / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def save_accurate_head(
    name: str, classes, coef: np.ndarray, intercept: np.ndarray, meta: dict, out_dir: Path = MODELS_DIR
) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}{SUFFIX}"
    np.savez_compressed(
        path,
        classes=np.array([str(c) for c in classes]),
        coef=np.asarray(coef, dtype=np.float32),
        intercept=np.asarray(intercept, dtype=np.float32),
        meta=np.array(json.dumps(meta, ensure_ascii=False)),
    )
    return path.stat().st_size


def load_accurate_head(name: str, models_dir: Path = MODELS_DIR) -> AccurateHead:
    path = models_dir / f"{name}{SUFFIX}"
    if not path.exists():
        raise FileNotFoundError(f"model artifact {path} is missing; rebuild it with `akimwatch train --tier accurate`")
    with np.load(path, allow_pickle=False) as z:
        return AccurateHead(
            name,
            [str(c) for c in z["classes"]],
            z["coef"].astype(np.float32),
            z["intercept"].astype(np.float32),
            json.loads(str(z["meta"])),
        )


@lru_cache(maxsize=8)
def cached_accurate_head(name: str) -> AccurateHead:
    return load_accurate_head(name)


def version(name: str) -> str:
    """``<head>-<trained version>+<rules>+e5s-q4``: the encoder id marks the tier (base.tier_of)."""
    meta = cached_accurate_head(name).meta
    rules = {"topic": TOPIC_RULES_VERSION, "comment_type": TYPE_RULES_VERSION}.get(name)
    parts = [f"{name}-{meta.get('version', '0')}"] + ([rules] if rules else []) + [ENCODER_ID]
    return "+".join(parts)


def head_probs(name: str, batch: Batch, head: AccurateHead | None = None) -> np.ndarray:
    """The accurate tier's probabilities for one head: encoder head, fused with the fast head when trained so."""
    from akimwatch.analysis.artifacts import cached_head

    head = head or cached_accurate_head(name)
    if not head.meta.get("fuse_fast") and not head.meta.get("fuse_fast_kk"):
        return head.probs(batch.embeddings, None)
    return head.fused(batch.embeddings, fast_scores(name, batch), cached_head(name).classes, kazakh_rows(batch))


def kazakh_rows(batch: Batch) -> np.ndarray:
    """Which texts of a batch are Kazakh or mixed (the language analyzer's reading, memoised on the batch)."""
    from akimwatch.analysis.language import detect

    return batch.memo("kazakh", lambda: np.array([detect(t)[0] in ("kk", "mixed") for t in batch.cleaned]))


def labels_with_abstention(name: str, head: AccurateHead, probs: np.ndarray, batch: Batch) -> list[Label]:
    """Rule-adjusted labels; a top probability under the head's threshold becomes ``uncertain``."""
    out = labels_from_probs(name, head.classes, probs, batch.cleaned)
    final = []
    for lab in out:
        if lab.confidence < head.threshold and lab.value != UNCERTAIN:
            extra = dict(lab.extra or {})
            extra["guess"] = lab.value
            lab = Label(UNCERTAIN, lab.confidence, extra)
        final.append(lab)
    return final


def labeller(name: str):
    def label_batch(batch: Batch) -> list[Label]:
        head = cached_accurate_head(name)
        return labels_with_abstention(name, head, head_probs(name, batch, head), batch)

    return label_batch


def best_guess(lab: Label) -> str:
    """The value a label would have without abstention (what benchmarks score and CSV columns carry)."""
    if lab.value == UNCERTAIN and lab.extra:
        return str(lab.extra.get("guess", UNCERTAIN))
    return lab.value
