"""The demo store built once per session, its report data (one metrics computation) and every rendered output."""

from __future__ import annotations

from pathlib import Path

import pytest

from akimwatch.demo import run_demo
from akimwatch.reports.data import build_report_data
from akimwatch.reports.render import render_report
from akimwatch.store import open_store

LANGS = ("ru", "kk", "en")
FORMATS = ("html", "md", "json", "pdf")


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory):
    result = run_demo(tmp_path_factory.mktemp("demo"))
    engine = open_store(result.db_path)
    yield engine, result
    engine.dispose()


@pytest.fixture(scope="session")
def demo_engine(demo_store):
    return demo_store[0]


@pytest.fixture(scope="session")
def report_data(demo_engine):
    return build_report_data(demo_engine)


@pytest.fixture(scope="session")
def outputs(demo_engine, report_data, tmp_path_factory) -> dict[tuple[str, str], Path]:
    """(lang, fmt) → path, every language in every text format (PDF is rendered by its own test module)."""
    out = tmp_path_factory.mktemp("reports")
    return {(lang, fmt): render_report(demo_engine, lang=lang, fmt=fmt, out=out / f"report-{lang}.{fmt}",
                                       data=report_data)
            for lang in LANGS for fmt in ("html", "md", "json")}
