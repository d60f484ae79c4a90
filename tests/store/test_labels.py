"""One reader of labels: a retrain (a second version of every label in the store) changes no count anywhere,
and the newest version (compared as numbers) is the one every reader shows."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select, update

from akimwatch.inbox import workflow as web_inbox
from akimwatch.metrics import compute_metrics
from akimwatch.store import web_queries
from akimwatch.store.labels import current_versions, labels_of_items, topic_counts_between, version_key
from akimwatch.store.schema import labels
from tests.web.conftest import seed

OLD, NEW = "2026.11-9", "2026.11-10"  # string order says 9 > 10; numbers say 10 is newer


def test_versions_compare_as_numbers():
    assert version_key("topic-2026.11-10") > version_key("topic-2026.11-9")
    assert version_key("topic-2026.11-2+r2") > version_key("topic-2026.9-5+r2")
    assert version_key("lang-1.1") < version_key("lang-1.10")
    assert max(["x-9", "x-10", "x-1"], key=version_key) == "x-10"


def _everything(engine) -> dict:
    """Every count a user sees that depends on labels: metrics, official charts, topics page, comment filters,
    labels shown with a comment, the inbox, the topic-spike alert."""
    out: dict = {}
    metrics = compute_metrics(engine)
    out["metrics"] = [(o["official_id"], o["citizen_comments"], o["requests_questions"], o["unanswered"],
                       o["reply_rate_requests"], o["top_topics"], o["post_topics"]) for o in metrics]
    with engine.begin() as conn:
        out["charts"] = [web_queries.official_charts(conn, oid) for oid in ("almaty-akim", "pavlodar-oblast")]
        out["topics"] = web_queries.topic_stats(conn)
        out["examples"] = [c["id"] for c in web_queries.representative_comments(conn, "animals_zoo")]
        out["filtered"] = [c["id"] for c in web_queries.list_comments(conn, topic="gas", with_labels=False)]
        out["typed"] = [c["id"] for c in web_queries.list_comments(conn, comment_type="request", with_labels=False)]
        out["labels"] = {i: {a: v["value"] for a, v in d.items()}
                         for i, d in labels_of_items(conn, "comment", list(range(1, 9))).items()}
        web_inbox.sync_requests(conn, now=datetime.now(UTC))
        out["inbox"] = sorted((r["comment_id"], r["topic"], r["kind"])
                              for r in web_inbox.list_requests(conn, now=datetime.now(UTC), limit=100))
        out["alert"] = topic_counts_between(conn, datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
    return out


def test_a_retrain_changes_no_count(sqlite_store):
    engine = sqlite_store
    seed(engine)
    with engine.begin() as conn:
        conn.execute(update(labels).values(version=OLD))
    before = _everything(engine)
    assert before["topics"]["totals"] and before["inbox"] and before["filtered"] == [5]
    with engine.begin() as conn:  # the retrained model gives the same answers, under a newer version
        rows = [dict(r) for r in conn.execute(select(labels)).mappings()]
        conn.execute(insert(labels), [{**r, "version": NEW} for r in rows])
    after = _everything(engine)
    assert after == before
    assert before["alert"] == {"animals_zoo": 2, "none": 1, "gas": 1, "roads_traffic": 1, "environment": 1,
                               "greening_parks": 1}


def test_the_newest_version_is_the_one_shown(sqlite_store):
    engine = sqlite_store
    seed(engine)
    with engine.begin() as conn:
        conn.execute(update(labels).values(version=OLD))
        rows = [dict(r) for r in conn.execute(select(labels)).mappings()]
        # the retrained model moves comment 5 from gas to roads: only the new answer may be counted
        conn.execute(insert(labels), [{**r, "version": NEW,
                                       "value": "roads_traffic" if (r["analyzer"], r["item_id"]) == ("topic", 5)
                                       else r["value"]} for r in rows])
        assert current_versions(conn, ["topic", "comment_type"]) == {"topic": NEW, "comment_type": NEW}
        analyzers = sorted({r["analyzer"] for r in rows})
        assert analyzers == ["comment_type", "topic"] and current_versions(conn) == dict.fromkeys(analyzers, NEW)
        assert current_versions(conn, ["topic", "never_ran"]) == {"topic": NEW}
    got = _everything(engine)
    assert dict(got["topics"]["totals"]).get("gas") is None
    assert dict(got["topics"]["totals"])["roads_traffic"] == 2
    assert got["filtered"] == []
    assert got["labels"][5]["topic"] == "roads_traffic"
    assert "gas" not in got["alert"]
    almaty = next(m for m in got["metrics"] if m[0] == "almaty-akim")
    assert all(t["topic"] != "gas" for t in almaty[5])


def test_items_the_current_version_has_not_labelled_read_as_not_labelled(sqlite_store):
    engine = sqlite_store
    seed(engine)
    with engine.begin() as conn:
        conn.execute(update(labels).values(version=OLD))
        conn.execute(insert(labels).values(item_kind="comment", item_id=1, analyzer="topic", version=NEW,
                                           value="animals_zoo", confidence=0.9))
        shown = labels_of_items(conn, "comment", [1, 5])
        assert shown[1]["topic"]["version"] == NEW and "topic" not in shown[5]  # never a mix of two models
        assert dict(web_queries.topic_stats(conn)["totals"]) == {"animals_zoo": 1}
