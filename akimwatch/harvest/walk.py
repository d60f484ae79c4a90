"""The shared shape of every collector: walk an account's feed newest-first, page by page, resumably.

Cursor of the ``posts`` stream (stored in ``harvest_cursors`` with each page's rows)::

    {"done_utc": "<newest post time of the last completed walk>",
     "walk": {"next": <platform page token>, "floor": "...", "top": "...", "prev_oldest": "..."}}

``walk`` is present only while a walk is unfinished: a rerun after a crash continues from ``next``, so
nothing is skipped or saved twice. A new walk goes back to ``floor``: ``--since`` if given, everything
with ``--full`` or on the first run, else ``min(done_utc, now - recent window)`` — recent posts are
re-fetched on every run to record edits, new comments and deletions.

Each page yields a ``Listing`` of the posts visible between its oldest post and the previous page's
oldest, so posts that disappeared from that span are marked deleted; and, for every post whose comments
were fetched completely, a ``Listing`` of its comments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from akimwatch.harvest.base import Listing, Page, WatchedAccount
from akimwatch.harvest.config import credential, policy_for, recent_window
from akimwatch.harvest.http import PoliteClient, RateController
from akimwatch.models import CommentRecord, FollowerRecord, PostRecord, Record

STREAM = "posts"
TICK = timedelta(microseconds=1)


@dataclass
class FeedPage:
    """One API page of an account's posts, newest first, and the token for the next older page."""

    posts: list[PostRecord]
    records: list[Record] = field(default_factory=list)  # everything else mapped from the page (skipped, inline)
    next: Any = None  # JSON-serialisable; None at the end of the history
    pinned: set[str] = field(default_factory=set)  # post ids out of date order (pinned on top)
    size: int | None = None  # items the API returned (an X timeline page may hold only replies)

    @property
    def empty(self) -> bool:
        return (self.size if self.size is not None else len(self.posts) + len(self.records)) == 0


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def scrub(obj: Any, secrets: list[str]) -> Any:
    """Replace every occurrence of a secret in a JSON value (paging URLs carry tokens) before it is kept."""
    if not secrets:
        return obj
    if isinstance(obj, str):
        for secret in secrets:
            if secret in obj:
                obj = obj.replace(secret, "***")
        return obj
    if isinstance(obj, dict):
        return {k: scrub(v, secrets) for k, v in obj.items()}
    if isinstance(obj, list):
        return [scrub(v, secrets) for v in obj]
    return obj


