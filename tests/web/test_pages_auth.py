"""Pages, sign-in, roles, CSRF, rate limiting, the inbox workflow and its audit log."""

from __future__ import annotations

import re

from tests.web.conftest import PASSWORD, csrf_of, login, make_client


def test_pages_render_in_three_languages_with_demo_mark(app_client):
    c = app_client
    for lang, word in (("ru", "Обзор"), ("kk", "Шолу"), ("en", "Overview")):
        r = c.get(f"/?lang={lang}")
        assert r.status_code == 200 and word in r.text
        assert f'<html lang="{lang}">' in r.text
    assert c.cookies.get("aw_lang") == "en"  # the choice sticks
    assert "Overview" in c.get("/").text
    c.get("/?lang=ru")
    for url in ("/", "/officials/almaty-akim", "/topics", "/topics?q=зоопарк", "/inbox", "/inbox/1", "/login"):
        r = c.get(url)
        assert r.status_code == 200, url
        assert "демо-данные (синтетические)" in r.text, url
    assert "Бакытжан Сагинтаев" in c.get("/").text
    official = c.get("/officials/almaty-akim").text
    assert "Посты по неделям" in official and "животные и зоопарк" in official
    assert c.get("/officials/nobody").status_code == 404


def test_static_assets_are_local(app_client):
    page = app_client.get("/").text
    assert "http://" not in re.sub(r'href="https?://[^"]*instagram[^"]*"', "", page).split("<body>")[0]
    assert "cdn" not in page.lower()
    assert app_client.get("/static/style.css").status_code == 200
    assert app_client.get("/static/app.js").status_code == 200
    docs = app_client.get("/api/docs")
    assert docs.status_code == 200 and "/api/v1/comments" in docs.text and "cdn" not in docs.text.lower()


def test_login_sets_safe_cookie_and_logout(app_client):
    c = app_client
    r = login(c, "editor")
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "aw_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "editor" in c.get("/").text
    token = csrf_of(c)
    c.post("/logout", data={"csrf_token": token})
    assert "aw_session" not in c.cookies or not c.cookies.get("aw_session")


def test_wrong_password_and_rate_limit(seeded):
    engine, _ = seeded
    with make_client(engine, login_attempts=3) as c:
        for _ in range(3):
            assert login(c, "editor", "wrong-password").status_code == 401
        blocked = login(c, "editor", PASSWORD)
        assert blocked.status_code == 429 and "Retry-After" in blocked.headers
        assert "aw_session" not in c.cookies


def test_login_form_needs_its_csrf_token(app_client):
    c = app_client
    c.get("/login")
    r = c.post("/login", data={"username": "editor", "password": PASSWORD, "csrf_token": "forged"},
               follow_redirects=False)
    assert r.status_code == 303 and "error=csrf" in r.headers["location"]
    assert not c.cookies.get("aw_session")


