"""Instagram sources on RECORDED Graph API responses and on BUILT fixtures.

Recorded (python-facebook test data): /work/shared/data/formats/facebook-instagram-graph-api-pyfacebook/
instagram/apidata/... and instagram_basic/apidata/... — used for ``instagram_graph``.
Built, not recorded (tests/fixtures/instagram/README.md): the nested-expansion media page
(``/{ig-user-id}/media?fields=...,comments{...,replies{...}}``), instaloader metadata files (shape of
instaloader's ``save_structure_to_file`` / ``save_metadata_json`` / ``_comments.json``) and a Zeeschuimer
NDJSON capture (shape read by 4CAT's ``datasources/instagram/search_instagram.py``).
"""

from __future__ import annotations

import json
import lzma
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from akimwatch.ingest import import_file
from akimwatch.models import CommentRecord, PostRecord, SkippedRecord
from akimwatch.sources import detect_format
from akimwatch.sources.base import SourceError
from akimwatch.sources.instagram import (
    FORMATS,
    caption_mentions,
    parse_graph,
    parse_instaloader,
    parse_zeeschuimer,
)
from akimwatch.sources.peek import peek_file
from akimwatch.store.schema import comments, posts
from tests.conftest import real_samples, require_sample

SAMPLE = "facebook-instagram-graph-api-pyfacebook"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "instagram"
LOADER = FIXTURES / "instaloader" / "akimat_almaty"
MEDIA = "17846368219941692"


def ig(*parts: str) -> Path:
    return require_sample(SAMPLE, "instagram", "apidata", *parts)


def of(recs, kind):
    return [r for r in recs if isinstance(r, kind)]


def row_counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(posts)).scalar_one(),
                conn.execute(select(func.count()).select_from(comments)).scalar_one())


# == instagram_graph: real samples ==================================================================
def test_user_media_pages_take_the_account_from_the_paging_url():
    recs = list(parse_graph(ig("users", "medias_p1.json"))) + list(parse_graph(ig("users", "medias_p2.json")))
    assert len(recs) == 4 and all(isinstance(r, PostRecord) for r in recs)
    assert {r.account.platform_id for r in recs} == {"17841406338772941"}
    by_id = {r.platform_id: r for r in recs}
    photo = by_id["17896622936197745"]
    assert (photo.media_kind, photo.likes, photo.comments_count) == ("photo", 2, 6)
    assert photo.published_utc == datetime(2021, 8, 13, 8, 2, 40, tzinfo=UTC)
    assert photo.url == "https://www.instagram.com/p/CSgdWACBeKr/"
    album = by_id["17896129349106152"]
    assert (album.media_kind, album.text) == ("album", "ALBUM")


def test_basic_display_media_pages():
    recs = (list(parse_graph(require_sample(SAMPLE, "instagram_basic", "apidata", "user", "user_medias_p1.json")))
            + list(parse_graph(require_sample(SAMPLE, "instagram_basic", "apidata", "user", "user_medias_p2.json"))))
    assert len(of(recs, PostRecord)) == 4
    assert {(r.account.handle, r.account.platform_id) for r in recs} == {("ikroskun", "17841406338772941")}
    assert recs[0].text == "Cute.. #cute #loveyou  @ikroskun"
    assert [m.handle for m in recs[0].mentions] == ["ikroskun"]


def test_business_discovery_media():
    recs = list(parse_graph(ig("discovery", "medias_p1.json")))
    assert len(recs) == 2 and {r.account.platform_id for r in recs} == {"17841407673135339"}
    assert (recs[0].likes, recs[0].comments_count) == (87, 11)


def test_comments_page_takes_the_media_from_paging():
    recs = list(parse_graph(ig("medias", "comments_p1.json")))
    assert len(recs) == 2 and all(isinstance(r, CommentRecord) for r in recs)
    assert {r.post_platform_id for r in recs} == {MEDIA}
    assert (recs[0].platform_id, recs[0].text) == ("17858154961981086", "Beautiful!")
    assert recs[0].published_utc == datetime(2020, 6, 1, 10, 56, 52, tzinfo=UTC)
    assert recs[0].author.handle is None  # 'username' was not requested: not invented


def test_comments_page_without_paging_needs_a_filename_hint(tmp_path):
    recs = list(parse_graph(ig("medias", "comments_p2.json")))
    assert len(recs) == 2 and all(isinstance(r, SkippedRecord) and r.field == "media" for r in recs)
    assert "media-<media id>" in recs[0].reason
    hinted = tmp_path / f"comments_p2.media-{MEDIA}.json"
    shutil.copy(ig("medias", "comments_p2.json"), hinted)
    recs = list(parse_graph(hinted))
    assert [r.platform_id for r in recs] == ["17892250648466172", "17914413430382429"]
    assert {r.post_platform_id for r in recs} == {MEDIA}


