"""Facebook pages through the Graph API: the page's posts, every comment and reply, reactions, followers.

Requests (``AKIMWATCH_FACEBOOK_BASE_URL``, default ``https://graph.facebook.com/v19.0``; a Page access
token in ``AKIMWATCH_FACEBOOK_TOKEN``):

* ``/{page}?fields=id,name,username,followers_count,fan_count`` — the follower snapshot;
* ``/{page}/posts?fields=...`` newest first, paging by the ``paging.next`` parameters;
* ``/{post-id}/comments?filter=stream`` — all comments and replies of a post in one flat list
  (replies carry ``parent``), paged by ``after``.

Every object goes through ``akimwatch.sources.facebook.map_post`` / ``map_comment`` /
``map_page_followers``, exactly as an exported Graph API response file does.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from akimwatch.harvest.base import WatchedAccount
from akimwatch.harvest.walk import FeedCollector, FeedPage, follower_snapshot
from akimwatch.models import PostRecord, Record, SkippedRecord
from akimwatch.sources.base import RecordError
from akimwatch.sources.facebook import map_comment, map_page_followers, map_post

POST_FIELDS = ("id,message,story,created_time,permalink_url,from{id,name},parent_id,message_tags,with_tags,"
               "attachments{type,media_type,title,url,unshimmed_url,target,subattachments},shares,"
               "reactions.summary(total_count).limit(0),comments.summary(true).limit(0)")
COMMENT_FIELDS = "id,message,created_time,from{id,name},like_count,comment_count,permalink_url,parent{id}"
# Graph API throttling answers with 4xx and these codes (app, user, page, custom rate limits)
THROTTLE_CODES = {4, 17, 32, 341, 613, 80001}
TOKEN_CODES = {102, 190, 463, 467}


def graph_error(response: httpx.Response) -> tuple[str, str] | None:
    """Graph API error objects: throttling → retry with back-off; expired/invalid token → fail at once."""
    if response.status_code < 400:
        return None
    try:
        error = response.json().get("error") or {}
    except ValueError:
        return None
    code = error.get("code")
    message = str(error.get("message") or "")[:200]
    if code in THROTTLE_CODES:
        return "retry", f"rate limited (Graph API error {code}: {message})"
    if code in TOKEN_CODES:
        return "fail", (f"access token expired or invalid (Graph API error {code}: {message}); "
                        "get a new token (docs/collectors.md)")
    return None


def next_params(data: dict[str, Any]) -> dict[str, Any] | None:
    """The query of ``paging.next`` (without the token): asked again against our own base URL."""
    paging = data.get("paging") if isinstance(data, dict) else None
    nxt = paging.get("next") if isinstance(paging, dict) else None
    if not nxt:
        return None
    return {k: v for k, v in parse_qsl(urlsplit(nxt).query, keep_blank_values=True) if k != "access_token"}


class GraphAPICollector(FeedCollector):
    """What the Facebook and Instagram Graph API collectors share: address, token parameter, error objects."""

    default_base = "https://graph.facebook.com/v19.0"
    page_size = 25

    def classify(self, response: httpx.Response) -> tuple[str, str] | None:
        return graph_error(response)

    def auth_params(self) -> dict[str, Any]:
        return {"access_token": self.token}


class FacebookCollector(GraphAPICollector):
    platform = "facebook"
    name = "facebook_graph_api"
    credential_name = "facebook_token"

    @staticmethod
    def page_ref(account: WatchedAccount) -> str:
        ref = account.platform_id or account.handle
        if not ref:
            raise RecordError("platform_id", f"account {account.id} has neither platform_id nor handle")
        return ref

    def followers(self, account: WatchedAccount, taken_utc: datetime) -> list[Record]:
        info = self.get_json(self.page_ref(account), {"fields": "id,name,username,followers_count,fan_count"})
        return follower_snapshot(map_page_followers(info, taken_utc, "page info"), taken_utc)

    def _feed(self, account: WatchedAccount, params: dict[str, Any]) -> FeedPage:
        ref = self.page_ref(account)
        data = self.get_json(f"{ref}/posts", params)
        posts: list[PostRecord] = []
        skipped: list[Record] = []
        for n, item in enumerate(data.get("data") or [], start=1):
            where = f"{ref}/posts record {n}"
            try:
                posts.append(map_post(item, where, page_id=account.platform_id))
            except RecordError as exc:
                skipped.append(SkippedRecord(where, exc.field, exc.reason))
        return FeedPage(posts, skipped, next_params(data))

    def first_page(self, account: WatchedAccount) -> FeedPage:
        return self._feed(account, {"fields": POST_FIELDS, "limit": self.page_size})

    def next_page(self, account: WatchedAccount, token: Any) -> FeedPage:
        return self._feed(account, token)

    def comments(self, account: WatchedAccount, post: PostRecord) -> tuple[list[Record], bool]:
        found: list[Record] = []
        params: dict[str, Any] | None = {"fields": COMMENT_FIELDS, "filter": "stream", "order": "chronological",
                                         "summary": "1", "limit": 100}
        page = 0
        while params is not None:
            page += 1
            data = self.get_json(f"{post.platform_id}/comments", params)
            for n, item in enumerate(data.get("data") or [], start=1):
                where = f"{post.platform_id}/comments page {page} record {n}"
                try:
                    found.append(map_comment(item, where, post_id=post.platform_id))
                except RecordError as exc:
                    found.append(SkippedRecord(where, exc.field, exc.reason))
            params = next_params(data)
        return found, True
