"""Instagram: Graph API responses, instaloader metadata files, Zeeschuimer captures (docs/formats.md).

* ``instagram_graph`` — Instagram Graph API / Basic Display API JSON, one response a file: media lists
  (``/{ig-user-id}/media``, optionally with nested ``comments{...,replies{...}}``), comments and replies
  pages, single media/comment objects, Business Discovery, user info.
* ``instagram_instaloader`` — what instaloader writes next to each download: ``<date>_UTC.json[.xz]``
  (the post node), ``<date>_UTC_comments.json`` (comments with ``answers``), ``<user>_<id>.json[.xz]``.
* ``instagram_zeeschuimer`` — Zeeschuimer NDJSON (one captured item a line, ``source_platform``
  ``instagram.com``), as imported by 4CAT.

Graph API ids (``17846368219941692``) and the internal media pks that instaloader and Zeeschuimer
carry (``2890177687127817957``) are different id spaces: the same post imported from both is two posts.
"""

from __future__ import annotations

import lzma
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ijson
import orjson

from akimwatch.models import AccountRef, CommentRecord, FollowerRecord, PostRecord, Record, SkippedRecord
from akimwatch.sources.base import (
    Format,
    RecordError,
    SourceError,
    as_dict,
    as_int,
    as_list,
    iter_comment_edge,
    iter_json_lines,
    load_json,
    open_binary,
    parse_iso_utc,
    parse_unix_utc,
)
from akimwatch.sources.graph import filename_hints, read_graph_file
from akimwatch.sources.limits import IJSON_BUFFER
from akimwatch.sources.peek import Peek, base_name

