"""Analyzer `topic`: one primary municipal topic (+ secondary ones in extra).

A linear head over the shared hashed features (see heads.py); definitions of the labels are in
docs/methodology.md ("Comment labels"). The version changes whenever the artifact is retrained.
"""

from __future__ import annotations

from akimwatch.analysis.base import Label


class TopicAnalyzer:
    name = "topic"

    @property
    def version(self) -> str:
        from akimwatch.analysis.artifacts import cached_head
        from akimwatch.analysis.heads import TOPIC_RULES_VERSION

        return f"topic-{cached_head('topic').meta.get('version', '0')}+{TOPIC_RULES_VERSION}"

    def label(self, texts: list[str]) -> list[Label]:
        from akimwatch.analysis.heads import head_labels
        from akimwatch.analysis.text import clean

        return head_labels("topic", [clean(t) for t in texts])
