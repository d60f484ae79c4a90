"""Removed comments on the web: rates for everybody, the texts for editors and admins only (masked)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from akimwatch.store.schema import comments, import_runs
from tests.web.conftest import NOW, login, make_client


def _remove(engine, *ids: int) -> None:
    """What a harvest does: a run row (the pages' fingerprint moves) and the marks of comments it no longer saw."""
    with engine.begin() as conn:
        conn.execute(import_runs.insert().values(kind="harvest", source="test", account_id="instagram:saginta",
                                                 status="ok", started_utc=NOW, finished_utc=NOW))
        conn.execute(update(comments).where(comments.c.id.in_(ids)).values(deleted_utc=NOW - timedelta(hours=1)))


def test_removed_texts_are_for_editors_only(seeded):
    engine, _ = seeded
    _remove(engine, 5, 6)  # a question with personal data and a complaint
    with make_client(engine) as c:
        assert c.get("/officials/almaty-akim/removed", follow_redirects=False).status_code == 303  # to sign-in
        assert c.get("/api/v1/officials/almaty-akim/removed").status_code == 401
        api = c.get("/api/v1/comments", params={"official_id": "almaty-akim"}).json()
        gone = [i for i in api["items"] if i["deleted_utc"]]
        assert gone and all(i["text"] is None and i["text_withheld"] == "removed" for i in gone)
        assert "Когда проведут газ" not in c.get("/officials/almaty-akim").text
        rates = c.get("/api/v1/removals").json()["items"]
        row = next(r for r in rates if r["official_id"] == "almaty-akim")
        assert row["removals"]["removed"] == 2 and row["removals"]["checked"] is True
        assert "text" not in str(row["removals"])
        login(c, "viewer")
        assert c.get("/officials/almaty-akim/removed").status_code == 403
    with make_client(engine) as c:
        login(c, "editor")
        page = c.get("/officials/almaty-akim/removed")
        assert page.status_code == 200 and "Когда проведут газ" in page.text
        assert "701 123 45 67" not in page.text and "900101300123" not in page.text  # masked even for editors
        items = c.get("/api/v1/officials/almaty-akim/removed").json()["items"]
        assert {i["id"] for i in items} == {5, 6} and all(i["author_handle"] is None for i in items)
        assert c.get("/api/v1/officials/nobody/removed").status_code == 404


def test_the_official_page_shows_rates_or_says_nothing_was_rechecked(seeded):
    engine, _ = seeded
    with make_client(engine) as c:
        page = c.get("/officials/almaty-akim?lang=en").text
        assert "Removed comments" in page and "No later visit has re-checked these posts" in page
    _remove(engine, 6)
    with make_client(engine) as c:
        page = c.get("/officials/almaty-akim?lang=en").text
        assert "No later visit has re-checked" not in page
        assert "Too few comments in one of the groups" in page  # 2 complaints, 1 thanks: no comparison
        assert "Criticism disappeared more often" not in page


def test_coordination_is_in_the_api_and_on_the_page(seeded):
    engine, _ = seeded
    with make_client(engine) as c:
        items = c.get("/api/v1/coordination").json()["items"]
        row = next(r for r in items if r["official_id"] == "almaty-akim")
        assert row["coordination"]["state"] in ("none_found", "no_praise") and row["coordination"]["suspected"] == 0
        page = c.get("/officials/almaty-akim?lang=en").text
        assert "looks coordinated" not in page and "look coordinated" not in page
