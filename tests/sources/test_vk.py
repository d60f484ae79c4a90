"""VK API importer (``vk_api``).

No real VK sample exists in shared/data/formats: the fixtures in tests/fixtures/vk/ are BUILT, not recorded —
written by hand from the documented response shapes of wall.get, wall.getComments and groups.getById
(dev.vk.com/method/...), with invented accounts and texts. See tests/fixtures/vk/README.md.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select

from akimwatch.ingest import import_file
from akimwatch.models import CommentRecord, FollowerRecord, PostRecord, SkippedRecord
from akimwatch.sources import detect_format
from akimwatch.sources.base import SourceError, read_head
from akimwatch.sources.vk import FORMATS, parse
from akimwatch.store.queries import count_rows
from akimwatch.store.schema import accounts, comments, follower_snapshots, post_mentions, posts
from tests.conftest import FORMATS as SAMPLES
from tests.conftest import real_samples

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "vk"
FMT = FORMATS[0]
WALL = FIX / "wall_get_envelope.json"
COMMENTS = FIX / "wall_getComments_envelope.json"
SIDECAR = FIX / "wall.getComments_-100001_2.json"


def _posts(path=WALL) -> dict[str, PostRecord]:
    return {r.platform_id: r for r in parse(path) if isinstance(r, PostRecord)}


def test_every_fixture_is_detected_as_vk():
    for path in sorted(FIX.glob("*.json")):
        assert detect_format(path).id == "vk_api", path.name


def test_no_false_positives_on_real_samples_of_other_platforms(tmp_path):
    others = [p for p in real_samples() if not p.relative_to(SAMPLES).parts[0].startswith("vk-")]
    for path in others:
        assert not FMT.detect(path, read_head(path)), path
    youtube = tmp_path / "yt.json"
    youtube.write_bytes(b'{"method": "comments.list", "response": {"kind": "youtube#commentListResponse", '
                        b'"items": [{"snippet": {"from_id": 1}}]}}')
    tab = tmp_path / "rows.jsonl"
    tab.write_bytes(b'{"kind": "post", "platform": "vk", "id": "1", "owner_id": "-1"}\n')
    assert not FMT.detect(youtube, read_head(youtube)) and not FMT.detect(tab, read_head(tab))


def test_wall_get_posts_media_counts_and_repost():
    got = _posts()
    assert sorted(got) == [f"-100001_{n}" for n in range(1, 6)]
    first = got["-100001_1"]
    assert first.account.platform_id == "-100001" and first.account.handle == "akimat_primersk"
    assert first.published_utc == datetime(2024, 6, 3, 9, 0, tzinfo=UTC)
    assert (first.likes, first.comments_count, first.shares, first.views) == (10, 3, 2, 500)
    assert (first.media_kind, first.url, first.comments_closed) == ("photo", "https://vk.com/wall-100001_1", False)
    assert [got[f"-100001_{n}"].media_kind for n in range(2, 6)] == ["album", "long_video", "text", "video"]
    repost = got["-100001_4"]
    assert repost.is_repost and repost.repost_source_name == "Примерск Новости"
    assert repost.repost_source_url == "https://www.primersk-news.example/news/12-dvorov"
    assert repost.repost_source_domain == "primersk-news.example"
    assert repost.text == "В Примерске отремонтируют 12 дворов" and repost.comments_closed is True
    assert [(m.platform_id, m.name) for m in got["-100001_5"].mentions] == [("300", "Айгуль Тестову")]


def test_bare_wall_get_from_a_personal_wall():
    post = _posts(FIX / "wall_get_bare.json")["400_77"]
    assert post.account.platform_id == "400" and post.account.handle is None and post.location == "record 1"


def test_comments_threads_parents_and_deleted():
    recs = list(parse(COMMENTS))
    assert all(isinstance(r, CommentRecord) for r in recs)
    by_id = {r.platform_id: r for r in recs}
    assert sorted(by_id) == ["-100001_11", "-100001_12", "-100001_13", "-100001_14"]  # 15 is deleted
    assert {r.post_platform_id for r in recs} == {"-100001_1"}
    assert by_id["-100001_12"].parent_platform_id == "-100001_11"
    assert by_id["-100001_13"].parent_platform_id == "-100001_12"
    assert by_id["-100001_11"].parent_platform_id is None
    assert by_id["-100001_12"].author.platform_id == "-100001" and by_id["-100001_12"].location == "record 1, reply 1"
    assert by_id["-100001_11"].author.name == "Айгуль Тестова" and by_id["-100001_11"].likes == 4


def test_bare_comments_take_the_post_from_the_file_name(tmp_path):
    (rec,) = parse(SIDECAR)
    assert (rec.platform_id, rec.post_platform_id) == ("-100001_21", "-100001_2")
    anonymous = tmp_path / "comments.json"
    anonymous.write_bytes(SIDECAR.read_bytes())
    (skipped,) = parse(anonymous)
    assert isinstance(skipped, SkippedRecord) and skipped.field == "post_id" and "wall.getComments_" in skipped.reason


def test_group_members_need_fetched_at(tmp_path):
    (snap,) = parse(FIX / "groups_getById_envelope.json")
    assert isinstance(snap, FollowerRecord)
    assert (snap.account.platform_id, snap.followers) == ("-100001", 15234)
    assert snap.taken_utc == datetime(2024, 6, 8, 10, 0, tzinfo=UTC)
    env = orjson.loads((FIX / "groups_getById_envelope.json").read_bytes())
    del env["fetched_at"]
    undated = tmp_path / "groups.json"
    undated.write_bytes(orjson.dumps(env))
    assert list(parse(undated)) == []


def test_import_all_fixtures_official_reply_and_reimport(store):
    results = [import_file(store, p) for p in (COMMENTS, SIDECAR, WALL, FIX / "wall_get_bare.json",
                                                FIX / "groups_getById_envelope.json")]
    assert all(r.ok for r in results), [r.error for r in results]
    # comments came before their posts: linked at the end of the wall.get file, official reply found then
    assert results[2].counts["official_replies"] == 1
    rows = count_rows(store)
    assert (rows["posts"], rows["comments"], rows["official_replies"], rows["follower_snapshots"]) == (6, 4, 1, 1)
    with store.connect() as conn:
        linked = conn.execute(select(comments.c.platform_id, comments.c.post_id, comments.c.is_official_reply)
                              .order_by(comments.c.platform_id)).all()
        assert all(row.post_id is not None for row in linked)
        assert [r.platform_id for r in linked if r.is_official_reply] == ["-100001_12"]
        assert conn.execute(select(accounts.c.id).where(accounts.c.platform_id == "-100001")).scalar_one() \
            == "vk:akimat_primersk"
        assert conn.execute(select(post_mentions.c.handle_key)).scalars().all() == ["id:300"]
        assert conn.execute(select(follower_snapshots.c.followers)).scalar_one() == 15234
        assert conn.execute(select(posts.c.repost_source_domain).where(posts.c.platform_id == "-100001_4")) \
            .scalar_one() == "primersk-news.example"
    for path in (COMMENTS, SIDECAR, WALL, FIX / "wall_get_bare.json", FIX / "groups_getById_envelope.json"):
        again = import_file(store, path)
        assert again.ok
        assert (again.counts["posts_new"], again.counts["posts_updated"], again.counts["comments_new"],
                again.counts["comments_updated"]) == (0, 0, 0, 0)
    assert count_rows(store) == rows


def test_post_without_date_fails_the_file_or_is_listed_with_skip_bad(store):
    path = FIX / "wall_get_missing_date.json"
    failed = import_file(store, path)
    assert not failed.ok
    assert path.name in failed.error and "record 2" in failed.error and "'date'" in failed.error
    assert count_rows(store)["posts"] == 0
    landed = import_file(store, path, skip_bad=True)
    assert landed.ok and landed.counts["posts"] == 1
    assert landed.skipped == [{"location": "record 2", "field": "date", "reason": "is not a unix timestamp (None)"}]


def test_truncated_file_is_a_source_error_and_nothing_lands(store, tmp_path):
    cut = tmp_path / "wall_get_cut.json"
    cut.write_bytes(WALL.read_bytes()[:2000])
    with pytest.raises(SourceError, match="truncated"):
        list(parse(cut))
    result = import_file(store, cut, format_id="vk_api")
    assert not result.ok and "truncated" in result.error
    assert count_rows(store)["posts"] == 0


def test_api_error_and_jsonl_of_envelopes(tmp_path):
    err = tmp_path / "err.json"
    err.write_bytes(b'{"error": {"error_code": 15, "error_msg": "Access denied: wall is disabled"}}')
    (skipped,) = parse(err)
    assert skipped.field == "error" and "Access denied" in skipped.reason
    lines = tmp_path / "collected.jsonl"
    lines.write_bytes(orjson.dumps(orjson.loads(WALL.read_bytes())) + b"\n"
                      + orjson.dumps(orjson.loads(COMMENTS.read_bytes())) + b"\n")
    recs = list(parse(lines))
    assert sum(isinstance(r, PostRecord) for r in recs) == 5 and sum(isinstance(r, CommentRecord) for r in recs) == 4
    assert recs[0].location == "line 1, record 1"
