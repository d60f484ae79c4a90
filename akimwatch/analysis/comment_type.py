"""Analyzer `comment_type`: gratitude / complaint / request / question / other.

A linear head over the shared hashed features (see heads.py); definitions of the labels are in
docs/methodology.md ("Comment labels"). The version changes whenever the artifact is retrained.
Heavy imports (numpy, the artifacts) happen in ``akimwatch.analysis.heads`` on first use.
"""

from __future__ import annotations

from akimwatch.analysis.heads import HeadAnalyzer


class CommentTypeAnalyzer(HeadAnalyzer):
    name = "comment_type"
