"""VK through its API: the wall, comments with their threads, community member counts.

Requests (``AKIMWATCH_VK_BASE_URL``, default ``https://api.vk.com/method``; a user or service token in
``AKIMWATCH_VK_TOKEN``; API version ``AKIMWATCH_VK_API_VERSION``, default 5.199):

* ``groups.getById?group_id=<id>&fields=members_count`` — the follower snapshot (communities only);
* ``wall.get?owner_id=<id>&extended=1`` newest first (a pinned post on top), paged by ``offset``;
* ``wall.getComments?post_id=..&thread_items_count=10&extended=1`` per post, paged by ``offset``; threads
  longer than 10 replies are completed with ``wall.getComments?comment_id=..``.

VK answers errors with HTTP 200 and ``{"error": {"error_code": ..}}``: 6 (too many requests per second),
9 (flood control) and 10 (internal error) are retried with back-off; 5 (authorization failed: token
expired or revoked) stops the account at once. Responses are wrapped in the envelope the ``vk_api`` file
format reads and go through ``akimwatch.sources.vk.map_response`` — the same mapping as an export.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from akimwatch.harvest.base import WatchedAccount
from akimwatch.harvest.walk import FeedCollector, FeedPage
from akimwatch.models import CommentRecord, PostRecord, Record, SkippedRecord
from akimwatch.sources.base import RecordError
from akimwatch.sources.vk import map_response

API_VERSION = "5.199"
RETRY_CODES = {6, 9, 10}
TOKEN_CODES = {5, 27, 28}
HERE = Path("vk-harvest")


def vk_error(response: httpx.Response) -> tuple[str, str] | None:
    try:
        error = response.json().get("error") if response.status_code == 200 else None
    except (ValueError, AttributeError):
        return None
    if not isinstance(error, dict):
        return None
    code, message = error.get("error_code"), str(error.get("error_msg") or "")[:200]
    if code in RETRY_CODES:
        return "retry", f"VK error {code}: {message}"
    if code in TOKEN_CODES:
        return "fail", f"VK error {code}: {message}; the token expired or was revoked — get a new one (docs/collectors.md)"
    return "fail", f"VK error {code}: {message}"


class VKCollector(FeedCollector):
    platform = "vk"
    name = "vk_api"
    default_base = "https://api.vk.com/method"
    credential_name = "vk_token"
    page_size = 100

    def classify(self, response: httpx.Response) -> tuple[str, str] | None:
        return vk_error(response)

    def auth_params(self) -> dict[str, Any]:
        return {"access_token": self.token, "v": os.environ.get("AKIMWATCH_VK_API_VERSION", API_VERSION)}

    @staticmethod
    def owner(account: WatchedAccount) -> str:
        if not account.platform_id:
            raise RecordError("platform_id", f"account {account.id}: VK needs the wall's owner_id "
                                             "(community '-123', user '45') as platform_id")
        return account.platform_id

    def call(self, method: str, params: dict[str, Any], taken: datetime | None = None) -> dict[str, Any]:
        data = self.get_json(method, params)
        envelope = {"method": method, "params": params, "response": data.get("response")}
        if taken is not None:
            envelope["fetched_at"] = taken.isoformat()
        return envelope

    def followers(self, account: WatchedAccount, taken_utc: datetime) -> list[Record]:
        owner = self.owner(account)
        if not owner.startswith("-"):
            return []  # a person's wall: users.get followers_count is not mapped (docs/collectors.md)
        envelope = self.call("groups.getById", {"group_id": owner.lstrip("-"), "fields": "members_count"}, taken_utc)
        return list(map_response(envelope, HERE, "groups.getById"))

    def _wall(self, account: WatchedAccount, offset: int) -> FeedPage:
        owner = self.owner(account)
        envelope = self.call("wall.get", {"owner_id": owner, "offset": offset, "count": self.page_size,
                                          "extended": 1})
        response = envelope["response"] or {}
        items = response.get("items") or []
        records = list(map_response(envelope, HERE, f"wall.get offset {offset}"))
        posts = [r for r in records if isinstance(r, PostRecord)]
        pinned = {f"{owner}_{i['id']}" for i in items if isinstance(i, dict) and i.get("is_pinned")}
        total = response.get("count")
        nxt = offset + len(items) if items and (total is None or offset + len(items) < int(total)) else None
        return FeedPage(posts, [r for r in records if not isinstance(r, PostRecord)], nxt, pinned, len(items))

    def first_page(self, account: WatchedAccount) -> FeedPage:
        return self._wall(account, 0)

    def next_page(self, account: WatchedAccount, token: Any) -> FeedPage:
        return self._wall(account, int(token))

    def comments(self, account: WatchedAccount, post: PostRecord) -> tuple[list[Record], bool]:
        owner, _, post_id = post.platform_id.rpartition("_")
        found: list[Record] = []
        offset = 0
        while True:
            params = {"owner_id": owner, "post_id": post_id, "offset": offset, "count": 100, "extended": 1,
                      "need_likes": 1, "thread_items_count": 10, "sort": "asc"}
            envelope = self.call("wall.getComments", params)
            response = envelope["response"] or {}
            items = response.get("items") or []
            for item in items:
                thread = item.get("thread") if isinstance(item, dict) else None
                if isinstance(thread, dict) and int(thread.get("count") or 0) > len(thread.get("items") or []):
                    thread["items"] = self._thread(owner, post_id, item["id"])
            found.extend(r for r in map_response(envelope, HERE, f"wall.getComments {post.platform_id}")
                         if isinstance(r, CommentRecord | SkippedRecord))
            offset += len(items)
            if not items or offset >= int(response.get("current_level_count") or response.get("count") or 0):
                return found, True

    def _thread(self, owner: str, post_id: str, comment_id: Any) -> list[dict[str, Any]]:
        replies: list[dict[str, Any]] = []
        while True:
            data = self.get_json("wall.getComments", {"owner_id": owner, "post_id": post_id, "comment_id": comment_id,
                                                      "offset": len(replies), "count": 100, "need_likes": 1,
                                                      "sort": "asc"})
            response = data.get("response") or {}
            items = [i for i in response.get("items") or [] if isinstance(i, dict)]
            replies.extend(items)
            if not items or len(replies) >= int(response.get("count") or 0):
                return replies