PLATFORM = "instagram"
MENTION_RE = re.compile(r"(?<![\w.@])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)")
LONG_VIDEO_PRODUCTS = {"reels", "igtv", "clips"}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def _id(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def caption_mentions(text: str | None) -> tuple[AccountRef, ...]:
    """@handles named in a caption, in order, without repeats."""
    if not text:
        return ()
    seen: dict[str, None] = {}
    for handle in MENTION_RE.findall(text):
        seen.setdefault(handle.rstrip("."), None)
    return tuple(AccountRef(PLATFORM, handle=h) for h in seen)


# == Graph API ====================================================================================
GRAPH_MEDIA_KINDS = {"IMAGE": "photo", "VIDEO": "video", "CAROUSEL_ALBUM": "album"}


def graph_media_kind(item: dict[str, Any]) -> str:
    product = str(item.get("media_product_type") or "").lower()
    if product in LONG_VIDEO_PRODUCTS:
        return "long_video"
    return GRAPH_MEDIA_KINDS.get(str(item.get("media_type") or "").upper(), "text" if not item.get(
        "media_type") else "photo")


def map_graph_media(item: dict[str, Any], location: str = "", owner: AccountRef | None = None) -> PostRecord:
    """One Graph API IG Media object → PostRecord (pure). ``owner`` is the account the file is about
    (from the ``/{ig-user-id}/media`` paging URL or Business Discovery), used when the media lacks
    ``username`` / ``owner``."""
    media_id = _id(item.get("id"))
    if not media_id:
        raise RecordError("id", "is missing")
    owner_obj = item.get("owner") if isinstance(item.get("owner"), dict) else {}
    handle = _text(item.get("username")) or _text(owner_obj.get("username"))
    owner_id = _id(owner_obj.get("id"))
    if owner is not None:
        handle = handle or owner.handle
        owner_id = owner_id or owner.platform_id
    if not handle and not owner_id:
        raise RecordError("username", "is missing (no username/owner in the media, and the file does not "
                                      "say whose media it is: no /{ig-user-id}/media paging URL)")
    caption = _text(item.get("caption"))
    return PostRecord(
        platform=PLATFORM, platform_id=media_id, account=AccountRef(PLATFORM, platform_id=owner_id, handle=handle),
        published_utc=parse_iso_utc(item.get("timestamp"), "timestamp"), text=caption,
        media_kind=graph_media_kind(item), url=_text(item.get("permalink")), likes=as_int(item.get("like_count")),
        comments_count=as_int(item.get("comments_count")), views=as_int(item.get("view_count")),
        mentions=caption_mentions(caption),
        comments_closed=(not item["is_comment_enabled"]) if isinstance(item.get("is_comment_enabled"), bool)
        else None, raw=item, location=location)


def map_graph_comment(item: dict[str, Any], location: str = "", media_id: str | None = None,
                      parent_id: str | None = None) -> CommentRecord:
    """One Graph API IG Comment → CommentRecord (pure). The media comes from the comment's ``media.id``,
    the nesting, the comments page's paging URL or the file name (``media-<id>``), in that order."""
    comment_id = _id(item.get("id"))
    if not comment_id:
        raise RecordError("id", "is missing")
    media = item.get("media") if isinstance(item.get("media"), dict) else {}
    post_id = _id(media.get("id")) or media_id
    if not post_id:
        raise RecordError("media", "cannot be derived: the comment has no media.id and the file's paging URL "
                                   "does not name the media; put 'media-<media id>' in the file name")
    sender = item.get("from") if isinstance(item.get("from"), dict) else {}
    author = AccountRef(PLATFORM, platform_id=_id(sender.get("id")),
                        handle=_text(item.get("username")) or _text(sender.get("username")))
    return CommentRecord(
        platform=PLATFORM, platform_id=comment_id, post_platform_id=post_id, author=author,
        published_utc=parse_iso_utc(item.get("timestamp"), "timestamp"), text=_text(item.get("text")),
        parent_platform_id=_id(item.get("parent_id")) or parent_id, likes=as_int(item.get("like_count")),
        raw=item, location=location)


def iter_graph_comments(edge: Any, location: str, media_id: str | None, parent_id: str | None = None,
                        ) -> Iterator[Record]:
    """Comments of a nested ``comments`` / ``replies`` edge ({"data": [...]}) and their replies."""
    return iter_comment_edge(edge, location, lambda item, where, media, parent: map_graph_comment(
        item, where, media_id=media, parent_id=parent), "replies", media_id, parent_id, reply_word="reply")


def map_graph_user(item: dict[str, Any], taken_utc, location: str = "") -> FollowerRecord | None:
    """IG User with followers_count → FollowerRecord; None when the file says nothing about when."""
    count = as_int(item.get("followers_count"))
    if count is None or taken_utc is None:
        return None
    return FollowerRecord(AccountRef(PLATFORM, platform_id=_id(item.get("id")), handle=_text(item.get("username")),
                                     name=_text(item.get("name"))), taken_utc, count, location)


def _graph_kind(item: dict[str, Any]) -> str:
    if "business_discovery" in item:
        return "discovery"
    if "followers_count" in item or "media_count" in item or (
            "username" in item and not {"timestamp", "media_type", "caption", "permalink", "text"} & item.keys()):
        return "user"
    if "text" in item and "media_type" not in item:
        return "comment"
    return "media"


def _graph_media_with_comments(item: dict[str, Any], location: str, owner: AccountRef | None) -> Iterator[Record]:
    try:
        post = map_graph_media(item, location, owner)
    except RecordError as exc:
        yield SkippedRecord(location, exc.field, exc.reason)
        return
    yield post
    yield from iter_graph_comments(item.get("comments"), location, post.platform_id)


def parse_graph(path: Path) -> Iterator[Record]:
    graph = read_graph_file(path)
    node, edge = graph.edge()
    hints = filename_hints(path)
    owner_id = hints.get("user") or (node if edge == "media" else None)
    owner = AccountRef(PLATFORM, platform_id=owner_id) if owner_id else None
    media_hint = hints.get("media") or hints.get("post") or (node if edge == "comments" else None)
    parent_hint = hints.get("comment") or (node if edge == "replies" else None)
    fetched = graph.fetched_utc()
    for location, item in graph.records():
        if not isinstance(item, dict):
            yield SkippedRecord(location, "-", "is not a JSON object")
            continue
        kind = _graph_kind(item)
        if kind == "discovery":
            yield from _discovery(item["business_discovery"], location, fetched)
        elif kind == "user":
            record = map_graph_user(item, fetched, location)
            if record is not None:
                yield record
        elif kind == "comment":
            try:
                comment = map_graph_comment(item, location, media_id=media_hint, parent_id=parent_hint)
            except RecordError as exc:
                yield SkippedRecord(location, exc.field, exc.reason)
                continue
            yield comment
            yield from iter_graph_comments(item.get("replies"), location, comment.post_platform_id,
                                           comment.platform_id)
        else:
            yield from _graph_media_with_comments(item, location, owner)


def _discovery(bd: Any, location: str, fetched) -> Iterator[Record]:
    """Business Discovery: ``{"business_discovery": {"id", "username", "followers_count", "media": {...}}}``."""
    if not isinstance(bd, dict):
        yield SkippedRecord(location, "business_discovery", "is not a JSON object")
        return
    record = map_graph_user(bd, fetched, location)
    if record is not None:
        yield record
    owner = AccountRef(PLATFORM, platform_id=_id(bd.get("id")), handle=_text(bd.get("username")))
    media = bd.get("media", {}).get("data") if isinstance(bd.get("media"), dict) else None
    for n, item in enumerate(media or [], start=1):
        where = f"{location} media {n}"
        if isinstance(item, dict):
            yield from _graph_media_with_comments(item, where, owner)
        else:
            yield SkippedRecord(where, "-", "is not a JSON object")


_ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT")
IG_MEDIA_KEYS = {"media_type", "media_product_type", "caption", "permalink", "comments_count", "media_url",
                 "thumbnail_url", "is_comment_enabled"}
# X API v2 responses share ``data``/``text`` with IG comments; these keys are X's alone
X_KEYS = {"edit_history_tweet_ids", "conversation_id", "author_id", "referenced_tweets", "in_reply_to_user_id",
          "public_metrics"}


def detect_graph(path: Path, peek: Peek) -> int:
    """Graph API responses about IG media, comments and users: ISO ``timestamp``s (Facebook says
    ``created_time``), media or comment fields, or a Business Discovery / user object."""
    if peek.root != "object" or not base_name(peek.name).endswith(".json"):
        return 0
    top = peek.children()
    if top & {"node", "instaloader", "created_time", "fan_count", "source_platform", "__twarc", "response"}:
        return 0
    if peek.any("data.item.created_time", "meta.result_count", "meta.newest_id") or \
            (peek.children("data.item") | peek.children("data")) & X_KEYS:
        return 0
    if "business_discovery" in top:
        return 90
    for base in peek.object_bases():
        keys = peek.children(base)
        stamp = peek.value(f"{base}.timestamp" if base else "timestamp")
        if isinstance(stamp, str) and _ISO_TIME.match(stamp):
            if keys & IG_MEDIA_KEYS:
                return 80
            if "text" in keys:
                return 70
        if {"followers_count", "media_count"} & keys and "username" in keys:
            return 60
    return 0

# == instaloader ==================================================================================
def _edge_count(node: dict[str, Any], *keys: str) -> int | None:
    for key in keys:
        value = node.get(key)
        if isinstance(value, dict) and "count" in value:
            return as_int(value["count"])
    return None


def _edge_texts(edge: Any) -> list[str]:
    edges = edge.get("edges") if isinstance(edge, dict) else None
    return [e["node"]["text"] for e in edges or [] if isinstance(e, dict) and isinstance(e.get("node"), dict)
            and isinstance(e["node"].get("text"), str)]


def node_media_kind(node: dict[str, Any]) -> str:
    """GraphQL node (instaloader / Zeeschuimer graph items) → media kind."""
    if str(node.get("product_type") or "").lower() in LONG_VIDEO_PRODUCTS:
        return "long_video"
    typename = node.get("__typename")
    if typename in ("GraphSidecar", "XDTGraphSidecar") or isinstance(node.get("edge_sidecar_to_children"), dict):
        return "album"
    if typename in ("GraphVideo", "XDTGraphVideo") or node.get("is_video"):
        return "video"
    return "photo"


def map_node_post(node: dict[str, Any], location: str = "", raw: Any = None) -> PostRecord:
    """One Instagram GraphQL post node (instaloader's saved ``node``) → PostRecord (pure)."""
    media_id = _id(node.get("id"))
    if not media_id:
        raise RecordError("id", "is missing")
    owner = node.get("owner") if isinstance(node.get("owner"), dict) else {}
    account = AccountRef(PLATFORM, platform_id=_id(owner.get("id")), handle=_text(owner.get("username")),
                         name=_text(owner.get("full_name")))
    if not account.platform_id and not account.handle:
        raise RecordError("owner", "is missing (no owner.id / owner.username)")
    texts = _edge_texts(node.get("edge_media_to_caption"))
    caption = texts[0] if texts else _text(node.get("caption"))
    tagged = []
    for edge in as_list(as_dict(node.get("edge_media_to_tagged_user")).get("edges")):
        user = as_dict(edge.get("node")).get("user") if isinstance(edge, dict) else None
        if isinstance(user, dict) and (user.get("username") or user.get("id")):
            tagged.append(AccountRef(PLATFORM, platform_id=_id(user.get("id")), handle=_text(user.get("username")),
                                     name=_text(user.get("full_name"))))
    shortcode = _text(node.get("shortcode"))
    return PostRecord(
        platform=PLATFORM, platform_id=media_id, account=account,
        published_utc=parse_unix_utc(node.get("taken_at_timestamp"), "taken_at_timestamp"), text=caption,
        media_kind=node_media_kind(node),
        url=f"https://www.instagram.com/p/{shortcode}/" if shortcode else None,
        likes=_edge_count(node, "edge_media_preview_like", "edge_liked_by"),
        comments_count=_edge_count(node, "edge_media_to_comment", "edge_media_to_parent_comment",
                                   "edge_media_preview_comment"),
        views=as_int(node.get("video_view_count")), tagged=tuple(tagged), mentions=caption_mentions(caption),
        comments_closed=node["comments_disabled"] if isinstance(node.get("comments_disabled"), bool) else None,
        raw=raw if raw is not None else node, location=location)


def map_instaloader_comment(item: dict[str, Any], post_id: str, location: str = "",
                            parent_id: str | None = None) -> CommentRecord:
    """One comment of instaloader's ``_comments.json`` (``answers`` are its replies) → CommentRecord."""
    comment_id = _id(item.get("id"))
    if not comment_id:
        raise RecordError("id", "is missing")
    owner = item.get("owner") if isinstance(item.get("owner"), dict) else {}
    return CommentRecord(
        platform=PLATFORM, platform_id=comment_id, post_platform_id=post_id,
        author=AccountRef(PLATFORM, platform_id=_id(owner.get("id")), handle=_text(owner.get("username"))),
        published_utc=parse_unix_utc(item.get("created_at"), "created_at"), text=_text(item.get("text")),
        parent_platform_id=parent_id, likes=as_int(item.get("likes_count")),
        raw={k: v for k, v in item.items() if k != "answers"}, location=location)


def _load_json(path: Path) -> Any:
    try:
        with open_binary(path) as fh:
            return load_json(fh.read())
    except orjson.JSONDecodeError as exc:
        raise SourceError(path, "", None, f"file is truncated or not valid JSON ({exc})") from None
    except (EOFError, lzma.LZMAError) as exc:  # truncated .xz
        raise SourceError(path, "", None, f"file is truncated ({exc})") from None


def comments_sibling(path: Path) -> Path | None:
    """``2021-08-01_10-00-00_UTC_comments.json`` → its post's ``2021-08-01_10-00-00_UTC.json[.xz]``."""
    name = path.name
    for suffix in ("_comments.json.xz", "_comments.json.gz", "_comments.json"):
        if name.endswith(suffix):
            prefix = name[: -len(suffix)]
            for ext in (".json", ".json.xz", ".json.gz"):
                candidate = path.with_name(prefix + ext)
                if candidate.exists():
                    return candidate
            return None
    return None


def parse_instaloader(path: Path) -> Iterator[Record]:
    if "_comments.json" in path.name:
        yield from _parse_instaloader_comments(path)
        return
    data = _load_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("node"), dict):
        raise SourceError(path, "", "node", "is missing: not an instaloader metadata file")
    node_type = as_dict(data.get("instaloader")).get("node_type") or "Post"
    if node_type == "Post":
        try:
            yield map_node_post(data["node"], "record 1", raw=data)
        except RecordError as exc:
            yield SkippedRecord("record 1", exc.field, exc.reason)
    # Profile / StoryItem / Hashtag metadata: a profile's follower count has no capture time in the
    # file (instaloader rewrites it on every run), so no FollowerRecord is invented from it.


