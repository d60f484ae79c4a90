"""Facebook collector against a fake Graph API replaying RECORDED responses (pyfacebook test data):
``posts/feeds_default_fields_p1/p2.json`` (page 19292868552's feed, two pages) and
``comments/comments_p1/p2.json`` (18 comments with replies, two pages). The recorded comments belong to
post ..._10158407654328553; the fake serves them as the comments of the newest feed post. The page-info
answer (followers) is BUILT from the documented shape. Faults (429, 500, timeout, expired token) are
injected by the fake.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from akimwatch.harvest.config import install_redaction
from akimwatch.harvest.facebook import FacebookCollector
from akimwatch.harvest.runner import harvest_account, harvest_all, watched_accounts
from akimwatch.models import Account
from akimwatch.store.schema import follower_snapshots, import_runs, text_versions
from tests.conftest import require_sample
from tests.harvest.fakeapi import FakeAPI, cursors, fresh_sqlite, load, no_sleep_controller, rows, watch

TOKEN = "EAAB-test-secret-9f8e7d"
PAGE = "19292868552"
NOW = datetime(2021, 8, 20, 12, 0, tzinfo=UTC)
FIRST_POST = f"{PAGE}_10158349356748553"
ACCOUNT = Account("fb-devs", "facebook", handle="FacebookforDevelopers", platform_id=PAGE, official_id="o1")


def sample(*parts: str):
    return require_sample("facebook-instagram-graph-api-pyfacebook", "facebook", "apidata", *parts)


def fake_graph(*, drop_post: str | None = None, edit: tuple[str, str] | None = None) -> FakeAPI:
    tok = {"access_token=access_token": f"access_token={TOKEN}"}
    feed = [load(sample("posts", "feeds_default_fields_p1.json"), **tok),
            load(sample("posts", "feeds_default_fields_p2.json"), **tok)]
    comments = [load(sample("comments", "comments_p1.json"), **tok),
                load(sample("comments", "comments_p2.json"), **tok)]
    if drop_post:
        feed[0]["data"] = [p for p in feed[0]["data"] if p["id"] != drop_post]
    if edit:
        for c in comments[0]["data"]:
            if c["permalink_url"].endswith(edit[0]):
                c["message"] = edit[1]
    api = FakeAPI()
    api.route(PAGE, {"id": PAGE, "name": "Facebook for Developers", "username": "FacebookforDevelopers",
                     "followers_count": 4_123_456, "fan_count": 4_000_000})
    api.route(f"{PAGE}/posts", lambda p: feed[1] if p.get("after") else feed[0])
    for page in feed:
        for post in page["data"]:
            api.route(f"{post['id']}/comments", {"data": []})
    api.route(f"{FIRST_POST}/comments", lambda p: comments[1] if p.get("after") else comments[0])
    return api


def collector(api: FakeAPI, controller=None, now=NOW) -> FacebookCollector:
    return FacebookCollector(controller=controller or no_sleep_controller(), transport=api.transport(),
                             now=lambda: now, window=timedelta(days=14), token=TOKEN)


@pytest.fixture
def fb(store):
    watch(store, ACCOUNT, Account("fb-other", "facebook", handle="other", platform_id="777", official_id="o1"))
    return store


def test_first_harvest_collects_posts_comments_replies_followers_and_cursor(fb):
    api = fake_graph()
    result = harvest_account(fb, collector(api), watched_accounts(fb, account_id="fb-devs")[0])
    assert result.ok, result.error
    assert result.counts == {"posts_new": 10, "posts_updated": 0, "all_comments_new": 15, "all_comments_updated": 0,
                             "followers": 1, "skipped": 0, "deleted": 0}
    post_rows, comment_rows = rows(fb)
    assert len(post_rows) == 10 and all(not deleted for _, _, deleted, *_ in post_rows)
    replies = [c for c in comment_rows if c[2] is not None]
    assert len(replies) == 5
    assert replies[0][:3] == ("10158349356748553_10158409983033553", FIRST_POST, "10158349356748553_10158407903973553")
    assert cursors(fb, "fb-devs") == {"followers": {"taken_utc": NOW.isoformat()},
                                      "posts": {"done_utc": "2021-07-09T19:09:52+00:00"}}
    with fb.connect() as conn:
        assert conn.execute(select(follower_snapshots.c.followers, follower_snapshots.c.taken_utc)).one()[0] == 4_123_456
    # pages: page info, feed p1, 5 comment lists (first post: 2 pages), feed p2, 5 comment lists
    assert api.paths().count(f"/{PAGE}/posts") == 2 and api.paths().count(f"/{FIRST_POST}/comments") == 2
    assert len(api.log) == 1 + 2 + 10 + 1


def test_second_pass_re_fetches_recent_posts_marks_deleted_and_keeps_edit_history(fb):
    account = watched_accounts(fb, account_id="fb-devs")[0]
    harvest_account(fb, collector(fake_graph()), account)
    gone = f"{PAGE}_10158347294088553"
    api = fake_graph(drop_post=gone, edit=("comment_id=10158408043788553", "Исправлено: спасибо за ответ"))
    later = NOW + timedelta(hours=6)
    result = harvest_account(fb, collector(api, now=later), account)
    assert result.ok, result.error
    # incremental: floor = min(done 07-09, now - 14 d) → only feed page 1 is walked
    assert api.paths().count(f"/{PAGE}/posts") == 1
    assert result.deleted == 1 and result.counts["all_comments_updated"] == 1 and result.counts["all_comments_new"] == 0
    post_rows, comment_rows = rows(fb)
    assert [p[0] for p in post_rows if p[2]] == [gone]
    edited = next(c for c in comment_rows if c[0] == "10158349356748553_10158408043788553")
    assert edited[3:6] == ("Исправлено: спасибо за ответ", False, 2)
    with fb.connect() as conn:
        old = conn.execute(select(text_versions.c.text, text_versions.c.version)).all()
    assert old == [("Sorry no spiking English kaman sorry polski Poland Lublin senkiu 🎒🔮👻", 1)]
    assert cursors(fb, "fb-devs")["posts"] == {"done_utc": "2021-07-09T19:09:52+00:00"}


def test_429_500_and_timeout_are_retried_politely(fb):
    api = fake_graph()
    api.fault(f"/{PAGE}/posts", "429", retry_after=7)
    api.fault(f"/{FIRST_POST}/comments", "500")
    api.fault(f"/{PAGE}", "timeout")
    controller = no_sleep_controller(retries=3)
    result = harvest_account(fb, collector(api, controller), watched_accounts(fb, account_id="fb-devs")[0])
    assert result.ok and result.counts["posts_new"] == 10 and result.counts["all_comments_new"] == 15
    assert 7.0 in controller.slept_calls and len(controller.slept_calls) == 3


def test_expired_token_fails_that_account_only_and_leaks_nothing(fb, caplog, tmp_path):
    install_redaction()
    caplog.set_level(logging.DEBUG)
    api = fake_graph()
    api.fault("/777", "error", times=99, response=(400, {"error": {
        "message": "Error validating access token: Session has expired on Tuesday", "type": "OAuthException",
        "code": 190, "error_subcode": 463}}))
    results = harvest_all(fb, watched_accounts(fb, platform="facebook"),
                          factory=lambda platform: collector(api))
    by_id = {r.account_id: r for r in results}
    assert by_id["fb-devs"].ok and not by_id["fb-other"].ok
    assert "access token expired or invalid" in by_id["fb-other"].error
    with fb.connect() as conn:
        runs = conn.execute(select(import_runs.c.account_id, import_runs.c.status, import_runs.c.errors)
                            .where(import_runs.c.kind == "harvest")).all()
    assert sorted((r.account_id, r.status) for r in runs) == [("fb-devs", "ok"), ("fb-other", "failed")]
    assert TOKEN not in caplog.text and TOKEN not in str(runs)
    assert "access_token=***" in caplog.text  # httpx logged the URL, redacted


def test_token_never_reaches_the_sqlite_file(tmp_path):
    engine = fresh_sqlite(tmp_path / "secret.db")
    watch(engine, ACCOUNT)
    api = fake_graph()
    api.fault("/posts", "500")
    harvest_account(engine, collector(api), watched_accounts(engine)[0])
    engine.dispose()
    blob = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("secret.db"))
    assert b"19292868552_10158349356748553" in blob  # the data is there …
    assert TOKEN.encode() not in blob  # … the token (present in every recorded paging URL) is not


def test_kill_mid_harvest_then_rerun_equals_uninterrupted_run(fb, tmp_path):
    account = watched_accounts(fb, account_id="fb-devs")[0]
    api = fake_graph()
    api.kill_after = 8  # page info, feed p1 + its 6 comment requests land; dies inside page 2
    with pytest.raises(KeyboardInterrupt):
        harvest_account(fb, collector(api), account)
    assert len(rows(fb)[0]) == 5
    walk = cursors(fb, "fb-devs")["posts"]["walk"]
    assert walk["next"]["after"] == "after" and walk["floor"] is None
    assert walk["prev_oldest"] == "2021-06-30T21:21:18+00:00" and walk["top"] == "2021-07-09T19:09:52+00:00"
    result = harvest_account(fb, collector(fake_graph()), account)
    assert result.ok and result.counts["posts_new"] == 5
    clean = fresh_sqlite(tmp_path / "clean.db")
    watch(clean, ACCOUNT)
    harvest_account(clean, collector(fake_graph()), watched_accounts(clean)[0])
    assert rows(clean) == rows(fb)
    assert cursors(clean, "fb-devs")["posts"] == cursors(fb, "fb-devs")["posts"]


def test_against_a_real_local_http_server(fb, monkeypatch):
    api = fake_graph()
    api.fault(f"/{PAGE}/posts", "timeout")
    controller = no_sleep_controller(retries=2, timeout=0.3)
    with api.serve(timeout_sleep=0.8) as base:
        monkeypatch.setenv("AKIMWATCH_FACEBOOK_BASE_URL", base)
        result = harvest_account(fb, FacebookCollector(controller=controller, now=lambda: NOW, token=TOKEN),
                                 watched_accounts(fb, account_id="fb-devs")[0])
    assert result.ok, result.error
    assert result.counts["posts_new"] == 10 and result.counts["all_comments_new"] == 15
    assert len(controller.slept_calls) == 1  # the timed-out request was retried once
