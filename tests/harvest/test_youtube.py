"""YouTube collector against a fake Data API v3 whose answers are BUILT from the documented shapes of
``channels.list``, ``playlistItems.list``, ``videos.list``, ``commentThreads.list`` and ``comments.list``
(no recorded YouTube sample exists). Covers pageToken paging, a thread with more replies than embedded,
comments disabled, quota errors (rateLimitExceeded → retried, quotaExceeded → stops), a deletion, an edit
and a resume.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from akimwatch.harvest.runner import harvest_account, watched_accounts
from akimwatch.harvest.youtube import YouTubeCollector
from akimwatch.models import Account
from tests.harvest.fakeapi import FakeAPI, cursors, fresh_sqlite, no_sleep_controller, rows, watch

KEY = "AIzaSy-secret-youtube-key"
CH = "UCakimat0000000000000001"
NOW = datetime(2024, 6, 10, 12, 0, tzinfo=UTC)
ACCOUNT = Account("yt-akimat", "youtube", handle="akimat", platform_id=CH, official_id="o1")
VIDEOS = ["vid5", "vid4", "vid3", "vid2", "vid1"]  # newest first


def video(vid: str) -> dict:
    day = int(vid[-1]) + 3
    return {"kind": "youtube#video", "id": vid,
            "snippet": {"publishedAt": f"2024-06-{day:02d}T06:00:00Z", "channelId": CH, "channelTitle": "Акимат",
                        "title": f"Брифинг {vid}", "description": "Ответы на вопросы жителей"},
            "contentDetails": {"duration": "PT45S" if vid == "vid2" else "PT12M3S"},
            "statistics": {"viewCount": "1500", "likeCount": "40", "commentCount": "5"}}


def comment(cid: str, author: str, text: str, minute: int, parent: str | None = None) -> dict:
    snippet = {"videoId": "vid5", "textOriginal": text, "authorDisplayName": "@" + author,
               "authorChannelId": {"value": CH if author == "akimat" else f"UC{author}"},
               "likeCount": 1, "publishedAt": f"2024-06-08T10:{minute:02d}:00Z"}
    if parent:
        snippet["parentId"] = parent
    return {"kind": "youtube#comment", "id": cid, "snippet": snippet}


def fake_youtube(*, drop: str | None = None, edited: str | None = None) -> FakeAPI:
    ids = [v for v in VIDEOS if v != drop]
    replies = [comment("c1.r1", "akimat", "Ямочный ремонт — в июне.", 5, "c1"),
               comment("c1.r2", "citizen2", edited or "А на нашей улице?", 7, "c1"),
               comment("c1.r3", "akimat", "Уточните адрес, пожалуйста.", 9, "c1")]
    threads = [
        {"kind": "youtube#commentThread", "id": "c1", "snippet": {
            "videoId": "vid5", "totalReplyCount": 3, "topLevelComment": comment("c1", "citizen1", "Когда дороги?", 1)},
         "replies": {"comments": replies[:1]}},
        {"kind": "youtube#commentThread", "id": "c2", "snippet": {
            "videoId": "vid5", "totalReplyCount": 0, "topLevelComment": comment("c2", "citizen3", "Спасибо", 3)}},
    ]

    def playlist(p):
        start = 2 if p.get("pageToken") == "P2" else 4 if p.get("pageToken") == "P3" else 0
        page = {"kind": "youtube#playlistItemListResponse",
                "items": [{"kind": "youtube#playlistItem", "contentDetails": {"videoId": v}} for v in ids[start:start + 2]]}
        if start + 2 < len(ids):
            page["nextPageToken"] = {0: "P2", 2: "P3"}[start]
        return page

    def thread_pages(p):
        if p["videoId"] == "vid4":
            return 403, {"error": {"code": 403, "message": "The video has disabled comments.",
                                   "errors": [{"reason": "commentsDisabled"}]}}, {}
        if p["videoId"] != "vid5":
            return {"kind": "youtube#commentThreadListResponse", "items": []}
        if p.get("pageToken") == "T2":
            return {"kind": "youtube#commentThreadListResponse", "items": threads[1:]}
        return {"kind": "youtube#commentThreadListResponse", "items": threads[:1], "nextPageToken": "T2"}

    api = FakeAPI()
    api.route("channels", {"kind": "youtube#channelListResponse", "items": [{
        "kind": "youtube#channel", "id": CH, "snippet": {"title": "Акимат", "customUrl": "@akimat"},
        "contentDetails": {"relatedPlaylists": {"uploads": "UU" + CH[2:]}},
        "statistics": {"subscriberCount": "12000", "videoCount": "5", "hiddenSubscriberCount": False}}]})
    api.route("playlistItems", playlist)
    api.route("videos", lambda p: {"kind": "youtube#videoListResponse",
                                   "items": [video(v) for v in p["id"].split(",")]})
    api.route("commentThreads", thread_pages)
    api.route("comments", lambda p: {"kind": "youtube#commentListResponse", "items": replies})
    return api


def collector(api, now=NOW, controller=None):
    c = YouTubeCollector(controller=controller or no_sleep_controller(), transport=api.transport(),
                         now=lambda: now, window=timedelta(days=14), token=KEY)
    return c


@pytest.fixture
def yt(store):
    watch(store, ACCOUNT)
    return store


def test_uploads_statistics_threads_and_subscribers(yt):
    api = fake_youtube()
    api.fault("/playlistItems", "error", response=(403, {"error": {"code": 403, "errors": [
        {"reason": "rateLimitExceeded"}]}}))
    result = harvest_account(yt, collector(api), watched_accounts(yt)[0])
    assert result.ok, result.error
    assert result.counts == {"posts_new": 5, "posts_updated": 0, "all_comments_new": 5, "all_comments_updated": 0,
                             "followers": 1, "skipped": 0, "deleted": 0}
    post_rows, comment_rows = rows(yt)
    assert [(p[0], p[4], p[5]) for p in post_rows][:1] == [("vid1", 40, 1500)]
    assert [(c[0], c[2], c[6]) for c in comment_rows] == [
        ("c1", None, False), ("c1.r1", "c1", True), ("c1.r2", "c1", False), ("c1.r3", "c1", True), ("c2", None, False)]
    assert [p.get("pageToken") for path, p in api.log if path == "/playlistItems"] == [None, None, "P2", "P3"]
    assert all(p["key"] == KEY for _, p in api.log)
    assert cursors(yt, "yt-akimat")["posts"] == {"done_utc": "2024-06-08T06:00:00+00:00"}


def test_second_pass_deleted_video_and_edited_reply(yt):
    account = watched_accounts(yt)[0]
    harvest_account(yt, collector(fake_youtube()), account)
    result = harvest_account(yt, collector(fake_youtube(drop="vid3", edited="А на улице Абая?"),
                                           now=NOW + timedelta(hours=2)), account)
    assert result.ok and result.deleted == 1 and result.counts["all_comments_updated"] == 1
    post_rows, comment_rows = rows(yt)
    assert [p[0] for p in post_rows if p[2]] == ["vid3"]
    assert next(c for c in comment_rows if c[0] == "c1.r2")[3:6] == ("А на улице Абая?", False, 2)


def test_faults_kill_resume_and_quota(yt, tmp_path):
    account = watched_accounts(yt)[0]
    api = fake_youtube()
    api.fault("/videos", "429", retry_after=4)
    api.fault("/commentThreads", "500")
    api.fault("/comments", "timeout")
    api.kill_after = 3 + 1 + 1 + 2 + 5  # channel, playlist p1, videos (+429), threads p1 (+500), … dies on page 2
    controller = no_sleep_controller()
    with pytest.raises(KeyboardInterrupt):
        harvest_account(yt, collector(api, controller=controller), account)
    assert 4.0 in controller.slept_calls and len(controller.slept_calls) == 3
    assert cursors(yt, "yt-akimat")["posts"]["walk"]["next"] == "P2"
    harvest_account(yt, collector(fake_youtube()), account)
    clean = fresh_sqlite(tmp_path / "clean.db")
    watch(clean, ACCOUNT)
    harvest_account(clean, collector(fake_youtube()), watched_accounts(clean)[0])
    assert rows(clean) == rows(yt)

    quota = fake_youtube()
    quota.fault("/channels", "error", times=9, response=(403, {"error": {"code": 403, "errors": [
        {"reason": "quotaExceeded"}]}}))
    failed = harvest_account(yt, collector(quota), account)
    assert not failed.ok and "daily quota exceeded" in failed.error and KEY not in failed.error
