"""Telegram channels without any credentials: the public web preview ``t.me/s/<channel>``.

``GET {base}/s/<channel>`` shows the newest ~20 posts (oldest first on the page) and the channel header
(subscribers); ``?before=<message id>`` pages back in time. ``AKIMWATCH_TELEGRAM_PREVIEW_BASE_URL``
(default ``https://t.me``) points it elsewhere. Every page goes through
``akimwatch.sources.telegram.map_preview_page`` — the mapper of the ``telegram_preview`` file format —
so posts, views, reactions, forwards and the follower count are read exactly as from a saved page.

Not available in the preview: comments (they live in the linked discussion group; use a Telegram
Desktop export of the group, or Telethon — not built here, see docs/collectors.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from akimwatch.harvest.base import WatchedAccount
from akimwatch.harvest.walk import FeedCollector, FeedPage, follower_snapshot
from akimwatch.models import FollowerRecord, PostRecord, Record
from akimwatch.sources.base import RecordError
from akimwatch.sources.telegram import map_preview_page


class TelegramPreviewCollector(FeedCollector):
    platform = "telegram_preview"  # AKIMWATCH_TELEGRAM_PREVIEW_BASE_URL; rate policy of "telegram"
    name = "telegram_preview"
    default_base = "https://t.me"

    def __init__(self, **kwargs: Any):
        if "controller" not in kwargs or kwargs["controller"] is None:
            from akimwatch.harvest.config import policy_for
            from akimwatch.harvest.http import RateController

            kwargs["controller"] = RateController(policy_for("telegram"))
        super().__init__(**kwargs)
        self._first: dict[str, tuple[FeedPage, list[Record]]] = {}

    @staticmethod
    def channel(account: WatchedAccount) -> str:
        if not account.handle:
            raise RecordError("handle", f"account {account.id}: the public preview needs the channel's "
                                        "@username (handle in the watch list)")
        return account.handle.lstrip("@")

    def _page(self, account: WatchedAccount, before: int | None, taken: datetime) -> tuple[FeedPage, list[Record]]:
        params = {"before": before} if before is not None else None
        html = self.get_text(f"s/{self.channel(account)}", params)
        page = map_preview_page(html, base_url=self.client.base, taken_utc=taken)
        posts = sorted((r for r in page.records if isinstance(r, PostRecord)),
                       key=lambda p: p.published_utc, reverse=True)
        followers = [r for r in page.records if isinstance(r, FollowerRecord)]
        others = [r for r in page.records if not isinstance(r, PostRecord | FollowerRecord)]
        older = page.min_message_id
        nxt = older if posts and older is not None and older > 1 and (before is None or older < before) else None
        return FeedPage(posts, others, nxt), followers

    def followers(self, account: WatchedAccount, taken_utc: datetime) -> list[Record]:
        page, followers = self._page(account, None, taken_utc)
        self._first[account.id] = (page, followers)
        return follower_snapshot(followers[0], taken_utc) if followers else []

    def first_page(self, account: WatchedAccount) -> FeedPage:
        cached = self._first.pop(account.id, None)
        return cached[0] if cached else self._page(account, None, self.now())[0]

    def next_page(self, account: WatchedAccount, token: Any) -> FeedPage:
        return self._page(account, int(token), self.now())[0]
