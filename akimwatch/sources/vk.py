"""VK API JSON: ``wall.get``, ``wall.getComments`` and ``groups.getById`` responses (docs/formats.md).

Files come either as our collector envelope
``{"method": "wall.getComments", "params": {"owner_id": -1, "post_id": 2}, "fetched_at": "...", "response": {...}}``
(one per file, a JSON array of them, or one per line in ``.jsonl``) or as the bare API answer
``{"response": {...}}``. A bare ``wall.getComments`` answer names its post by the file name
``wall.getComments_<owner_id>_<post_id>.json`` (comment items that carry ``owner_id``/``post_id`` need neither).

Ids: an account's ``platform_id`` is VK's ``owner_id`` form — a user ``"45"``, a community ``"-123"`` (negative,
so a community and a user with the same number never collide, and a community answering on its own wall as
``from_id -123`` is recognised as the post's account). Posts are ``"<owner_id>_<post id>"`` (VK's own
``wall-123_45`` notation), comments ``"<owner_id>_<comment id>"`` (comment ids are unique per wall).
"""

from __future__ import annotations

import html
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
    as_list,
    as_text,
    clean_text,
    is_json_lines,
    iter_json_lines,
    parse_iso_utc,
    parse_unix_utc,
    read_json_file,
    url_domain,
)
from akimwatch.sources.peek import Peek

PLATFORM = "vk"
METHODS = ("wall.get", "wall.getById", "wall.getComments", "wall.getComment", "groups.getById")
COMMENT_METHODS = ("wall.getComments", "wall.getComment")
DELETED = "deleted comment (VK keeps only its id)"
BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
LONG_VIDEO_S = 60
SIDE_CAR = re.compile(r"wall\.getComments_(-?\d+)_(\d+)", re.IGNORECASE)
# [id123|Name], [club123|Name], [public123|Name] in post texts
MENTION = re.compile(r"\[(id|club|public|event)(\d+)\|([^\]]*)\]")


class Directory:
    """Names of the users and communities an ``extended=1`` response lists, by owner_id form."""

    def __init__(self, response: dict[str, Any] | None = None):
        self.accounts: dict[str, tuple[str | None, str | None]] = {}  # owner id → (screen_name, name)
        for profile in as_list((response or {}).get("profiles")):
            if isinstance(profile, dict) and as_id(profile.get("id")) is not None:
                name = " ".join(p for p in (as_text(profile.get("first_name")), as_text(profile.get("last_name")))
                                if p) or None
                self.accounts[str(profile["id"])] = (as_text(profile.get("screen_name")), name)
        for group in as_list((response or {}).get("groups")):
            if isinstance(group, dict) and as_int(group.get("id")) is not None:
                gid = str(-abs(as_int(group["id"]) or 0))
                self.accounts[gid] = (as_text(group.get("screen_name")), as_text(group.get("name")))

    def ref(self, owner_id: Any) -> AccountRef:
        key = str(owner_id)
        handle, name = self.accounts.get(key, (None, None))
        return AccountRef(PLATFORM, platform_id=key, handle=handle, name=name)


def _owner(value: Any, field: str) -> str:
    number = as_int(value)
    if number is None or number == 0:
        raise RecordError(field, f"is missing or not a VK id ({value!r})")
    return str(number)


def _count(obj: Any) -> int | None:
    return as_int(obj.get("count")) if isinstance(obj, dict) else None


def _media_kind(attachments: list[Any]) -> str:
    kinds = [a.get("type") for a in attachments if isinstance(a, dict)]
    visual = [k for k in kinds if k in ("photo", "video", "album", "posted_photo")]
    if "album" in kinds or len(visual) > 1:
        return "album"
    if not visual:
        return "text"
    if visual[0] in ("photo", "posted_photo"):
        return "photo"
    video = next(a.get("video") or {} for a in attachments if isinstance(a, dict) and a.get("type") == "video")
    duration = as_int(video.get("duration"))
    return "long_video" if duration is not None and duration > LONG_VIDEO_S else "video"


def _link(attachments: list[Any]) -> str | None:
    for att in attachments:
        if isinstance(att, dict) and att.get("type") == "link":
            url = as_dict(att.get("link")).get("url")
            if url:
                return url
    return None


