"""Analyzer `sentiment`: positive / neutral / negative.

A linear head over the shared hashed features (see heads.py); definitions of the labels are in
docs/methodology.md ("Comment labels"). The version changes whenever the artifact is retrained.
"""

from __future__ import annotations

from akimwatch.analysis.base import Label


class SentimentAnalyzer:
    name = "sentiment"

    @property
    def version(self) -> str:
        from akimwatch.analysis.artifacts import cached_head

        return "sentiment-" + str(cached_head("sentiment").meta.get("version", "0"))

    def label(self, texts: list[str]) -> list[Label]:
        from akimwatch.analysis.heads import head_labels
        from akimwatch.analysis.text import clean

        return head_labels("sentiment", [clean(t) for t in texts])
