"""Analyzer `comment_type`: gratitude / complaint / request / question / other.

A linear head over the shared hashed features (see heads.py); definitions of the labels are in
docs/methodology.md ("Comment labels"). The version changes whenever the artifact is retrained.
"""

from __future__ import annotations

from akimwatch.analysis.base import Label


class CommentTypeAnalyzer:
    name = "comment_type"

    @property
    def version(self) -> str:
        from akimwatch.analysis.artifacts import cached_head

        return "comment_type-" + str(cached_head("comment_type").meta.get("version", "0"))

    def label(self, texts: list[str]) -> list[Label]:
        from akimwatch.analysis.heads import head_labels
        from akimwatch.analysis.text import clean

        return head_labels("comment_type", [clean(t) for t in texts])
