"""Facebook Graph API responses: page feed / posts, comments (standalone pages and nested), page info.

One JSON file per API response, as the Graph API returns it (docs/formats.md, "Facebook"):

* a page of results ``{"data": [...], "paging": {...}}`` from ``/{page-id}/feed``, ``/{page-id}/posts``,
  ``/{post-id}/comments`` or ``/{comment-id}/comments``; posts may carry nested comments and replies
  via field expansion (``comments{...,comments{...}}``);
* a single object (``/{post-id}``, ``/{comment-id}``) or an id-keyed map (``?ids=a,b``);
* page info (``/{page-id}?fields=fan_count,followers_count``).

``map_post`` / ``map_comment`` are pure (raw Graph JSON → record) so a live collector reuses them.
Reading the saved response files is shared with the Instagram Graph API source (akimwatch/sources/graph.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from akimwatch.models import AccountRef, CommentRecord, FollowerRecord, PostRecord, Record, SkippedRecord
from akimwatch.sources.base import (
    Format,
    RecordError,
    as_dict,
    as_int,
    iter_comment_edge,
    parse_iso_utc,
    url_domain,
)
from akimwatch.sources.graph import filename_hints, read_graph_file
from akimwatch.sources.peek import Peek, base_name

PLATFORM = "facebook"
def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def _summary_count(obj: Any) -> int | None:
    if isinstance(obj, dict):
        summary = obj.get("summary")
        if isinstance(summary, dict):
            return as_int(summary.get("total_count"))
        if "count" in obj:
            return as_int(obj.get("count"))
    return None


# -- posts ----------------------------------------------------------------------------------------
MEDIA_TYPES = {"photo": "photo", "video": "video", "album": "album", "link": "text", "event": "text",
               "note": "text", "status": "text"}


def _attachment_kind(att: dict[str, Any]) -> str:
    kind = str(att.get("type") or "")
    media_type = str(att.get("media_type") or "")
    sub = as_dict(att.get("subattachments")).get("data") if isinstance(att.get("subattachments"), dict) else None
    if kind == "album" or media_type == "album" or (isinstance(sub, list) and len(sub) > 1):
        return "album"
    if "video" in kind or media_type == "video":
        return "video"
    if kind in ("photo", "cover_photo", "profile_media") or media_type == "photo":
        return "photo"
    return MEDIA_TYPES.get(media_type, "text")


def _external(url: Any) -> str | None:
    """The real target of a link: unwraps l.facebook.com/l.php?u=..."""
    if not isinstance(url, str) or not url:
        return None
    try:
        parts = urlsplit(url)
        parts.hostname  # noqa: B018 - validates brackets and port
    except ValueError:
        return None
    if parts.hostname and parts.hostname.endswith("facebook.com") and parts.path == "/l.php":
        target = parse_qs(parts.query).get("u")
        if target:
            return unquote(target[0])
    return url


def _tags(tags: Any) -> tuple[AccountRef, ...]:
    refs = []
    if isinstance(tags, list):
        for tag in tags:
            if isinstance(tag, dict) and (tag.get("id") or tag.get("name")):
                refs.append(AccountRef(PLATFORM, platform_id=str(tag["id"]) if tag.get("id") else None,
                                       name=_text(tag.get("name"))))
    elif isinstance(tags, dict):  # old Graph API: {"offset": [{...}]}
        for group in tags.values():
            refs.extend(_tags(group))
    return tuple(refs)


def page_of(post_id: str) -> str | None:
    """A post id is '<page id>_<post id>'; the page is the part before '_'."""
    return post_id.split("_", 1)[0] if "_" in post_id else None


def map_post(item: dict[str, Any], location: str = "", page_id: str | None = None) -> PostRecord:
    """One Graph API post object (page feed / posts edge / single post) → PostRecord (pure)."""
    post_id = item.get("id")
    if not post_id:
        raise RecordError("id", "is missing")
    post_id = str(post_id)
    sender = item.get("from") if isinstance(item.get("from"), dict) else {}
    owner = str(sender["id"]) if sender.get("id") else (page_of(post_id) or page_id)
    if not owner:
        raise RecordError("from", "is missing and the post id has no '<page id>_' prefix")
    account = AccountRef(PLATFORM, platform_id=owner, name=_text(sender.get("name")))
    published = parse_iso_utc(item.get("created_time"), "created_time")

    atts = item.get("attachments", {}).get("data") if isinstance(item.get("attachments"), dict) else None
    atts = [a for a in atts or [] if isinstance(a, dict)]
    media_kind = _attachment_kind(atts[0]) if atts else "text"
    is_repost, source_name, source_url = False, None, None
    share = next((a for a in atts if a.get("type") == "share"), None)
    if share is not None:
        source_url = _external(share.get("unshimmed_url")) or _external(share.get("url")) or _external(
            as_dict(share.get("target")).get("url"))
        is_repost = source_url is not None
        source_name = _text(share.get("title"))
    if item.get("parent_id"):  # a share of another Facebook post
        is_repost = True
        source_url = source_url or f"https://www.facebook.com/{item['parent_id']}"
    if not is_repost and item.get("link") and item.get("type") == "link":  # pre-v3 'link' posts
        is_repost, source_url, source_name = True, _external(item["link"]), _text(item.get("name"))

    likes = _summary_count(item.get("reactions"))
    for key in ("likes", "like"):
        if likes is None:
            likes = _summary_count(item.get(key))
    shares = item.get("shares")
    tagged = _tags(item.get("with_tags", {}).get("data") if isinstance(item.get("with_tags"), dict) else None)
    return PostRecord(
        platform=PLATFORM, platform_id=post_id, account=account, published_utc=published,
        text=_text(item.get("message")) or _text(item.get("story")), media_kind=media_kind,
        url=_text(item.get("permalink_url")), is_repost=is_repost,
        repost_source_name=source_name if is_repost else None, repost_source_url=source_url,
        repost_source_domain=url_domain(source_url), likes=likes,
        comments_count=_summary_count(item.get("comments")),
        views=None, shares=as_int(shares.get("count")) if isinstance(shares, dict) else None,
        tagged=tagged, mentions=_tags(item.get("message_tags")),
        comments_closed=_comments_closed(item.get("comments")), raw=item, location=location)


def _comments_closed(comments: Any) -> bool | None:
    if isinstance(comments, dict) and isinstance(comments.get("summary"), dict):
        can = comments["summary"].get("can_comment")
        if isinstance(can, bool):
            return not can
    return None


# -- comments -------------------------------------------------------------------------------------
PERMALINK_RE = re.compile(r"facebook\.com/([0-9]+)/(?:posts|videos|photos)/(?:[^/?]+/)*?([0-9]+)")


def permalink_ids(url: Any) -> tuple[str | None, str | None, str | None]:
    """(post id '<page>_<post>', comment id, reply comment id) named by a comment's permalink_url."""
    if not isinstance(url, str):
        return None, None, None
    m = PERMALINK_RE.search(url)
    post = f"{m.group(1)}_{m.group(2)}" if m else None
    try:
        query = parse_qs(urlsplit(url).query)
    except ValueError:
        query = {}
    comment = query.get("comment_id", [None])[0]
    reply = query.get("reply_comment_id", [None])[0]
    return post, comment, reply