def _mentions(text: str | None) -> tuple[AccountRef, ...]:
    refs = []
    for kind, number, name in MENTION.findall(text or ""):
        pid = number if kind == "id" else f"-{number}"
        refs.append(AccountRef(PLATFORM, platform_id=pid, name=name or None))
    return tuple(refs)


def vk_text(value: Any) -> str | None:
    """A text as people wrote it: API versions before 5.0 sent HTML (``<br>`` line breaks, ``&quot;``)."""
    if not isinstance(value, str) or not value:
        return None
    if BR.search(value):
        value = html.unescape(BR.sub("\n", value))
    return value


def post_url(owner_id: str, post_id: Any) -> str:
    return f"https://vk.com/wall{owner_id}_{post_id}"


def map_post(item: dict[str, Any], directory: Directory, location: str) -> PostRecord:
    """One ``wall.get`` item → a post (pure). The author is ``from_id`` (the wall owner when absent)."""
    if item.get("id") in (None, ""):
        raise RecordError("id", "is missing")
    owner = _owner(item.get("owner_id", item.get("to_id")), "owner_id")
    author = _owner(item.get("from_id") or owner, "from_id")
    published = parse_unix_utc(item.get("date"), "date")
    attachments = item.get("attachments") if isinstance(item.get("attachments"), list) else []
    text = vk_text(item.get("text"))
    media_kind = _media_kind(attachments)
    source_name = source_url = None
    copies = item.get("copy_history") if isinstance(item.get("copy_history"), list) else []
    source = copies[0] if copies and isinstance(copies[0], dict) else None
    if source is not None:
        source_attachments = source.get("attachments") if isinstance(source.get("attachments"), list) else []
        source_owner = as_int(source.get("owner_id") or source.get("from_id"))
        ref = directory.ref(source_owner) if source_owner else None
        source_name = (ref.name or ref.handle or ref.platform_id) if ref else None
        source_url = _link(attachments) or _link(source_attachments) or (
            post_url(str(source_owner), source["id"]) if source_owner and source.get("id") else None)
        if media_kind == "text":
            media_kind = _media_kind(source_attachments)
        text = text or vk_text(source.get("text"))
    news = _link(attachments) or (_link(source.get("attachments") or []) if source else None)
    comments = item.get("comments") if isinstance(item.get("comments"), dict) else {}
    can_post = comments.get("can_post")
    return PostRecord(
        platform=PLATFORM, platform_id=f"{owner}_{item['id']}", account=directory.ref(author),
        published_utc=published, text=text, media_kind=media_kind, url=post_url(owner, item["id"]),
        is_repost=source is not None, repost_source_name=source_name, repost_source_url=source_url,
        repost_source_domain=url_domain(news) if source is not None else None,
        likes=_count(item.get("likes")), comments_count=_count(comments), views=_count(item.get("views")),
        shares=_count(item.get("reposts")), mentions=_mentions(text),
        comments_closed=None if can_post is None else not bool(can_post), raw=item, location=location)


def map_comment(item: dict[str, Any], owner_id: str, post_id: str, directory: Directory, location: str,
                parent_id: Any = None) -> CommentRecord:
    """One ``wall.getComments`` item (top level or from a ``thread``) → a comment (pure). API versions before
    5.0 name the fields ``cid`` / ``uid`` / ``reply_to_cid`` and send HTML text."""
    comment_id = item.get("id", item.get("cid"))
    if comment_id in (None, "") or isinstance(comment_id, (dict, list, bool)):
        raise RecordError("id", "is missing")
    author = _owner(item.get("from_id") or item.get("uid"), "from_id")
    stack = item.get("parents_stack") if isinstance(item.get("parents_stack"), list) else []
    parent = item.get("reply_to_comment") or item.get("reply_to_cid") or (stack or [None])[-1] or parent_id
    if isinstance(parent, (dict, list, bool)):
        raise RecordError("reply_to_comment", "is not a comment id")
    return CommentRecord(
        platform=PLATFORM, platform_id=f"{owner_id}_{comment_id}", post_platform_id=f"{owner_id}_{post_id}",
        parent_platform_id=f"{owner_id}_{parent}" if parent else None, author=directory.ref(author),
        published_utc=parse_unix_utc(item.get("date"), "date"), text=vk_text(item.get("text")),
        likes=_count(item.get("likes")), raw=item, location=location)


