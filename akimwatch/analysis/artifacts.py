"""Save and load linear heads over the shared hashed feature space.

Format (one ``<head>.npz`` per head, plus ``features.npz`` with the shared idf): class names, the indices of the
feature columns that carry weight, their weights as float16 (small weights pruned) and the intercepts. Plain numpy
files: no pickle, so loading is fast, safe and independent of the scikit-learn version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from akimwatch.analysis.text import N_FEATURES

MODELS_DIR = Path(__file__).with_name("models")
# Research heads measure the method on public benchmarks with their own label sets; no product code reads them,
# so they live in the repository's training/ folder, not in the installed package.
RESEARCH_HEADS = ("kursk_coarse", "rusentiment5", "kazsandra_polarity")
RESEARCH_DIR = Path(__file__).resolve().parents[2] / "training" / "research" / "models"
PRODUCT_HEADS = ("comment_type", "topic", "sentiment")
NO_FINE = -1e9  # the fine score of a category none of whose fine topics it owns (never predicted)
SPARSE_ABOVE = 40  # heads with more classes keep their weights sparse (only benchmark heads have that many)


@dataclass
class Head:
    name: str
    classes: list[str]
    weights: np.ndarray  # (N_FEATURES, n_classes) float32, dense for a fast sparse @ dense product (or CSR)
    intercept: np.ndarray  # (n_classes,)
    meta: dict

    def scores(self, x) -> np.ndarray:
        raw = x @ self.weights
        if hasattr(raw, "toarray"):  # many-class heads keep sparse weights
            raw = raw.toarray()
        return np.asarray(raw) + self.intercept

    def output(self, x) -> tuple[list[str], np.ndarray]:
        """(classes, scores) as the head answers. A head with ``meta["combine"]`` (the Kursk benchmark head) holds
        coarse columns plus fine-topic columns ``fine:<name>``; its coarse score blends the coarse model with the
        best fine topic of that category, each divided by its score std on the training rows."""
        s = self.scores(x)
        comb = self.meta.get("combine")
        if not comb:
            return self.classes, s
        coarse = [i for i, c in enumerate(self.classes) if not c.startswith("fine:")]
        names = [self.classes[i] for i in coarse]
        best_fine = np.full((s.shape[0], len(coarse)), NO_FINE, dtype=np.float64)
        for j, c in enumerate(self.classes):
            if c.startswith("fine:"):
                k = names.index(comb["fine_to_coarse"][c[5:]])
                best_fine[:, k] = np.maximum(best_fine[:, k], s[:, j])
        share = comb["coarse_share"]
        return names, share * s[:, coarse] / comb["sigma_coarse"] + (1 - share) * best_fine / comb[
            "sigma_fine"
        ]


def save_head(
    name: str,
    classes,
    coef: np.ndarray,
    intercept: np.ndarray,
    meta: dict,
    out_dir: Path = MODELS_DIR,
    prune: float = 1e-3,
) -> int:
    """Write <name>.npz; coef is (n_classes or 1, N_FEATURES). Returns the file size in bytes."""
    coef = np.asarray(coef, dtype=np.float32)
    if coef.shape[0] == 1:  # binary sklearn models keep one row: expand to two classes (neg, pos)
        coef = np.vstack([-coef / 2, coef / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    coef = np.where(np.abs(coef) < prune, 0, coef)
    cols = np.flatnonzero(np.any(coef != 0, axis=0)).astype(np.int32)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.npz"
    np.savez_compressed(
        path,
        classes=np.array([str(c) for c in classes]),
        cols=cols,
        values=coef[:, cols].T.astype(np.float16),
        intercept=np.asarray(intercept, dtype=np.float32),
        meta=np.array(json.dumps(meta, ensure_ascii=False)),
    )
    return path.stat().st_size


def load_head(name: str, models_dir: Path = MODELS_DIR) -> Head:
    path = models_dir / f"{name}.npz"
    if not path.exists():
        raise FileNotFoundError(f"model artifact {path} is missing; rebuild it with `akimwatch train`")
    with np.load(path, allow_pickle=False) as z:
        classes = [str(c) for c in z["classes"]]
        values = z["values"].astype(np.float32)
        if len(classes) > SPARSE_ABOVE:  # e.g. 150 fine Kursk topics: a dense matrix would take ~170 MB
            from scipy.sparse import csr_matrix

            rows = np.repeat(z["cols"], len(classes))
            cols = np.tile(np.arange(len(classes)), len(z["cols"]))
            keep = values.ravel() != 0
            w = csr_matrix((values.ravel()[keep], (rows[keep], cols[keep])), shape=(N_FEATURES, len(classes)))
        else:
            w = np.zeros((N_FEATURES, len(classes)), dtype=np.float32)
            w[z["cols"]] = values
        return Head(name, classes, w, z["intercept"].astype(np.float32), json.loads(str(z["meta"])))


@lru_cache(maxsize=4)
def load_idf(models_dir: Path = MODELS_DIR) -> np.ndarray | None:
    path = models_dir / "features.npz"
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as z:
        return z["idf"].astype(np.float32)


def save_idf(idf: np.ndarray, out_dir: Path = MODELS_DIR) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out_dir / "features.npz", idf=idf.astype(np.float16))


@lru_cache(maxsize=8)
def cached_head(name: str) -> Head:
    """Heads are loaded once per process and shared by all analyzer instances."""
    return load_head(name)


def softmax(scores: np.ndarray, temperature: float = 0.5) -> np.ndarray:
    """Turn linear scores into confidences that sum to 1 (relative, not calibrated probabilities)."""
    z = scores / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
