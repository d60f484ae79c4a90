"""Every anonymous endpoint and page over a store seeded with personal data in every free-text field
(comment text, author names and handles, post text, request description, Open311 address, department):
no response carries a number, IIN or e-mail that the mask would still find."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import update

from akimwatch.privacy import MASK_CARD, MASK_EMAIL, MASK_IIN, MASK_PHONE, mask_personal_data
from akimwatch.store.schema import comments, posts
from tests.web.conftest import make_client

# One form per comment/field, so a form masked in one place and missed in another is caught.
FORMS = ["701 123 45 67", "7011234567", "+7.701.123.45.67", "+7 701–123–45–67", "+7 (7172) 55-66-77",
         "8 7172 556677", "9001 0130 0123", "+7 701 123 45 67", "87011234567", "8 (701) 123-45-67",
         "900101300123", "4400 4301 2345 6789", "aigerim.s@mail.kz", "8 916 123-45-67"]
PLACEHOLDERS = (MASK_PHONE, MASK_IIN, MASK_CARD, MASK_EMAIL)
ANON_SKIP = {"/login", "/healthz", "/admin", "/api/docs", "/openapi.json", "/static"}  # no store data there


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def _leaks(body: str) -> list[str]:
    """Seeded forms that survive in the body, verbatim or as their digits, or that the mask still finds."""
    found = [f for f in FORMS if f in body]
    flat = re.sub(r"\s", "", body)
    found += [f for f in FORMS if len(_digits(f)) >= 10 and _digits(f) in _digits(flat)]
    again = mask_personal_data(body)
    more = {p: again.count(p) - body.count(p) for p in PLACEHOLDERS if again.count(p) != body.count(p)}
    if more:
        found.append(f"the mask still finds {more}")
    return found


@pytest.fixture
def pii_client(seeded):
    engine, info = seeded
    with engine.begin() as conn:
        for cid in range(1, 9):
            form = FORMS[cid % len(FORMS)]
            conn.execute(update(comments).where(comments.c.id == cid).values(
                author_name=f"Житель {FORMS[(cid + 3) % len(FORMS)]}", author_handle=f"user {FORMS[(cid + 5) % len(FORMS)]}",
                text=f"Комментарий {cid}: звоните {form}, ИИН 9001 0130 0123, почта aigerim.s@mail.kz"))
        for pid in range(1, 5):
            conn.execute(update(posts).where(posts.c.id == pid).values(
                text=f"Пост {pid}: горячая линия {FORMS[(pid + 7) % len(FORMS)]}"))
    with make_client(engine) as client:  # the inbox sync on start turns labelled comments into requests
        write = info["keys"]["write"]
        made = client.post("/open311/v2/requests.json", data={
            "api_key": write, "service_code": "gas", "description": "Нет газа, звоните 7011234567",
            "address_string": "ул. Абая 1, тел. +7 (7172) 55-66-77"})
        assert made.status_code == 201, made.text
        rid = made.json()[0]["service_request_id"]
        patched = client.patch(f"/api/v1/requests/{rid}", headers={"X-API-Key": write},
                               json={"department": "ЖКХ, 8 7172 556677"})
        assert patched.status_code == 200, patched.text
        client.rid = rid
        client.info = info
        yield client


def _routes(app) -> list:
    out = []
    for r in app.routes:
        sub = getattr(r, "original_router", None)  # FastAPI >= 0.160 keeps included routers apart
        out += sub.routes if sub is not None else [r]
    return out


def _anonymous_urls(client) -> list[str]:
    """Every GET route of the app, its path parameters filled with ids that exist; fails on a new
    parameter so that a new route cannot escape the walk."""
    fill = {"official_id": ["almaty-akim", "pavlodar-oblast"], "request_id": ["1", "2", client.rid],
            "rid": ["1", client.rid], "code": ["gas"], "fmt": None}
    urls = []
    for route in _routes(client.app):
        path = getattr(route, "path", "")
        if "GET" not in getattr(route, "methods", set()) or any(path.startswith(s) for s in ANON_SKIP):
            continue
        names = re.findall(r"{(\w+)}", path)
        unknown = set(names) - set(fill)
        assert not unknown, f"{path}: add {unknown} to the PII walk"
        variants = [path]
        for name in names:
            if name == "fmt":
                fmts = ["html"] if "report" in path else ["json", "xml"]
                variants = [v.replace("{fmt}", f) for v in variants for f in fmts]
            else:
                variants = [v.replace("{" + name + "}", x) for v in variants for x in fill[name]]
        urls += variants
    lists = [u for u in urls if u.startswith("/api/v1/") and "{" not in u and u.count("/") == 3]
    urls += [u + ".csv" for u in lists]
    urls += ["/topics?q=звоните", "/topics?topic=gas", "/api/v1/comments?q=звоните", "/inbox?grouped=0",
             "/open311/v2/requests.json?status=open,closed", "/open311/v2/requests.xml?service_code=gas"]
    return urls


def test_no_personal_data_on_any_anonymous_surface(pii_client):
    urls = _anonymous_urls(pii_client)
    assert len(urls) > 25
    seen_placeholders = 0
    problems = {}
    for url in urls:
        resp = pii_client.get(url)
        assert resp.status_code < 500, (url, resp.status_code)
        body = resp.text
        seen_placeholders += sum(body.count(p) for p in PLACEHOLDERS)
        leaks = _leaks(body)
        if leaks:
            problems[url] = leaks
    assert not problems, problems
    assert seen_placeholders > 50  # the walk did see the seeded data, masked


def test_staff_still_see_the_original(pii_client):
    key = pii_client.info["keys"]["read"]
    got = pii_client.get("/api/v1/comments", headers={"X-API-Key": key}).json()["items"]
    assert any("aigerim.s@mail.kz" in c["text"] for c in got)
    one = pii_client.get(f"/open311/v2/requests/{pii_client.rid}.json", params={"api_key": key})
    assert one.status_code == 200
