"""YouTube Data API v3 JSON responses (docs/formats.md).

Reads the API's own list responses, one per file (or one per line in ``.jsonl``), bare or wrapped in our
collector envelope ``{"method": "channels.list", "params": {...}, "fetched_at": "...", "response": {...}}``:

* ``videos.list`` / ``playlistItems.list`` / ``search.list`` → posts (one per video; ``platform_id`` is the
  video id, the account is the channel id). YouTube videos are ``long_video``; a Short (duration ≤ 60 s, from
  ``contentDetails.duration``) is ``video``; without a duration the video stays ``long_video``.
* ``commentThreads.list`` (top-level comments and the replies it embeds) and ``comments.list`` (replies) →
  comments; the store marks the channel's own answers as official replies (author channel id = video channel).
* ``channels.list`` → follower snapshots (``subscriberCount``) only when an envelope gives ``fetched_at``.

Paged results (``nextPageToken``) are simply one file per page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from akimwatch.models import (
    AccountRef,
    CommentRecord,
    FollowerRecord,
    OmittedRecord,
    PostRecord,
    Record,
    SkippedRecord,
)
from akimwatch.sources.base import (
    Format,
    RecordError,
    SourceError,
    as_dict,
    as_id,
    as_int,
    as_text,
    is_json_lines,
    iter_json_lines,
    parse_iso_utc,
    read_json_file,
)
from akimwatch.sources.peek import Peek

PLATFORM = "youtube"
SHORTS_MAX_S = 60
DURATION = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")
UNAVAILABLE = {"Private video", "Deleted video"}


def parse_duration(value: Any) -> float | None:
    """ISO 8601 duration (``PT1H2M3S``, ``P1DT2H``) → seconds; None when missing or not a duration."""
    if not isinstance(value, str):
        return None
    match = DURATION.match(value.strip())
    if not match or value.strip() in ("P", "PT"):
        return None
    weeks, days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return (((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds


def _snippet(item: dict[str, Any]) -> dict[str, Any]:
    snippet = item.get("snippet")
    if not isinstance(snippet, dict):
        raise RecordError("snippet", "is missing (request part=snippet)")
    return snippet


def _text(snippet: dict[str, Any]) -> str | None:
    parts = [p for p in (as_text(snippet.get("title")), as_text(snippet.get("description"))) if p]
    return "\n\n".join(parts) or None


def video_id_of(item: dict[str, Any]) -> str | None:
    """The video id of a videos / playlistItems / search item (each keeps it elsewhere)."""
    kind = item.get("kind")
    if kind == "youtube#video":
        return item.get("id") if isinstance(item.get("id"), str) else None
    if kind == "youtube#playlistItem":
        details = as_dict(item.get("contentDetails"))
        resource = as_dict(as_dict(item.get("snippet")).get("resourceId"))
        return as_id(details.get("videoId")) or as_id(resource.get("videoId"))
    if kind == "youtube#searchResult":
        ident = as_dict(item.get("id"))
        return as_id(ident.get("videoId")) if ident.get("kind") == "youtube#video" else None
    return None


def map_video(item: dict[str, Any], location: str) -> PostRecord:
    """A ``youtube#video`` / ``youtube#playlistItem`` / ``youtube#searchResult`` item → a post (pure)."""
    video_id = video_id_of(item)
    if not video_id:
        raise RecordError("id", "is missing (no video id)")
    snippet = _snippet(item)
    details = item.get("contentDetails") if isinstance(item.get("contentDetails"), dict) else {}
    # a playlist item's snippet.publishedAt is when it was added to the playlist; the video's own time wins
    published = parse_iso_utc(details.get("videoPublishedAt") or snippet.get("publishedAt"), "snippet.publishedAt")
    channel = as_id(snippet.get("videoOwnerChannelId")) or as_id(snippet.get("channelId"))
    if not channel:
        raise RecordError("snippet.channelId", "is missing")
    channel_title = as_text(snippet.get("videoOwnerChannelTitle")) or as_text(snippet.get("channelTitle"))
    stats = item.get("statistics") if isinstance(item.get("statistics"), dict) else {}
    seconds = parse_duration(details.get("duration"))
    media_kind = "video" if seconds is not None and 0 < seconds <= SHORTS_MAX_S else "long_video"
    return PostRecord(
        platform=PLATFORM, platform_id=video_id,
        account=AccountRef(PLATFORM, platform_id=channel, name=channel_title or None),
        published_utc=published, text=_text(snippet), media_kind=media_kind,
        url=f"https://www.youtube.com/watch?v={video_id}", likes=as_int(stats.get("likeCount")),
        comments_count=as_int(stats.get("commentCount")), views=as_int(stats.get("viewCount")),
        raw=item, location=location)


