"""Every page as a reader sees it: ru, kk and en at 1400 px and at a phone's 390 px, in headless Chromium.

Screenshots go to test-artifacts/layout/ (gitignored; CI keeps them as artifacts). Each page is checked in the
browser: no horizontal overflow of the page, no two text boxes drawn over each other (the rectangles of the text
nodes compared), no label cut by CSS (``text-overflow``/``overflow: hidden``) without its full text in a
``title``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.test_browser import browser, server  # noqa: F401 - module fixtures: one server, one Chromium

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "layout"
PAGES = (("overview", "/"), ("official", "/officials/almaty-akim"), ("topics", "/topics"), ("inbox", "/inbox"),
         ("login", "/login"), ("api", "/api/docs"), ("missing", "/officials/nobody"))
WIDTHS = (1400, 390)

CHECK = """() => {
  const vw = document.documentElement.clientWidth;
  const out = {overflow: document.documentElement.scrollWidth - vw, overlaps: [], truncated: []};
  const visible = e => { for (let a = e; a; a = a.parentElement) { const cs = getComputedStyle(a);
      if (cs.display === 'none' || cs.visibility === 'hidden' || cs.opacity === '0') return false; } return true; };
  // A text box as drawn: clipped by every ancestor that hides its overflow; nothing inside a closed <details>.
  const clip = (b, e) => { let r = {l: b.left, r: b.right, t: b.top, b: b.bottom};
    for (let a = e; a && a !== document.body; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.overflowX !== 'visible' || cs.overflowY !== 'visible') { const q = a.getBoundingClientRect();
        r = {l: Math.max(r.l, q.left), r: Math.min(r.r, q.right), t: Math.max(r.t, q.top), b: Math.min(r.b, q.bottom)}; }
    } return r; };
  const hidden = e => { const d = e.closest('details:not([open])'); return d && !e.closest('summary'); };
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim() || !visible(n.parentElement) || hidden(n.parentElement)) continue;
    const r = document.createRange(); r.selectNodeContents(n);
    for (const b of r.getClientRects()) { const c = clip(b, n.parentElement);
      if (c.r - c.l > 1 && c.b - c.t > 1) boxes.push({t: n.textContent.trim().slice(0, 40), l: c.l, r: c.r, t0: c.t, b: c.b, n}); }
  }
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], c = boxes[j];
    if (a.n === c.n) continue;
    const w = Math.min(a.r, c.r) - Math.max(a.l, c.l), h = Math.min(a.b, c.b) - Math.max(a.t0, c.t0);
    if (w > 2 && h > Math.min(a.b - a.t0, c.b - c.t0) * 0.3) out.overlaps.push(a.t + ' ⟷ ' + c.t);
  }
  for (const e of document.querySelectorAll('body *')) {
    if (!visible(e) || e.closest('svg')) continue;
    const cs = getComputedStyle(e);
    const cut = cs.textOverflow === 'ellipsis' || ((cs.overflowX === 'hidden' || cs.overflow === 'hidden')
                && e.children.length === 0);
    if (cut && e.scrollWidth > e.clientWidth + 1 && !e.closest('[title]'))
      out.truncated.push(e.tagName + ': ' + e.textContent.trim().slice(0, 40));
  }
  out.overlaps = out.overlaps.slice(0, 10);
  return out;
}"""


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_every_page_fits_at_two_widths(server, browser, lang):  # noqa: F811 - the imported fixtures
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for width in WIDTHS:
        ctx = browser.new_context(viewport={"width": width, "height": 900})
        page = ctx.new_page()
        for name, path in PAGES:
            page.goto(f"{server}{path}?lang={lang}")
            page.screenshot(path=str(ARTIFACTS / f"{lang}-{width}-{name}.png"), full_page=True)
            found = page.evaluate(CHECK)
            if found["overflow"] > 1:
                problems.append(f"{lang} {width}px {path}: page {found['overflow']} px wider than the screen")
            problems += [f"{lang} {width}px {path}: overlapping text {o}" for o in found["overlaps"]]
            problems += [f"{lang} {width}px {path}: cut without a title: {t}" for t in found["truncated"]]
        ctx.close()
    assert not problems, "\n".join(problems)
