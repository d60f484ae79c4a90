"""Headless Chromium (Debian ``chromium`` driven by Playwright; never ``playwright install``): sign in, open
every page, work one request through the inbox, check the audit log. Screenshots go to test-artifacts/web/."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from akimwatch.web import vocabulary
from tests.web.conftest import PASSWORD, seed

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    from akimwatch.store.engine import create_store_engine, ensure_schema
    from akimwatch.web import WebConfig, create_app

    db = tmp_path_factory.mktemp("browser") / "browser.db"
    engine = create_store_engine(f"sqlite:///{db}")
    ensure_schema(engine)
    from argon2 import PasswordHasher

    from akimwatch.web.auth import users as web_auth
    original = web_auth._hasher
    web_auth._hasher = lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    seed(engine)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(engine, WebConfig(background_sync=False))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 10
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(5)
    web_auth._hasher = original
    engine.dispose()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run `make system-deps` (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_pages_and_inbox_workflow(server, browser):
    errors: list[str] = []
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: errors.append("external request " + r.url)
            if not r.url.startswith(server) and not r.url.startswith("data:") else None)

    page.goto(server + "/")
    assert page.locator(".demo-banner").inner_text() == "демо-данные (синтетические)"
    assert page.locator("#ranking tbody tr").count() == 2
    shot(page, "01-overview")
    # client-side sort by comments toggles order
    page.locator("#ranking thead th:nth-child(6) a").click()
    first = page.locator("#ranking tbody tr:first-child td:nth-child(2)").inner_text()
    page.locator("#ranking thead th:nth-child(6) a").click()
    assert page.locator("#ranking tbody tr:first-child td:nth-child(2)").inner_text() != first

    page.click("text=Бакытжан Сагинтаев")
    page.wait_for_url("**/officials/almaty-akim")
    assert page.locator("h1").inner_text() == "Бакытжан Сагинтаев"
    page.locator("details summary").first.click()
    shot(page, "02-official")

    page.goto(server + "/topics?q=зоопарк")
    assert page.locator("#search li").count() >= 2
    shot(page, "03-topics-search")

    page.goto(server + "/?lang=kk")
    assert page.locator("nav.main-nav a").first.inner_text() == "Шолу"
    # kk and en pages from the gettext catalogs: no data code (in_progress, akim_city …) shown raw
    codes = {c for name in dir(vocabulary) if isinstance(getattr(vocabulary, name), tuple)
             for c in getattr(vocabulary, name) if "_" in c}
    for lang in ("kk", "en"):
        for name, path in (("overview", "/"), ("official", "/officials/almaty-akim"), ("topics", "/topics")):
            page.goto(server + f"{path}?lang={lang}")
            shot(page, f"lang-{lang}-{name}")
            body = page.locator("body").inner_text()
            assert [c for c in codes if re.search(rf"\b{c}\b", body)] == [], (lang, path)
    page.goto(server + "/?lang=ru")

    # sign in as editor and work the gas request
    page.goto(server + "/inbox")
    shot(page, "04-inbox-anonymous")
    assert "[телефон]" in page.content()
    page.click("a.signin")
    shot(page, "05-login")
    page.fill("input[name=username]", "editor")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/inbox")
    assert "editor" in page.locator(".who").inner_text()
    page.select_option("select[name=topic]", "gas")  # auto-submits
    page.wait_for_url("**topic=gas**")
    page.locator("table.inbox tbody tr td.desc a").first.click()
    page.wait_for_url("**/inbox/*")
    assert "900101300123" in page.content()  # staff see the original text
    page.select_option("#status-select", "in_progress")
    page.fill("input[name=department]", "Управление энергетики")
    page.fill("textarea[name=notes]", "Передано в КазТрансГаз Аймак")
    page.click("#work-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#status").inner_text() == "в работе"
    assert page.locator("#department").inner_text() == "Управление энергетики"
    page.select_option("#status-select", "answered")
    page.click("#work-form button[type=submit]")
    page.wait_for_load_state()
    page.select_option("#status-select", "resolved")
    page.click("#work-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#status").inner_text() == "решено"
    rows = page.locator("#audit tbody tr")
    texts = [rows.nth(i).inner_text() for i in range(rows.count())]
    assert len(texts) == 6
    assert "system" in texts[0] and "создано" in texts[0]
    assert "editor" in texts[1] and "новое" in texts[1] and "в работе" in texts[1]
    assert "Управление энергетики" in texts[2] and "КазТрансГаз" in texts[3]
    assert "решено" in texts[5]
    shot(page, "06-request-worked")

    # a viewer cannot work requests: no form
    page.click("button:has-text('Выйти')")
    page.goto(server + "/login")
    page.fill("input[name=username]", "viewer")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.goto(server + "/inbox/1")
    assert page.locator("#work-form").count() == 0

    # admin page
    page.click("button:has-text('Выйти')")
    page.goto(server + "/login?next=/admin")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url("**/admin")
    shot(page, "07-admin")
    assert not errors, errors
    ctx.close()


def test_phone_layout(server, browser):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                              has_touch=True)
    page = ctx.new_page()
    page.goto(server + "/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"page scrolls sideways on a phone ({width}px)"
    shot(page, "08-phone-overview")
    page.goto(server + "/inbox")
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    shot(page, "09-phone-inbox")
    page.goto(server + "/officials/almaty-akim")
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    shot(page, "10-phone-official")
    ctx.close()
