"""The HTML opened in headless Chromium and the PDF rasterised with pdftoppm: pages render, charts are there.

Needs Debian's `chromium` and `poppler-utils` (installed by `make system-deps`); skipped without them, except
under CI=true where a missing tool fails the test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from akimwatch.reports.charts import SCALE
from akimwatch.reports.render import render_report

from .conftest import LANGS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
PDFTOPPM = shutil.which("pdftoppm")
# Screenshots are kept for people to look at (gitignored): test-artifacts/reports/, or $AKIMWATCH_KEEP_SCREENSHOTS.
ARTIFACTS = Path(os.environ.get("AKIMWATCH_KEEP_SCREENSHOTS")
                 or Path(__file__).resolve().parents[2] / "test-artifacts" / "reports")
PLATFORM_RGB = {"instagram": (0xC2, 0x18, 0x5B), "facebook": (0x1F, 0x5F, 0xA8)}
TEAL = (0x0B, 0x6E, 0x69)  # the replies bars
MAP_RGB = [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in SCALE]  # the score scale of the map


def _has_map(im: Image.Image, tol: int = 12, min_pixels: int = 50) -> bool:
    return sum(_has_color(im, rgb, tol, min_pixels) for rgb in MAP_RGB) >= 2


def _need(tool: str | None, name: str) -> str:
    if tool:
        return tool
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} is not installed under CI=true: run `make system-deps`")
    pytest.skip(f"{name} is not installed (make system-deps)")


def _has_color(im: Image.Image, rgb: tuple[int, int, int], tol: int = 12, min_pixels: int = 50) -> bool:
    colors = im.convert("RGB").getcolors(1 << 24) or []
    n = sum(count for count, px in colors if all(abs(a - b) <= tol for a, b in zip(px, rgb, strict=True)))
    return n >= min_pixels


def _variance(im: Image.Image) -> float:
    return sum(ImageStat.Stat(im.convert("L")).var)


def screenshot(html: Path, png: Path, height: int = 4000) -> Image.Image:
    chromium = _need(CHROMIUM, "chromium")
    cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--no-first-run", "--hide-scrollbars", f"--screenshot={png}", f"--window-size=1280,{height}",
           html.resolve().as_uri()]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    return Image.open(png)


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
def test_html_renders_in_headless_chromium(outputs, lang, tmp_path):
    im = screenshot(outputs[(lang, "html")], tmp_path / f"report-{lang}.png")
    assert im.size == (1280, 4000)
    assert _variance(im) > 500, "page is blank"
    # Top of the page: the title page with the map (teal regions); further down the weekly charts.
    assert _has_map(im.crop((0, 0, 1280, 1400))), "map not drawn"
    assert _has_color(im.crop((0, 1400, 1280, 4000)), TEAL), "replies chart not drawn"
    # Every 500-px band of the page has content (no half-empty render).
    for top in range(0, 4000, 500):
        assert _variance(im.crop((200, top, 1080, top + 500))) > 50, f"blank band at {top}px"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(tmp_path / f"report-{lang}.png", ARTIFACTS / f"report-{lang}.png")


@pytest.mark.browser
def test_whole_html_report_renders_its_charts(outputs, tmp_path):
    """The whole report (a window taller than the page): the weekly charts of the officials are drawn."""
    lang = "ru"
    tall = screenshot(outputs[(lang, "html")], tmp_path / f"report-{lang}-full.png", height=16000)
    assert _has_color(tall, PLATFORM_RGB["instagram"], min_pixels=5000)
    assert _has_color(tall, PLATFORM_RGB["facebook"], min_pixels=1000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(tmp_path / f"report-{lang}-full.png", ARTIFACTS / f"report-{lang}-full.png")


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_is_paginated_with_contents_and_charts(demo_engine, report_data, lang, tmp_path):
    pytest.importorskip("weasyprint")
    pdftoppm = _need(PDFTOPPM, "pdftoppm (poppler-utils)")
    pdf = render_report(demo_engine, lang=lang, fmt="pdf", out=tmp_path / f"report-{lang}.pdf", data=report_data)
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run([pdftoppm, "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    # Title page, contents, freshness, ranking (≥1 page), one page per official (12), methodology.
    assert len(pages) >= 17
    for p in pages:
        assert _variance(Image.open(p)) > 20, f"{p.name} is blank"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for i in (0, 1, 3, 4):
        shutil.copy(pages[i], ARTIFACTS / f"report-{lang}-pdf-page{i + 1}.png")
    assert _has_map(Image.open(pages[0]), tol=20, min_pixels=20), "map missing on the title page"
    official_pages = [Image.open(p) for p in pages[4:]]
    assert sum(_has_color(im, PLATFORM_RGB["instagram"], tol=25, min_pixels=10) for im in official_pages) >= 8
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        contents = subprocess.run([pdftotext, "-f", "2", "-l", "2", str(pdf), "-"], capture_output=True,
                                  text=True, check=True).stdout
        assert "....." in contents and any(line.rstrip().endswith(tuple("0123456789"))
                                           for line in contents.splitlines())
        last = subprocess.run([pdftotext, "-f", str(len(pages)), "-l", str(len(pages)), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert f"{len(pages)} / {len(pages)}" in last
        overlaps = pdf_word_overlaps(pdf)
        assert not overlaps, f"{lang}: words printed over each other: {overlaps[:8]}"


def pdf_word_overlaps(pdf: Path) -> list[str]:
    """Words whose boxes overlap on a PDF page (``pdftotext -bbox``): a label printed over its value."""
    import re

    html = subprocess.run([shutil.which("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=120).stdout
    found = []
    for n, page in enumerate(html.split("<page ")[1:], start=1):
        words = [(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page)]
        for i, (x0, y0, x1, y1, t) in enumerate(words):
            for u0, v0, u1, v1, s in words[i + 1:]:
                w, h = min(x1, u1) - max(x0, u0), min(y1, v1) - max(y0, v0)
                if w > 1 and h > 0.35 * min(y1 - y0, v1 - v0):
                    found.append(f"page {n}: {t!r} over {s!r}")
    return found