def test_replies_page_with_media_and_comment_hints(tmp_path):
    [skipped] = parse_graph(ig("comments", "replies.json"))
    assert isinstance(skipped, SkippedRecord) and skipped.location == "record 1"
    hinted = tmp_path / f"replies.media-{MEDIA}.comment-17858154961981086.json"
    shutil.copy(ig("comments", "replies.json"), hinted)
    [reply] = parse_graph(hinted)
    assert (reply.platform_id, reply.post_platform_id, reply.parent_platform_id) == (
        "17847314687296283", MEDIA, "17858154961981086")
    assert reply.text == "@lixiangguodu123 nihao"


def test_user_info_without_capture_time_gives_no_follower_snapshot():
    assert list(parse_graph(ig("users", "user_fields.json"))) == []


def test_real_graph_samples_import_and_reimport(store, tmp_path):
    hinted = tmp_path / f"comments_p2.media-{MEDIA}.json"
    shutil.copy(ig("medias", "comments_p2.json"), hinted)
    files = [ig("users", "medias_p1.json"), ig("users", "medias_p2.json"), ig("medias", "comments_p1.json"), hinted]
    results = [import_file(store, f) for f in files]
    assert all(r.ok and r.format == "instagram_graph" for r in results), [r.error for r in results]
    assert [(r.counts["posts_new"], r.counts["all_comments_new"]) for r in results] == [(2, 0), (2, 0), (0, 2), (0, 2)]
    assert row_counts(store) == (4, 4)
    again = [import_file(store, f) for f in files]
    assert sum(r.counts["posts_new"] + r.counts["all_comments_new"] for r in again) == 0
    assert row_counts(store) == (4, 4)


# == instagram_graph: built nested expansion =========================================================
def test_nested_media_page_posts_comments_replies():
    recs = list(parse_graph(FIXTURES / "media_nested_p1.json"))
    assert (len(of(recs, PostRecord)), len(of(recs, CommentRecord)), len(of(recs, SkippedRecord))) == (2, 5, 0)
    album, reel = of(recs, PostRecord)
    assert (album.account.handle, album.account.platform_id) == ("akimat_almaty", "17841400000000001")
    assert (album.media_kind, reel.media_kind) == ("album", "long_video")
    assert [m.handle for m in album.mentions] == ["almaty_kala", "ak_bulak"]
    answer = next(r for r in recs if r.platform_id == "17900000000000002")
    assert (answer.parent_platform_id, answer.post_platform_id) == ("17900000000000001", "18000000000000001")
    assert (answer.author.handle, answer.author.platform_id, answer.likes) == ("akimat_almaty", "17841400000000001", 9)


def test_nested_media_import_counts_one_official_reply(store):
    result = import_file(store, FIXTURES / "media_nested_p1.json")
    assert result.ok, result.error
    c = result.counts
    assert (c["posts"], c["comments"], c["official_replies"], c["all_comments"], c["skipped"]) == (2, 4, 1, 5, 0)
    again = import_file(store, FIXTURES / "media_nested_p1.json")
    assert (again.counts["posts_new"], again.counts["all_comments_new"], again.counts["official_replies"]) == (0, 0, 1)
    assert row_counts(store) == (2, 5)


# == instaloader (built) ==============================================================================
def test_instaloader_post_metadata_json_and_xz():
    [post] = parse_instaloader(LOADER / "2024-05-10_05-00-00_UTC.json")
    assert (post.platform_id, post.account.handle, post.account.platform_id) == (
        "3350000000000000001", "akimat_almaty", "1234567890")
    assert post.published_utc == datetime(2024, 5, 10, 5, 0, tzinfo=UTC)
    assert (post.media_kind, post.likes, post.comments_count, post.comments_closed) == ("album", 512, 3, False)
    assert post.url == "https://www.instagram.com/p/C6xBBBBBBB1/"
    assert [t.handle for t in post.tagged] == ["almaty_police"]
    assert [m.handle for m in post.mentions] == ["almaty_kala"]
    [reel] = parse_instaloader(LOADER / "2024-05-08_09-00-00_UTC.json.xz")
    assert (reel.media_kind, reel.views, reel.text) == ("long_video", 40100, None)


def test_instaloader_comments_belong_to_the_sibling_post(store):
    recs = list(parse_instaloader(LOADER / "2024-05-10_05-00-00_UTC_comments.json"))
    assert len(recs) == 4 and {r.post_platform_id for r in recs} == {"3350000000000000001"}
    answer = recs[1]
    assert (answer.parent_platform_id, answer.author.handle, answer.likes) == (
        "18100000000000001", "akimat_almaty", 11)
    assert answer.published_utc == datetime(2024, 5, 10, 7, 0, tzinfo=UTC)
    results = [import_file(store, p) for p in sorted(LOADER.iterdir())]
    assert all(r.ok and r.format == "instagram_instaloader" for r in results), [r.error for r in results]
    assert sum(r.counts["official_replies"] for r in results) == 1
    assert row_counts(store) == (2, 4)
    again = [import_file(store, p) for p in sorted(LOADER.iterdir())]
    assert sum(r.counts["posts_new"] + r.counts["all_comments_new"] for r in again) == 0


def test_instaloader_profile_has_no_capture_time_so_no_snapshot():
    assert list(parse_instaloader(LOADER / "akimat_almaty_1234567890.json")) == []


