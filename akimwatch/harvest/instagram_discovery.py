"""Instagram Business Discovery: posts, like and comment counts of any public business or creator account, read
with the user's own Graph API token — for watchdogs who are not the page owner. Comments are **not** available
through Business Discovery (the Graph API gives their count only); the harvest says so.

``AKIMWATCH_INSTAGRAM_COLLECTOR=discovery`` chooses it. Credentials: ``AKIMWATCH_INSTAGRAM_TOKEN`` (a token of the
user's own Instagram business/creator account, as for ``instagram_graph_api``) and
``AKIMWATCH_INSTAGRAM_USER_ID`` (that account's numeric id: the requests are asked *as* it). The watched account
needs only its ``handle``.

Requests (one node, field expansion; docs/collectors.md):

* ``/{own-ig-user-id}?fields=business_discovery.username(HANDLE){id,username,name,followers_count,media_count}``;
* ``/{own-ig-user-id}?fields=business_discovery.username(HANDLE){media.limit(N){...}}``, older pages with
  ``media.after(CURSOR).limit(N){...}`` from ``business_discovery.media.paging.cursors.after``.

Media go through ``akimwatch.sources.instagram.map_graph_media`` — the mapper of the ``instagram_graph`` import
format, which also reads saved Business Discovery responses.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from akimwatch.harvest.base import WatchedAccount
from akimwatch.harvest.config import credential
from akimwatch.harvest.instagram_graph import MEDIA_FIELDS, InstagramGraphCollector
from akimwatch.harvest.walk import FeedPage, follower_snapshot
from akimwatch.models import AccountRef, PostRecord, Record, SkippedRecord
from akimwatch.sources.base import RecordError, as_dict, as_list
from akimwatch.sources.instagram import PLATFORM, map_graph_media, map_graph_user

log = logging.getLogger("akimwatch.harvest")
HANDLE = re.compile(r"^[A-Za-z0-9_.]{1,30}$")
NO_COMMENTS = ("Business Discovery gives posts, likes and comment counts only — no comment texts; "
               "for comments import an instaloader folder or use the page owner's token")


class InstagramDiscoveryCollector(InstagramGraphCollector):
    name = "instagram_business_discovery"
    no_comments = NO_COMMENTS

    def __init__(self, *, own_user_id: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.own_id = own_user_id or credential("instagram_user_id", purpose="instagram Business Discovery "
                                                "(the numeric id of your own Instagram business account)")
        self._warned = False

    @staticmethod
    def handle(account: WatchedAccount) -> str:
        handle = (account.handle or "").lstrip("@")
        if not HANDLE.match(handle):
            raise RecordError("handle", f"account {account.id}: Business Discovery needs the Instagram username "
                                        f"(handle in the watch list), not {handle!r}")
        return handle

    def _discover(self, account: WatchedAccount, inner: str) -> dict[str, Any]:
        data = self.get_json(self.own_id, {"fields": f"business_discovery.username({self.handle(account)}){{{inner}}}"})
        return as_dict(as_dict(data).get("business_discovery"))

    def followers(self, account: WatchedAccount, taken_utc: datetime) -> list[Record]:
        info = self._discover(account, "id,username,name,followers_count,media_count")
        return follower_snapshot(map_graph_user(info, taken_utc, "business discovery"), taken_utc)

    def _media(self, account: WatchedAccount, after: str | None) -> FeedPage:
        if not self._warned:
            log.warning("%s: %s", account.id, NO_COMMENTS)
            self._warned = True
        edge = f"media.after({after}).limit({self.page_size})" if after else f"media.limit({self.page_size})"
        found = self._discover(account, f"id,username,{edge}{{{MEDIA_FIELDS}}}")
        owner = AccountRef(PLATFORM, platform_id=found.get("id") if isinstance(found.get("id"), str) else None,
                           handle=self.handle(account))
        media = as_dict(found.get("media"))
        posts: list[PostRecord] = []
        skipped: list[Record] = []
        for n, item in enumerate(as_list(media.get("data")), start=1):
            where = f"business_discovery({owner.handle}) media record {n}"
            if not isinstance(item, dict):
                skipped.append(SkippedRecord(where, "-", "is not a JSON object"))
                continue
            try:
                posts.append(map_graph_media(item, where, owner))
            except RecordError as exc:
                skipped.append(SkippedRecord(where, exc.field, exc.reason))
        cursor = as_dict(as_dict(media.get("paging")).get("cursors")).get("after")
        more = isinstance(cursor, str) and cursor and cursor != after and posts
        return FeedPage(posts, skipped, cursor if more else None)

    def first_page(self, account: WatchedAccount) -> FeedPage:
        return self._media(account, None)

    def next_page(self, account: WatchedAccount, token: Any) -> FeedPage:
        return self._media(account, token if isinstance(token, str) else None)

    def comments(self, account: WatchedAccount, post: PostRecord) -> tuple[list[Record], bool] | None:
        return None  # not available through Business Discovery (NO_COMMENTS)