def _parse_instaloader_comments(path: Path) -> Iterator[Record]:
    sibling = comments_sibling(path)
    if sibling is None:
        raise SourceError(path, "", None, "has no post metadata file next to it",
                          "instaloader saves '<date>_UTC.json' beside '<date>_UTC_comments.json'; keep them "
                          "together (or run instaloader with metadata JSON enabled)")
    meta = _load_json(sibling)
    post_id = _id(as_dict((meta or {}).get("node")).get("id")) if isinstance(meta, dict) else None
    if not post_id:
        raise SourceError(sibling, "", "node.id", "is missing: cannot tell which post the comments belong to")
    try:
        with open_binary(path) as fh:
            for n, item in enumerate(ijson.items(fh, "item", use_float=True, buf_size=IJSON_BUFFER), start=1):
                yield from _instaloader_thread(item, post_id, f"record {n}", None)
    except ijson.JSONError as exc:
        raise SourceError(path, "", None, f"file is truncated or not valid JSON ({exc})") from None
    except (EOFError, lzma.LZMAError) as exc:
        raise SourceError(path, "", None, f"file is truncated ({exc})") from None


def _instaloader_thread(item: Any, post_id: str, location: str, parent_id: str | None) -> Iterator[Record]:
    if not isinstance(item, dict):
        yield SkippedRecord(location, "-", "is not a JSON object")
        return
    try:
        record = map_instaloader_comment(item, post_id, location, parent_id)
    except RecordError as exc:
        yield SkippedRecord(location, exc.field, exc.reason)
        return
    yield record
    for n, answer in enumerate(item.get("answers") or [], start=1):
        yield from _instaloader_thread(answer, post_id, f"{location} answer {n}", record.platform_id)


