"""YouTube through the Data API v3: channel uploads, statistics, comment threads with replies, subscribers.

Requests (``AKIMWATCH_YOUTUBE_BASE_URL``, default ``https://www.googleapis.com/youtube/v3``; an API key in
``AKIMWATCH_YOUTUBE_API_KEY``):

* ``channels?part=snippet,contentDetails,statistics&id=<channel id>`` (or ``forHandle=@handle``) — the
  subscriber snapshot and the uploads playlist (1 quota unit);
* ``playlistItems?playlistId=<uploads>`` newest first, ``pageToken`` (1 unit a page), then
  ``videos?id=..&part=snippet,contentDetails,statistics`` for the page's statistics (1 unit);
* ``commentThreads?videoId=..&part=snippet,replies`` with ``pageToken`` (1 unit a page); threads whose
  ``totalReplyCount`` exceeds the embedded replies are completed with ``comments?parentId=..``.

403 ``quotaExceeded`` stops (the quota resets at midnight Pacific time); ``rateLimitExceeded`` is retried.
Comments disabled on a video (403 ``commentsDisabled``) count as no comments. Responses are wrapped in the
envelope of the ``youtube_api`` file format and mapped by ``akimwatch.sources.youtube.map_response``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from akimwatch.harvest.base import WatchedAccount
from akimwatch.harvest.http import HarvestHTTPError
from akimwatch.harvest.walk import FeedCollector, FeedPage
from akimwatch.models import CommentRecord, PostRecord, Record, SkippedRecord
from akimwatch.sources.base import RecordError
from akimwatch.sources.youtube import map_response


def _reasons(response: httpx.Response) -> set[str]:
    try:
        errors = (response.json().get("error") or {}).get("errors") or []
    except (ValueError, AttributeError):
        return set()
    return {str(e.get("reason")) for e in errors if isinstance(e, dict)}


def youtube_error(response: httpx.Response) -> tuple[str, str] | None:
    if response.status_code < 400:
        return None
    reasons = _reasons(response)
    if reasons & {"rateLimitExceeded", "userRateLimitExceeded"}:
        return "retry", f"rate limited ({', '.join(sorted(reasons))})"
    if "quotaExceeded" in reasons or "dailyLimitExceeded" in reasons:
        return "fail", "daily quota exceeded; it resets at midnight Pacific time (docs/collectors.md)"
    if response.status_code in (400, 401, 403) and reasons & {"keyInvalid", "keyExpired", "forbidden",
                                                              "accessNotConfigured", "badRequest"}:
        return "fail", f"API key rejected ({', '.join(sorted(reasons))}); check AKIMWATCH_YOUTUBE_API_KEY"
    return None


class YouTubeCollector(FeedCollector):
    platform = "youtube"
    name = "youtube_api"
    default_base = "https://www.googleapis.com/youtube/v3"
    credential_name = "youtube_api_key"
    page_size = 50

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._uploads: dict[str, str] = {}

    def classify(self, response: httpx.Response) -> tuple[str, str] | None:
        return youtube_error(response)

    def auth_params(self) -> dict[str, Any]:
        return {"key": self.token}

    def call(self, method: str, params: dict[str, Any], taken: datetime | None = None) -> dict[str, Any]:
        envelope = {"method": f"{method}.list", "params": params, "response": self.get_json(method, params)}
        if taken is not None:
            envelope["fetched_at"] = taken.isoformat()
        return envelope

    def _channel(self, account: WatchedAccount, taken: datetime) -> dict[str, Any]:
        params: dict[str, Any] = {"part": "snippet,contentDetails,statistics"}
        if account.platform_id:
            params["id"] = account.platform_id
        elif account.handle:
            params["forHandle"] = "@" + account.handle.lstrip("@")
        else:
            raise RecordError("platform_id", f"account {account.id} has neither a channel id nor a handle")
        envelope = self.call("channels", params, taken)
        items = envelope["response"].get("items") or []
        if not items:
            raise HarvestHTTPError(f"youtube: channel {params.get('id') or params.get('forHandle')} not found")
        self._uploads[account.id] = items[0]["contentDetails"]["relatedPlaylists"]["uploads"]
        return envelope

    def followers(self, account: WatchedAccount, taken_utc: datetime) -> list[Record]:
        return list(map_response(self._channel(account, taken_utc), "channels.list"))

    def _uploads_page(self, account: WatchedAccount, token: str | None) -> FeedPage:
        if account.id not in self._uploads:
            self._channel(account, self.now())
        params: dict[str, Any] = {"part": "contentDetails", "playlistId": self._uploads[account.id],
                                  "maxResults": self.page_size}
        if token:
            params["pageToken"] = token
        listing = self.get_json("playlistItems", params)
        ids = [i["contentDetails"]["videoId"] for i in listing.get("items") or []
               if isinstance(i, dict) and (i.get("contentDetails") or {}).get("videoId")]
        records: list[Record] = []
        if ids:
            videos = self.call("videos", {"part": "snippet,contentDetails,statistics", "id": ",".join(ids),
                                          "maxResults": self.page_size})
            records = list(map_response(videos, f"videos.list page {token or 1}"))
        posts = sorted((r for r in records if isinstance(r, PostRecord)), key=lambda p: p.published_utc, reverse=True)
        return FeedPage(posts, [r for r in records if not isinstance(r, PostRecord)], listing.get("nextPageToken"),
                        size=len(listing.get("items") or []))

    def first_page(self, account: WatchedAccount) -> FeedPage:
        return self._uploads_page(account, None)

    def next_page(self, account: WatchedAccount, token: Any) -> FeedPage:
        return self._uploads_page(account, token)

    def comments(self, account: WatchedAccount, post: PostRecord) -> tuple[list[Record], bool]:
        found: list[Record] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"part": "snippet,replies", "videoId": post.platform_id, "maxResults": 100,
                                      "textFormat": "plainText"}
            if token:
                params["pageToken"] = token
            try:
                envelope = self.call("commentThreads", params)
            except HarvestHTTPError as exc:
                if exc.status == 403 and "commentsDisabled" in str(exc):
                    return [], True
                raise
            for thread in envelope["response"].get("items") or []:
                snippet = thread.get("snippet") or {}
                embedded = (thread.get("replies") or {}).get("comments") or []
                if int(snippet.get("totalReplyCount") or 0) > len(embedded):
                    thread["replies"] = {"comments": self._replies(snippet["topLevelComment"]["id"])}
            found.extend(r for r in map_response(envelope, f"commentThreads {post.platform_id}")
                         if isinstance(r, CommentRecord | SkippedRecord))
            token = envelope["response"].get("nextPageToken")
            if not token:
                return found, True

    def _replies(self, parent_id: str) -> list[dict[str, Any]]:
        replies: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"part": "snippet", "parentId": parent_id, "maxResults": 100,
                                      "textFormat": "plainText"}
            if token:
                params["pageToken"] = token
            data = self.get_json("comments", params)
            replies.extend(i for i in data.get("items") or [] if isinstance(i, dict))
            token = data.get("nextPageToken")
            if not token:
                return replies
