"""Analyzer `topic`: one primary municipal topic (+ secondary ones in extra).

A linear head over the shared hashed features (see heads.py) plus the rule-decided topics (gas, zoo) that no
training corpus covers; definitions of the labels are in docs/methodology.md ("Comment labels").
"""

from __future__ import annotations

from akimwatch.analysis.heads import TOPIC_RULES_VERSION, HeadAnalyzer


class TopicAnalyzer(HeadAnalyzer):
    name = "topic"
    rules_version = TOPIC_RULES_VERSION
