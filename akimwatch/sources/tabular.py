"""Generic CSV / JSONL schema for everything without a dedicated importer (docs/formats.md).

One row per item; ``kind`` says what the row is: ``post``, ``comment`` or ``followers``.
Lines are streamed, so files of any size import in constant memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from akimwatch.models import (
    MEDIA_KINDS,
    PLATFORMS,
    AccountRef,
    CommentRecord,
    FollowerRecord,
    PostRecord,
    Record,
    SkippedRecord,
)
from akimwatch.sources.base import (
    Format,
    RecordError,
    SourceError,
    as_int,
    iter_json_lines,
    open_binary,
    parse_iso_utc,
    url_domain,
)
from akimwatch.sources.peek import Peek

KINDS = ("post", "comment", "followers")
TRUE = {"1", "true", "yes", "y", "t"}


def _str(row: dict[str, Any], key: str) -> str | None:
    value = row.get(key)
    if value is None or value == "":
        return None
    return str(value)


def _required(row: dict[str, Any], key: str) -> str:
    value = _str(row, key)
    if value is None:
        raise RecordError(key, "is missing")
    return value


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in TRUE


def _handles(platform: str, value: Any) -> tuple[AccountRef, ...]:
    if not value:
        return ()
    items = value if isinstance(value, list) else str(value).replace(",", ";").split(";")
    return tuple(AccountRef(platform, handle=str(h).strip().lstrip("@")) for h in items if str(h).strip())


def map_row(row: dict[str, Any], location: str, raw: Any) -> Record:
    """One generic row → a record (pure)."""
    kind = _required(row, "kind")
    if kind not in KINDS:
        raise RecordError("kind", f"must be one of {', '.join(KINDS)} (got {kind!r})")
    platform = _required(row, "platform")
    if platform not in PLATFORMS:
        raise RecordError("platform", f"must be one of {', '.join(PLATFORMS)} (got {platform!r})")
    if kind == "post":
        account = AccountRef(platform, platform_id=_str(row, "account_id"), handle=_str(row, "account"))
        if not account.platform_id and not account.handle:
            raise RecordError("account", "is missing (give account or account_id)")
        media = _str(row, "media_kind") or "text"
        if media not in MEDIA_KINDS:
            raise RecordError("media_kind", f"must be one of {', '.join(MEDIA_KINDS)} (got {media!r})")
        repost_url = _str(row, "repost_source_url")
        return PostRecord(
            platform=platform, platform_id=_required(row, "id"), account=account,
            published_utc=parse_iso_utc(row.get("published_at"), "published_at"), text=_str(row, "text"),
            media_kind=media, url=_str(row, "url"), is_repost=_bool(row.get("is_repost")),
            repost_source_name=_str(row, "repost_source_name"), repost_source_url=repost_url,
            repost_source_domain=url_domain(repost_url), likes=as_int(row.get("likes")),
            comments_count=as_int(row.get("comments")), views=as_int(row.get("views")),
            shares=as_int(row.get("shares")), tagged=_handles(platform, row.get("tagged")),
            mentions=_handles(platform, row.get("mentions")), raw=raw, location=location)
    if kind == "comment":
        get = row.get
        official = get("is_official_reply")
        cid, post_id = get("id"), get("post_id")
        if not cid:
            raise RecordError("id", "is missing")
        if not post_id:
            raise RecordError("post_id", "is missing")
        likes = get("likes")
        return CommentRecord(
            platform=platform, platform_id=str(cid), post_platform_id=str(post_id),
            parent_platform_id=_str(row, "parent_id"),
            author=AccountRef(platform, platform_id=_str(row, "author_id"), handle=_str(row, "author_handle"),
                              name=_str(row, "author_name")),
            published_utc=parse_iso_utc(get("published_at"), "published_at"), text=get("text") or None,
            likes=likes if type(likes) is int else as_int(likes),
            is_official_reply=None if official in (None, "") else _bool(official), raw=raw, location=location)
    followers = as_int(row.get("followers"))
    if followers is None:
        raise RecordError("followers", f"is not a number ({row.get('followers')!r})")
    account = AccountRef(platform, platform_id=_str(row, "account_id"), handle=_str(row, "account"))
    if not account.platform_id and not account.handle:
        raise RecordError("account", "is missing (give account or account_id)")
    return FollowerRecord(account=account, taken_utc=parse_iso_utc(row.get("taken_at"), "taken_at"),
                          followers=followers, location=location)


def parse_jsonl(path: Path) -> Iterator[Record]:
    for entry in iter_json_lines(path):
        if isinstance(entry, SkippedRecord):
            yield entry
            continue
        location, line, row = entry
        if not isinstance(row, dict):
            yield SkippedRecord(location, "-", "is not a JSON object")
            continue
        try:
            yield map_row(row, location, line)
        except RecordError as exc:
            yield SkippedRecord(location, exc.field, exc.reason)


def parse_csv(path: Path) -> Iterator[Record]:
    with open_binary(path) as raw_fh:
        fh = io.TextIOWrapper(raw_fh, encoding="utf-8-sig", newline="")
        reader = csv.DictReader(fh)
        try:
            if not reader.fieldnames or "kind" not in reader.fieldnames:
                raise SourceError(path, "line 1", "kind", "column is missing", "see docs/formats.md for the columns")
            for row in reader:
                location = f"line {reader.line_num}"
                try:
                    yield map_row(row, location, row)
                except RecordError as exc:
                    yield SkippedRecord(location, exc.field, exc.reason)
        except UnicodeDecodeError as exc:
            raise SourceError(path, f"line {reader.line_num + 1}", None, f"is not UTF-8 text ({exc.reason})",
                              "save the file as UTF-8") from None
        except csv.Error as exc:
            raise SourceError(path, f"line {reader.line_num}", None, f"is not valid CSV ({exc})") from None


def detect_jsonl(path: Path, peek: Peek) -> int:
    """Our generic rows say their own ``kind`` and ``platform``."""
    if peek.root not in ("object", "lines"):
        return 0
    return 100 if peek.value("kind") in KINDS and "platform" in peek.keys else 0


def detect_csv(path: Path, peek: Peek) -> int:
    if peek.is_json:
        return 0
    first = peek.head.decode("utf-8-sig", "replace").split("\n", 1)[0]
    cols = {c.strip() for c in first.split(",")}
    return 100 if {"kind", "platform"} <= cols else 0

FORMATS = [
    Format("tabular_jsonl", "*", "Generic JSON Lines: one post/comment/followers object a line", detect_jsonl,
           parse_jsonl),
    Format("tabular_csv", "*", "Generic CSV: one post/comment/followers row a line", detect_csv, parse_csv),
]