def comment_key(value: Any) -> str:
    """Comment ids as '<post object id>_<comment id>'; the older '<page>_<post>_<comment>' form is cut."""
    parts = str(value).split("_")
    return "_".join(parts[-2:]) if len(parts) > 2 else str(value)


def is_comment(item: dict[str, Any]) -> bool:
    _, comment, _ = permalink_ids(item.get("permalink_url"))
    return comment is not None or isinstance(item.get("parent"), dict) or (
        "comment_count" in item and "created_time" in item and "shares" not in item)


def map_comment(item: dict[str, Any], location: str = "", post_id: str | None = None,
                parent_id: str | None = None, fallback_post_id: str | None = None) -> CommentRecord:
    """One Graph API comment object → CommentRecord (pure).

    ``post_id`` ('<page id>_<post id>') comes from the nesting or the file name; without it the post
    is taken from ``permalink_url``, then from ``fallback_post_id`` (the comments page's paging URL). Ids missing from the object (old API
    versions, ``fields`` without ``id``) are rebuilt from ``permalink_url`` as '<post>_<comment>'.
    """
    link_post, link_comment, link_reply = permalink_ids(item.get("permalink_url"))
    post_id = post_id or link_post or fallback_post_id
    if not post_id:
        raise RecordError("post_id", "cannot be derived: the comment has no permalink_url naming the post "
                                     "and the file's paging URL does not name it; put 'post-<page id>_<post id>' "
                                     "in the file name")
    object_id = post_id.split("_", 1)[-1]
    comment_id = comment_key(item["id"]) if item.get("id") else None
    if comment_id is None and (link_reply or link_comment):
        comment_id = f"{object_id}_{link_reply or link_comment}"
    if comment_id is None:
        raise RecordError("id", "is missing (and permalink_url names no comment_id)")
    if parent_id is None:
        parent = item.get("parent")
        if isinstance(parent, dict) and parent.get("id"):
            parent_id = comment_key(parent["id"])
        elif link_reply and link_comment:
            parent_id = f"{object_id}_{link_comment}"
    sender = item.get("from") if isinstance(item.get("from"), dict) else {}
    author = AccountRef(PLATFORM, platform_id=str(sender["id"]) if sender.get("id") else None,
                        name=_text(sender.get("name")))
    return CommentRecord(
        platform=PLATFORM, platform_id=comment_id, post_platform_id=post_id, author=author,
        published_utc=parse_iso_utc(item.get("created_time"), "created_time"), text=_text(item.get("message")),
        parent_platform_id=parent_id, raw=item, location=location,
        likes=as_int(item.get("like_count")) if "like_count" in item else as_int(
            item.get("likes") if not isinstance(item.get("likes"), dict) else _summary_count(item["likes"])))