def map_group_followers(group: dict[str, Any], taken: Any, location: str) -> FollowerRecord:
    gid = as_int(group.get("id"))
    if gid is None:
        raise RecordError("id", "is missing or not a VK id")
    members = as_int(group.get("members_count"))
    if members is None:
        raise RecordError("members_count", "is missing (request fields=members_count)")
    taken_utc = parse_unix_utc(taken, "fetched_at") if isinstance(taken, int) else parse_iso_utc(taken, "fetched_at")
    return FollowerRecord(
        account=AccountRef(PLATFORM, platform_id=str(-abs(gid)), handle=as_text(group.get("screen_name")),
                           name=as_text(group.get("name"))), taken_utc=taken_utc, followers=members, location=location)


def _safe(fn, location: str, *args: Any, **kwargs: Any) -> Record:
    try:
        return fn(*args, location=location, **kwargs)
    except RecordError as exc:
        return SkippedRecord(location, exc.field, exc.reason)


def _at(where: str, what: str) -> str:
    return f"{where}, {what}" if where else what


def _comments(items: list[Any], directory: Directory, params: dict[str, Any], path: Path,
              where: str) -> Iterator[Record]:
    side = SIDE_CAR.search(path.name)
    owner = params.get("owner_id", side.group(1) if side else None)
    post = params.get("post_id", side.group(2) if side else None)
    for n, item in enumerate(items, start=1):
        loc = _at(where, f"record {n}")
        if not isinstance(item, dict):
            yield SkippedRecord(loc, "items", "is not a JSON object")
            continue
        if item.get("deleted") and not item.get("thread"):
            yield OmittedRecord(loc, DELETED)
            continue
        item_owner, item_post = item.get("owner_id", owner), item.get("post_id", post)
        if item_owner in (None, "") or item_post in (None, ""):
            raise SourceError(path, loc, "post_id", "is unknown: these are comments (wall.getComments) without "
                              "the post they belong to", "save the response in an envelope with params owner_id/"
                              "post_id, or name the file wall.getComments_<owner_id>_<post_id>.json")
        try:
            owner_s = _owner(item_owner, "owner_id")
            post_n = as_int(item_post)
            if post_n is None:
                raise RecordError("post_id", f"is not a VK post id ({clean_text(str(item_post))!r})")
        except RecordError as exc:
            yield SkippedRecord(loc, exc.field, exc.reason)
            continue
        post_s = str(post_n)
        if item.get("deleted"):  # a deleted comment has no author or text left; its replies still count
            yield OmittedRecord(loc, DELETED)
        else:
            yield _safe(map_comment, loc, item, owner_s, post_s, directory)
        thread = item.get("thread") if isinstance(item.get("thread"), dict) else {}
        replies = thread.get("items") if isinstance(thread.get("items"), list) else []
        for m, reply in enumerate(replies, start=1):
            rloc = f"{loc}, reply {m}"
            if not isinstance(reply, dict):
                yield SkippedRecord(rloc, "thread.items", "is not a JSON object")
            elif reply.get("deleted"):
                yield OmittedRecord(rloc, DELETED)
            else:
                yield _safe(map_comment, rloc, reply, owner_s, post_s, directory, parent_id=item.get("id"))


def _response_items(response: Any) -> tuple[list[Any], dict[str, Any]] | None:
    """The items of a response and the dict that may list their profiles/groups: ``{"items": [...]}`` (5.x,
    ``extended=1`` too), a bare list (``wall.getById``), or a list led by the total count (API before 5.0)."""
    if isinstance(response, dict) and isinstance(response.get("items"), list):
        return response["items"], response
    if isinstance(response, list):
        items = response[1:] if response and isinstance(response[0], int) and not isinstance(
            response[0], bool) else response
        return items, {}
    return None