class FeedCollector:
    """Base of the platform collectors: a polite client, a clock, the walk over the ``posts`` stream.

    Subclasses set ``platform``, ``name``, ``default_base`` and implement ``first_page``, ``next_page``,
    and optionally ``comments`` (all comments of one post, and whether the list is complete) and
    ``followers`` (a snapshot taken now).
    """

    platform = ""
    name = ""
    default_base = ""
    credential_name: str | None = None

    def __init__(self, *, controller: RateController | None = None, transport: httpx.BaseTransport | None = None,
                 now: Callable[[], datetime] | None = None, window: timedelta | None = None,
                 token: str | None = None):
        self.policy = controller.policy if controller else policy_for(self.platform)
        self.token = token or (credential(self.credential_name, purpose=f"{self.platform} harvest")
                               if self.credential_name else None)
        self.secrets = [self.token] if self.token else []
        self.client = PoliteClient(self.platform, default_base=self.default_base, policy=self.policy,
                                   controller=controller, transport=transport, headers=self.headers(),
                                   classify=self.classify)
        self.now = now or (lambda: datetime.now(UTC))
        self.window = window if window is not None else recent_window()

    # -- hooks -----------------------------------------------------------------------------------
    def headers(self) -> dict[str, str]:
        return {}

    def classify(self, response: httpx.Response) -> tuple[str, str] | None:
        return None

    def auth_params(self) -> dict[str, Any]:
        return {}

    def first_page(self, account: WatchedAccount) -> FeedPage:
        raise NotImplementedError

    def next_page(self, account: WatchedAccount, token: Any) -> FeedPage:
        raise NotImplementedError

    def comments(self, account: WatchedAccount, post: PostRecord) -> tuple[list[Record], bool] | None:
        return None

    def followers(self, account: WatchedAccount, taken_utc: datetime) -> list[Record]:
        return []

    # -- plumbing --------------------------------------------------------------------------------
    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET with credentials; the answer comes back with every secret scrubbed out of it."""
        return scrub(self.client.get_json(path, {**(params or {}), **self.auth_params()}), self.secrets)

    def get_text(self, path: str, params: dict[str, Any] | None = None) -> str:
        return self.client.get(path, {**(params or {}), **self.auth_params()}).text

    def close(self) -> None:
        self.client.close()

    def fetch_pages(self, account: WatchedAccount, cursors: dict[str, dict[str, Any]], *,
                    since: datetime | None, full: bool) -> Iterator[Page]:
        now = self.now()
        snapshot = self.followers(account, now)
        if snapshot:
            yield Page("followers", snapshot, {"taken_utc": _iso(now)})
        yield from self.walk(account, cursors.get(STREAM) or {}, now=now, since=since, full=full)

    def walk(self, account: WatchedAccount, cursor: dict[str, Any], *, now: datetime, since: datetime | None,
             full: bool) -> Iterator[Page]:
        done = _dt(cursor.get("done_utc"))
        state = cursor.get("walk")
        if state:
            floor, top, prev = _dt(state.get("floor")), _dt(state.get("top")), _dt(state.get("prev_oldest"))
            pinned = set(state.get("pinned") or [])
            page = self.next_page(account, state["next"])
        else:
            if since is not None:
                floor = since
            elif full or done is None:
                floor = None
            else:
                floor = min(done, now - self.window)
            top, prev, pinned = None, None, set()
            page = self.first_page(account)
        while True:
            records: list[Record] = [*page.posts, *page.records]
            listings: list[Listing] = []
            for post in page.posts:
                if floor is not None and post.published_utc < floor:
                    continue
                got = self.comments(account, post)
                if got is None:
                    continue
                found, complete = got
                records.extend(found)
                if complete:
                    listings.append(Listing("comments", post.platform_id,
                                            {c.platform_id for c in found if isinstance(c, CommentRecord)}))
            dated = [p.published_utc for p in page.posts if p.platform_id not in page.pinned] or \
                [p.published_utc for p in page.posts]
            oldest = min(dated) if dated else None
            if page.posts:
                newest = max(p.published_utc for p in page.posts)
                top = newest if top is None or newest > top else top
            at_end = page.next is None or page.empty
            finished = at_end or (floor is not None and oldest is not None and oldest < floor)
            pinned |= page.pinned  # a pinned post sits out of order: never "missing" from a later span
            if page.posts:
                start = floor if page.next is None else oldest
                listings.append(Listing("posts", account.id, {p.platform_id for p in page.posts} | pinned,
                                        start, prev - TICK if prev is not None else None))
            if finished:
                best = max(d for d in (top, done) if d is not None) if (top or done) else None
                yield Page(STREAM, records, {"done_utc": _iso(best)}, listings)
                return
            prev = oldest if oldest is not None else prev
            yield Page(STREAM, records, {"done_utc": _iso(done), "walk": {
                "next": page.next, "floor": _iso(floor), "top": _iso(top), "prev_oldest": _iso(prev),
                **({"pinned": sorted(pinned)} if pinned else {})}}, listings)
            page = self.next_page(account, page.next)


def follower_snapshot(record: FollowerRecord | None, taken_utc: datetime) -> list[Record]:
    """A follower count dated by the fetch time (the honest time of the snapshot)."""
    if record is None:
        return []
    record.taken_utc = taken_utc
    return [record]