def iter_comments(items: Any, location: str, post_id: str | None, parent_id: str | None = None,
                  ) -> Iterator[Record]:
    """Comments of a nested ``comments`` edge ({"data": [...]}) with their replies, depth first."""
    return iter_comment_edge(items, location, lambda item, where, post, parent: map_comment(
        item, where, post_id=post, parent_id=parent), "comments", post_id, parent_id)


def _post_with_comments(item: dict[str, Any], location: str, page_id: str | None) -> Iterator[Record]:
    try:
        post = map_post(item, location, page_id=page_id)
    except RecordError as exc:
        yield SkippedRecord(location, exc.field, exc.reason)
        return
    yield post
    yield from iter_comments(item.get("comments"), location, post.platform_id)


# -- page info ------------------------------------------------------------------------------------
def map_page_followers(item: dict[str, Any], taken_utc, location: str = "") -> FollowerRecord | None:
    """Page info with followers_count / fan_count → FollowerRecord; None without a time (never invented)."""
    count = as_int(item.get("followers_count"))
    if count is None:
        count = as_int(item.get("fan_count"))
    if count is None or taken_utc is None or not item.get("id"):
        return None
    return FollowerRecord(account=AccountRef(PLATFORM, platform_id=str(item["id"]), handle=_text(item.get("username")),
                                             name=_text(item.get("name"))),
                          taken_utc=taken_utc, followers=count, location=location)


def _is_page_info(item: dict[str, Any]) -> bool:
    return "fan_count" in item or ("followers_count" in item and "created_time" not in item)


# -- the format -----------------------------------------------------------------------------------
def _classify(item: dict[str, Any], comments_page: bool) -> str:
    if _is_page_info(item):
        return "page"
    if comments_page or is_comment(item):
        return "comment"
    return "post"


def parse_graph(path: Path) -> Iterator[Record]:
    graph = read_graph_file(path)
    node, edge = graph.edge()
    hints = filename_hints(path)
    comments_page = edge in ("comments", "replies") or "comment" in hints
    node_post = node if edge == "comments" and node and "_" in node else None
    page_id = hints.get("page") or (node if edge in ("feed", "posts", "published_posts") else None)
    fetched = graph.fetched_utc()
    for location, item in graph.records():
        if not isinstance(item, dict):
            yield SkippedRecord(location, "-", "is not a JSON object")
            continue
        kind = _classify(item, comments_page)
        if kind == "page":
            record = map_page_followers(item, fetched, location)
            if record is not None:
                yield record
        elif kind == "comment":
            parent, fallback = hints.get("comment"), node_post
            link_post = permalink_ids(item.get("permalink_url"))[0]
            if (parent is None and node_post and link_post and node_post != link_post
                    and node_post.split("_", 1)[0] == link_post.split("_", 1)[1]):
                parent, fallback = node_post, None  # /{comment-id}/comments: replies to that comment
            try:
                comment = map_comment(item, location, post_id=hints.get("post"), parent_id=parent,
                                      fallback_post_id=fallback)
            except RecordError as exc:
                yield SkippedRecord(location, exc.field, exc.reason)
                continue
            yield comment
            yield from iter_comments(item.get("comments"), location, comment.post_platform_id, comment.platform_id)
        else:
            yield from _post_with_comments(item, location, page_id)


_POST_ID = re.compile(r"[0-9]+_[0-9]+$")
_FB_GRAPH_URL = re.compile(r"graph\.facebook\.com/v[0-9.]+/[0-9]+(?:_[0-9]+)?/(?:feed|posts|comments|published_posts)")
_FB_PERMALINK = re.compile(r"facebook\.com/")


def detect_graph(path: Path, peek: Peek) -> int:
    """Graph API page feeds, posts and comments (``created_time``; Instagram says ``timestamp``) and page info."""
    if peek.root != "object" or not base_name(peek.name).endswith(".json"):
        return 0
    top = peek.children()
    if top & {"node", "instaloader", "source_platform", "response", "__twarc"}:
        return 0
    for base in peek.object_bases():
        keys = peek.children(base)
        if "fan_count" in keys:
            return 70
        if "created_time" not in keys or "timestamp" in keys:
            continue
        pid = peek.value(f"{base}.id" if base else "id")
        link = peek.value(f"{base}.permalink_url" if base else "permalink_url")
        if (isinstance(pid, str) and _POST_ID.match(pid)) or (isinstance(link, str) and _FB_PERMALINK.search(link)) \
                or _FB_GRAPH_URL.search(str(peek.value("paging.next") or peek.value("paging.previous") or "")):
            return 70
        if base and _POST_ID.match(base):
            return 60  # an id map of posts (``?ids=a,b``): the keys are post ids
    return 0

FORMATS = [
    Format("facebook_graph", PLATFORM,
           "Facebook Graph API responses: page feed/posts (with nested comments), comments pages, page info",
           detect_graph, parse_graph),
]
