"""Exact values of every metric on a small hand-built store (tests/metrics/builders.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from akimwatch.config import load_config
from akimwatch.metrics import compute_metrics, parse_period
from tests.metrics.builders import PERIOD, build

CONTRACT_OFFICIAL = {"official_id", "name", "region", "status", "score", "rank", "accounts", "top_topics", "acted_on"}
CONTRACT_ACCOUNT = {"platform", "handle", "status", "posts", "posts_per_week", "first_post", "last_post",
                    "days_since_last_post", "formats", "repost_share", "voice", "citizen_comments", "official_replies",
                    "reply_rate", "median_reply_hours", "unanswered"}


@pytest.fixture
def built(store):
    ids = build(store)
    cfg = load_config(overrides={"ranking": {"min_citizen_comments": 5}})
    res = {o["official_id"]: o for o in compute_metrics(store, PERIOD, config=cfg)}
    return store, ids, res


def test_contract_keys(built):
    _, _, res = built
    for o in res.values():
        assert set(o) >= CONTRACT_OFFICIAL
        for a in o["accounts"]:
            assert set(a) >= CONTRACT_ACCOUNT
            assert set(a["voice"]) >= {"personal", "press_service"}
        for t in o["top_topics"]:
            assert {"topic", "comments", "requests"} <= set(t)
        for link in o["acted_on"]:
            assert {"topic", "comments", "post_id", "days_after"} <= set(link)


def test_activity_exact(built):
    _, _, res = built
    a = res["akim_a"]["accounts"][0]
    assert (a["posts"], a["posts_per_week"], a["status"]) == (10, 2.0, "active")
    assert a["first_post"] == "2019-06-01T10:00:00+00:00" and a["last_post"] == "2019-06-28T10:00:00+00:00"
    assert a["days_since_last_post"] == 2.6  # 06-28 10:00 → 07-01 00:00
    assert a["longest_silence_days"] == 3.0
    assert (a["weeks_observed"], a["weeks_with_posts"]) == (5, 4)
    # 10:00 UTC is 16:00 in Almaty (UTC+6 in 2019); 06-01-2019 was a Saturday.
    assert a["hour"][16] == 10 and a["weekday"][5] == 2
    assert a["formats"]["video"] == 0.2 and a["formats"]["photo"] == 0.8 and a["repost_share"] == 0.0
    assert a["voice"]["personal"] == 0.2 and a["voice"]["press_service"] == 0.8


def test_dormant_inactive_tagged_only(built):
    _, _, res = built
    d = res["akim_d"]["accounts"][0]
    assert d["status"] == "dormant" and d["days_since_last_post"] == 30.0 and d["posts_ever"] == 5
    assert res["akim_c"]["status"] == "inactive" and res["akim_c"]["accounts"][0]["posts_ever"] == 1
    assert res["akim_b"]["status"] == "tagged_only" and res["akim_b"]["tagged"] == 2
    assert res["akim_b"]["accounts"][0]["status"] == "tagged_only"
    assert res["akim_e"]["status"] == "active"


def test_dormant_threshold_is_config(store):
    build(store)
    cfg = load_config(overrides={"activity": {"dormant_days": 31}})
    res = {o["official_id"]: o for o in compute_metrics(store, PERIOD, ["akim_d"], cfg)}
    assert res["akim_d"]["accounts"][0]["status"] == "irregular"


def test_responsiveness_exact(built):
    _, _, res = built
    o = res["akim_a"]
    assert (o["citizen_comments"], o["official_replies"], o["replied_comments"]) == (7, 4, 3)
    assert o["reply_rate"] == round(3 / 7, 4)
    assert (o["requests_questions"], o["reply_rate_requests"]) == (6, 0.5)
    # First replies after 2 h (c1), 10 h (c2), 30 h (c3; its second reply is ignored): median 10, p90 30.
    assert (o["median_reply_hours"], o["p90_reply_hours"]) == (10.0, 30.0)
    assert o["unanswered"] == 3  # c4, c5, c7: requests older than 7 days before 07-01 without a reply
    e = res["akim_e"]
    assert (e["citizen_comments"], e["official_replies"], e["reply_rate"]) == (25, 0, 0.0)
    assert e["unanswered"] is None and e["requests_questions"] is None  # not labelled, not invented
    assert e["topics_state"] == "not_labelled"


def test_topics_latest_label_version_and_examples(built):
    _, ids, res = built
    o = res["akim_a"]
    assert o["label_versions"]["topic"] == "t1"
    zoo = o["top_topics"][0]
    assert (zoo["topic"], zoo["comments"], zoo["requests"], zoo["trend"]) == ("animals_zoo", 5, 4, "rising")
    assert [t["topic"] for t in o["top_topics"]] == ["animals_zoo", "roads_traffic"]  # c6 is 'none' in t1
    assert o["coverage"] == round(5 / 6, 3)
    ex = o["examples"]["animals_zoo"][0]
    assert ex["comment_id"] == ids["comment_c1"] and ex["similar_comments"] == 3
    assert ex["comment_ids"] == sorted([ids["comment_c1"], ids["comment_c3"], ids["comment_c4"]])


def test_acted_on_link(built):
    _, ids, res = built
    links = res["akim_a"]["acted_on"]
    post = [x for x in links if x["kind"] == "post"]
    assert len(post) == 1
    link = post[0]
    assert (link["topic"], link["post_id"], link["comments"], link["days_after"]) == (
        "animals_zoo", ids["post_a8"], 3, 5)
    assert link["comment_ids"] == sorted([ids["comment_c3"], ids["comment_c4"], ids["comment_c5"]])
    promise = [x for x in links if x["kind"] == "reply_promise"]
    assert [(p["reply_id"], p["comment_ids"], p["days_after"]) for p in promise] == [
        (ids["comment_r1"], [ids["comment_c1"]], 0)]


def test_acted_on_window_and_k_are_config(store):
    build(store)
    cfg = load_config(overrides={"agenda": {"acted_on_days": 4}})  # 06-21..06-24 holds only 2 zoo comments
    o = compute_metrics(store, PERIOD, ["akim_a"], cfg)[0]
    assert [x for x in o["acted_on"] if x["kind"] == "post"] == []
    cfg = load_config(overrides={"agenda": {"acted_on_days": 4, "cluster_min_comments": 2}})
    o = compute_metrics(store, PERIOD, ["akim_a"], cfg)[0]
    assert [(x["comments"], x["days_after"]) for x in o["acted_on"] if x["kind"] == "post"] == [(2, 4)]  # c4 on 06-21, c5 on 06-22


def test_no_labels_degrades(store):
    from sqlalchemy import delete

    from akimwatch.store.schema import labels

    build(store)
    with store.begin() as conn:
        conn.execute(delete(labels))
    o = compute_metrics(store, PERIOD, ["akim_a"])[0]
    assert o["topics_state"] == "not_labelled" and o["top_topics"] == [] and o["coverage"] is None
    assert o["requests_questions"] is None and o["unanswered"] is None
    assert o["citizen_comments"] == 7 and o["replied_comments"] == 3  # counting needs no labels
    assert o["voice_source"] == "rules (not stored)" and o["voice"]["personal"] == 0.2


def test_period_parse_and_unknown_official(store):
    assert parse_period("2019-06-01:2019-06-30") == PERIOD
    assert parse_period(":2019-06-30")[0] is None
    with pytest.raises(ValueError, match="not a date"):
        parse_period("2019-06-01:yesterday")
    build(store)
    with pytest.raises(KeyError, match="nobody"):
        compute_metrics(store, PERIOD, ["nobody"])


def test_tagged_only_without_account_via_config(store):
    from sqlalchemy import insert

    from akimwatch.store.schema import officials

    build(store)
    with store.begin() as conn:
        conn.execute(insert(officials), [{"id": "akim_x", "name_ru": "Аким Х", "position": "akim_region",
                                          "region": "KZ-47"}])
    o = compute_metrics(store, PERIOD, ["akim_x"])[0]
    assert o["status"] == "none" and o["accounts"] == []
    cfg = load_config(overrides={"tag_handles": {"akim_x": ["facebook:@Trumov_B"]}})
    o = compute_metrics(store, PERIOD, ["akim_x"], cfg)[0]
    assert (o["status"], o["tagged"], o["rank_state"]) == ("tagged_only", 2, "not_enough_data")


def test_bulk_query_path_gives_the_same_numbers(store, monkeypatch):
    """With many accounts the comment scans take another join order and run on two connections: same result."""
    from akimwatch.store import metrics_queries

    build(store)
    cfg = load_config(overrides={"ranking": {"min_citizen_comments": 5}})
    small = compute_metrics(store, PERIOD, config=cfg)
    monkeypatch.setattr(metrics_queries, "MANY_ACCOUNTS", 0)
    assert compute_metrics(store, PERIOD, config=cfg) == small
