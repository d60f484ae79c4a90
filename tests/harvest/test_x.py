"""X collector against a fake API v2. The user timeline is RECORDED: line 4 of
``twitter-api-v2-twarc-csv/withheld.jsonl`` is a real ``/2/users/2351222345/tweets`` page (100 tweets of
@PhillyNEFL: 59 posts, 41 of its own replies), served as two pages of 50 joined by a ``next_token``.
The user lookup (followers) and the conversation search replies are BUILT from the documented v2 shapes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from akimwatch.harvest.http import RateController, RatePolicy
from akimwatch.harvest.runner import harvest_account, watched_accounts
from akimwatch.harvest.x import XCollector
from akimwatch.models import Account
from tests.conftest import require_sample
from tests.harvest.fakeapi import FakeAPI, cursors, fresh_sqlite, no_sleep_controller, rows, watch

TOKEN = "AAAAAAAAAAAAAAAAAAAAAbearer-secret-x1"
UID = "2351222345"
ROOT = "1257712468362694663"  # the newest own post that is not a retweet (2020-05-05 16:43)
NOW = datetime(2020, 5, 7, 12, 0, tzinfo=UTC)
ACCOUNT = Account("x-nefl", "x", handle="PhillyNEFL", platform_id=UID, official_id="o1")


def timeline_page() -> dict:
    lines = require_sample("twitter-api-v2-twarc-csv", "withheld.jsonl").read_text(encoding="utf-8").splitlines()
    return json.loads(lines[3])


def reply(tid: str, author: str, text: str, minutes: int, parent: str = ROOT) -> dict:
    return {"id": tid, "text": text, "author_id": author, "conversation_id": ROOT,
            "created_at": f"2020-05-05T17:{minutes:02d}:00.000Z", "edit_history_tweet_ids": [tid],
            "referenced_tweets": [{"type": "replied_to", "id": parent}],
            "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 1, "quote_count": 0}}


def fake_x(*, drop: str | None = None, edited: str | None = None) -> FakeAPI:
    page = timeline_page()
    data = [t for t in page["data"] if t["id"] != drop]
    pages = [{**page, "data": data[:50], "meta": {"result_count": 50, "next_token": "tok2"}},
             {**page, "data": data[50:], "meta": {"result_count": len(data) - 50}}]
    replies = {"data": [reply("9001", "555", "Когда починят дорогу?", 1),
                        reply("9002", UID, "Работы начнутся в мае.", 5, parent="9001"),
                        reply("9003", "556", edited or "Спасибо!", 9, parent="9002")],
               "includes": {"users": [{"id": "555", "username": "citizen1", "name": "Гражданин"},
                                      {"id": "556", "username": "citizen2", "name": "Гражданка"},
                                      {"id": UID, "username": "PhillyNEFL", "name": "Philly NEFL"}]},
               "meta": {"result_count": 3}}
    api = FakeAPI()
    api.route(f"2/users/{UID}", {"data": {"id": UID, "username": "PhillyNEFL", "name": "Philly NEFL",
                                          "public_metrics": {"followers_count": 2817, "following_count": 90,
                                                             "tweet_count": 4001, "listed_count": 20}}})
    api.route(f"2/users/{UID}/tweets", lambda p: pages[1] if p.get("pagination_token") == "tok2" else pages[0])
    api.route("2/tweets/search/recent",
              lambda p: replies if p["query"] == f"conversation_id:{ROOT}" else {"meta": {"result_count": 0}})
    return api


def collector(api, now=NOW, controller=None):
    return XCollector(controller=controller or no_sleep_controller(), transport=api.transport(), now=lambda: now,
                      window=timedelta(days=14), token=TOKEN)


@pytest.fixture
def xs(store):
    watch(store, ACCOUNT)
    return store


def test_timeline_pages_conversation_replies_and_followers(xs):
    api = fake_x()
    result = harvest_account(xs, collector(api), watched_accounts(xs)[0])
    assert result.ok, result.error
    assert result.counts["posts_new"] == 59 and result.counts["all_comments_new"] == 41 + 3
    assert result.counts["followers"] == 1
    post_rows, comment_rows = rows(xs)
    thread = [c for c in comment_rows if c[1] == ROOT]
    assert [(c[0], c[2], c[6]) for c in thread] == [("9001", None, False), ("9002", "9001", True),
                                                    ("9003", "9002", False)]
    searched = [p["query"] for path, p in api.log if path.endswith("search/recent")]
    assert f"conversation_id:{ROOT}" in searched and "conversation_id:1257786232978968578" not in searched  # no retweets
    assert cursors(xs, "x-nefl")["posts"] == {"done_utc": "2020-05-05T21:36:21+00:00"}


def test_second_pass_deleted_post_and_edited_reply(xs):
    account = watched_accounts(xs)[0]
    harvest_account(xs, collector(fake_x()), account)
    result = harvest_account(xs, collector(fake_x(drop="1257639402706214913", edited="Спасибо! (исправлено)"),
                                           now=NOW + timedelta(hours=3)), account)
    assert result.ok and result.deleted == 1 and result.counts["all_comments_updated"] == 1
    post_rows, comment_rows = rows(xs)
    assert [p[0] for p in post_rows if p[2]] == ["1257639402706214913"]
    assert next(c for c in comment_rows if c[0] == "9003")[3:6] == ("Спасибо! (исправлено)", False, 2)


def test_faults_expired_token_and_resume(xs, tmp_path):
    account = watched_accounts(xs)[0]
    api = fake_x()
    api.fault("/tweets", "429", retry_after=15)
    api.fault("/search/recent", "500")
    api.fault("/search/recent", "timeout")
    api.kill_after = 4 + 3  # user, 429, timeline p1, 500, timeout, … dies during page 1's searches
    controller = no_sleep_controller()
    with pytest.raises(KeyboardInterrupt):
        harvest_account(xs, collector(api, controller=controller), account)
    assert 15.0 in controller.slept_calls and rows(xs) == ([], [])
    probe = fake_x()
    harvest_account(fresh_store(tmp_path / "probe.db"), collector(probe), account)
    page2 = [p.get("pagination_token") for _, p in probe.log].index("tok2")
    api = fake_x()
    api.kill_after = page2  # page 1 and its searches land, killed asking for page 2
    with pytest.raises(KeyboardInterrupt):
        harvest_account(xs, collector(api), account)
    assert cursors(xs, "x-nefl")["posts"]["walk"]["next"] == "tok2"
    harvest_account(xs, collector(fake_x()), account)
    clean = fresh_sqlite(tmp_path / "clean.db")
    watch(clean, ACCOUNT)
    harvest_account(clean, collector(fake_x()), watched_accounts(clean)[0])
    assert rows(clean) == rows(xs)

    expired = fake_x()
    expired.fault("/2/users", "401", times=9, response=(401, {"title": "Unauthorized", "status": 401}))
    failed = harvest_account(xs, collector(expired), account)
    assert not failed.ok and "token is invalid, expired or revoked" in failed.error and TOKEN not in failed.error


def test_rate_limit_reset_header_is_honoured():
    calls = []

    def handler(request):
        calls.append(request.headers.get("Authorization"))
        if len(calls) == 1:
            return httpx.Response(429, headers={"x-rate-limit-reset": str(int(datetime.now(UTC).timestamp()) + 30)})
        return httpx.Response(200, json={"data": {"id": UID, "public_metrics": {"followers_count": 5}}})

    slept: list[float] = []
    controller = RateController(RatePolicy(per_second=0), sleep=slept.append)
    c = XCollector(controller=controller, transport=httpx.MockTransport(handler), token=TOKEN, now=lambda: NOW)
    records = c.followers(watched_accounts_stub(), NOW)
    assert records[0].followers == 5 and calls == [f"Bearer {TOKEN}"] * 2
    assert 25 <= slept[0] <= 31


def fresh_store(path):
    engine = fresh_sqlite(path)
    watch(engine, ACCOUNT)
    return engine


def watched_accounts_stub():
    from akimwatch.harvest.base import WatchedAccount

    return WatchedAccount("x-nefl", "x", "PhillyNEFL", UID, "o1")
