"""The analyzer contract: a name, a version and one method, ``label(texts) -> list[Label]``.

Results are stored keyed by (item, analyzer, version), so a new model version re-labels only what it has not seen.
Analyzer modules import scikit-learn and load artifacts lazily, on first use, so ``import akimwatch`` stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Any, Protocol, runtime_checkable

ANALYZERS: tuple[str, ...] = ("language", "comment_type", "topic", "sentiment")

_CLASSES = {
    "language": ("akimwatch.analysis.language", "LanguageAnalyzer"),
    "comment_type": ("akimwatch.analysis.comment_type", "CommentTypeAnalyzer"),
    "topic": ("akimwatch.analysis.topic", "TopicAnalyzer"),
    "sentiment": ("akimwatch.analysis.sentiment", "SentimentAnalyzer"),
}


@dataclass(frozen=True, slots=True)
class Label:
    value: str
    confidence: float
    extra: dict[str, Any] | None = None


@runtime_checkable
class Analyzer(Protocol):
    name: str
    version: str

    def label(self, texts: list[str]) -> list[Label]: ...


def get_analyzer(name: str) -> Analyzer:
    """An analyzer instance by registry id; unknown ids raise KeyError listing the known ones."""
    try:
        module, cls = _CLASSES[name]
    except KeyError:
        raise KeyError(f"unknown analyzer {name!r}; known: {', '.join(ANALYZERS)}") from None
    return getattr(import_module(module), cls)()