def map_response(obj: Any, path: Path, where: str = "") -> Iterator[Record]:
    """One envelope or bare ``{"response": ...}`` → records."""
    if not isinstance(obj, dict):
        yield SkippedRecord(where or "file", "-", "is not a JSON object")
        return
    if isinstance(obj.get("error"), dict):
        err = obj["error"]
        yield SkippedRecord(where or "response", "error",
                            f"is a VK API error {clean_text(str(err.get('error_code')))}: "
                            f"{clean_text(str(err.get('error_msg')))}")
        return
    response = obj.get("response")
    method = obj.get("method")
    params = obj.get("params") if isinstance(obj.get("params"), dict) else {}
    if method == "groups.getById":
        groups = response.get("groups") if isinstance(response, dict) else response
        if not obj.get("fetched_at"):
            return  # no honest time for the member counts: nothing to record (docs/formats.md)
        for n, group in enumerate(groups if isinstance(groups, list) else [], start=1):
            loc = _at(where, f"record {n}")
            if isinstance(group, dict):
                yield _safe(map_group_followers, loc, group, obj["fetched_at"])
        return
    found = _response_items(response)
    if found is None:
        yield SkippedRecord(where or "response", "response.items", "is missing: not a wall.get/wall.getById/"
                            "wall.getComments response")
        return
    items, holder = found
    directory = Directory(holder)
    if method in COMMENT_METHODS or (method is None and SIDE_CAR.search(path.name)) or (
            method is None and _looks_like_comments(items)):
        yield from _comments(items, directory, params, path, where)
        return
    for n, item in enumerate(items, start=1):
        loc = _at(where, f"record {n}")
        if not isinstance(item, dict):
            yield SkippedRecord(loc, "items", "is not a JSON object")
            continue
        if item.get("deleted") or item.get("is_deleted"):
            yield OmittedRecord(loc, "deleted post")
            continue
        yield _safe(map_post, loc, item, directory)


COMMENT_ONLY_KEYS = {"post_id", "parents_stack", "thread", "reply_to_comment", "reply_to_cid", "cid"}
POST_ONLY_KEYS = {"owner_id", "to_id", "post_type", "copy_history", "reposts", "views", "is_pinned"}


def _looks_like_comments(items: list[Any]) -> bool:
    """Comments, also in the older shape without ``post_id``: items with comment-only keys, or without any of
    the keys every wall post has."""
    live = [i for i in items if isinstance(i, dict) and not i.get("deleted")]
    if not live:
        return any(isinstance(i, dict) and i.get("deleted") for i in items)
    if all(COMMENT_ONLY_KEYS & i.keys() for i in live):
        return True
    return all(not (POST_ONLY_KEYS & i.keys()) and ("from_id" in i or "uid" in i) for i in live)


def parse(path: Path) -> Iterator[Record]:
    if is_json_lines(path):
        for item in iter_json_lines(path):
            if isinstance(item, SkippedRecord):
                yield item
                continue
            location, _line, obj = item
            yield from map_response(obj, path, location)
        return
    obj = read_json_file(path)
    if isinstance(obj, list):
        for n, envelope in enumerate(obj, start=1):
            yield from map_response(envelope, path, f"envelope {n}")
        return
    if not isinstance(obj, dict) or ("response" not in obj and "error" not in obj):
        raise SourceError(path, "", "response", "is missing: not a VK API response or collector envelope")
    yield from map_response(obj, path)


VK_ITEM_KEYS = {"owner_id", "from_id", "to_id", "post_id", "post_type", "copy_history", "reposts", "parents_stack",
                "thread", "reply_to_comment", "reply_to_user", "cid", "uid"}


def detect(path: Path, peek: Peek) -> int:
    """Our collector envelope (``method``) or a bare ``{"response": ...}`` whose items are VK wall items."""
    if not peek.is_json or str(peek.value("response.kind") or peek.value("kind") or "").startswith("youtube#"):
        return 0
    method = peek.value("method") or peek.value("item.method")
    if isinstance(method, str) and method in METHODS:
        return 100
    for root in ("response", "item.response"):
        items = (peek.children(f"{root}.items.item") | peek.children(f"{root}.item")
                 | peek.children(f"{root}.items.item.thread.items.item"))
        if items & VK_ITEM_KEYS and "date" in items:
            return 80
    return 0

FORMATS = [
    Format("vk_api", PLATFORM, "VK API JSON: wall.get, wall.getComments, groups.getById (bare or in an envelope)",
           detect, parse),
]
