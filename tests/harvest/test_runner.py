"""The harvest runner with an in-memory collector: atomic pages, resume after a kill, deletions, failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from akimwatch.harvest.base import Listing, Page
from akimwatch.harvest.runner import harvest_account, load_cursors, watched_accounts
from akimwatch.models import Account, AccountRef, CommentRecord, Official, PostRecord
from akimwatch.registry import Registry
from akimwatch.store.queries import count_rows
from akimwatch.store.schema import comments, import_runs, posts
from akimwatch.store.watchlist import save_registry

T0 = datetime(2019, 7, 1, tzinfo=UTC)


def feed(n_posts: int, deleted: set[str] = frozenset(), edited: dict[str, str] | None = None):
    """A fake platform: n posts, two comments each; oldest first."""
    ref = AccountRef("vk", platform_id="-1")
    items = []
    for i in range(n_posts):
        pid = f"-1_{i}"
        if pid in deleted:
            continue
        post = PostRecord("vk", pid, ref, T0 + timedelta(hours=i), text=f"пост {i}")
        cs = [CommentRecord("vk", f"-1_c{i}_{j}", pid, AccountRef("vk", platform_id=str(100 + j)),
                            T0 + timedelta(hours=i, minutes=5 + j), text=(edited or {}).get(f"-1_c{i}_{j}", f"коммент {j}"))
              for j in range(2)]
        items.append((post, cs))
    return items


class FakeCollector:
    platform = "vk"
    name = "fake_vk"

    def __init__(self, items, page_size=2, explode_after: int | None = None, fail: bool = False):
        self.items, self.page_size, self.explode_after, self.fail = items, page_size, explode_after, fail
        self.pages_served = 0

    def fetch_pages(self, account, cursors, *, since, full):
        if self.fail:
            raise RuntimeError("token https://api.vk.com/method/wall.get?access_token=SECRET expired")
        start = (cursors.get("wall") or {}).get("offset", 0)
        for offset in range(start, len(self.items), self.page_size):
            if self.explode_after is not None and self.pages_served >= self.explode_after:
                raise KeyboardInterrupt
            chunk = self.items[offset:offset + self.page_size]
            records = [r for post, cs in chunk for r in (post, *cs)]
            listings = [Listing("comments", post.platform_id, {c.platform_id for c in cs}) for post, cs in chunk]
            self.pages_served += 1
            yield Page("wall", records, {"offset": offset + len(chunk)}, listings)
        yield Page("wall", [], None, [Listing("posts", account.id, {p.platform_id for p, _ in self.items},
                                              T0, T0 + timedelta(days=30))])


@pytest.fixture
def watched(store):
    reg = Registry(officials=[Official("o1", "Аким", "akim_region", "KZ-55")],
                   accounts=[Account("vk-1", "vk", handle="akimat", platform_id="-1", official_id="o1"),
                             Account("vk-2", "vk", handle="other", platform_id="-2", official_id="o1")])
    with store.begin() as conn:
        save_registry(conn, reg)
    return store


def snapshot(engine):
    with engine.connect() as conn:
        return (sorted(conn.execute(select(posts.c.platform_id, posts.c.text, posts.c.deleted_utc.is_(None))).all()),
                sorted(conn.execute(select(comments.c.platform_id, comments.c.text, comments.c.version)).all()))


def test_kill_mid_harvest_then_rerun_equals_uninterrupted_run(watched, tmp_path):
    account = watched_accounts(watched, account_id="vk-1")[0]
    with pytest.raises(KeyboardInterrupt):
        harvest_account(watched, FakeCollector(feed(7), explode_after=2), account)
    assert count_rows(watched)["posts"] == 4  # two whole pages committed, nothing half-done
    with watched.connect() as conn:
        assert load_cursors(conn, "vk-1") == {"wall": {"offset": 4}}
    result = harvest_account(watched, FakeCollector(feed(7)), account)
    assert result.ok and result.counts["posts_new"] == 3 and result.counts["all_comments_new"] == 6
    resumed = snapshot(watched)

    from akimwatch.store.engine import create_store_engine, ensure_schema
    other = create_store_engine(f"sqlite:///{tmp_path / 'clean.db'}")
    ensure_schema(other)
    reg = Registry(officials=[Official("o1", "Аким", "akim_region")],
                   accounts=[Account("vk-1", "vk", handle="akimat", platform_id="-1", official_id="o1")])
    with other.begin() as conn:
        save_registry(conn, reg)
    harvest_account(other, FakeCollector(feed(7)), watched_accounts(other, account_id="vk-1")[0])
    assert snapshot(other) == resumed


def test_second_pass_marks_deletions_and_keeps_edit_history(watched):
    account = watched_accounts(watched, account_id="vk-1")[0]
    harvest_account(watched, FakeCollector(feed(4)), account)
    second = FakeCollector(feed(4, deleted={"-1_2"}, edited={"-1_c0_1": "коммент 1 (исправлено)"}))
    result = harvest_account(watched, second, account, full=True)
    assert result.ok and result.deleted == 1 and result.counts["all_comments_updated"] == 1
    post_rows, comment_rows = snapshot(watched)
    assert ("-1_2", "пост 2", False) in post_rows
    assert ("-1_c0_1", "коммент 1 (исправлено)", 2) in comment_rows


def test_failing_account_is_recorded_and_secret_free(watched):
    accounts = watched_accounts(watched)
    assert [a.id for a in accounts] == ["vk-1", "vk-2"]
    bad = harvest_account(watched, FakeCollector([], fail=True), accounts[1])
    good = harvest_account(watched, FakeCollector(feed(2)), accounts[0])
    assert not bad.ok and good.ok
    assert "SECRET" not in bad.error and "access_token=***" in bad.error
    with watched.connect() as conn:
        runs = conn.execute(select(import_runs.c.account_id, import_runs.c.status, import_runs.c.errors)
                            .order_by(import_runs.c.id)).all()
    assert [(r.account_id, r.status) for r in runs] == [("vk-2", "failed"), ("vk-1", "ok")]
    assert "SECRET" not in str(runs[0].errors)
