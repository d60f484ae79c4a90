"""Instagram Graph collector against a fake Graph API replaying RECORDED responses (pyfacebook test data):
``users/medias_p1/p2.json`` (4 media of business account 17841406338772941, two pages),
``medias/comments_p1/p2.json`` (4 comments, two pages; recorded for another media, served as the comments
of the newest media), ``comments/replies.json`` (a reply, nested by the fake into the first comment's
``replies`` edge as the ``replies{...}`` field expansion returns it) and ``users/user_fields.json``
(followers_count; recorded for another account id, served for this one).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from akimwatch.harvest.instagram_graph import InstagramGraphCollector
from akimwatch.harvest.runner import harvest_account, watched_accounts
from akimwatch.models import Account
from tests.conftest import require_sample
from tests.harvest.fakeapi import FakeAPI, cursors, fresh_sqlite, load, no_sleep_controller, rows, watch

TOKEN = "IGQV-test-secret-4455"
UID = "17841406338772941"
NEWEST = "17895731045244887"
NOW = datetime(2021, 8, 15, 9, 0, tzinfo=UTC)
ACCOUNT = Account("ig-devs", "instagram", handle="facebookfordevelopers", platform_id=UID, official_id="o1")


def sample(*parts: str):
    return require_sample("facebook-instagram-graph-api-pyfacebook", "instagram", "apidata", *parts)


def fake_ig(*, drop: str | None = None, edited: str | None = None) -> FakeAPI:
    tok = {"access_token=access_token": f"access_token={TOKEN}"}
    media = [load(sample("users", "medias_p1.json"), **tok), load(sample("users", "medias_p2.json"), **tok)]
    comments = [load(sample("medias", "comments_p1.json"), **tok), load(sample("medias", "comments_p2.json"), **tok)]
    comments[0]["data"][0]["replies"] = load(sample("comments", "replies.json"))
    if edited:
        comments[0]["data"][1]["text"] = edited
    if drop:
        media[0]["data"] = [m for m in media[0]["data"] if m["id"] != drop]
    api = FakeAPI()
    api.route(UID, {**load(sample("users", "user_fields.json")), "id": UID})
    api.route(f"{UID}/media", lambda p: media[1] if p.get("after") else media[0])
    for page in load(sample("users", "medias_p1.json"))["data"] + load(sample("users", "medias_p2.json"))["data"]:
        api.route(f"{page['id']}/comments", {"data": []})
    api.route(f"{NEWEST}/comments", lambda p: comments[1] if p.get("after") else comments[0])
    return api


def collector(api, now=NOW, controller=None):
    return InstagramGraphCollector(controller=controller or no_sleep_controller(), transport=api.transport(),
                                   now=lambda: now, window=timedelta(days=14), token=TOKEN)


@pytest.fixture
def ig(store):
    watch(store, ACCOUNT)
    return store


def test_media_comments_replies_and_followers(ig):
    api = fake_ig()
    result = harvest_account(ig, collector(api), watched_accounts(ig)[0])
    assert result.ok, result.error
    assert result.counts == {"posts_new": 4, "posts_updated": 0, "all_comments_new": 5, "all_comments_updated": 0,
                             "followers": 1, "skipped": 0, "deleted": 0}
    post_rows, comment_rows = rows(ig)
    assert [p[0] for p in post_rows] == ["17893085207160254", "17895731045244887", "17896129349106152",
                                         "17896622936197745"]
    assert ("17847314687296283", NEWEST, "17858154961981086") in [c[:3] for c in comment_rows]
    assert cursors(ig, "ig-devs")["posts"] == {"done_utc": "2021-08-13T08:25:28+00:00"}
    assert len(api.log) == 1 + 2 + 2 + 3  # user, media ×2, newest's comments ×2, three other comment lists


def test_second_pass_deleted_media_edited_comment_and_expired_token(ig, tmp_path):
    account = watched_accounts(ig)[0]
    harvest_account(ig, collector(fake_ig()), account)
    result = harvest_account(ig, collector(fake_ig(drop="17896622936197745", edited="Beautiful!!! (edited)"),
                                           now=NOW + timedelta(hours=4)), account)
    assert result.ok and result.deleted == 1 and result.counts["all_comments_updated"] == 1
    post_rows, comment_rows = rows(ig)
    assert [p[0] for p in post_rows if p[2]] == ["17896622936197745"]
    assert next(c for c in comment_rows if c[0] == "17874875428706419")[3:6] == ("Beautiful!!! (edited)", False, 2)
    expired = fake_ig()
    expired.fault(f"/{UID}", "error", times=9, response=(400, {"error": {
        "message": "Error validating access token: Session has expired", "type": "OAuthException", "code": 190}}))
    failed = harvest_account(ig, collector(expired), account)
    assert not failed.ok and "access token expired or invalid" in failed.error and TOKEN not in failed.error


def test_faults_kill_and_resume(ig, tmp_path):
    account = watched_accounts(ig)[0]
    api = fake_ig()
    api.fault("/media", "429", retry_after=9)
    api.fault("/comments", "500")
    api.fault(f"/{UID}", "timeout")
    api.kill_after = 3 + 1 + 1 + 2 + 1  # user, media p1, newest comments ×2, second media's comments; dies on p2
    controller = no_sleep_controller()
    with pytest.raises(KeyboardInterrupt):
        harvest_account(ig, collector(api, controller=controller), account)
    assert 9.0 in controller.slept_calls and len(rows(ig)[0]) == 2
    assert cursors(ig, "ig-devs")["posts"]["walk"]["next"]["after"] == "after"
    harvest_account(ig, collector(fake_ig()), account)
    clean = fresh_sqlite(tmp_path / "clean.db")
    watch(clean, ACCOUNT)
    harvest_account(clean, collector(fake_ig()), watched_accounts(clean)[0])
    assert rows(clean) == rows(ig)
    clean.dispose()
    blob = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("clean.db"))
    assert TOKEN.encode() not in blob