def detect_instaloader(path: Path, peek: Peek) -> int:
    """instaloader's ``{"node": ..., "instaloader": {...}}`` metadata (the ``instaloader`` key may come after a
    large ``node.iphone_struct``: the whole file is scanned) and its ``_comments.json`` lists."""
    base = base_name(peek.name)
    if base.endswith("_comments.json"):
        if peek.root != "array":
            return 0
        if not peek.paths and peek.complete:
            return 90  # [] : a post without comments
        return 100 if peek.has("item.created_at", "item.owner") else 0
    if peek.root != "object" or not base.endswith(".json") or "node" not in peek.keys:
        return 0
    if "instaloader" in peek.keys:
        return 100
    return 70 if peek.any("node.iphone_struct", "node.shortcode", "node.taken_at_timestamp") else 0

# == Zeeschuimer ==================================================================================
ZEE_MEDIA_KINDS = {1: "photo", 2: "video", 8: "album"}


def map_zeeschuimer_item(item: dict[str, Any], location: str = "", raw: Any = None) -> PostRecord | None:
    """One Zeeschuimer capture (``{"source_platform": "instagram.com", "data": {...}}``) → PostRecord.

    ``data`` is the raw Instagram web API item (``code``, ``taken_at``, ``user``...) or, in older
    captures, a GraphQL node (``shortcode``, ``taken_at_timestamp``). Ads return None (not posts).
    """
    data = item.get("data")
    if not isinstance(data, dict):
        raise RecordError("data", "is missing or not an object")
    if isinstance(data.get("media_or_ad"), dict):
        data = data["media_or_ad"]
    if isinstance(data.get("media"), dict) and "taken_at" not in data:
        data = data["media"]
    if data.get("ad_id") or str(data.get("product_type") or "").lower() == "ad":
        return None
    if "shortcode" in data and "taken_at_timestamp" in data:
        return map_node_post(data, location, raw=raw)
    pk = _id(data.get("pk")) or (str(data["id"]).split("_", 1)[0] if data.get("id") else None)
    if not pk:
        raise RecordError("data.id", "is missing")
    user = data.get("user") if isinstance(data.get("user"), dict) else (
        data.get("owner") if isinstance(data.get("owner"), dict) else {})
    account = AccountRef(PLATFORM, platform_id=_id(user.get("pk") or user.get("id")),
                         handle=_text(user.get("username")), name=_text(user.get("full_name")))
    if not account.platform_id and not account.handle:
        raise RecordError("data.user", "is missing (no user.pk / user.username)")
    caption_obj = data.get("caption")
    caption = _text(caption_obj.get("text")) if isinstance(caption_obj, dict) else _text(caption_obj)
    product = str(data.get("product_type") or "").lower()
    if product in LONG_VIDEO_PRODUCTS:
        kind = "long_video"
    else:
        kind = ZEE_MEDIA_KINDS.get(as_int(data.get("media_type")) or 0, "photo")
    tagged: dict[str, AccountRef] = {}
    holders = [data] + [c for c in data.get("carousel_media") or [] if isinstance(c, dict)]
    for holder in holders:
        tags = holder.get("usertags") if isinstance(holder.get("usertags"), dict) else {}
        for tag in as_list(tags.get("in")):
            tag_user = tag.get("user") if isinstance(tag, dict) else None
            if isinstance(tag_user, dict) and (tag_user.get("username") or tag_user.get("pk")):
                ref = AccountRef(PLATFORM, platform_id=_id(tag_user.get("pk") or tag_user.get("id")),
                                 handle=_text(tag_user.get("username")), name=_text(tag_user.get("full_name")))
                tagged.setdefault(ref.handle or ref.platform_id or "", ref)
    code = _text(data.get("code"))
    url = None
    if code:
        url = f"https://www.instagram.com/{'reel' if product == 'clips' else 'p'}/{code}/"
    disabled = data.get("comments_disabled")
    return PostRecord(
        platform=PLATFORM, platform_id=pk, account=account,
        published_utc=parse_unix_utc(data.get("taken_at"), "data.taken_at"), text=caption, media_kind=kind,
        url=url, likes=as_int(data.get("like_count")), comments_count=as_int(data.get("comment_count")),
        views=as_int(data.get("play_count")) if data.get("play_count") is not None else as_int(
            data.get("view_count")),
        tagged=tuple(tagged.values()), mentions=caption_mentions(caption),
        comments_closed=disabled if isinstance(disabled, bool) else None, raw=raw, location=location)


