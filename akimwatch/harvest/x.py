"""X (Twitter) through API v2: the user timeline, replies by conversation search, public metrics, followers.

Requests (``AKIMWATCH_X_BASE_URL``, default ``https://api.x.com``; an app Bearer token in
``AKIMWATCH_X_BEARER_TOKEN``, sent as ``Authorization: Bearer``):

* ``/2/users/:id?user.fields=public_metrics`` (or ``/2/users/by/username/:handle``) — the follower snapshot;
* ``/2/users/:id/tweets`` newest first, paged by ``pagination_token``;
* ``/2/tweets/search/recent?query=conversation_id:<id>`` — the replies of each recent post, paged by
  ``next_token``. Recent search covers the last 7 days only: replies of older posts are not refreshed,
  and only posts younger than ``SEARCH_DAYS`` get a complete reply list (so older replies are never
  wrongly marked deleted).

Pages go through ``akimwatch.sources.x.map_object`` — the mapper of the ``x_api_v2`` export format
(twarc2 pages have exactly this shape).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from akimwatch.harvest.base import WatchedAccount
from akimwatch.harvest.walk import FeedCollector, FeedPage
from akimwatch.models import CommentRecord, PostRecord, Record, SkippedRecord
from akimwatch.sources.base import RecordError
from akimwatch.sources.x import map_object, map_user_followers

TWEET_FIELDS = ("created_at,author_id,conversation_id,referenced_tweets,public_metrics,entities,attachments,"
                "edit_history_tweet_ids,note_tweet,in_reply_to_user_id,lang")
EXPANSIONS = "author_id,referenced_tweets.id,referenced_tweets.id.author_id,attachments.media_keys"
SEARCH_DAYS = 6.5  # recent search reaches back 7 days; keep a margin


def x_error(response: httpx.Response) -> tuple[str, str] | None:
    if response.status_code == 401:
        return "fail", "the X token is invalid, expired or revoked (HTTP 401); create a new one (docs/collectors.md)"
    if response.status_code == 403:
        return "fail", f"access level does not allow this endpoint (HTTP 403): {response.text[:200]}"
    return None


class XCollector(FeedCollector):
    platform = "x"
    name = "x_api_v2"
    default_base = "https://api.x.com"
    credential_name = "x_bearer_token"
    page_size = 100

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def classify(self, response: httpx.Response) -> tuple[str, str] | None:
        return x_error(response)

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._ids: dict[str, str] = {}

    def user_id(self, account: WatchedAccount) -> str:
        if account.platform_id:
            return account.platform_id
        if account.id not in self._ids:
            if not account.handle:
                raise RecordError("handle", f"account {account.id} has neither platform_id nor handle")
            data = self.get_json(f"2/users/by/username/{account.handle.lstrip('@')}",
                                 {"user.fields": "public_metrics"})
            self._ids[account.id] = str((data.get("data") or {})["id"])
        return self._ids[account.id]

    def followers(self, account: WatchedAccount, taken_utc: datetime) -> list[Record]:
        data = self.get_json(f"2/users/{self.user_id(account)}", {"user.fields": "public_metrics,username,name"})
        user = data.get("data") if isinstance(data, dict) else None
        if not isinstance(user, dict):
            return []
        try:
            return [map_user_followers(user, taken_utc.isoformat(), "user lookup")]
        except RecordError as exc:
            return [SkippedRecord("user lookup", exc.field, exc.reason)]

    def _timeline(self, account: WatchedAccount, token: str | None) -> FeedPage:
        uid = self.user_id(account)
        params: dict[str, Any] = {"max_results": self.page_size, "tweet.fields": TWEET_FIELDS,
                                  "expansions": EXPANSIONS, "user.fields": "username,name",
                                  "media.fields": "type,duration_ms"}
        if token:
            params["pagination_token"] = token
        data = self.get_json(f"2/users/{uid}/tweets", params)
        records = list(map_object(data, f"users/{uid}/tweets", None, "tweet")) if data.get("data") else []
        posts = [r for r in records if isinstance(r, PostRecord)]
        posts.sort(key=lambda p: p.published_utc, reverse=True)
        others = [r for r in records if not isinstance(r, PostRecord)]
        return FeedPage(posts, others, (data.get("meta") or {}).get("next_token"), size=len(data.get("data") or []))

    def first_page(self, account: WatchedAccount) -> FeedPage:
        return self._timeline(account, None)

    def next_page(self, account: WatchedAccount, token: Any) -> FeedPage:
        return self._timeline(account, token)

    def comments(self, account: WatchedAccount, post: PostRecord) -> tuple[list[Record], bool] | None:
        age = self.now() - post.published_utc
        if post.is_repost or age > timedelta(days=7):
            return None  # recent search cannot see them
        found: list[Record] = []
        token: str | None = None
        page = 0
        while True:
            page += 1
            params: dict[str, Any] = {"query": f"conversation_id:{post.platform_id}", "max_results": 100,
                                      "tweet.fields": TWEET_FIELDS, "expansions": EXPANSIONS,
                                      "user.fields": "username,name"}
            if token:
                params["next_token"] = token
            data = self.get_json("2/tweets/search/recent", params)
            if data.get("data"):
                found.extend(r for r in map_object(data, f"conversation {post.platform_id} page {page}", None, "tweet")
                             if isinstance(r, CommentRecord | SkippedRecord))
            token = (data.get("meta") or {}).get("next_token")
            if not token:
                return found, age <= timedelta(days=SEARCH_DAYS)
