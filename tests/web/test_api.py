"""JSON API (/api/v1) on SQLite and PostgreSQL: lists, filters, cursor pagination, CSV, masking, writes."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from tests.web.conftest import login


def test_officials_accounts_posts(app_client):
    c = app_client
    r = c.get("/api/v1/officials")
    assert r.status_code == 200
    body = r.json()
    assert [o["id"] for o in body["items"]] == ["almaty-akim", "pavlodar-oblast"]
    assert body["next_cursor"] is None
    assert c.get("/api/v1/officials", params={"region": "KZ-55"}).json()["items"][0]["id"] == "pavlodar-oblast"
    assert c.get("/api/v1/officials", params={"q": "сагин"}).json()["count"] == 1
    one = c.get("/api/v1/officials/almaty-akim").json()
    assert {a["id"] for a in one["accounts"]} == {"instagram:saginta", "telegram:almaty_press"}
    assert one["facts"]["posts"] == 3 and one["facts"]["citizen_comments"] == 5
    assert one["facts"]["official_replies"] == 1 and one["facts"]["answered_share"] == 0.2
    assert c.get("/api/v1/officials/nobody").status_code == 404
    accs = c.get("/api/v1/accounts", params={"platform": "instagram"}).json()["items"]
    assert {a["id"] for a in accs} == {"instagram:saginta", "instagram:bakauov"}
    posts = c.get("/api/v1/posts", params={"official_id": "almaty-akim"}).json()["items"]
    assert [p["id"] for p in posts] == [3, 2, 1]
    assert c.get("/api/v1/posts", params={"platform": "telegram"}).json()["items"][0]["platform_id"] == "chan/3"


def test_cursor_pagination_walks_every_comment_once(app_client):
    seen = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        body = app_client.get("/api/v1/comments", params=params).json()
        seen += [c["id"] for c in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == [8, 7, 6, 5, 4, 3, 2, 1]
    assert pages == 3


def test_comment_filters_and_labels(app_client):
    c = app_client
    items = c.get("/api/v1/comments", params={"type": "request"}).json()["items"]
    assert [i["id"] for i in items] == [2, 1]
    assert items[0]["labels"]["topic"]["value"] == "animals_zoo"
    assert [i["id"] for i in c.get("/api/v1/comments", params={"topic": "gas"}).json()["items"]] == [5]
    assert [i["id"] for i in c.get("/api/v1/comments", params={"official_reply": "true"}).json()["items"]] == [4]
    assert [i["id"] for i in c.get("/api/v1/comments", params={"official_id": "pavlodar-oblast"}).json()["items"]] == [8, 7]
    assert [i["id"] for i in c.get("/api/v1/comments", params={"post_id": 2}).json()["items"]] == [6, 5]


def test_full_text_search(app_client):
    c = app_client
    ids = {i["id"] for i in c.get("/api/v1/comments", params={"q": "зоопарк"}).json()["items"]}
    assert {1, 2} <= ids  # SQLite: prefix match; PostgreSQL: russian stemming (зоопарка ~ зоопарк)
    assert [i["id"] for i in c.get("/api/v1/comments", params={"q": "сквер"}).json()["items"]] == [8]
    assert c.get("/api/v1/comments", params={"q": "несуществующееслово"}).json()["items"] == []


def test_personal_data_masked_for_anonymous_not_for_staff(app_client):
    c = app_client
    text = c.get("/api/v1/comments", params={"topic": "gas"}).json()["items"][0]["text"]
    assert "701" not in text and "900101300123" not in text and "mail.kz" not in text
    assert "[телефон]" in text and "[ИИН]" in text and "[e-mail]" in text
    keyed = c.get("/api/v1/comments", params={"topic": "gas"},
                  headers={"Authorization": f"Bearer {c.info['keys']['read']}"}).json()["items"][0]["text"]
    assert "900101300123" in keyed
    assert login(c, "viewer").status_code == 303
    assert "aigerim.s@mail.kz" in c.get("/api/v1/comments", params={"topic": "gas"}).json()["items"][0]["text"]


def test_csv_export_of_lists(app_client):
    c = app_client
    for url in ("/api/v1/comments.csv", "/api/v1/comments?format=csv"):
        r = c.get(url)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert len(rows) == 8
        assert {"label_topic", "label_comment_type", "text"} <= set(rows[0])
    rows = list(csv.DictReader(io.StringIO(c.get("/api/v1/requests.csv").text)))
    assert len(rows) == 6
    for name in ("officials", "accounts", "posts", "metrics", "rankings"):
        r = c.get(f"/api/v1/{name}.csv")
        assert r.status_code == 200 and r.text.count("\n") >= 2, name


def test_metrics_and_rankings_never_invent_scores(app_client):
    body = app_client.get("/api/v1/rankings").json()
    assert [r["official_id"] for r in body["items"]] == ["almaty-akim", "pavlodar-oblast"]
    assert body["items"][0]["score"] is None  # no invented scores until akimwatch.metrics computes them
    m = app_client.get("/api/v1/metrics").json()["items"][0]
    assert m["answered_comments"] == 1 and m["platforms"] == ["instagram", "telegram"]
    topics = app_client.get("/api/v1/topics").json()
    assert dict(topics["totals"])["animals_zoo"] == 2


def test_requests_from_labels_grouping_and_auto_answer(app_client):
    c = app_client
    items = c.get("/api/v1/requests").json()["items"]
    by_comment = {i["comment_id"]: i for i in items}
    assert set(by_comment) == {1, 2, 5, 6, 7, 8}  # gratitude (3) and the official reply (4) are not requests
    assert by_comment[1]["status"] == "answered"  # comment 4 is an official reply to comment 1
    assert by_comment[2]["status"] == "new"
    assert by_comment[2]["incident_id"] == by_comment[1]["id"]  # near-duplicate zoo requests: one incident
    assert by_comment[5]["incident_id"] == by_comment[5]["id"]
    assert by_comment[5]["overdue"] is True  # 3 days old, no answer, 24 h service level
    grouped = c.get("/api/v1/requests", params={"incidents_only": "true", "topic": "animals_zoo"}).json()["items"]
    assert len(grouped) == 1 and grouped[0]["incident_size"] == 2
    assert len(c.get("/api/v1/requests", params={"status": "new,in_progress"}).json()["items"]) == 5
    assert len(c.get("/api/v1/requests", params={"overdue": "true"}).json()["items"]) == 5
    one = c.get(f"/api/v1/requests/{by_comment[1]['id']}").json()
    assert [e["action"] for e in one["events"]] == ["created", "status"]
    assert one["events"][1]["new_value"] == "answered" and one["events"][1]["actor"] == "system"


def test_writes_need_the_right_role_and_change_nothing_otherwise(app_client):
    c = app_client
    rid = c.get("/api/v1/requests", params={"topic": "gas"}).json()["items"][0]["id"]
    before = c.get(f"/api/v1/requests/{rid}").json()
    assert c.patch(f"/api/v1/requests/{rid}", json={"status": "in_progress"}).status_code == 401
    r = c.patch(f"/api/v1/requests/{rid}", json={"status": "in_progress"},
                headers={"X-Api-Key": c.info["keys"]["read"]})
    assert r.status_code == 403
    assert c.post("/api/v1/requests", json={"kind": "request", "description": "x"}).status_code == 401
    assert c.patch(f"/api/v1/requests/{rid}", json={"status": "in_progress"},
                   headers={"X-Api-Key": "aw_bogus_key"}).status_code == 401
    login(c, "viewer")
    assert c.patch(f"/api/v1/requests/{rid}", json={"status": "in_progress"}).status_code == 403  # no CSRF
    after = c.get(f"/api/v1/requests/{rid}").json()
    assert after["status"] == before["status"] == "new" and after["events"] == before["events"]


def test_api_key_writes_are_audited(app_client):
    c = app_client
    key = c.info["keys"]["write"]
    rid = c.get("/api/v1/requests", params={"topic": "gas"}).json()["items"][0]["id"]
    r = c.patch(f"/api/v1/requests/{rid}", json={"status": "in_progress", "department": "Управление энергетики"},
                headers={"X-Api-Key": key})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "in_progress" and r.json()["department"] == "Управление энергетики"
    assert c.patch(f"/api/v1/requests/{rid}", json={"status": "bogus"}, headers={"X-Api-Key": key}).status_code == 400
    r = c.patch(f"/api/v1/requests/{rid}", json={"status": "resolved"}, headers={"X-Api-Key": key})
    assert r.status_code == 200
    bad = c.patch(f"/api/v1/requests/{rid}", json={"status": "answered"}, headers={"X-Api-Key": key})
    assert bad.status_code == 409  # resolved -> answered is not a transition
    events = c.get(f"/api/v1/requests/{rid}", headers={"X-Api-Key": key}).json()["events"]
    assert [(e["action"], e["new_value"]) for e in events][1:] == [
        ("status", "in_progress"), ("department", "Управление энергетики"), ("status", "resolved")]
    assert all(e["actor"].startswith("api-key:") for e in events[1:])
    created = c.post("/api/v1/requests", json={"kind": "complaint", "topic": "utilities", "description": "Нет воды",
                                               "official_id": "almaty-akim"}, headers={"X-Api-Key": key})
    assert created.status_code == 201 and created.json()["source"] == "manual"


def test_openapi_schema(app_client):
    schema = app_client.get("/openapi.json").json()
    paths = schema["paths"]
    for p in ("/api/v1/officials", "/api/v1/accounts", "/api/v1/posts", "/api/v1/comments", "/api/v1/metrics",
              "/api/v1/rankings", "/api/v1/requests", "/api/v1/requests/{request_id}", "/open311/v2/requests.{fmt}"):
        assert p in paths, p


def test_private_mode_hides_everything_from_anonymous(seeded):
    from tests.web.conftest import make_client

    engine, info = seeded
    with make_client(engine, private=True) as c:
        assert c.get("/api/v1/officials").status_code == 401
        assert c.get("/open311/v2/requests.json").status_code == 403
        assert c.get("/", follow_redirects=False).status_code == 303
        assert c.get("/api/v1/officials", headers={"X-Api-Key": info["keys"]["read"]}).status_code == 200
        login(c, "viewer")
        assert c.get("/").status_code == 200


def test_comments_labelled_after_a_sync_become_requests_and_join_incidents(app_client):
    from akimwatch.store.schema import comments, labels
    from akimwatch.web.app import run_sync

    c = app_client
    engine = c.app.state.engine
    first = c.get("/api/v1/requests", params={"topic": "animals_zoo"}).json()["items"]
    with engine.begin() as conn:  # imported now, labelled later
        conn.execute(comments.insert().values(
            id=100, platform="instagram", platform_id="c100", post_platform_id="p1", post_id=1,
            author_handle="late", text="Просим закрыть зоопарк, животным плохо, рассмотреть закрытие",
            published_utc=datetime.now(UTC) - timedelta(days=2), is_official_reply=False))
    run_sync(c.app)
    assert len(c.get("/api/v1/requests").json()["items"]) == 6  # no label yet: no request
    with engine.begin() as conn:
        conn.execute(labels.insert(), [
            {"item_kind": "comment", "item_id": 100, "analyzer": "comment_type", "version": "1", "value": "request"},
            {"item_kind": "comment", "item_id": 100, "analyzer": "topic", "version": "1", "value": "animals_zoo"}])
    assert run_sync(c.app)["created"] == 1
    assert run_sync(c.app)["created"] == 0  # idempotent
    new = c.get("/api/v1/requests", params={"topic": "animals_zoo", "limit": 1}).json()["items"][0]
    assert new["comment_id"] == 100
    assert new["incident_id"] == min(r["incident_id"] for r in first)  # grouped with the earlier zoo incident
