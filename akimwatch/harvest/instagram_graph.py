"""Instagram business/creator accounts through the Instagram Graph API: media, comments with replies, followers.

Requests (``AKIMWATCH_INSTAGRAM_BASE_URL``, default ``https://graph.facebook.com/v19.0``; a token of the
Facebook page the Instagram account is connected to in ``AKIMWATCH_INSTAGRAM_TOKEN``):

* ``/{ig-user-id}?fields=id,username,followers_count,media_count`` — the follower snapshot;
* ``/{ig-user-id}/media?fields=...`` newest first, paged by ``paging.next``;
* ``/{media-id}/comments?fields=...,replies{...}`` — top-level comments with their replies, paged.

Objects go through ``akimwatch.sources.instagram.map_graph_media`` / ``iter_graph_comments`` /
``map_graph_user`` — the mappers of the ``instagram_graph`` export format. Accounts without Graph API
access: use instaloader and import its files (docs/collectors.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from akimwatch.harvest.base import WatchedAccount
from akimwatch.harvest.facebook import GraphAPICollector, next_params
from akimwatch.harvest.walk import FeedPage, follower_snapshot
from akimwatch.models import AccountRef, PostRecord, Record, SkippedRecord
from akimwatch.sources.base import RecordError
from akimwatch.sources.instagram import PLATFORM, iter_graph_comments, map_graph_media, map_graph_user

MEDIA_FIELDS = ("id,caption,media_type,media_product_type,permalink,timestamp,like_count,comments_count,"
                "username,is_comment_enabled")
REPLY_FIELDS = "id,text,timestamp,username,like_count,from{id,username}"
COMMENT_FIELDS = f"{REPLY_FIELDS},replies{{{REPLY_FIELDS}}}"


class InstagramGraphCollector(GraphAPICollector):
    platform = "instagram"
    name = "instagram_graph_api"
    credential_name = "instagram_token"

    @staticmethod
    def user_id(account: WatchedAccount) -> str:
        if not account.platform_id:
            raise RecordError("platform_id", f"account {account.id}: the Graph API needs the numeric "
                                             "Instagram business account id (platform_id in the watch list)")
        return account.platform_id

    def followers(self, account: WatchedAccount, taken_utc: datetime) -> list[Record]:
        info = self.get_json(self.user_id(account), {"fields": "id,username,name,followers_count,media_count"})
        return follower_snapshot(map_graph_user(info, taken_utc, "user info"), taken_utc)

    def _media(self, account: WatchedAccount, params: dict[str, Any]) -> FeedPage:
        uid = self.user_id(account)
        data = self.get_json(f"{uid}/media", params)
        owner = AccountRef(PLATFORM, platform_id=uid, handle=account.handle)
        posts: list[PostRecord] = []
        skipped: list[Record] = []
        for n, item in enumerate(data.get("data") or [], start=1):
            where = f"{uid}/media record {n}"
            try:
                posts.append(map_graph_media(item, where, owner))
            except RecordError as exc:
                skipped.append(SkippedRecord(where, exc.field, exc.reason))
        return FeedPage(posts, skipped, next_params(data))

    def first_page(self, account: WatchedAccount) -> FeedPage:
        return self._media(account, {"fields": MEDIA_FIELDS, "limit": self.page_size})

    def next_page(self, account: WatchedAccount, token: Any) -> FeedPage:
        return self._media(account, token)

    def comments(self, account: WatchedAccount, post: PostRecord) -> tuple[list[Record], bool]:
        found: list[Record] = []
        params: dict[str, Any] | None = {"fields": COMMENT_FIELDS, "limit": 50}
        page = 0
        while params is not None:
            page += 1
            data = self.get_json(f"{post.platform_id}/comments", params)
            found.extend(iter_graph_comments(data, f"{post.platform_id}/comments page {page}", post.platform_id))
            params = next_params(data)
        return found, True
