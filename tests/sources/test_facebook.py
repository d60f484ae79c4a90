"""facebook_graph on the RECORDED Graph API responses (python-facebook test data) and on BUILT fixtures.

Recorded: /work/shared/data/formats/facebook-instagram-graph-api-pyfacebook/facebook/apidata/...
Built (not recorded, from the documented response shape of ``/{page-id}/feed`` with nested
``comments{...,comments{...}}`` field expansion): tests/fixtures/facebook/ (see its README.md).
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from akimwatch.ingest import import_file
from akimwatch.models import CommentRecord, FollowerRecord, PostRecord, SkippedRecord
from akimwatch.sources import detect_format
from akimwatch.sources.base import SourceError
from akimwatch.sources.facebook import FORMATS, detect_graph, map_comment, parse_graph, permalink_ids
from akimwatch.sources.peek import peek_file
from akimwatch.store.schema import comments, follower_snapshots, posts
from tests.conftest import real_samples, require_sample

SAMPLE = "facebook-instagram-graph-api-pyfacebook"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "facebook"
POST = "19292868552_10158407654328553"


def fb(*parts: str) -> Path:
    return require_sample(SAMPLE, "facebook", "apidata", *parts)


def records(path: Path) -> list:
    return list(parse_graph(path))


def of(recs, kind):
    return [r for r in recs if isinstance(r, kind)]


def row_counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(posts)).scalar_one(),
                conn.execute(select(func.count()).select_from(comments)).scalar_one())


# -- real samples -----------------------------------------------------------------------------------
def test_page_feed_p1_p2_posts():
    recs = records(fb("posts", "feeds_default_fields_p1.json")) + records(fb("posts", "feeds_default_fields_p2.json"))
    assert len(of(recs, PostRecord)) == 10
    assert not of(recs, CommentRecord) and not of(recs, SkippedRecord)
    by_id = {r.platform_id: r for r in recs}
    share = by_id["19292868552_10158347294088553"]
    assert share.account.platform_id == "19292868552"
    assert share.published_utc == datetime(2021, 7, 8, 15, 30, 19, tzinfo=UTC)
    assert share.text.startswith("Despite reliable peering being essential")
    assert share.is_repost and share.repost_source_domain == "engineering.fb.com"
    assert share.repost_source_url.startswith("https://engineering.fb.com/2021/05/20/")
    assert share.repost_source_name == "Peering automation at Facebook - Facebook Engineering"
    assert (share.media_kind, share.likes, share.comments_count, share.shares) == ("text", 131, 17, 6)
    assert [m.name for m in share.mentions] == ["Facebook Engineering", "PeeringDB"]
    assert share.url == "https://www.facebook.com/19292868552/posts/10158347294088553/"
    photo = by_id["19292868552_10158349356748553"]
    assert (photo.media_kind, photo.is_repost, photo.likes, photo.shares) == ("photo", False, 125, 10)
    assert by_id["19292868552_10158316421783553"].media_kind == "video"
    assert by_id["19292868552_10158316421783553"].likes == 26959
    assert sum(r.is_repost for r in recs) == 3


def test_feed_without_from_takes_the_page_from_the_post_id():
    recs = records(fb("posts", "feed_fields_p1.json"))
    assert len(recs) == 5 and {r.account.platform_id for r in recs} == {"4"}
    assert recs[0].text == "Happy July 4th! 🇺🇸" and recs[0].likes is None  # missing stays missing


def test_comments_pages_derive_the_post_from_paging_or_permalink():
    recs = records(fb("comments", "comments_p1.json")) + records(fb("comments", "comments_p2.json"))
    assert len(recs) == 15 and all(isinstance(r, CommentRecord) for r in recs)
    assert {r.post_platform_id for r in recs} == {POST}
    replies = [r for r in recs if r.parent_platform_id]
    assert len(replies) == 5
    reply = next(r for r in recs if r.platform_id == "10158407654328553_10158409984103553")
    assert reply.parent_platform_id == "10158407654328553_10158407835073553"
    assert reply.published_utc == datetime(2021, 8, 11, 23, 23, 6, tzinfo=UTC)
    first = recs[0]
    assert first.platform_id == "10158407654328553_10158407835073553"
    assert first.text.startswith("Boa noite peço ajuda") and first.likes == 0
    assert first.author.platform_id is None  # the response has no 'from': not invented


def test_multi_posts_with_nested_comments():
    recs = records(fb("posts", "multi_posts_data.json"))
    assert (len(of(recs, PostRecord)), len(of(recs, CommentRecord))) == (2, 16)
    c = of(recs, CommentRecord)[0]
    assert c.platform_id == "10158347294088553_10158348537573553"  # old 3-part id normalised
    assert c.post_platform_id == "19292868552_10158347294088553"
    assert (c.author.platform_id, c.author.name) == ("100070073499229", "Vivian Smith")


def test_single_post_and_single_comment_objects():
    [post] = records(fb("posts", "single_post_data.json"))
    assert post.platform_id == "175154750010052_424924701699721" and post.likes == 1
    assert post.comments_count == 0 and post.comments_closed is False
    [comment] = records(fb("comments", "comment_info.json"))
    assert comment.post_platform_id == "19292868552_10158371815748553"


def test_page_info_without_a_capture_time_gives_no_follower_snapshot():
    assert records(fb("pages", "single_fields_page.json")) == []
    assert records(fb("pages", "multi_pages.json")) == []


def test_real_samples_import_and_reimport_changes_nothing(store):
    files = [fb("posts", "feeds_default_fields_p1.json"), fb("posts", "feeds_default_fields_p2.json"),
             fb("comments", "comments_p1.json"), fb("comments", "comments_p2.json")]
    results = [import_file(store, f) for f in files]
    assert all(r.ok and r.format == "facebook_graph" for r in results), [r.error for r in results]
    assert [r.counts["posts_new"] for r in results] == [5, 5, 0, 0]
    assert [r.counts["all_comments_new"] for r in results] == [0, 0, 10, 5]
    assert sum(r.counts["official_replies"] for r in results) == 0
    assert row_counts(store) == (10, 15)
    again = [import_file(store, f) for f in files]
    assert all(r.ok for r in again)
    assert sum(r.counts["posts_new"] + r.counts["all_comments_new"] + r.counts["posts_updated"]
               + r.counts["all_comments_updated"] for r in again) == 0
    assert row_counts(store) == (10, 15)


# -- built fixtures: nested field expansion -----------------------------------------------------------
def test_nested_feed_posts_comments_replies():
    recs = records(FIXTURES / "page_feed_nested_p1.json")
    assert (len(of(recs, PostRecord)), len(of(recs, CommentRecord)), len(of(recs, SkippedRecord))) == (2, 5, 0)
    post, link = of(recs, PostRecord)
    assert post.account.name == "Акимат города Алматы" and post.media_kind == "album"
    assert (post.likes, post.comments_count, post.shares) == (245, 3, 12)
    assert [m.platform_id for m in post.mentions] == ["100069999999999"]
    assert link.is_repost and link.repost_source_domain == "tengrinews.kz"
    by_id = {r.platform_id: r for r in of(recs, CommentRecord)}
    answer = by_id["1111111111111111_3333333333333332"]
    assert answer.parent_platform_id == "1111111111111111_3333333333333331"
    assert answer.post_platform_id == "100064000000001_1111111111111111"
    assert answer.author.platform_id == "100064000000001"


def test_nested_feed_import_counts_one_official_reply(store):
    result = import_file(store, FIXTURES / "page_feed_nested_p1.json")
    assert result.ok, result.error
    c = result.counts
    assert (c["posts"], c["comments"], c["official_replies"], c["all_comments"], c["skipped"]) == (2, 4, 1, 5, 0)
    with store.connect() as conn:
        official = conn.execute(select(comments.c.platform_id).where(comments.c.is_official_reply)).scalars().all()
    assert official == ["1111111111111111_3333333333333332"]
    again = import_file(store, FIXTURES / "page_feed_nested_p1.json")
    assert (again.counts["posts_new"], again.counts["all_comments_new"], again.counts["official_replies"]) == (0, 0, 1)
    assert row_counts(store) == (2, 5)


def test_page_info_with_a_capture_time_is_a_follower_snapshot(store):
    [rec] = records(FIXTURES / "page_info_fetched.json")
    assert isinstance(rec, FollowerRecord)
    assert (rec.account.platform_id, rec.followers) == ("100064000000001", 182345)
    assert rec.taken_utc == datetime(2024, 5, 15, tzinfo=UTC)
    assert import_file(store, FIXTURES / "page_info_fetched.json").counts["followers"] == 1
    with store.connect() as conn:
        assert conn.execute(select(follower_snapshots.c.followers)).scalar_one() == 182345


# -- bad input --------------------------------------------------------------------------------------
def test_comments_page_without_post_reference_fails_the_record_or_takes_a_filename_hint(tmp_path):
    data = json.loads(fb("comments", "comments_p1.json").read_bytes())
    data.pop("paging")
    for item in data["data"]:
        item.pop("permalink_url")
        item["id"] = "10158407654328553_1"
    bare = tmp_path / "comments_p1.json"
    bare.write_text(json.dumps(data))
    skipped = records(bare)
    assert len(skipped) == 10 and all(isinstance(r, SkippedRecord) and r.field == "post_id" for r in skipped)
    assert "post-<page id>_<post id>" in skipped[0].reason
    hinted = tmp_path / f"comments.post-{POST}.p1.json"
    shutil.copy(bare, hinted)
    assert {r.post_platform_id for r in records(hinted)} == {POST}


def test_map_comment_names_the_missing_field():
    with pytest.raises(Exception) as err:
        map_comment({"message": "x", "created_time": "2021-01-01T00:00:00+0000"})
    assert "post_id" in str(err.value)
    assert permalink_ids("https://www.facebook.com/1/posts/2/?comment_id=3&reply_comment_id=4") == ("1_2", "3", "4")


def test_truncated_file_fails_cleanly(store, tmp_path):
    raw = fb("posts", "feeds_default_fields_p1.json").read_bytes()
    cut = tmp_path / "feed_truncated.json"
    cut.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(SourceError, match="truncated"):
        records(cut)
    result = import_file(store, cut, format_id="facebook_graph")
    assert not result.ok and "feed_truncated.json" in result.error and "truncated" in result.error
    assert row_counts(store) == (0, 0)


def test_record_without_created_time_fails_file_or_is_skipped(store, tmp_path):
    data = json.loads(fb("posts", "feeds_default_fields_p1.json").read_bytes())
    del data["data"][2]["created_time"]
    bad = tmp_path / "feed_bad.json"
    bad.write_text(json.dumps(data))
    result = import_file(store, bad)
    assert not result.ok
    assert "feed_bad.json" in result.error and "record 3" in result.error and "created_time" in result.error
    assert row_counts(store) == (0, 0)
    result = import_file(store, bad, skip_bad=True)
    assert result.ok and result.counts["posts"] == 4
    assert result.skipped == [{"location": "record 3", "field": "created_time", "reason": "is not a timestamp (None)"}]


def test_detection_claims_facebook_files_only():
    fmt = FORMATS[0]
    for name in ("posts/feeds_default_fields_p1.json", "comments/comments_p2.json", "posts/single_post_data.json"):
        assert detect_format(fb(*name.split("/"))).id == "facebook_graph"
    assert detect_format(FIXTURES / "page_feed_nested_p1.json").id == "facebook_graph"
    others = [p for p in real_samples() if (SAMPLE not in p.parts or "instagram" in p.parts or "instagram_basic" in p.parts)]
    assert len(others) > 40
    claimed = [p for p in others if fmt.detect(p, peek_file(p))]
    assert claimed == []
    for fixture in (FIXTURES.parent / "instagram").rglob("*.*"):
        assert not detect_graph(fixture, peek_file(fixture)), fixture
