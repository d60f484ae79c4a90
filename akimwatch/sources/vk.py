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

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from akimwatch.models import AccountRef, CommentRecord, FollowerRecord, PostRecord, Record, SkippedRecord
from akimwatch.sources.base import (
    Format,
    RecordError,
    SourceError,
    as_int,
    is_json_lines,
    iter_json_lines,
    parse_iso_utc,
    parse_unix_utc,
    read_json_file,
    url_domain,
)
from akimwatch.sources.peek import Peek

PLATFORM = "vk"
METHODS = ("wall.get", "wall.getComments", "groups.getById")
LONG_VIDEO_S = 60
SIDE_CAR = re.compile(r"wall\.getComments_(-?\d+)_(\d+)", re.IGNORECASE)
# [id123|Name], [club123|Name], [public123|Name] in post texts
MENTION = re.compile(r"\[(id|club|public|event)(\d+)\|([^\]]*)\]")


class Directory:
    """Names of the users and communities an ``extended=1`` response lists, by owner_id form."""

    def __init__(self, response: dict[str, Any] | None = None):
        self.accounts: dict[str, tuple[str | None, str | None]] = {}  # owner id → (screen_name, name)
        for profile in (response or {}).get("profiles") or []:
            if isinstance(profile, dict) and profile.get("id") is not None:
                name = " ".join(p for p in (profile.get("first_name"), profile.get("last_name")) if p) or None
                self.accounts[str(profile["id"])] = (profile.get("screen_name") or None, name)
        for group in (response or {}).get("groups") or []:
            if isinstance(group, dict) and group.get("id") is not None:
                gid = str(-abs(int(group["id"])))
                self.accounts[gid] = (group.get("screen_name") or None, group.get("name") or None)

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
            url = (att.get("link") or {}).get("url")
            if url:
                return url
    return None


def _mentions(text: str | None) -> tuple[AccountRef, ...]:
    refs = []
    for kind, number, name in MENTION.findall(text or ""):
        pid = number if kind == "id" else f"-{number}"
        refs.append(AccountRef(PLATFORM, platform_id=pid, name=name or None))
    return tuple(refs)


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
    text = item.get("text") or None
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
        text = text or source.get("text") or None
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
    """One ``wall.getComments`` item (top level or from a ``thread``) → a comment (pure)."""
    if item.get("id") in (None, ""):
        raise RecordError("id", "is missing")
    author = _owner(item.get("from_id"), "from_id")
    parent = item.get("reply_to_comment") or (item.get("parents_stack") or [None])[-1] or parent_id
    return CommentRecord(
        platform=PLATFORM, platform_id=f"{owner_id}_{item['id']}", post_platform_id=f"{owner_id}_{post_id}",
        parent_platform_id=f"{owner_id}_{parent}" if parent else None, author=directory.ref(author),
        published_utc=parse_unix_utc(item.get("date"), "date"), text=item.get("text") or None,
        likes=_count(item.get("likes")), raw=item, location=location)


def map_group_followers(group: dict[str, Any], taken: Any, location: str) -> FollowerRecord:
    if group.get("id") in (None, ""):
        raise RecordError("id", "is missing")
    members = as_int(group.get("members_count"))
    if members is None:
        raise RecordError("members_count", "is missing (request fields=members_count)")
    taken_utc = parse_unix_utc(taken, "fetched_at") if isinstance(taken, int) else parse_iso_utc(taken, "fetched_at")
    return FollowerRecord(
        account=AccountRef(PLATFORM, platform_id=str(-abs(int(group["id"]))), handle=group.get("screen_name"),
                           name=group.get("name")), taken_utc=taken_utc, followers=members, location=location)


def _safe(fn, location: str, *args: Any, **kwargs: Any) -> Record:
    try:
        return fn(*args, location=location, **kwargs)
    except RecordError as exc:
        return SkippedRecord(location, exc.field, exc.reason)


def _at(where: str, what: str) -> str:
    return f"{where}, {what}" if where else what


def _comments(response: dict[str, Any], params: dict[str, Any], path: Path, where: str) -> Iterator[Record]:
    directory = Directory(response)
    side = SIDE_CAR.search(path.name)
    owner = params.get("owner_id", side.group(1) if side else None)
    post = params.get("post_id", side.group(2) if side else None)
    for n, item in enumerate(response.get("items") or [], start=1):
        loc = _at(where, f"record {n}")
        if not isinstance(item, dict):
            yield SkippedRecord(loc, "items", "is not a JSON object")
            continue
        item_owner, item_post = item.get("owner_id", owner), item.get("post_id", post)
        if item_owner in (None, "") or item_post in (None, ""):
            yield SkippedRecord(loc, "post_id", "is unknown: save the response in an envelope with params "
                                "owner_id/post_id or name the file wall.getComments_<owner_id>_<post_id>.json")
            continue
        try:
            owner_s, post_s = _owner(item_owner, "owner_id"), str(as_int(item_post) or item_post)
        except RecordError as exc:
            yield SkippedRecord(loc, exc.field, exc.reason)
            continue
        if not item.get("deleted"):  # a deleted comment has no author or text left; its replies still count
            yield _safe(map_comment, loc, item, owner_s, post_s, directory)
        thread = item.get("thread") if isinstance(item.get("thread"), dict) else {}
        for m, reply in enumerate(thread.get("items") or [], start=1):
            rloc = f"{loc}, reply {m}"
            if isinstance(reply, dict) and not reply.get("deleted"):
                yield _safe(map_comment, rloc, reply, owner_s, post_s, directory, parent_id=item.get("id"))


def map_response(obj: Any, path: Path, where: str = "") -> Iterator[Record]:
    """One envelope or bare ``{"response": ...}`` → records."""
    if not isinstance(obj, dict):
        yield SkippedRecord(where or "file", "-", "is not a JSON object")
        return
    if isinstance(obj.get("error"), dict):
        err = obj["error"]
        yield SkippedRecord(where or "response", "error",
                            f"is a VK API error {err.get('error_code')}: {err.get('error_msg')}")
        return
    response = obj.get("response")
    method = obj.get("method")
    params = obj.get("params") if isinstance(obj.get("params"), dict) else {}
    if method == "groups.getById":
        groups = response.get("groups") if isinstance(response, dict) else response
        if not obj.get("fetched_at"):
            return  # no honest time for the member counts: nothing to record (docs/formats.md)
        for n, group in enumerate(groups or [], start=1):
            loc = _at(where, f"record {n}")
            if isinstance(group, dict):
                yield _safe(map_group_followers, loc, group, obj["fetched_at"])
        return
    if not isinstance(response, dict) or not isinstance(response.get("items"), list):
        yield SkippedRecord(where or "response", "response.items", "is missing: not a wall.get/wall.getComments "
                            "response")
        return
    if method == "wall.getComments" or (method is None and SIDE_CAR.search(path.name)) or (
            method is None and _looks_like_comments(response)):
        yield from _comments(response, params, path, where)
        return
    directory = Directory(response)
    for n, item in enumerate(response["items"], start=1):
        loc = _at(where, f"record {n}")
        if not isinstance(item, dict):
            yield SkippedRecord(loc, "items", "is not a JSON object")
            continue
        yield _safe(map_post, loc, item, directory)


def _looks_like_comments(response: dict[str, Any]) -> bool:
    items = [i for i in response.get("items") or [] if isinstance(i, dict)]
    return bool(items) and all("post_id" in i or "parents_stack" in i or "thread" in i for i in items)


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
