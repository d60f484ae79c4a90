"""VK collector against a fake VK API whose answers are BUILT from the documented shapes of ``wall.get``,
``wall.getComments`` (with ``thread``) and ``groups.getById`` (API 5.199; no recorded VK sample exists).
Covers offset paging with a pinned post, a thread longer than its inline part, error objects with HTTP 200
(6 = too many requests → retried, 5 = expired token → stops), a deletion, an edit, and a resume.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from akimwatch.harvest.runner import harvest_account, watched_accounts
from akimwatch.harvest.vk import VKCollector
from akimwatch.models import Account
from tests.harvest.fakeapi import FakeAPI, cursors, fresh_sqlite, no_sleep_controller, rows, watch

TOKEN = "vk1.a.secret-vk-token-777"
NOW = datetime(2024, 5, 20, 12, 0, tzinfo=UTC)
ACCOUNT = Account("vk-akimat", "vk", handle="akimat", platform_id="-1", official_id="o1")


def ts(day: int, hour: int = 9) -> int:
    return int(datetime(2024, 5, day, hour, tzinfo=UTC).timestamp())


def wall(drop: int | None = None) -> list[dict]:
    pinned = {"id": 1, "owner_id": -1, "from_id": -1, "date": int(datetime(2023, 1, 1, tzinfo=UTC).timestamp()),
              "text": "Закреплённый пост: правила сообщества", "is_pinned": 1,
              "likes": {"count": 3}, "comments": {"count": 0, "can_post": 1}, "views": {"count": 900}}
    posts = [{"id": i, "owner_id": -1, "from_id": -1, "date": ts(i + 4), "text": f"Новость {i}",
              "likes": {"count": i}, "reposts": {"count": 1}, "comments": {"count": 2 if i == 10 else 0, "can_post": 1},
              "views": {"count": 100 * i}} for i in (10, 9, 8, 7, 6) if i != drop]
    return [pinned, *posts]


def comment(cid: int, author: int, text: str, minute: int, **extra) -> dict:
    return {"id": cid, "from_id": author, "post_id": 10, "owner_id": -1, "date": ts(14, 10) + 60 * minute,
            "text": text, "likes": {"count": 0}, **extra}


def fake_vk(*, drop: int | None = None, edited: str | None = None) -> FakeAPI:
    replies = [comment(200 + n, 555 if n % 2 else -1, f"ответ {n}", 10 + n, reply_to_comment=100) for n in range(12)]
    if edited:
        replies[3]["text"] = edited
    top = [comment(100, 555, "Когда уберут снег во дворе?", 1,
                   thread={"count": 12, "items": replies[:10], "can_post": True}),
           comment(101, 556, "Спасибо акимату", 2, thread={"count": 0, "items": []})]

    def wall_get(p):
        items = wall(drop)
        offset, count = int(p["offset"]), int(p["count"])
        return {"response": {"count": len(items), "items": items[offset:offset + count], "profiles": [],
                             "groups": [{"id": 1, "name": "Акимат", "screen_name": "akimat"}]}}

    def get_comments(p):
        if p.get("comment_id") == "100":
            o = int(p["offset"])
            return {"response": {"count": 12, "items": replies[o:o + 100]}}
        if p["post_id"] == "10":
            return {"response": {"count": 14, "current_level_count": 2, "items": top,
                                 "profiles": [{"id": 555, "first_name": "Айгуль", "last_name": "С.", "screen_name": "id555"}],
                                 "groups": [{"id": 1, "name": "Акимат", "screen_name": "akimat"}]}}
        return {"response": {"count": 0, "current_level_count": 0, "items": []}}

    api = FakeAPI()
    api.route("groups.getById", {"response": {"groups": [{"id": 1, "name": "Акимат", "screen_name": "akimat",
                                                          "members_count": 5400}], "profiles": []}})
    api.route("wall.get", wall_get)
    api.route("wall.getComments", get_comments)
    return api


def collector(api, now=NOW, controller=None):
    c = VKCollector(controller=controller or no_sleep_controller(), transport=api.transport(), now=lambda: now,
                    window=timedelta(days=14), token=TOKEN)
    c.page_size = 3
    return c


@pytest.fixture
def vk(store):
    watch(store, ACCOUNT)
    return store


def test_wall_with_pinned_post_threads_and_members(vk):
    api = fake_vk()
    api.fault("/wall.get", "error", response=(200, {"error": {"error_code": 6, "error_msg": "Too many requests per second"}}))
    result = harvest_account(vk, collector(api), watched_accounts(vk)[0])
    assert result.ok, result.error
    assert result.counts == {"posts_new": 6, "posts_updated": 0, "all_comments_new": 14, "all_comments_updated": 0,
                             "followers": 1, "skipped": 0, "deleted": 0}
    post_rows, comment_rows = rows(vk)
    assert [p[0] for p in post_rows] == ["-1_1", "-1_10", "-1_6", "-1_7", "-1_8", "-1_9"]
    assert not any(p[2] for p in post_rows)  # the old pinned post is not "missing" from the later span
    assert len([c for c in comment_rows if c[2] == "-1_100"]) == 12  # 10 inline + fetched the other 2
    assert sum(1 for c in comment_rows if c[6]) == 6  # the community's own answers
    offsets = [p["offset"] for path, p in api.log if path == "/wall.get"]
    assert offsets == ["0", "0", "3"]  # error 6 retried, then two pages
    assert all(p["v"] == "5.199" for _, p in api.log)
    assert cursors(vk, "vk-akimat")["posts"] == {"done_utc": "2024-05-14T09:00:00+00:00"}


def test_second_pass_deleted_post_and_edited_reply(vk):
    account = watched_accounts(vk)[0]
    harvest_account(vk, collector(fake_vk()), account)
    result = harvest_account(vk, collector(fake_vk(drop=9, edited="ответ 3 (дополнено)"), now=NOW + timedelta(hours=1)),
                             account)
    assert result.ok and result.deleted == 1 and result.counts["all_comments_updated"] == 1
    post_rows, comment_rows = rows(vk)
    assert [p[0] for p in post_rows if p[2]] == ["-1_9"]
    assert next(c for c in comment_rows if c[0] == "-1_203")[3:6] == ("ответ 3 (дополнено)", False, 2)


def test_429_500_timeout_kill_resume_and_expired_token(vk, tmp_path):
    account = watched_accounts(vk)[0]
    api = fake_vk()
    api.fault("/wall.getComments", "429", retry_after=2)
    api.fault("/wall.getComments", "500")
    api.fault("/wall.get", "timeout")
    controller = no_sleep_controller()
    probe = fake_vk()
    harvest_account(fresh_sqlite_watched(tmp_path / "probe.db"), collector(probe), account)
    second_page = [p.get("offset") for path, p in probe.log if path == "/wall.get"].index("3")
    index = [i for i, (path, _) in enumerate(probe.log) if path == "/wall.get"][second_page]
    api.kill_after = index + 4  # the 4 faults shift the request count
    with pytest.raises(KeyboardInterrupt):
        harvest_account(vk, collector(api, controller=controller), account)
    assert 2.0 in controller.slept_calls and len(controller.slept_calls) == 3
    assert cursors(vk, "vk-akimat")["posts"]["walk"]["next"] == 3
    assert cursors(vk, "vk-akimat")["posts"]["walk"]["pinned"] == ["-1_1"]
    harvest_account(vk, collector(fake_vk()), account)
    clean = fresh_sqlite_watched(tmp_path / "clean.db")
    harvest_account(clean, collector(fake_vk()), watched_accounts(clean)[0])
    assert rows(clean) == rows(vk)

    expired = fake_vk()
    expired.fault("/groups.getById", "error", times=9, response=(200, {"error": {
        "error_code": 5, "error_msg": "User authorization failed: access_token has expired."}}))
    failed = harvest_account(vk, collector(expired), account)
    assert not failed.ok and "token expired or was revoked" in failed.error and TOKEN not in failed.error


def fresh_sqlite_watched(path):
    engine = fresh_sqlite(path)
    watch(engine, ACCOUNT)
    return engine