def test_open_redirect_after_login_is_refused(app_client):
    c = app_client
    c.get("/login")
    token = c.cookies.get("aw_login_csrf")
    r = c.post("/login", data={"username": "editor", "password": PASSWORD, "csrf_token": token,
                               "next": "//evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/"


def test_inbox_workflow_with_audit_log(app_client):
    c = app_client
    rid = c.get("/api/v1/requests", params={"topic": "gas"}).json()["items"][0]["id"]
    login(c, "editor")
    token = csrf_of(c)
    r = c.post(f"/inbox/{rid}", data={"csrf_token": token, "status": "in_progress",
                                      "department": "Управление энергетики", "notes": "Позвонить в КазТрансГаз"},
               follow_redirects=False)
    assert r.status_code == 303
    r = c.post(f"/inbox/{rid}", data={"csrf_token": token, "status": "answered"}, follow_redirects=False)
    assert r.status_code == 303
    r = c.post(f"/inbox/{rid}", data={"csrf_token": token, "status": "resolved"}, follow_redirects=False)
    assert r.status_code == 303
    # a jump the workflow does not allow
    assert c.post(f"/inbox/{rid}", data={"csrf_token": token, "status": "answered"}).status_code == 409
    page = c.get(f"/inbox/{rid}").text
    assert "решено" in page and "Управление энергетики" in page and "Позвонить в КазТрансГаз" in page
    item = c.get(f"/api/v1/requests/{rid}").json()
    steps = [(e["actor"], e["action"], e["old_value"], e["new_value"]) for e in item["events"]]
    assert steps[0][0:2] == ("system", "created")
    assert steps[1:] == [("editor", "status", "new", "in_progress"),
                         ("editor", "department", None, "Управление энергетики"),
                         ("editor", "notes", None, "Позвонить в КазТрансГаз"),
                         ("editor", "status", "in_progress", "answered"),
                         ("editor", "status", "answered", "resolved")]
    assert item["answered_utc"] is not None and item["overdue"] is False


def test_inbox_writes_refused_without_role_or_csrf(app_client):
    c = app_client
    rid = c.get("/api/v1/requests", params={"topic": "gas"}).json()["items"][0]["id"]
    before = c.get(f"/api/v1/requests/{rid}").json()
    assert c.post(f"/inbox/{rid}", data={"status": "in_progress"}, follow_redirects=False).status_code == 401
    login(c, "viewer")
    token = csrf_of(c)
    assert c.post(f"/inbox/{rid}", data={"csrf_token": token, "status": "in_progress"}).status_code == 403
    c.post("/logout", data={"csrf_token": token})
    login(c, "editor")
    assert c.post(f"/inbox/{rid}", data={"csrf_token": "forged", "status": "in_progress"}).status_code == 403
    after = c.get(f"/api/v1/requests/{rid}").json()
    assert after["status"] == before["status"] and len(after["events"]) == len(before["events"])


def test_anonymous_sees_masked_text_and_no_notes(app_client):
    c = app_client
    rid = c.get("/api/v1/requests", params={"topic": "gas"}).json()["items"][0]["id"]
    login(c, "editor")
    token = csrf_of(c)
    c.post(f"/inbox/{rid}", data={"csrf_token": token, "notes": "секретная заметка"})
    assert "900101300123" in c.get(f"/inbox/{rid}").text
    c.post("/logout", data={"csrf_token": token})
    page = c.get(f"/inbox/{rid}").text
    assert "900101300123" not in page and "[ИИН]" in page and "секретная заметка" not in page
    assert "900101300123" not in c.get("/topics?q=газ").text
    assert "секретная заметка" not in c.get(f"/api/v1/requests/{rid}").text


def test_admin_users_and_api_keys(app_client):
    c = app_client
    assert c.get("/admin", follow_redirects=False).status_code == 303  # to the login page
    login(c, "editor")
    assert c.get("/admin").status_code == 403
    c.cookies.clear()
    login(c, "admin")
    page = c.get("/admin").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = c.post("/admin/keys", data={"csrf_token": token, "name": "newsroom", "scopes": ["read"]},
               follow_redirects=True)
    key = re.search(r'id="new-key">([^<]+)<', r.text).group(1)
    assert c.get("/admin").text.count(key) == 0  # shown once
    anon = make_client(c.app.state.engine)
    assert anon.get("/api/v1/officials", headers={"X-Api-Key": key}).status_code == 200
    from sqlalchemy import select

    from akimwatch.web.auth.tables import api_keys
    with c.app.state.engine.connect() as conn:
        stored = conn.execute(select(api_keys.c.key_hash, api_keys.c.id).where(api_keys.c.name == "newsroom")).one()
    assert key not in stored.key_hash  # hashed at rest
    c.post(f"/admin/keys/{stored.id}/revoke", data={"csrf_token": token})
    assert anon.get("/api/v1/officials", headers={"X-Api-Key": key}).status_code == 401
    c.post("/admin/users", data={"csrf_token": token, "username": "press", "password": "long-enough-pw",
                                 "role": "editor"})
    assert "press" in c.get("/admin").text
    assert c.post("/admin/users", data={"csrf_token": token, "username": "x", "password": "short",
                                        "role": "editor"}).status_code == 400


def test_cli_user_add(tmp_path):
    from typer.testing import CliRunner

    from akimwatch.cli import app
    from akimwatch.store import open_store
    from akimwatch.web.auth.users import check_password

    db = tmp_path / "cli.db"
    res = CliRunner().invoke(app, ["user", "add", "root", "--role", "admin", "--password-stdin", "--db", str(db)],
                             input="a-very-long-password\n")
    assert res.exit_code == 0, res.output
    engine = open_store(db)
    with engine.connect() as conn:
        assert check_password(conn, "root", "a-very-long-password")["role"] == "admin"
    res = CliRunner().invoke(app, ["user", "add", "root", "--role", "admin", "--password-stdin", "--db", str(db)],
                             input="a-very-long-password\n")
    assert res.exit_code == 1 and "already exists" in res.output


def test_official_report_downloads(app_client):
    c = app_client
    r = c.get("/officials/almaty-akim/report.html")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Сагинтаев" in r.text and "900101300123" not in r.text
    assert c.get("/officials/almaty-akim/report.doc").status_code == 404
    assert c.get("/officials/nobody/report.html").status_code == 404
    pdf = c.get("/officials/almaty-akim/report.pdf?lang=en")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