def parse_zeeschuimer(path: Path) -> Iterator[Record]:
    for entry in iter_json_lines(path):
        if isinstance(entry, SkippedRecord):
            yield entry
            continue
        location, line, item = entry
        if not isinstance(item, dict):
            yield SkippedRecord(location, "-", "is not a JSON object")
            continue
        if item.get("source_platform") != "instagram.com":
            yield SkippedRecord(location, "source_platform",
                                f"is {item.get('source_platform')!r}, not 'instagram.com'")
            continue
        try:
            record = map_zeeschuimer_item(item, location, raw=line)
        except RecordError as exc:
            yield SkippedRecord(location, exc.field, exc.reason)
            continue
        if record is not None:
            yield record


def detect_zeeschuimer(path: Path, peek: Peek) -> int:
    return 100 if peek.value("source_platform") == "instagram.com" and "data" in peek.children() else 0

FORMATS = [
    Format("instagram_zeeschuimer", PLATFORM, "Zeeschuimer NDJSON capture of Instagram (4CAT import format)",
           detect_zeeschuimer, parse_zeeschuimer),
    Format("instagram_instaloader", PLATFORM,
           "instaloader metadata: <date>_UTC.json[.xz] posts and <date>_UTC_comments.json",
           detect_instaloader, parse_instaloader),
    Format("instagram_graph", PLATFORM,
           "Instagram Graph API / Basic Display responses: media (with nested comments), comments, replies",
           detect_graph, parse_graph),
]
