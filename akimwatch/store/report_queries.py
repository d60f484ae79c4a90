"""Reads behind the reports that the metrics do not carry: posts per week, data freshness per account, links of
named posts, representative comments when topic labels are missing. SQL stays in the store package."""

from __future__ import annotations

import heapq
import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from akimwatch.models import to_utc
from akimwatch.store.metrics_queries import _within
from akimwatch.store.schema import comments, import_runs, posts

Period = tuple[datetime | None, datetime | None]
EXAMPLES_PER_OFFICIAL = 3
# Representative comments are real sentences, not one-word praise or pasted essays.
EXAMPLE_MIN_CHARS, EXAMPLE_MAX_CHARS = 25, 320


def week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def weekly_posts(conn, acc_ids: list[str], prd: Period) -> dict[str, dict[date, int]]:
    if not acc_ids:
        return {}
    out: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    stmt = (select(posts.c.account_id, posts.c.published_utc)
            .where(posts.c.account_id.in_(acc_ids), posts.c.deleted_utc.is_(None),
                   _within(posts.c.published_utc, prd)))
    for acc, ts in conn.execute(stmt):
        out[acc][week_start(to_utc(ts).date())] += 1
    return out


def freshness(conn, acc_ids: list[str]) -> dict[str, dict[str, str | None]]:
    """Last import that touched each account (its posts, or a run recorded for the account)."""
    if not acc_ids:
        return {}
    last: dict[str, datetime] = {}
    stmt = (select(posts.c.account_id, func.max(import_runs.c.finished_utc))
            .select_from(posts.join(import_runs, import_runs.c.id == posts.c.import_run_id))
            .where(posts.c.account_id.in_(acc_ids)).group_by(posts.c.account_id))
    direct = (select(import_runs.c.account_id, func.max(import_runs.c.finished_utc))
              .where(import_runs.c.account_id.in_(acc_ids)).group_by(import_runs.c.account_id))
    for stmt_ in (stmt, direct):
        for acc, ts in conn.execute(stmt_):
            if ts is not None:
                ts = to_utc(ts)
                last[acc] = max(last.get(acc, ts), ts)
    latest = dict(conn.execute(select(posts.c.account_id, func.max(posts.c.published_utc))
                               .where(posts.c.account_id.in_(acc_ids)).group_by(posts.c.account_id)).all())
    return {acc: {"last_import_utc": last[acc].isoformat() if acc in last else None,
                  "latest_item_utc": to_utc(latest[acc]).isoformat() if latest.get(acc) else None}
            for acc in acc_ids}


def post_links(conn, post_ids: list[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for i in range(0, len(post_ids), 500):
        chunk = post_ids[i:i + 500]
        stmt = select(posts.c.id, posts.c.url, posts.c.published_utc, posts.c.text).where(posts.c.id.in_(chunk))
        for pid, url, ts, text in conn.execute(stmt):
            out[pid] = {"url": url, "published_utc": to_utc(ts).isoformat(), "text": (text or "")[:200]}
    return out


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def example_comments(conn, officials: list[dict[str, Any]], prd: Period) -> dict[str, list[dict[str, Any]]]:
    """Up to three most-liked, mid-length, distinct citizen comments per official (used without topic labels)."""
    owner = {a["account_id"]: o["official_id"] for o in officials for a in o["accounts"]}
    if not owner:
        return {}
    n_len = func.length(comments.c.text)
    stmt = (select(posts.c.account_id, comments.c.id, comments.c.text, comments.c.likes, comments.c.published_utc,
                   posts.c.url)
            .select_from(comments.join(posts, posts.c.id == comments.c.post_id))
            .where(posts.c.account_id.in_(list(owner)), comments.c.is_official_reply.is_(False),
                   comments.c.deleted_utc.is_(None), n_len >= EXAMPLE_MIN_CHARS, n_len <= EXAMPLE_MAX_CHARS,
                   _within(comments.c.published_utc, prd)))
    heaps: dict[str, list[tuple]] = defaultdict(list)
    for acc, cid, text, likes, ts, url in conn.execute(stmt):
        h = heaps[owner[acc]]
        item = (likes or 0, -cid, acc, text, ts, url)
        if len(h) < 12:
            heapq.heappush(h, item)
        elif item > h[0]:
            heapq.heapreplace(h, item)
    out: dict[str, list[dict[str, Any]]] = {}
    for oid, h in heaps.items():
        seen: set[str] = set()
        picked = []
        for likes, negid, acc, text, ts, url in sorted(h, reverse=True):
            key = _norm(text)[:60]
            if key in seen:
                continue
            seen.add(key)
            picked.append({"comment_id": -negid, "text": text, "likes": likes, "account_id": acc,
                           "published_utc": to_utc(ts).isoformat(), "post_url": url})
            if len(picked) == EXAMPLES_PER_OFFICIAL:
                break
        out[oid] = picked
    return out