def _replies(thread: dict[str, Any]) -> list[Any]:
    holder = thread.get("replies")
    replies = holder.get("comments") if isinstance(holder, dict) else None
    return replies if isinstance(replies, list) else []


CHANNEL_COMMENT = "channel comment (on the channel, not under a video)"


def map_comment(comment: dict[str, Any], location: str, video_id: str | None = None,
                parent_id: str | None = None) -> CommentRecord:
    """A ``youtube#comment`` (top level or reply) → a comment (pure).

    ``video_id``/``parent_id`` come from the enclosing thread or the request when the comment lacks them.
    """
    comment_id = as_id(comment.get("id"))
    if not comment_id:
        raise RecordError("id", "is missing")
    snippet = _snippet(comment)
    video = as_id(snippet.get("videoId")) or as_id(video_id)
    parent = as_id(snippet.get("parentId")) or as_id(parent_id)
    if not video and not as_id(snippet.get("parentId")):
        raise RecordError("snippet.videoId", "is missing (a channel comment, or a comments.list page saved "
                          "without an envelope giving params.videoId)")
    author_channel = snippet.get("authorChannelId")
    author_id = as_id(author_channel.get("value") if isinstance(author_channel, dict) else author_channel)
    display = as_text(snippet.get("authorDisplayName"))
    # a reply from a comments.list page names only its thread (parentId): the store finds the video through it
    return CommentRecord(
        platform=PLATFORM, platform_id=comment_id, post_platform_id=video or "",
        parent_platform_id=parent,
        author=AccountRef(PLATFORM, platform_id=author_id,
                          handle=display if display and display.startswith("@") else None, name=display),
        published_utc=parse_iso_utc(snippet.get("publishedAt"), "snippet.publishedAt"),
        text=as_text(snippet.get("textOriginal")) or as_text(snippet.get("textDisplay")),
        likes=as_int(snippet.get("likeCount")), raw=comment, location=location)


def map_channel_followers(item: dict[str, Any], taken: str, location: str) -> FollowerRecord | None:
    """A ``youtube#channel`` with statistics, at the envelope's ``fetched_at`` → a snapshot (pure)."""
    if not item.get("id"):
        raise RecordError("id", "is missing")
    stats = item.get("statistics") if isinstance(item.get("statistics"), dict) else {}
    if stats.get("hiddenSubscriberCount"):
        return None  # the channel hides its count: nothing honest to record
    subscribers = as_int(stats.get("subscriberCount"))
    if subscribers is None:
        raise RecordError("statistics.subscriberCount", "is missing (request part=statistics)")
    snippet = item.get("snippet") if isinstance(item.get("snippet"), dict) else {}
    return FollowerRecord(
        account=AccountRef(PLATFORM, platform_id=item["id"], handle=snippet.get("customUrl") or None,
                           name=snippet.get("title") or None),
        taken_utc=parse_iso_utc(taken, "fetched_at"), followers=subscribers, location=location)


def _at(where: str, what: str) -> str:
    return f"{where}, {what}" if where else what


def _items(response: dict[str, Any], where: str) -> Iterator[tuple[str, Any]]:
    for n, item in enumerate(response.get("items") or [], start=1):
        yield _at(where, f"record {n}"), item


