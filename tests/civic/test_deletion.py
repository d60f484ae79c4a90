"""Deleted criticism: the arithmetic (intervals, groups, thresholds, caveats) and its queries on a real store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from akimwatch.civic import queries as q
from akimwatch.civic.deletion import compute_removals, group_of, wilson
from akimwatch.store.schema import accounts, comments, labels, officials, posts


def counts(crit: tuple[int, int], praise: tuple[int, int], other: tuple[int, int] = (0, 0)) -> list[dict]:
    """(removed, total) per group as the query's rows."""
    rows = []
    for ctype, (k, n) in (("complaint", crit), ("gratitude", praise), ("other", other)):
        rows += [{"comment_type": ctype, "sentiment": None, "removed": 1, "n": k},
                 {"comment_type": ctype, "sentiment": None, "removed": 0, "n": n - k}]
    return rows


def test_wilson_interval_matches_the_textbook_values():
    assert wilson(0, 0) is None
    lo, hi = wilson(10, 100)
    assert (lo, hi) == (0.0552, 0.1744)  # Newcombe (1998), 10/100
    assert wilson(0, 30)[0] == 0.0 and 0.11 < wilson(0, 30)[1] < 0.12


def test_groups_prefer_the_type_and_fall_back_to_sentiment():
    assert group_of("complaint", "positive") == "criticism"
    assert group_of("gratitude", "negative") == "praise"
    assert group_of("question", "negative") == "other"
    assert group_of(None, "negative") == "criticism"
    assert group_of(None, "positive") == "praise"
    assert group_of(None, None) == "not_labelled"


def test_a_page_that_removes_criticism_is_named_with_ratio_and_interval():
    r = compute_removals(counts((30, 100), (3, 100)), [], True, 30)
    assert r["state"] == "criticism_removed_more"
    assert r["criticism"]["rate"] == 0.3 and r["praise"]["rate"] == 0.03
    assert r["criticism_to_praise"] == 10.0
    assert r["criticism"]["ci95"][0] > r["praise"]["ci95"][1]


def test_overlapping_intervals_claim_nothing():
    r = compute_removals(counts((6, 100), (3, 100)), [], True, 30)
    assert r["state"] == "no_difference" and r["criticism_to_praise"] is None


def test_praise_removed_more_is_its_own_state():
    assert compute_removals(counts((1, 200), (40, 200)), [], True, 30)["state"] == "praise_removed_more"


def test_below_the_minimum_volume_nothing_is_compared():
    r = compute_removals(counts((20, 29), (0, 200)), [], True, 30)
    assert r["state"] == "too_few" and r["criticism_to_praise"] is None


def test_an_account_never_rechecked_is_not_an_all_clear():
    assert compute_removals(counts((0, 500), (0, 500)), [], False, 30)["state"] == "not_checked"


def test_replies_removed_with_their_parent_leave_count_and_removals():
    removed = [{"comment_type": "complaint", "sentiment": None, "hours": 2.0, "with_parent": False,
                "author_stayed": True},
               {"comment_type": "complaint", "sentiment": None, "hours": 2.0, "with_parent": True,
                "author_stayed": False},
               {"comment_type": "gratitude", "sentiment": None, "hours": 30.0, "with_parent": False,
                "author_stayed": False}]
    r = compute_removals(counts((2, 10), (1, 10)), removed, True, 1)
    assert r["criticism"] == {"comments": 9, "removed": 1, "rate": round(1 / 9, 4), "ci95": wilson(1, 9)}
    assert r["removed_with_parent"] == 1
    assert r["criticism_median_hours"] == 2.0 and r["praise_median_hours"] == 30.0
    assert r["median_hours_to_removal"] == 16.0


T0 = datetime(2019, 5, 1, 9, 0, tzinfo=UTC)


def _seed(engine) -> None:
    with engine.begin() as conn:
        conn.execute(officials.insert().values(id="o1", name_ru="Аким", position="akim_city", region="KZ-75"))
        conn.execute(accounts.insert().values(id="instagram:a", platform="instagram", handle="a", role="personal",
                                              official_id="o1"))
        conn.execute(posts.insert().values(id=1, platform="instagram", platform_id="p1", account_id="instagram:a",
                                           published_utc=T0, media_kind="photo"))
        rows = [  # id, pid, parent, author, type, deleted after hours (None = visible)
            (1, "c1", None, "u1", "complaint", 3), (2, "c2", "c1", "u2", "complaint", 3),
            (3, "c3", None, "u1", "gratitude", None), (4, "c4", None, "u3", "complaint", None),
            (5, "c5", None, "u4", "gratitude", 50), (6, "c6", None, "u5", "complaint", None)]
        conn.execute(comments.insert(), [
            {"id": i, "platform": "instagram", "platform_id": pid, "post_platform_id": "p1", "post_id": 1,
             "parent_platform_id": parent, "author_platform_id": author, "is_official_reply": False,
             "text": f"text {i}", "published_utc": T0 + timedelta(minutes=i),
             "deleted_utc": T0 + timedelta(minutes=i, hours=h) if h else None} for i, pid, parent, author, _, h in rows])
        conn.execute(labels.insert(), [{"item_kind": "comment", "item_id": i, "analyzer": "comment_type",
                                        "version": "1", "value": t, "confidence": 0.9} for i, *_, t, _h in rows])


@pytest.mark.parametrize("store", ["sqlite", "postgresql"], indirect=True)
def test_queries_count_removals_and_their_caveats(store):
    _seed(store)
    with store.connect() as conn:
        versions = q.civic_label_versions(conn)
        got = q.removal_counts(conn, ["instagram:a"], (None, None), versions)
        removed = q.removed_comments(conn, ["instagram:a"], (None, None), versions, with_text=True)
        assert q.rechecked_accounts(conn, ["instagram:a", "nope"]) == set()  # no harvest run: marks come from counts
        from akimwatch.civic.metrics_inputs import load_removals

        loaded = load_removals(conn, ["instagram:a", "nope"], (None, None), lambda rows: {"all": rows})
        assert loaded["rechecked"] == {"instagram:a"}
    cells = {(r["comment_type"], r["removed"]): r["n"] for r in got}
    assert cells == {("complaint", 1): 2, ("complaint", 0): 2, ("gratitude", 1): 1, ("gratitude", 0): 1}
    by_id = {r["id"]: r for r in removed}
    assert set(by_id) == {1, 2, 5}
    assert by_id[2]["with_parent"] and not by_id[1]["with_parent"]
    assert by_id[1]["author_stayed"] and not by_id[5]["author_stayed"]  # u1 still has comment 3
    assert by_id[1]["hours"] == pytest.approx(3.0)
    r = compute_removals(got, removed, True, 1)
    assert r["criticism"]["comments"] == 3 and r["criticism"]["removed"] == 1 and r["removed_with_parent"] == 1


def test_save_removal_marks_keeps_the_first_time(sqlite_store):
    _seed(sqlite_store)
    later = T0 + timedelta(days=9)
    with sqlite_store.begin() as conn:
        assert q.save_removal_marks(conn, [("instagram", "c4", later), ("instagram", "c1", later),
                                           ("instagram", "missing", later)]) == 1
        rows = q.removed_comments(conn, ["instagram:a"], (None, None), {})
    assert {r["id"]: r["deleted_utc"] for r in rows}[1] == T0 + timedelta(minutes=1, hours=3)
