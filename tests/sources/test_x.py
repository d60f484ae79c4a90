"""X/Twitter API v2 (twarc2) importer, tested on the REAL samples in shared/data/formats/twitter-api-v2-twarc-csv.

Counts are exact for each real file. One small page (root tweet + the author's own reply) is BUILT in the test
from the documented API v2 shape, only to show that a self-reply becomes an official reply: none of the real
samples holds both a root and its author's reply.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select

from akimwatch.ingest import import_file
from akimwatch.models import CommentRecord, FollowerRecord, PostRecord, SkippedRecord
from akimwatch.sources import detect_format
from akimwatch.sources.peek import peek_file
from akimwatch.sources.x import FORMATS, parse
from akimwatch.store.queries import count_rows
from akimwatch.store.schema import comments, follower_snapshots, posts, text_versions
from tests.conftest import real_samples, require_sample

FMT = FORMATS[0]
FOLDER = "twitter-api-v2-twarc-csv"

# file → (posts, comments, skipped, followers) as parsed
EXPECTED = {
    "brexit.jsonl": (90, 10, 0, 0),
    "edited_after.jsonl": (1, 0, 0, 0),
    "edited_before.jsonl": (1, 0, 0, 0),
    "flat.jsonl": (69, 31, 0, 0),
    "geo_tweets.jsonl": (1, 1, 0, 0),
    "noflat.jsonl": (69, 31, 0, 0),
    "quoted_edit.jsonl": (0, 1, 0, 0),
    "streaming_output_with_error.jsonl": (4, 3, 1, 0),
    "users.jsonl": (0, 0, 0, 96),
    "withheld.jsonl": (153, 62, 0, 0),
}


def _records(name: str) -> list:
    return list(parse(require_sample(FOLDER, name)))


def _by_id(records: list) -> dict[str, object]:
    return {r.platform_id: r for r in records if isinstance(r, PostRecord | CommentRecord)}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_exact_counts_on_each_real_file(name):
    kinds = Counter(type(r).__name__ for r in _records(name))
    assert (kinds["PostRecord"], kinds["CommentRecord"], kinds["SkippedRecord"], kinds["FollowerRecord"]) == \
        EXPECTED[name]


def test_every_real_file_is_detected_as_x():
    for path in sorted(require_sample(FOLDER, "brexit.jsonl").parent.glob("*.jsonl")):
        assert detect_format(path).id == "x_api_v2", path.name


def test_no_false_positives_on_other_platforms_samples():
    others = [p for p in real_samples() if FOLDER not in str(p)]
    assert others, "the other platforms' samples are missing"
    for path in others:
        assert not FMT.detect(path, peek_file(path)), path


def test_not_claiming_generic_jsonl_or_zeeschuimer(tmp_path):
    tab = tmp_path / "rows.jsonl"
    tab.write_bytes(b'{"kind": "post", "platform": "x", "id": "1", "author_id": "2", "conversation_id": "1"}\n')
    zee = tmp_path / "zee.ndjson"
    zee.write_bytes(b'{"source_platform": "twitter.com", "data": {"conversation_id": "1", "author_id": "2"}}\n')
    assert not FMT.detect(tab, peek_file(tab))
    assert not FMT.detect(zee, peek_file(zee))


def test_retweet_maps_to_repost_with_source_and_metrics():
    rt = _by_id(_records("noflat.jsonl"))["1380242611781386245"]
    assert rt.is_repost and rt.repost_source_name == "williamserafino"
    assert rt.repost_source_url == "https://x.com/williamserafino/status/1380175475545362437"
    assert rt.account.platform_id == "1352661060663336960" and rt.account.handle
    assert rt.published_utc == datetime(2021, 4, 8, 19, 34, 16, tzinfo=UTC)
    assert rt.text.startswith("RT @williamserafino: De manera simult")
    assert (rt.likes, rt.comments_count, rt.shares) == (0, 0, None)  # retweet_count 410 is the original's
    assert [(m.handle, m.platform_id) for m in rt.mentions] == [("williamserafino", "2718660392")]
    assert rt.url == f"https://x.com/{rt.account.handle}/status/1380242611781386245"


def test_reply_is_a_comment_on_the_conversation_root_with_parent():
    reply = _by_id(_records("noflat.jsonl"))["1380242586288328707"]  # the sample quoted in SOURCE.md
    assert isinstance(reply, CommentRecord)
    assert reply.post_platform_id == "1380220754978086917"
    assert reply.parent_platform_id == "1380229267770933248"
    assert reply.author.platform_id == "1910479285"
    assert reply.text.startswith("@TalkToTheFoot @JackPosobiec None of whom")


def test_kinds_of_posts_in_real_data():
    recs = [r for r in _records("noflat.jsonl") if isinstance(r, PostRecord)]
    assert sum(r.is_repost for r in recs) == 55  # 47 retweets + 8 quote tweets
    assert Counter(r.media_kind for r in recs) == {"text": 55, "photo": 10, "video": 3, "album": 1}
    domains = Counter(r.repost_source_domain for r in recs if r.repost_source_domain)
    assert domains["thegrio.com"] == 3
    withheld = [r for r in _records("withheld.jsonl") if isinstance(r, PostRecord)]
    assert Counter(r.media_kind for r in withheld)["long_video"] == 5


def test_flat_and_noflat_map_to_the_same_records():
    def fields(rec):
        return {k: getattr(rec, k) for k in rec.__slots__ if k not in ("raw", "location")}

    flat = {k: fields(v) for k, v in _by_id(_records("flat.jsonl")).items()}
    noflat = {k: fields(v) for k, v in _by_id(_records("noflat.jsonl")).items()}
    assert flat == noflat and len(flat) == 100


def test_streaming_error_line_is_skipped_and_named():
    skipped = [r for r in _records("streaming_output_with_error.jsonl") if isinstance(r, SkippedRecord)]
    assert len(skipped) == 1 and skipped[0].location == "line 8" and "not valid JSON" in skipped[0].reason


def test_users_page_gives_follower_snapshots_at_retrieval_time():
    snaps = [r for r in _records("users.jsonl") if isinstance(r, FollowerRecord)]
    first = snaps[0]
    assert (first.account.platform_id, first.account.handle, first.followers) == ("119369819", "DoDirty78", 580)
    assert {s.taken_utc for s in snaps} == {datetime(2021, 10, 23, 19, 36, 18, tzinfo=UTC)}


def test_users_page_without_retrieval_time_gives_nothing(tmp_path):
    page = orjson.loads(require_sample(FOLDER, "users.jsonl").read_bytes())
    del page["__twarc"]
    path = tmp_path / "users.jsonl"
    path.write_bytes(orjson.dumps(page) + b"\n")
    assert list(parse(path)) == []


@pytest.mark.parametrize("name,posts_n,comments_n,skipped,followers", [
    ("noflat.jsonl", 69, 31, 0, 0),
    ("withheld.jsonl", 153, 62, 0, 0),
    ("users.jsonl", 0, 0, 0, 91),  # 96 user objects, 5 repeated ids
])
def test_import_into_store_and_reimport_changes_nothing(store, name, posts_n, comments_n, skipped, followers):
    path = require_sample(FOLDER, name)
    first = import_file(store, path)
    assert first.ok, first.error
    c = first.counts
    assert (c["posts_new"], c["all_comments_new"], c["official_replies"], c["skipped"], c["followers"]) == \
        (posts_n, comments_n, 0, skipped, followers)
    rows = count_rows(store)
    again = import_file(store, path)
    assert again.ok
    assert (again.counts["posts_new"], again.counts["posts_updated"], again.counts["all_comments_new"],
            again.counts["all_comments_updated"]) == (0, 0, 0, 0)
    assert count_rows(store) == rows


def test_flat_after_noflat_adds_nothing(store):
    assert import_file(store, require_sample(FOLDER, "noflat.jsonl")).ok
    rows = count_rows(store)
    result = import_file(store, require_sample(FOLDER, "flat.jsonl"))
    assert result.ok
    assert (result.counts["posts_new"], result.counts["posts_updated"], result.counts["all_comments_new"]) == (0, 0, 0)
    assert count_rows(store) == rows


def test_edited_tweet_keeps_one_post_with_history_and_links_the_reply(store):
    assert import_file(store, require_sample(FOLDER, "edited_before.jsonl")).ok
    after = import_file(store, require_sample(FOLDER, "edited_after.jsonl"))
    assert after.ok and after.counts["posts_updated"] == 1 and after.counts["posts_new"] == 0
    reply = import_file(store, require_sample(FOLDER, "quoted_edit.jsonl"))
    assert reply.ok and reply.counts["all_comments_new"] == 1
    with store.connect() as conn:
        post = conn.execute(select(posts).where(posts.c.platform == "x")).one()
        assert (post.platform_id, post.version, post.text) == ("1576994746135764992", 2,
                                                               "hey :) https://t.co/rnwEIoNuqd")
        assert post.url == "https://x.com/wongmjane/status/1576994789110992896"
        old = conn.execute(select(text_versions.c.text, text_versions.c.version)).all()
        assert [(v, t.startswith("i miss y")) for t, v in old] == [(1, True)]
        comment = conn.execute(select(comments)).one()
        assert comment.post_id == post.id and comment.parent_platform_id is None


def test_streaming_file_fails_whole_without_skip_bad_and_lands_with_it(store):
    path = require_sample(FOLDER, "streaming_output_with_error.jsonl")
    failed = import_file(store, path)
    assert not failed.ok and "line 8" in failed.error and path.name in failed.error
    assert count_rows(store)["posts"] == 0
    landed = import_file(store, path, skip_bad=True)
    assert landed.ok and landed.counts["posts"] == 4 and landed.counts["comments"] == 3
    assert landed.skipped[0]["location"] == "line 8"


def test_truncated_real_file_names_the_line(store, tmp_path):
    data = require_sample(FOLDER, "withheld.jsonl").read_bytes()
    cut = tmp_path / "withheld_cut.jsonl"
    cut.write_bytes(data[: len(data) - 5000])
    result = import_file(store, cut)
    assert not result.ok and "line 5" in result.error
    with store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(posts)).scalar_one() == 0


def test_tweet_without_created_at_is_named(store, tmp_path):
    page = orjson.loads(require_sample(FOLDER, "brexit.jsonl").read_bytes())
    del page["data"][4]["created_at"]
    path = tmp_path / "brexit_bad.jsonl"
    path.write_bytes(orjson.dumps(page) + b"\n")
    failed = import_file(store, path)
    assert not failed.ok and "line 1, tweet 5" in failed.error and "created_at" in failed.error
    assert count_rows(store)["posts"] == 0
    landed = import_file(store, path, skip_bad=True)
    assert landed.ok and landed.counts["posts"] + landed.counts["comments"] == 99
    assert landed.skipped == [{"location": "line 1, tweet 5", "field": "created_at",
                               "reason": "is not a timestamp (None)"}]


def test_api_error_line_is_skipped_with_the_api_message(tmp_path):
    path = tmp_path / "errors.jsonl"
    path.write_bytes(b'{"errors": [{"title": "Not Found Error", "detail": "Could not find tweet with ids: [1]."}]}\n')
    assert list(parse(path)) == [SkippedRecord("line 1", "errors",
                                               "is an API error, not data: Could not find tweet with ids: [1].")]


def _built_page() -> dict:
    """BUILT (not recorded): a root tweet and its author's own reply, in the documented v2 page shape."""
    user = {"id": "900", "username": "akim_test", "name": "Аким Тестов"}
    citizen = {"id": "901", "username": "citizen", "name": "Citizen"}
    return {
        "data": [
            {"id": "1000", "conversation_id": "1000", "author_id": "900", "created_at": "2024-03-01T06:00:00.000Z",
             "text": "Приём граждан в пятницу", "edit_history_tweet_ids": ["1000"],
             "public_metrics": {"like_count": 5, "reply_count": 2, "retweet_count": 1, "quote_count": 1,
                                "impression_count": 300}},
            {"id": "1001", "conversation_id": "1000", "author_id": "901", "created_at": "2024-03-01T07:00:00.000Z",
             "text": "@akim_test Во сколько?", "referenced_tweets": [{"type": "replied_to", "id": "1000"}],
             "entities": {"mentions": [{"username": "akim_test", "id": "900"}]}},
            {"id": "1002", "conversation_id": "1000", "author_id": "900", "created_at": "2024-03-01T08:00:00.000Z",
             "text": "@citizen С 10:00", "referenced_tweets": [{"type": "replied_to", "id": "1001"}]},
        ],
        "includes": {"users": [user, citizen]},
    }


