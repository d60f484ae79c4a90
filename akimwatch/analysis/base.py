"""The analyzer registry: ``Analyzer(name, version, applies_to, label)`` per label and tier.

An analyzer labels a :class:`Batch` of texts. Feature groups (cleaned text, hashed TF-IDF, encoder embeddings,
repost flags) are computed lazily on the batch, once, and shared by every analyzer that needs them — that is the
whole batching story: ``label_all`` builds one batch and asks each registered analyzer in turn.

Two tiers, one interface: ``fast`` (linear heads on hashed word/char features, thousands of texts per second)
and ``accurate`` (the same heads' features plus multilingual-e5-small embeddings, tens of texts per second, and
much better in Kazakh). The tier is part of every label's version, so the store never mixes them silently.

Results are stored keyed by (item, analyzer, version): a new model version re-labels only what it has not seen.
Modules import scikit-learn/the encoder and load artifacts lazily, so ``import akimwatch`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

TIERS = ("fast", "accurate")
DEFAULT_TIER = "accurate"
ITEM_KINDS = ("comment", "official_reply", "post")
# the analyzers of citizen comments, in output order (classify's columns, label_all's keys)
ANALYZERS: tuple[str, ...] = ("language", "comment_type", "topic", "sentiment")


@dataclass(frozen=True, slots=True)
class Label:
    value: str
    confidence: float
    extra: dict[str, Any] | None = None


@dataclass
class Batch:
    """Texts to label plus their feature groups, each computed on first use and then shared."""

    texts: list[str]
    reposts: Sequence[bool] | None = None  # posts only: reposts are press-service voice by definition
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.texts)

    @cached_property
    def cleaned(self) -> list[str]:
        from akimwatch.analysis.text import clean

        return [clean(t) for t in self.texts]

    @cached_property
    def tfidf(self):
        from akimwatch.analysis.heads import features

        return features(self.cleaned)

    @cached_property
    def embeddings(self):
        from akimwatch.analysis.encoder import shared_encoder

        return shared_encoder().encode(self.cleaned)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """Per-batch memo for results several analyzers share (e.g. one head's probabilities)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]


@dataclass(frozen=True)
class Analyzer:
    """One label: its registry name, its version (tier included), the item kinds it labels, and the labeller."""

    name: str
    version: str
    applies_to: tuple[str, ...]
    label_batch: Callable[[Batch], list[Label]]
    tier: str = "fast"

    def label(self, texts: list[str]) -> list[Label]:
        return self.label_batch(Batch(list(texts)))


def _builtin(tier: str) -> list[Analyzer]:
    from akimwatch.analysis import heads, language, voice

    out = [
        Analyzer("language", language.VERSION, ITEM_KINDS, language.label_batch, tier),
        Analyzer("voice", voice.VERSION, ("post",), voice.label_batch, tier),
    ]
    if tier == "fast":
        for name in heads.PRODUCT_HEADS:
            kinds = ITEM_KINDS if name == "topic" else ("comment",)
            out.append(Analyzer(name, heads.fast_version(name), kinds, heads.fast_labeller(name), tier))
    else:
        from akimwatch.analysis import accurate

        for name in heads.PRODUCT_HEADS:
            kinds = ITEM_KINDS if name == "topic" else ("comment",)
            out.append(Analyzer(name, accurate.version(name), kinds, accurate.labeller(name), tier))
    return out


_REGISTRY: dict[str, dict[str, Analyzer]] = {}


def check_tier(tier: str) -> str:
    if tier not in TIERS:
        raise ValueError(f"unknown tier {tier!r}; known: {', '.join(TIERS)}")
    return tier


def registry(tier: str = DEFAULT_TIER) -> dict[str, Analyzer]:
    """{name: Analyzer} of one tier (built once per process)."""
    check_tier(tier)
    if tier not in _REGISTRY:
        _REGISTRY[tier] = {a.name: a for a in _builtin(tier)}
    return _REGISTRY[tier]


def get_analyzer(name: str, tier: str = DEFAULT_TIER) -> Analyzer:
    """An analyzer by registry name; unknown names raise KeyError listing the known ones."""
    reg = registry(tier)
    try:
        return reg[name]
    except KeyError:
        raise KeyError(f"unknown analyzer {name!r}; known: {', '.join(reg)}") from None


def label_batch(batch: Batch, names: Sequence[str], tier: str = DEFAULT_TIER) -> dict[str, list[Label]]:
    """Labels of ``names`` for one batch; feature groups are computed once and shared."""
    reg = registry(tier)
    return {name: reg[name].label_batch(batch) if len(batch) else [] for name in names}


def label_all(texts: list[str], tier: str = DEFAULT_TIER) -> dict[str, list[Label]]:
    """The four comment labels for a batch: {'language': [...], 'comment_type': [...], 'topic': [...], ...}."""
    return label_batch(Batch(list(texts)), ANALYZERS, tier)


def tier_of(version: str) -> str:
    """The tier a stored label version belongs to (accurate versions carry the encoder id)."""
    from akimwatch.analysis.encoder import ENCODER_ID

    return "accurate" if ENCODER_ID in version else "fast"