def map_response(obj: Any, where: str = "") -> Iterator[Record]:
    """One API list response (bare or in an envelope) → records."""
    if not isinstance(obj, dict):
        yield SkippedRecord(where or "file", "-", "is not a JSON object")
        return
    envelope = obj if "response" in obj else {}
    response = obj.get("response", obj)
    params = envelope.get("params") if isinstance(envelope.get("params"), dict) else {}
    if not isinstance(response, dict):
        yield SkippedRecord(where or "file", "response", "is not a JSON object")
        return
    if isinstance(response.get("error"), dict):
        yield SkippedRecord(where or "file", "error", f"is a YouTube API error: {response['error'].get('message')}")
        return
    kind = response.get("kind")
    for location, item in _items(response, where):
        if not isinstance(item, dict):
            yield SkippedRecord(location, "items", "is not a JSON object")
            continue
        try:
            if kind in ("youtube#videoListResponse", "youtube#playlistItemListResponse",
                        "youtube#searchListResponse"):
                if video_id_of(item) is None and item.get("kind") == "youtube#searchResult":
                    continue  # a channel or playlist in search results: not a video
                if as_dict(item.get("snippet")).get("title") in UNAVAILABLE and not (
                        item.get("contentDetails") or {}).get("videoPublishedAt"):
                    continue  # a private or deleted video in a playlist: nothing public to record
                yield map_video(item, location)
            elif kind == "youtube#commentThreadListResponse":
                snippet = _snippet(item)
                top = snippet.get("topLevelComment")
                if not isinstance(top, dict):
                    raise RecordError("snippet.topLevelComment", "is missing")
                video = as_id(snippet.get("videoId")) or as_id(params.get("videoId")) or as_id(
                    _snippet(top).get("videoId"))
                if not video and snippet.get("channelId"):
                    # a comment on the channel itself (the old Discussion tab), under no video
                    for _ in range(1 + len(_replies(item))):
                        yield OmittedRecord(location, CHANNEL_COMMENT)
                    continue
                yield map_comment(top, location, video)
                for m, reply in enumerate(_replies(item), start=1):
                    rloc = f"{location}, reply {m}"
                    try:
                        if not isinstance(reply, dict):
                            raise RecordError("replies.comments", "is not a JSON object")
                        yield map_comment(reply, rloc, video, as_id(top.get("id")))
                    except RecordError as exc:
                        yield SkippedRecord(rloc, exc.field, exc.reason)
            elif kind == "youtube#commentListResponse":
                yield map_comment(item, location, params.get("videoId"), params.get("parentId"))
            elif kind == "youtube#channelListResponse":
                if not envelope.get("fetched_at"):
                    return  # no honest time for the subscriber counts: nothing to record (docs/formats.md)
                record = map_channel_followers(item, envelope["fetched_at"], location)
                if record is not None:
                    yield record
            else:
                yield SkippedRecord(where or "file", "kind", f"is not a supported list response ({kind!r})")
                return
        except RecordError as exc:
            yield SkippedRecord(location, exc.field, exc.reason)


def parse(path: Path) -> Iterator[Record]:
    if is_json_lines(path):
        for item in iter_json_lines(path):
            if isinstance(item, SkippedRecord):
                yield item
                continue
            location, _line, obj = item
            yield from map_response(obj, location)
        return
    obj = read_json_file(path)
    response = obj.get("response", obj) if isinstance(obj, dict) else None
    if not isinstance(response, dict) or not str(response.get("kind", "")).startswith("youtube#"):
        raise SourceError(path, "", "kind", "is missing: not a YouTube Data API list response")
    yield from map_response(obj)


def detect(path: Path, peek: Peek) -> int:
    """YouTube Data API responses say what they are: ``"kind": "youtube#...ListResponse"``."""
    if peek.root not in ("object", "lines", "array") or "source_platform" in peek.children():
        return 0
    kind = peek.value("kind") or peek.value("response.kind")
    return 100 if isinstance(kind, str) and kind.startswith("youtube#") else 0

FORMATS = [
    Format("youtube_data_api", PLATFORM,
           "YouTube Data API v3 JSON: videos/playlistItems/search, commentThreads/comments, channels responses",
           detect, parse),
]
