"""YouTube Data API v3 importer (``youtube_data_api``).

No real YouTube sample exists in shared/data/formats: the fixtures in tests/fixtures/youtube/ are BUILT, not
recorded — written by hand from the documented resource shapes (developers.google.com/youtube/v3/docs:
videos, playlistItems, search, commentThreads, comments, channels), with invented channels and texts.
See tests/fixtures/youtube/README.md.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select

from akimwatch.ingest import import_file
from akimwatch.models import CommentRecord, FollowerRecord, PostRecord
from akimwatch.sources import detect_format
from akimwatch.sources.base import SourceError
from akimwatch.sources.peek import peek_file
from akimwatch.sources.youtube import FORMATS, parse, parse_duration
from akimwatch.store.queries import count_rows
from akimwatch.store.schema import comments, follower_snapshots, posts
from tests.conftest import real_samples

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "youtube"
FMT = FORMATS[0]
CHANNEL = "UCakimatPrimersk0000000A"
GOOD = ["videos_list.json", "playlist_items_page2.json", "search_list.json", "comment_threads.json",
        "comments_list_envelope.json", "channels_envelope.json", "channels_bare.json"]


def _recs(name: str) -> list:
    return list(parse(FIX / name))


def test_every_fixture_is_detected_as_youtube():
    for path in sorted(FIX.glob("*.json")):
        assert detect_format(path).id == "youtube_data_api", path.name


def test_no_false_positives_on_real_samples_of_other_platforms(tmp_path):
    others = real_samples()
    for path in others:
        assert not FMT.detect(path, peek_file(path)), path
    tab = tmp_path / "rows.jsonl"
    tab.write_bytes(b'{"kind": "post", "platform": "youtube", "id": "abc"}\n')
    assert not FMT.detect(tab, peek_file(tab))


@pytest.mark.parametrize("value,seconds", [("PT45S", 45), ("PT1M", 60), ("PT1M1S", 61), ("PT1H12M5S", 4325),
                                           ("P1DT2H", 93600), ("P0D", 0), ("", None), ("PT", None), (None, None)])
def test_iso_durations(value, seconds):
    assert parse_duration(value) == seconds


def test_videos_list_posts_and_shorts():
    got = {r.platform_id: r for r in _recs("videos_list.json")}
    long = got["vid00000001"]
    assert long.account.platform_id == CHANNEL and long.account.name == "Акимат Примерска"
    assert long.published_utc == datetime(2024, 5, 20, 6, 0, tzinfo=UTC)
    assert long.text == "Отчётная встреча акима с населением\n\nПолная запись отчётной встречи."
    assert (long.views, long.likes, long.comments_count, long.shares) == (5400, 120, 3, None)
    assert (long.media_kind, long.url) == ("long_video", "https://www.youtube.com/watch?v=vid00000001")
    assert got["vid00000002"].media_kind == "video"  # a Short: 45 s
    assert got["vid00000003"].media_kind == "long_video"


def test_playlist_items_skip_private_and_search_skips_channels():
    playlist = _recs("playlist_items_page2.json")
    assert [r.platform_id for r in playlist] == ["vid00000003", "vid00000004"]
    assert playlist[1].published_utc == datetime(2024, 5, 28, 8, 0, tzinfo=UTC)
    assert playlist[1].media_kind == "long_video" and playlist[1].views is None  # no statistics part here
    search = _recs("search_list.json")
    assert [(r.platform_id, r.location) for r in search] == [("vid00000006", "record 2")]


def test_comment_threads_with_replies():
    recs = _recs("comment_threads.json")
    assert all(isinstance(r, CommentRecord) for r in recs)
    by_id = {r.platform_id: r for r in recs}
    assert sorted(by_id) == ["UgxThread1", "UgxThread1.R1", "UgxThread1.R2", "UgxThread2"]
    top = by_id["UgxThread1"]
    assert (top.post_platform_id, top.parent_platform_id, top.likes) == ("vid00000001", None, 7)
    assert (top.author.platform_id, top.author.handle) == ("UCcitizen00000000000001", "@aigul_test")
    answer = by_id["UgxThread1.R1"]
    assert answer.parent_platform_id == "UgxThread1" and answer.author.platform_id == CHANNEL
    assert answer.location == "record 1, reply 1"
    assert by_id["UgxThread2"].author.handle is None and by_id["UgxThread2"].author.name == "Дана Образцова"


def test_comments_list_takes_the_video_from_the_envelope(tmp_path):
    recs = _recs("comments_list_envelope.json")
    assert [(r.platform_id, r.post_platform_id, r.parent_platform_id) for r in recs] == [
        ("UgxThread1.R1", "vid00000001", "UgxThread1"), ("UgxThread1.R3", "vid00000001", "UgxThread1")]
    bare = tmp_path / "comments.json"
    bare.write_bytes(orjson.dumps(orjson.loads((FIX / "comments_list_envelope.json").read_bytes())["response"]))
    pending = list(parse(bare))  # replies without their video: the store links them through the thread
    assert [(r.platform_id, r.post_platform_id, r.parent_platform_id) for r in pending] == [
        ("UgxThread1.R1", "", "UgxThread1"), ("UgxThread1.R3", "", "UgxThread1")]


def test_channel_subscribers_only_with_fetched_at():
    (snap,) = _recs("channels_envelope.json")
    assert isinstance(snap, FollowerRecord)
    assert (snap.account.platform_id, snap.account.handle, snap.followers) == (CHANNEL, "@akimat_primersk", 4200)
    assert snap.taken_utc == datetime(2024, 6, 8, 10, 0, tzinfo=UTC)
    assert _recs("channels_bare.json") == []


def test_import_everything_official_reply_and_reimport(store):
    # comments first: they wait for their video and are linked (and judged) when it arrives
    order = ["comment_threads.json", "comments_list_envelope.json", "videos_list.json",
             "playlist_items_page2.json", "search_list.json", "channels_envelope.json", "channels_bare.json"]
    results = {name: import_file(store, FIX / name) for name in order}
    assert all(r.ok for r in results.values()), [r.error for r in results.values()]
    assert results["videos_list.json"].counts["earlier_now_official"] == 1
    rows = count_rows(store)
    assert (rows["posts"], rows["comments"], rows["official_replies"], rows["follower_snapshots"]) == (5, 4, 1, 1)
    with store.connect() as conn:
        official = conn.execute(select(comments.c.platform_id).where(comments.c.is_official_reply.is_(True)))
        assert official.scalars().all() == ["UgxThread1.R1"]
        assert conn.execute(select(posts.c.views).where(posts.c.platform_id == "vid00000003")).scalar_one() == 800
        assert conn.execute(select(follower_snapshots.c.followers)).scalar_one() == 4200
    for name in order:
        again = import_file(store, FIX / name)
        assert again.ok
        assert (again.counts["posts_new"], again.counts["posts_updated"], again.counts["all_comments_new"],
                again.counts["all_comments_updated"]) == (0, 0, 0, 0), name
    assert count_rows(store) == rows


def test_comment_without_published_at_fails_the_file_or_is_listed(store):
    path = FIX / "comment_threads_missing_published.json"
    failed = import_file(store, path)
    assert not failed.ok
    assert path.name in failed.error and "record 2" in failed.error and "snippet.publishedAt" in failed.error
    assert count_rows(store)["comments"] == 0
    landed = import_file(store, path, skip_bad=True)
    assert landed.ok and landed.counts["comments"] == 3
    assert landed.skipped == [{"location": "record 2", "field": "snippet.publishedAt",
                               "reason": "is not a timestamp (None)"}]


def test_truncated_response_is_a_source_error(store, tmp_path):
    cut = tmp_path / "videos_cut.json"
    cut.write_bytes((FIX / "videos_list.json").read_bytes()[:1500])
    with pytest.raises(SourceError, match="truncated"):
        list(parse(cut))
    result = import_file(store, cut)
    assert not result.ok and "truncated" in result.error and count_rows(store)["posts"] == 0


def test_jsonl_of_pages_and_api_error(tmp_path):
    pages = tmp_path / "pages.jsonl"
    pages.write_bytes(b"\n".join(orjson.dumps(orjson.loads((FIX / n).read_bytes()))
                                 for n in ("videos_list.json", "comment_threads.json")) + b"\n")
    recs = list(parse(pages))
    assert sum(isinstance(r, PostRecord) for r in recs) == 3 and sum(isinstance(r, CommentRecord) for r in recs) == 4
    assert recs[0].location == "line 1, record 1"
    err = tmp_path / "err.jsonl"
    err.write_bytes(b'{"error": {"code": 403, "message": "The request cannot be completed: quota exceeded."}}\n')
    (skipped,) = parse(err)
    assert skipped.field == "error" and "quota" in skipped.reason


def test_a_bare_replies_page_is_linked_through_its_thread(store):
    alone = import_file(store, FIX / "comments_list_page_bare.json")
    assert alone.ok and alone.counts["all_comments"] == 0
    assert [s["field"] for s in alone.skipped] == ["parentId", "parentId"]
    assert "import the video's comment threads first" in alone.skipped[0]["reason"]
    assert import_file(store, FIX / "videos_list.json").ok and import_file(store, FIX / "comment_threads.json").ok
    res = import_file(store, FIX / "comments_list_page_bare.json")
    assert res.ok and (res.counts["comments"], res.counts["official_replies"], res.counts["skipped"]) == (1, 1, 0)
    with store.connect() as conn:
        linked = conn.execute(select(comments.c.platform_id, comments.c.post_platform_id, comments.c.post_id)
                              .where(comments.c.platform_id.in_(["UgxThread1.R4", "UgxThread1.R5"]))).all()
    assert len(linked) == 2 and all(r.post_platform_id == "vid00000001" and r.post_id for r in linked)


def test_channel_level_threads_are_left_out_and_counted(store):
    res = import_file(store, FIX / "comment_threads_channel.json")
    assert res.ok and res.counts["all_comments"] == 0 and res.counts["skipped"] == 0
    assert res.counts["omitted"] == {"channel comment (on the channel, not under a video)": 3}
