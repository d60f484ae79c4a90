"""A small store with officials, posts, comments (with personal data and hostile text), labels and official
replies, plus an app and signed-in clients for each role. Runs on SQLite and PostgreSQL (``store``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from akimwatch.store.schema import accounts, comments, labels, officials, posts, store_meta
from akimwatch.web import WebConfig, create_app
from akimwatch.web.auth.users import add_user, create_api_key

NOW = datetime.now(UTC).replace(microsecond=0)
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
PII = "Звоните +7 701 123 45 67, ИИН 900101300123, почта aigerim.s@mail.kz"
PASSWORD = "correct-horse-battery"


def seed(engine) -> dict:
    """Two officials, three accounts, four posts, comments with labels; returns useful ids."""
    t = NOW - timedelta(days=3)
    with engine.begin() as conn:
        conn.execute(officials.insert(), [
            {"id": "almaty-akim", "name_ru": "Бакытжан Сагинтаев", "name_kk": "Бақытжан Сағынтаев",
             "name_en": "Bakytzhan Sagintayev", "position": "akim_city", "region": "KZ-75"},
            {"id": "pavlodar-oblast", "name_ru": "Булат Бакауов", "name_kk": None, "name_en": None,
             "position": "akim_region", "region": "KZ-55"},
        ])
        conn.execute(accounts.insert(), [
            {"id": "instagram:saginta", "platform": "instagram", "handle": "saginta", "handle_key": "saginta",
             "platform_id": "111", "url": "https://instagram.com/saginta", "role": "personal",
             "official_id": "almaty-akim", "on_watch_list": True},
            {"id": "telegram:almaty_press", "platform": "telegram", "handle": "almaty_press",
             "handle_key": "almaty_press", "platform_id": "222", "role": "press_service", "url": None,
             "official_id": "almaty-akim", "on_watch_list": True},
            {"id": "instagram:bakauov", "platform": "instagram", "handle": "bakauov", "handle_key": "bakauov",
             "platform_id": "333", "role": "personal", "url": None, "official_id": "pavlodar-oblast", "on_watch_list": True},
        ])
        conn.execute(posts.insert(), [
            {"id": 1, "platform": "instagram", "platform_id": "p1", "account_id": "instagram:saginta",
             "published_utc": t, "text": "Посетил наш алматинский зоопарк.", "media_kind": "photo",
             "url": "https://instagram.com/p/p1", "likes": 1200},
            {"id": 2, "platform": "instagram", "platform_id": "p2", "account_id": "instagram:saginta",
             "published_utc": t + timedelta(hours=5), "text": "Обход города: пробки и газ.", "media_kind": "video",
             "url": "https://instagram.com/p/p2", "likes": None},
            {"id": 3, "platform": "telegram", "platform_id": "chan/3", "account_id": "telegram:almaty_press",
             "published_utc": t + timedelta(hours=8), "text": "Пресс-релиз", "media_kind": "text", "url": None,
             "likes": None},
            {"id": 4, "platform": "instagram", "platform_id": "p4", "account_id": "instagram:bakauov",
             "published_utc": t + timedelta(hours=1), "text": "Вручил ключи от квартир.", "media_kind": "photo",
             "url": "https://instagram.com/p/p4", "likes": None},
        ])
        rows = [
            # id, post, pid, parent, text, official?, minutes after post, likes
            (1, 1, "c1", None, "Прошу рассмотреть закрытие зоопарка, животным плохо", False, 10, 40),
            (2, 1, "c2", None, "Просим закрыть контактный зоопарк, животным очень плохо", False, 30, 12),
            (3, 1, "c3", None, "Спасибо за работу!", False, 40, 3),
            (4, 1, "c4", "c1", "Вопрос изучается, спасибо за обращение", True, 300, 0),
            (5, 2, "c5", None, "Когда проведут газ в наш микрорайон? " + PII, False, 20, 7),
            (6, 2, "c6", None, "Пробки на Абая каждый день, жалоба " + XSS, False, 25, 1),
            (7, 4, "c7", None, "Насекомые заполонили двор, что делать?", False, 15, 2),
            (8, 4, "c8", None, "Снесли сквер, верните парк", False, 45, 9),
        ]
        post_time = {1: t, 2: t + timedelta(hours=5), 4: t + timedelta(hours=1)}
        post_pid = {1: "p1", 2: "p2", 4: "p4"}
        conn.execute(comments.insert(), [
            {"id": cid, "platform": "instagram", "platform_id": pid, "post_platform_id": post_pid[post],
             "post_id": post, "parent_platform_id": parent, "author_handle": "saginta" if off else f"user{cid}",
             "author_name": "Аким Алматы" if off else f"Житель {cid}", "is_official_reply": off, "text": text,
             "published_utc": post_time[post] + timedelta(minutes=mins), "likes": likes}
            for cid, post, pid, parent, text, off, mins, likes in rows])
        types = {1: "request", 2: "request", 3: "gratitude", 5: "question", 6: "complaint", 7: "question", 8: "complaint"}
        topics = {1: "animals_zoo", 2: "animals_zoo", 3: "none", 5: "gas", 6: "roads_traffic", 7: "environment",
                  8: "greening_parks"}
        lab = []
        for cid, value in types.items():
            lab.append({"item_kind": "comment", "item_id": cid, "analyzer": "comment_type", "version": "1",
                        "value": value, "confidence": 0.9})
        for cid, value in topics.items():
            lab.append({"item_kind": "comment", "item_id": cid, "analyzer": "topic", "version": "1",
                        "value": value, "confidence": 0.8})
        lab.append({"item_kind": "post", "item_id": 1, "analyzer": "topic", "version": "1", "value": "animals_zoo", "confidence": None})
        lab.append({"item_kind": "post", "item_id": 2, "analyzer": "topic", "version": "1", "value": "roads_traffic", "confidence": None})
        conn.execute(labels.insert(), lab)
        conn.execute(store_meta.insert().values(key="dataset", value="demo"))
        if conn.dialect.name == "postgresql":
            for table in ("posts", "comments"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))")
        for name, role in (("admin", "admin"), ("editor", "editor"), ("viewer", "viewer")):
            add_user(conn, name, PASSWORD, role, now=NOW)
        keys = {
            "read": create_api_key(conn, "reader", ["read"], user_id=None, now=NOW),
            "write": create_api_key(conn, "call centre", ["read", "requests:write"], user_id=None, now=NOW),
        }
    return {"keys": keys}


@pytest.fixture
def seeded(store):
    info = seed(store)
    return store, info


def make_client(engine, **config) -> TestClient:
    cfg = WebConfig(background_sync=False, **config)
    return TestClient(create_app(engine, cfg), raise_server_exceptions=False)


def login(client: TestClient, username: str, password: str = PASSWORD):
    page = client.get("/login")
    token = client.cookies.get("aw_login_csrf")
    assert token and token in page.text
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token,
                                       "next": "/"}, follow_redirects=False)


def csrf_of(client: TestClient) -> str:
    import re

    page = client.get("/inbox/1")
    m = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert m, "no CSRF token on the page"
    return m.group(1)


@pytest.fixture
def app_client(seeded):
    engine, info = seeded
    with make_client(engine) as client:
        client.info = info
        yield client


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch):
    """argon2id with small parameters in tests (production keeps argon2-cffi's defaults)."""
    from argon2 import PasswordHasher

    from akimwatch.web.auth import users as web_auth

    monkeypatch.setattr(web_auth, "_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