def test_instaloader_comments_without_sibling_fail_clearly(tmp_path):
    lonely = tmp_path / "2024-05-10_05-00-00_UTC_comments.json"
    shutil.copy(LOADER / lonely.name, lonely)
    with pytest.raises(SourceError, match="no post metadata file"):
        list(parse_instaloader(lonely))


def test_instaloader_truncated_xz(tmp_path):
    raw = (LOADER / "2024-05-08_09-00-00_UTC.json.xz").read_bytes()
    cut = tmp_path / "2024-05-08_09-00-00_UTC.json.xz"
    cut.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(SourceError, match="truncated"):
        list(parse_instaloader(cut))


def test_instaloader_post_without_owner_is_a_skipped_record(store, tmp_path):
    data = json.loads((LOADER / "2024-05-10_05-00-00_UTC.json").read_text())
    del data["node"]["owner"]
    bad = tmp_path / "2024-05-10_05-00-00_UTC.json"
    bad.write_text(json.dumps(data))
    result = import_file(store, bad)
    assert not result.ok and "record 1" in result.error and "owner" in result.error
    assert row_counts(store) == (0, 0)


# == Zeeschuimer (built) ===============================================================================
def test_zeeschuimer_items():
    recs = list(parse_zeeschuimer(FIXTURES / "zeeschuimer_instagram.ndjson"))
    assert len(recs) == 3  # the 4th line is an ad: not a post
    carousel, reel, photo = recs
    assert (carousel.platform_id, carousel.account.handle, carousel.account.platform_id) == (
        "3350000000000000001", "akimat_almaty", "1234567890")
    assert (carousel.media_kind, carousel.likes, carousel.comments_count) == ("album", 512, 3)
    assert [t.handle for t in carousel.tagged] == ["almaty_police"]
    assert (reel.media_kind, reel.views, reel.text, reel.url) == (
        "long_video", 40100, None, "https://www.instagram.com/reel/C6xCCCCCCC1/")
    assert photo.published_utc == datetime(2024, 5, 7, 9, 0, tzinfo=UTC)
    assert [t.handle for t in photo.tagged] == ["almaty_akim_press"]
    assert isinstance(photo.raw, bytes) and photo.location == "line 3"


def test_zeeschuimer_bad_line_is_named(store, tmp_path):
    lines = (FIXTURES / "zeeschuimer_instagram.ndjson").read_text().splitlines()
    row = json.loads(lines[1])
    del row["data"]["taken_at"]
    lines[1] = json.dumps(row, ensure_ascii=False)
    bad = tmp_path / "zee.ndjson"
    bad.write_text("\n".join(lines) + "\n")
    result = import_file(store, bad)
    assert not result.ok and "line 2" in result.error and "data.taken_at" in result.error
    assert row_counts(store) == (0, 0)
    result = import_file(store, bad, skip_bad=True)
    assert result.ok and result.counts["posts"] == 2 and result.skipped[0]["location"] == "line 2"


# == detection ===========================================================================================
def test_detection_of_each_format():
    assert detect_format(FIXTURES / "zeeschuimer_instagram.ndjson").id == "instagram_zeeschuimer"
    for p in LOADER.iterdir():
        assert detect_format(p).id == "instagram_instaloader"
    assert detect_format(FIXTURES / "media_nested_p1.json").id == "instagram_graph"
    assert detect_format(ig("users", "medias_p1.json")).id == "instagram_graph"
    assert detect_format(ig("medias", "comments_p1.json")).id == "instagram_graph"


def test_no_false_positives_on_other_samples(tmp_path):
    others = [p for p in real_samples() if (SAMPLE not in p.parts or "facebook" in p.parts)]
    others += list((FIXTURES.parent / "facebook").glob("*.json"))
    tabular = tmp_path / "tabular.jsonl"
    tabular.write_text(json.dumps({"kind": "post", "platform": "instagram", "id": "1", "account": "a",
                                   "published_at": "2024-01-01T00:00:00Z", "timestamp": "2024-01-01"}) + "\n")
    others.append(tabular)
    assert len(others) > 60
    for fmt in FORMATS:
        claimed = [p for p in others if fmt.detect(p, peek_file(p))]
        assert claimed == [], fmt.id


def test_caption_mentions():
    assert [m.handle for m in caption_mentions("hi @a.b, @c_d. mail x@y.kz @a.b")] == ["a.b", "c_d"]


def test_compressed_instaloader_post_reads_like_plain(tmp_path):
    plain = LOADER / "2024-05-10_05-00-00_UTC.json"
    packed = tmp_path / "2024-05-10_05-00-00_UTC.json.xz"
    packed.write_bytes(lzma.compress(plain.read_bytes()))
    assert [r.platform_id for r in parse_instaloader(packed)] == ["3350000000000000001"]


def test_graph_file_compressed_and_truncated(tmp_path):
    raw = lzma.compress((FIXTURES / "media_nested_p1.json").read_bytes())
    packed = tmp_path / "media_nested_p1.json.xz"
    packed.write_bytes(raw)
    assert len(list(parse_graph(packed))) == 7
    cut = tmp_path / "media_cut.json.xz"
    cut.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(SourceError, match="truncated"):
        list(parse_graph(cut))