def test_self_reply_is_an_official_reply(store, tmp_path):
    path = tmp_path / "built.json"  # a single pretty-printed response saved as .json
    path.write_bytes(orjson.dumps(_built_page(), option=orjson.OPT_INDENT_2))
    assert detect_format(path).id == "x_api_v2"
    result = import_file(store, path)
    assert result.ok, result.error
    assert (result.counts["posts"], result.counts["comments"], result.counts["official_replies"]) == (1, 1, 1)
    post = next(r for r in parse(path) if isinstance(r, PostRecord))
    assert (post.views, post.shares, post.likes, post.comments_count) == (300, 2, 5, 2)
    assert post.location == "record 1"
    with store.connect() as conn:
        answer = conn.execute(select(comments).where(comments.c.platform_id == "1002")).one()
        assert answer.is_official_reply and answer.parent_platform_id == "1001"
        assert conn.execute(select(func.count()).select_from(follower_snapshots)).scalar_one() == 0


def test_truncated_single_json_response_is_a_source_error(tmp_path):
    from akimwatch.sources.base import SourceError

    path = tmp_path / "page.json"
    path.write_bytes(orjson.dumps(_built_page(), option=orjson.OPT_INDENT_2)[:300])
    with pytest.raises(SourceError, match="truncated"):
        list(parse(path))


def test_a_search_all_page_imports_as_x(store):
    path = Path(__file__).resolve().parents[1] / "fixtures" / "x" / "search_all_page.json"
    assert detect_format(path).id == "x_api_v2"
    res = import_file(store, path)
    assert res.ok, res.error
    assert (res.counts["posts"], res.counts["comments"], res.counts["official_replies"]) == (1, 1, 0)
