"""Reports: the article akimwatch was born from, written from data — HTML, PDF, Markdown and JSON in ru/kk/en.

The public names load on first use, so the sentence writer (``akimwatch.reports.writer``) can be imported by
the metrics' wording without pulling in the whole report renderer.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FORMATS", "ReportError", "render_report"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from akimwatch.reports import render

        return getattr(render, name)
    raise AttributeError(name)
