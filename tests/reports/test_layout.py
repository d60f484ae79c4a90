"""The HTML report as a reader sees it in Chromium, ru/kk/en at 1400 and 390 px: no page overflow, no text drawn
over other text (the ranking's column headers ran together), no label cut without its full text. Screenshots:
test-artifacts/reports/layout/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.web.test_layout import CHECK

from .conftest import LANGS

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports" / "layout"


def test_html_report_layout(outputs):
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run `make system-deps` (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        for width in (1400, 390):
            page = browser.new_page(viewport={"width": width, "height": 1000})
            for lang in LANGS:
                page.goto(outputs[(lang, "html")].resolve().as_uri())
                page.screenshot(path=str(ARTIFACTS / f"report-{lang}-{width}.png"), full_page=True)
                found = page.evaluate(CHECK)
                if found["overflow"] > 1:
                    problems.append(f"{lang} {width}px: page {found['overflow']} px wider than the screen")
                problems += [f"{lang} {width}px: overlapping text {o}" for o in found["overlaps"]]
                problems += [f"{lang} {width}px: cut without a title: {t}" for t in found["truncated"]]
            page.close()
        browser.close()
    assert not problems, "\n".join(problems)
