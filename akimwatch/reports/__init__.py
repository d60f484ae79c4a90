"""Reports: the article akimwatch was born from, written from data — HTML, PDF, Markdown and JSON in ru/kk/en."""

from akimwatch.reports.render import FORMATS, ReportError, render_report

__all__ = ["FORMATS", "ReportError", "render_report"]
