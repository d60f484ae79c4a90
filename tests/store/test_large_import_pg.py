"""PostgreSQL: a large import into a fresh store keeps table statistics in step (the per-batch «which
ids exist» lookups were planned blind — 26x slower than SQLite), and its rows go in by COPY."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from akimwatch.models import AccountRef, CommentRecord, PostRecord
from akimwatch.store.save import GrowthStatistics, RecordSaver, analyze_table, copy_rows
from akimwatch.store.schema import comments, posts

T0 = datetime(2020, 1, 1, tzinfo=UTC)


def _records(n_posts: int, per_post: int, tag: str = ""):
    akim = AccountRef(platform="instagram", handle="akim")
    for p in range(n_posts):
        yield PostRecord(platform="instagram", platform_id=f"{tag}p{p}", account=akim, published_utc=T0, text="пост")
        for i in range(per_post):
            yield CommentRecord(platform="instagram", platform_id=f"{tag}c{p}_{i}", post_platform_id=f"{tag}p{p}",
                                author=AccountRef(platform="instagram", handle=f"u{i}"), published_utc=T0,
                                text=f"комментарий {i}", likes=i)


def _reltuples(conn, table: str) -> float:
    return float(conn.exec_driver_sql("SELECT reltuples FROM pg_class WHERE oid = to_regclass(%(t)s)",
                                      {"t": table}).scalar())


def test_statistics_follow_a_large_import_into_a_fresh_store(store):
    if store.dialect.name != "postgresql":
        pytest.skip("PostgreSQL planner statistics")
    with store.begin() as conn:
        saver = RecordSaver(conn, run_id=None)
        saver.add_all(_records(120, 50))
        counts = saver.finish()
        assert counts.comments_new == 6000 and counts.posts_new == 120
        # inside the import's own transaction, the planner already knows the table is not empty
        assert _reltuples(conn, "comments") >= 3000
    with store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(comments)).scalar_one() == 6000
        assert conn.execute(select(func.sum(comments.c.likes))).scalar_one() == 120 * sum(range(50))
        assert conn.execute(select(comments.c.published_utc).limit(1)).scalar_one() == T0
        assert conn.execute(select(func.count()).select_from(posts)).scalar_one() == 120


def test_a_small_import_into_a_large_store_does_not_analyze(store, monkeypatch):
    if store.dialect.name != "postgresql":
        pytest.skip("PostgreSQL planner statistics")
    with store.begin() as conn:
        saver = RecordSaver(conn, run_id=None)
        saver.add_all(_records(120, 50))
        saver.finish()
    with store.begin() as conn:
        conn.exec_driver_sql("ANALYZE comments")
    ran = []
    monkeypatch.setattr("akimwatch.store.save.analyze_table", lambda c, name: ran.append(name) or True)
    with store.begin() as conn:
        saver = RecordSaver(conn, run_id=None)
        saver.add_all(_records(2, 50, tag="new"))
        saver.finish()
    assert ran == []


def test_analyze_refused_leaves_the_transaction_usable(store):
    if store.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    with store.begin() as conn:
        assert analyze_table(conn, "no_such_table") is False
        assert conn.execute(select(func.count()).select_from(posts)).scalar_one() == 0
        assert GrowthStatistics(conn).enabled


def test_copy_applies_to_postgresql_only(store):
    with store.begin() as conn:
        used = copy_rows(conn, posts, ("platform", "platform_id", "account_id", "published_utc", "version",
                                       "first_seen_utc", "updated_utc"), [])
        assert used is (store.dialect.name == "postgresql")
