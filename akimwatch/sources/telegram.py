"""Telegram: Desktop "Export chat history → JSON" files and the public web preview ``t.me/s/<channel>``.

Keys (docs/formats.md, "Telegram"): every message is ``"<chat id>/<message id>"`` with the bare
numeric chat id Telegram Desktop writes at the top of ``result.json`` (``"id": 2447843635``).
The web preview exposes the same numeric id in each message's ``data-view`` token, so a channel
imported from both sources lands on the same posts and the same account. Accounts are keyed by that
bare id (``from_id`` "channel123" / "user45" → "123" / "45").

A discussion-group export holds a copy of each channel post (auto-forwarded by Telegram) and the
comments as replies to that copy. The copy does not carry the channel's message id, so the group
import looks for the channel's own export next to it and matches copies to channel posts by time
and text; comments then point at the channel post. See ``_ChannelIndex``.
"""

from __future__ import annotations

import base64
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import ijson
import orjson

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
    clean_text,
    current_local_zone,
    open_binary,
    parse_iso_utc,
    parse_unix_utc,
    url_domain,
)
from akimwatch.sources.limits import IJSON_BUFFER, READ_ERRORS, LimitExceeded
from akimwatch.sources.peek import Peek

log = logging.getLogger("akimwatch.import")
PLATFORM = "telegram"
CHANNEL_TYPES = ("public_channel", "private_channel")
GROUP_TYPES = ("public_supergroup", "private_supergroup", "private_group")
OTHER_TYPES = ("personal_chat", "bot_chat", "saved_messages", "replies")
LONG_VIDEO_SECONDS = 60
TELEGRAM_HOSTS = {"t.me", "telegram.me", "telegram.org", "telegram.dog"}
# How far (seconds) a discussion-group copy's date may be from its channel post's date.
COPY_MATCH_WINDOW = 3


# ---------------------------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------------------------
def peer_id(value: Any) -> str | None:
    """``"channel123"`` / ``"user45"`` / ``"chat7"`` → ``"123"`` / ``"45"`` / ``"7"``."""
    if value is None:
        return None
    text = str(value)
    for prefix in ("channel", "user", "chat"):
        if text.startswith(prefix) and text[len(prefix):].lstrip("-").isdigit():
            return text[len(prefix):]
    return text if text.lstrip("-").isdigit() else None


def _is_news_link(url: str | None) -> bool:
    domain = url_domain(url)
    return bool(domain) and domain not in TELEGRAM_HOSTS and not domain.endswith(".t.me")


def _norm_text(text: str | None) -> str:
    return " ".join((text or "").split())


# ---------------------------------------------------------------------------------------------
# Telegram Desktop export: pure mappers
# ---------------------------------------------------------------------------------------------
def export_text(value: Any) -> str:
    """Telegram Desktop ``text``: a string, or a list of strings and entity objects → plain text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = []
        for part in value:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict):
                parts.append(str(part.get("text") or ""))
        return "".join(parts)
    raise RecordError("text", f"is neither text nor a list of text parts ({type(value).__name__})")


def _entities(msg: dict[str, Any]) -> list[dict[str, Any]]:
    """Entity objects of a message (``text_entities`` or the objects inside a list ``text``)."""
    ents = msg.get("text_entities")
    if isinstance(ents, list):
        return [e for e in ents if isinstance(e, dict)]
    text = msg.get("text")
    return [e for e in text if isinstance(e, dict)] if isinstance(text, list) else []


def _entity_links(msg: dict[str, Any]) -> list[str]:
    links = []
    for ent in _entities(msg):
        if ent.get("type") == "text_link" and ent.get("href"):
            links.append(str(ent["href"]))
        elif ent.get("type") == "link" and ent.get("text"):
            links.append(str(ent["text"]))
    return links


def _entity_mentions(msg: dict[str, Any]) -> tuple[AccountRef, ...]:
    refs: dict[str, AccountRef] = {}
    for ent in _entities(msg):
        kind = ent.get("type")
        if kind == "mention" and ent.get("text"):
            handle = str(ent["text"]).lstrip("@")
            refs.setdefault(handle.lower(), AccountRef(PLATFORM, handle=handle))
        elif kind == "mention_name" and ent.get("user_id") is not None:
            uid = str(ent["user_id"])
            refs.setdefault(f"id:{uid}", AccountRef(PLATFORM, platform_id=uid, name=ent.get("text") or None))
    return tuple(refs.values())


def export_media_kind(msg: dict[str, Any]) -> str:
    """photo / video / long_video / text from a Desktop-export message (albums are separate messages)."""
    if msg.get("photo"):
        return "photo"
    media_type = msg.get("media_type")
    if media_type == "video_file" or (media_type is None and str(msg.get("mime_type") or "").startswith("video/")):
        seconds = msg.get("duration_seconds")
        if isinstance(seconds, int | float) and seconds > LONG_VIDEO_SECONDS:
            return "long_video"
        return "video"
    if media_type in ("video_message", "animation"):  # round videos and GIFs
        return "video"
    if media_type == "sticker":
        return "photo"
    return "text"  # voice_message, audio_file, documents, polls, locations, contacts, no media


def _reaction_total(msg: dict[str, Any]) -> int | None:
    reactions = msg.get("reactions")
    if not isinstance(reactions, list):
        return None
    total = 0
    for r in reactions:
        if isinstance(r, dict) and isinstance(r.get("count"), int):
            total += r["count"]
    return total


def _poll_text(msg: dict[str, Any]) -> str:
    poll = msg.get("poll")
    if not isinstance(poll, dict):
        return ""
    lines = [str(poll.get("question") or "")]
    lines += [f"- {a.get('text')}" for a in poll.get("answers") or [] if isinstance(a, dict)]
    return "\n".join(line for line in lines if line)


def _message_time(msg: dict[str, Any]) -> tuple[datetime, bool]:
    """(UTC time, approximate?). Exports from Telegram Desktop 2.6+ carry ``date_unixtime`` (exact); older ones
    only ``date``, the exporting computer's local time without a zone: read in ``--timezone`` (default
    Asia/Almaty) and marked approximate — the computer may have been in another zone, and DST is guessed."""
    if msg.get("date_unixtime") not in (None, ""):
        return parse_unix_utc(msg["date_unixtime"], "date_unixtime"), False
    local = msg.get("date")
    if not isinstance(local, str) or not local:
        raise RecordError("date_unixtime", "is missing, and so is 'date'")
    try:
        naive = datetime.fromisoformat(local)
    except ValueError:
        raise RecordError("date", f"is not a local time like 2019-06-20T10:00:00 ({clean_text(local)!r})") from None
    if naive.tzinfo is not None:
        return naive.astimezone(UTC), False
    try:
        return naive.replace(tzinfo=current_local_zone()).astimezone(UTC), True
    except (OverflowError, ValueError):
        raise RecordError("date", f"is out of range ({clean_text(local)!r})") from None


def _message_id(msg: dict[str, Any]) -> int:
    mid = msg.get("id")
    if isinstance(mid, bool) or not isinstance(mid, int):
        raise RecordError("id", f"is not a message id ({mid!r})")
    return mid


def _message_text(msg: dict[str, Any]) -> str | None:
    text = export_text(msg.get("text"))
    if not text.strip():
        text = _poll_text(msg)
    return text or None


def map_export_post(msg: dict[str, Any], chat_id: str, account: AccountRef, *, location: str = "",
                    chat_handle: str | None = None) -> PostRecord:
    """One ``"type": "message"`` of a channel export (or a channel post's copy) → PostRecord (pure)."""
    mid = _message_id(msg)
    published, approx = _message_time(msg)
    text = _message_text(msg)
    forwarded = msg.get("forwarded_from")
    is_repost = "forwarded_from" in msg or "forwarded_from_id" in msg
    source_url = None
    if is_repost:
        source_url = next((u for u in _entity_links(msg) if _is_news_link(u)), None)
    url = f"https://t.me/{chat_handle}/{mid}" if chat_handle else f"https://t.me/c/{chat_id}/{mid}"
    return PostRecord(
        platform=PLATFORM, platform_id=f"{chat_id}/{mid}", account=account, published_utc=published, text=text,
        media_kind=export_media_kind(msg), url=url, is_repost=is_repost,
        repost_source_name=str(forwarded) if is_repost and forwarded else None,
        repost_source_url=source_url, repost_source_domain=url_domain(source_url),
        likes=_reaction_total(msg), mentions=_entity_mentions(msg), raw=msg, location=location,
        published_approx=approx)


def map_export_comment(msg: dict[str, Any], group_id: str, post_platform_id: str, *,
                       parent_platform_id: str | None = None, channel_id: str | None = None,
                       location: str = "") -> CommentRecord:
    """A reply in a discussion-group export → CommentRecord (pure).

    ``channel_id``: the channel the post belongs to; a comment sent as that channel is marked an
    official reply (the data says so). Other authors are left for the store to decide.
    """
    mid = _message_id(msg)
    author_id = peer_id(msg.get("from_id"))
    if author_id is None:
        raise RecordError("from_id", f"is missing or not a Telegram peer id ({msg.get('from_id')!r})")
    official = True if channel_id is not None and author_id == channel_id and str(
        msg.get("from_id", "")).startswith("channel") else None
    published, approx = _message_time(msg)
    return CommentRecord(
        platform=PLATFORM, platform_id=f"{group_id}/{mid}", post_platform_id=post_platform_id,
        author=AccountRef(PLATFORM, platform_id=author_id, name=msg.get("from") or None),
        published_utc=published, text=_message_text(msg), parent_platform_id=parent_platform_id,
        likes=_reaction_total(msg), is_official_reply=official, raw=msg, location=location, published_approx=approx)


def is_channel_copy(msg: dict[str, Any], group_id: str) -> str | None:
    """The channel id if ``msg`` is Telegram's automatic copy of a channel post in its discussion group."""
    if msg.get("type") != "message" or "reply_to_message_id" in msg:
        return None
    from_id = str(msg.get("from_id") or "")
    if not from_id.startswith("channel"):
        return None
    cid = peer_id(from_id)
    if cid is None or cid == group_id:
        return None  # an anonymous group admin writes as the group itself: not a channel post
    if "forwarded_from" in msg or "forwarded_from_id" in msg or "saved_from" in msg:
        return cid
    return None


# ---------------------------------------------------------------------------------------------
# Telegram Desktop export: streaming
# ---------------------------------------------------------------------------------------------
def _truncated(path: Path, n: int, exc: Exception) -> SourceError:
    return SourceError(path, f"record {n}", None, f"file is truncated or not valid JSON ({exc})",
                       "export the chat again or fix the file")


def read_export_header(path: Path) -> dict[str, Any]:
    """Top-level ``name`` / ``type`` / ``id`` of a ``result.json``, read by ijson events.

    Telegram writes them before ``messages``, so this usually stops after a few bytes; if a file
    puts ``messages`` first, the scan continues past it without building the list.
    """
    wanted = {"name", "type", "id"}  # name is absent for "saved_messages"
    found: dict[str, Any] = {}
    saw_messages = False
    with open_binary(path) as fh:
        try:
            for prefix, event, value in ijson.parse(fh, buf_size=IJSON_BUFFER):
                if prefix == "" and event == "start_map":
                    continue
                if prefix == "" and event not in ("map_key", "end_map"):
                    raise SourceError(path, "top level", None, "is not a JSON object",
                                      "expected Telegram Desktop's result.json")
                if prefix == "" and event == "map_key" and value == "messages":
                    saw_messages = True
                elif prefix in wanted and event in ("string", "number", "null"):
                    found[prefix] = value
                elif prefix == "" and event == "end_map":
                    break
                if saw_messages and {"type", "id"} <= found.keys() and (
                        "name" in found or found["type"] in OTHER_TYPES):
                    break
        except ijson.JSONError as exc:
            raise SourceError(path, "top level", None, f"file is truncated or not valid JSON ({exc})") from None
    if not saw_messages:
        raise SourceError(path, "top level", "messages", "is missing",
                          "export a single chat (Export chat history → JSON), not the full account data")
    for key in ("type", "id"):
        if found.get(key) in (None, ""):
            raise SourceError(path, "top level", key, "is missing")
    return found


def iter_export_messages(path: Path) -> Iterator[tuple[int, Any]]:
    """(1-based record number, message) from ``messages``; truncation → SourceError naming the record."""
    n = 0
    with open_binary(path) as fh:
        try:
            for n, msg in enumerate(ijson.items(fh, "messages.item", use_float=True, buf_size=IJSON_BUFFER), start=1):
                yield n, msg
        except ijson.JSONError as exc:
            raise _truncated(path, n + 1, exc) from None


def _mapped(location: str, fn, *args, **kwargs) -> Record:
    try:
        return fn(*args, location=location, **kwargs)
    except RecordError as exc:
        return SkippedRecord(location, exc.field, exc.reason)


def parse_desktop(path: Path) -> Iterator[Record]:
    header = read_export_header(path)
    chat_type = str(header["type"])
    chat_id = str(header["id"])
    if chat_type in CHANNEL_TYPES:
        yield from _parse_channel(path, chat_id, header.get("name"))
    elif chat_type in GROUP_TYPES:
        yield from _parse_group(path, chat_id)
    else:
        raise SourceError(path, "top level", "type", f"is '{chat_type}': only channel and discussion-group "
                          "exports are supported", "export the channel or its discussion group")


def _parse_channel(path: Path, chat_id: str, name: Any) -> Iterator[Record]:
    account = AccountRef(PLATFORM, platform_id=chat_id, name=str(name) if name else None)
    for n, msg in iter_export_messages(path):
        location = f"record {n}"
        if not isinstance(msg, dict):
            yield SkippedRecord(location, "-", "is not a JSON object")
        elif msg.get("type") == "message":
            yield _mapped(location, map_export_post, msg, chat_id, account)
        elif msg.get("type") not in ("service", "unsupported"):
            yield SkippedRecord(location, "type", f"is not a Telegram message type ({msg.get('type')!r})")


@dataclass
class _ChannelIndex:
    """Posts of one channel export by time, to find which post a discussion-group copy is.

    A copy is created by Telegram the moment the post is published, so it carries the same (or the
    next) second; among posts in the window the one with the same text wins, else a lone candidate.
    Each channel post is claimed by at most one copy (albums: same second, paired in order).
    """

    path: Path
    by_second: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    claimed: set[int] = field(default_factory=set)

    @classmethod
    def load(cls, path: Path) -> _ChannelIndex:
        index = cls(path)
        for _, msg in iter_export_messages(path):
            if isinstance(msg, dict) and msg.get("type") == "message" and isinstance(msg.get("id"), int):
                try:
                    second = int(msg["date_unixtime"])
                    text = _norm_text(_message_text(msg))
                except (KeyError, TypeError, ValueError, RecordError):
                    continue
                index.by_second.setdefault(second, []).append((msg["id"], text))
        return index

    def match(self, second: int, text: str) -> int | None:
        candidates = [(abs(s - second), mid, t) for s in range(second - COPY_MATCH_WINDOW,
                                                               second + COPY_MATCH_WINDOW + 1)
                      for mid, t in self.by_second.get(s, ()) if mid not in self.claimed]
        same = sorted((d, mid) for d, mid, t in candidates if t == text)
        if same:
            mid = same[0][1]
        elif len(candidates) == 1:
            mid = candidates[0][1]
        else:
            return None
        self.claimed.add(mid)
        return mid


def find_channel_export(group_path: Path, channel_id: str) -> Path | None:
    """The linked channel's ``result.json`` next to a group export, if the user has it.

    Looked for in the group file's folder and in its sibling folders (Telegram Desktop saves each
    chat to its own ``ChatExport_<date>`` folder): a JSON file whose top-level ``id`` is the channel's.
    """
    folder = group_path.resolve().parent
    candidates = [p for p in sorted(folder.glob("*.json*")) if p.resolve() != group_path.resolve()]
    try:
        siblings = sorted(d for d in folder.parent.iterdir() if d.is_dir() and d != folder)
    except OSError:
        siblings = []
    for d in siblings[:500]:
        candidates += sorted(d.glob("result.json*"))
    pattern = re.compile(rb'"id"\s*:\s*' + re.escape(channel_id.encode()) + rb"\s*[,}]")
    for cand in candidates:
        try:
            with open_binary(cand) as fh:
                head = fh.read(4096)
        except (*READ_ERRORS, LimitExceeded):
            continue
        types = rb"|".join(t.encode() for t in CHANNEL_TYPES)
        if re.search(rb'"type"\s*:\s*"(' + types + rb')"', head) and pattern.search(head):
            return cand
    return None


def _load_channel_index(group_path: Path, channel_id: str) -> _ChannelIndex | None:
    """The linked channel export's index, or None when there is none or it cannot be read (a damaged file
    beside the group export must not fail the group: its copies are then kept as the group's own posts)."""
    found = find_channel_export(group_path, channel_id)
    if found is None:
        return None
    try:
        return _ChannelIndex.load(found)
    except (SourceError, LimitExceeded, *READ_ERRORS, ValueError):
        log.warning("%s: the linked channel export %s cannot be read; channel posts are kept from the group",
                    group_path, found)
        return None


def _parse_group(path: Path, group_id: str) -> Iterator[Record]:
    """Channel-post copies → posts (or matched to the channel export), replies → comments."""
    indexes: dict[str, _ChannelIndex | None] = {}
    # group message id → (post platform id, channel id), for copies and comments: follows reply chains
    root_of: dict[int, tuple[str, str]] = {}
    copies: set[int] = set()
    for n, msg in iter_export_messages(path):
        location = f"record {n}"
        if not isinstance(msg, dict):
            yield SkippedRecord(location, "-", "is not a JSON object")
            continue
        if msg.get("type") != "message":
            continue  # service messages: joins, pins, title changes
        mid = msg.get("id")
        if isinstance(mid, bool) or not isinstance(mid, int):
            yield SkippedRecord(location, "id", f"is not a message id ({mid!r})")
            continue
        channel_id = is_channel_copy(msg, group_id)
        if channel_id is not None:
            if channel_id not in indexes:
                indexes[channel_id] = _load_channel_index(path, channel_id)
            record = _map_copy(msg, group_id, channel_id, indexes[channel_id], location)
            if isinstance(record, str):  # matched to the channel export's post
                root_of[mid] = (record, channel_id)
                copies.add(mid)
                continue
            if isinstance(record, PostRecord):
                root_of[mid] = (record.platform_id, channel_id)
                copies.add(mid)
            yield record
            continue
        reply_to = msg.get("reply_to_message_id")
        if isinstance(reply_to, bool) or not isinstance(reply_to, int) or "reply_to_peer_id" in msg \
                or reply_to not in root_of:
            continue  # group chat that is not under a channel post (or its thread start is not exported)
        post_pid, channel_id = root_of[reply_to]
        parent_pid = None if reply_to in copies else f"{group_id}/{reply_to}"
        record = _mapped(location, map_export_comment, msg, group_id, post_pid, parent_platform_id=parent_pid,
                         channel_id=channel_id)
        if isinstance(record, CommentRecord):
            root_of[mid] = (post_pid, channel_id)
        yield record


def _map_copy(msg: dict[str, Any], group_id: str, channel_id: str, index: _ChannelIndex | None,
              location: str) -> Record | str:
    """A channel post's copy in the group: the channel post's key if the channel export has it,
    else a PostRecord of the channel account keyed ``"<group id>/<message id>"``."""
    if index is not None and msg.get("date_unixtime") not in (None, ""):
        try:
            channel_mid = index.match(int(msg["date_unixtime"]), _norm_text(_message_text(msg)))
        except (ValueError, TypeError, RecordError):
            channel_mid = None
        if channel_mid is not None:
            return f"{channel_id}/{channel_mid}"
    account = AccountRef(PLATFORM, platform_id=channel_id, name=msg.get("from") or None)
    record = _mapped(location, map_export_post, msg, group_id, account)
    if isinstance(record, PostRecord):
        # the copy's own forward header points at the channel; only a foreign source makes it a repost
        if "forwarded_from_id" in msg:
            foreign = msg["forwarded_from_id"] != msg.get("from_id")
        else:  # exports before forwarded_from_id existed: compare names
            foreign = msg.get("forwarded_from") not in (None, msg.get("from"))
        if not foreign:
            record.is_repost, record.repost_source_name = False, None
            record.repost_source_url = record.repost_source_domain = None
    return record


def detect_desktop(path: Path, peek: Peek) -> int:
    """A chat export: a ``messages`` list beside the chat's ``type`` (any version of Telegram Desktop)."""
    if peek.root != "object" or "messages" not in peek.keys:
        return 0
    if peek.value("type") in CHANNEL_TYPES + GROUP_TYPES + OTHER_TYPES:
        return 100
    return 60 if peek.any("messages.item.date", "messages.item.date_unixtime") else 0

# ---------------------------------------------------------------------------------------------
# Web preview t.me/s/<channel>: pure mappers
# ---------------------------------------------------------------------------------------------
_COUNT_RE = re.compile(r"^\s*([0-9][0-9\s.,]*)\s*([KMB])?\s*$", re.IGNORECASE)
_SCALE = {"": 1, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}
_BR_MARK = "\u2063"  # invisible separator standing for <br> while whitespace is collapsed


def parse_count(text: str | None) -> int | None:
    """Telegram's rounded counters: "214.4K" → 214400, "3M" → 3000000, "1 234" → 1234; else None."""
    if not text:
        return None
    match = _COUNT_RE.match(text.replace("\xa0", " "))
    if not match:
        return None
    digits = match.group(1).replace(" ", "").replace(",", ".")
    try:
        value = Decimal(digits) * _SCALE[(match.group(2) or "").upper()]
    except InvalidOperation:
        return None
    return int(value)


def _html_parser():
    from selectolax.lexbor import LexborHTMLParser

    return LexborHTMLParser


def _classes(node) -> set[str]:
    return set((node.attributes.get("class") or "").split())


def _inside(node, stop, *classes: str) -> bool:
    """Whether ``node`` sits inside an element with one of ``classes`` below ``stop``."""
    parent = node.parent
    while parent is not None and parent is not stop and parent.mem_id != stop.mem_id:
        if _classes(parent) & set(classes):
            return True
        parent = parent.parent
    return False


def _own(message, selector: str, *exclude: str) -> list:
    """Nodes matching ``selector`` in a message, not inside a link preview / reply quote / ``exclude``."""
    skip = ("tgme_widget_message_link_preview", "tgme_widget_message_reply", *exclude)
    return [n for n in message.css(selector) if not _inside(n, message, *skip)]


def html_text(node) -> str:
    """Rendered text of an element: whitespace runs collapse, ``<br>`` is a newline."""
    html = re.sub(r"<br\s*/?>", _BR_MARK, node.html or "", flags=re.IGNORECASE)
    body = _html_parser()(html).body
    text = body.text(deep=True, separator="") if body is not None else ""
    text = re.sub(r"[^\S\u2063]+", " ", text)
    return "\n".join(line.strip() for line in text.split(_BR_MARK)).strip()


def _duration_seconds(text: str | None) -> int | None:
    parts = (text or "").strip().split(":")
    if not parts or not all(p.isdigit() for p in parts):
        return None
    seconds = 0
    for p in parts:
        seconds = seconds * 60 + int(p)
    return seconds


def preview_media_kind(message) -> str:
    """album / long_video / video / photo / text of one ``.tgme_widget_message``."""
    if _own(message, ".tgme_widget_message_grouped_wrap"):
        return "album"
    if _own(message, ".tgme_widget_message_roundvideo_player, .tgme_widget_message_roundvideo"):
        return "video"
    players = _own(message, ".tgme_widget_message_video_player")
    if players:
        durations = [_duration_seconds(d.text()) for p in players for d in p.css(".message_video_duration")]
        known = [d for d in durations if d is not None]
        return "long_video" if known and max(known) > LONG_VIDEO_SECONDS else "video"
    if _own(message, ".tgme_widget_message_photo_wrap"):
        return "photo"
    if _own(message, ".tgme_widget_message_sticker_wrap, .tgme_widget_message_tgsticker_wrap, "
                     ".tgme_widget_message_videosticker_wrap"):
        return "photo"
    return "text"  # text, voice, audio, documents, polls, link previews


def decode_data_view(value: str | None) -> dict[str, Any]:
    """The ``data-view`` token of a preview message: base64 JSON ``{"c": -<channel id>, "p": .., "t": ..}``."""
    if not value:
        return {}
    try:
        raw = base64.b64decode(value.replace("-", "+").replace("_", "/") + "=" * (-len(value) % 4))
        data = orjson.loads(raw)
    except (ValueError, orjson.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _view_channel_id(view: dict[str, Any]) -> str | None:
    c = view.get("c")
    if isinstance(c, int) and not isinstance(c, bool) and c != 0:
        return str(abs(c))
    return None


def _post_ref(message) -> tuple[str, int]:
    post = message.attributes.get("data-post") or ""
    handle, _, mid = post.rpartition("/")
    if not handle or not mid.isdigit():
        raise RecordError("data-post", f"is not '<channel>/<message id>' ({post!r})")
    return handle, int(mid)


def _reactions(message) -> int | None:
    nodes = _own(message, ".tgme_reaction")
    if not nodes:
        return None
    total = 0
    for node in nodes:
        match = re.search(r"([0-9][0-9.,]*\s*[KMB]?)\s*$", node.text(deep=True) or "", re.IGNORECASE)
        total += (parse_count(match.group(1)) or 0) if match else 0
    return total


def map_preview_message(message, *, channel_id: str | None = None, base_url: str | None = None,
                        location: str = "") -> PostRecord:
    """One ``.tgme_widget_message`` node (selectolax) → PostRecord (pure)."""
    handle, mid = _post_ref(message)
    view = decode_data_view(message.attributes.get("data-view"))
    channel_id = _view_channel_id(view) or channel_id
    time_node = next(iter(_own(message, ".tgme_widget_message_date time, time[datetime]")), None)
    if time_node is None or not time_node.attributes.get("datetime"):
        raise RecordError("time", "is missing (no <time datetime> in the message footer)")
    published = parse_iso_utc(time_node.attributes["datetime"], "time")
    texts = _own(message, ".tgme_widget_message_text", "tgme_widget_message_text")
    text = "\n".join(t for t in (html_text(n) for n in texts) if t)
    if not text:
        question = _own(message, ".tgme_widget_message_poll_question")
        if question:
            options = [html_text(o) for o in _own(message, ".tgme_widget_message_poll_option_text")]
            text = "\n".join([html_text(question[0]), *(f"- {o}" for o in options)])
    owner = next(iter(_own(message, ".tgme_widget_message_owner_name")), None)
    account = AccountRef(PLATFORM, platform_id=channel_id, handle=handle,
                         name=html_text(owner) or None if owner is not None else None)
    fwd = next(iter(_own(message, ".tgme_widget_message_forwarded_from_name")), None)
    fwd_block = _own(message, ".tgme_widget_message_forwarded_from")
    is_repost = fwd is not None or bool(fwd_block)
    source_url = None
    if is_repost:
        links = [a.attributes.get("href") for n in texts for a in n.css("a[href]")]
        links += [a.attributes.get("href") for a in message.css("a.tgme_widget_message_link_preview[href]")]
        source_url = next((u for u in links if _is_news_link(u)), None)
        if source_url is None and fwd is not None and fwd.attributes.get("href"):
            source_url = urljoin(base_url or "https://t.me/", fwd.attributes["href"])
    mentions: dict[str, AccountRef] = {}
    for n in texts:
        for a in n.css("a[href]"):
            label = (a.text() or "").strip()
            if label.startswith("@") and len(label) > 1:
                mentions.setdefault(label[1:].lower(), AccountRef(PLATFORM, handle=label[1:]))
    signature = next(iter(_own(message, ".tgme_widget_message_from_author")), None)
    views = next(iter(_own(message, ".tgme_widget_message_views")), None)
    raw = {"data_post": f"{handle}/{mid}", "author": html_text(signature) if signature is not None else None,
           "html": message.html}
    return PostRecord(
        platform=PLATFORM, platform_id=f"{channel_id or handle.lower()}/{mid}", account=account,
        published_utc=published, text=text or None, media_kind=preview_media_kind(message),
        url=f"https://t.me/{handle}/{mid}", is_repost=is_repost,
        repost_source_name=(html_text(fwd) or None) if fwd is not None else None,
        repost_source_url=source_url, repost_source_domain=url_domain(source_url),
        likes=_reactions(message), views=parse_count(views.text()) if views is not None else None,
        mentions=tuple(mentions.values()), raw=raw, location=location)


@dataclass
class PreviewPage:
    """What one preview page gives: records, and what a collector needs to page back in time."""

    records: list[Record]
    min_message_id: int | None  # fetch t.me/s/<channel>?before=<this> for older posts
    channel_handle: str | None
    channel_id: str | None
    rendered_utc: datetime | None  # when Telegram rendered the page (data-view "t")


def map_preview_page(html: str, base_url: str | None = None, taken_utc: datetime | None = None) -> PreviewPage:
    """A ``t.me/s/<channel>`` page or a single-message fragment → records (pure).

    ``taken_utc`` dates the follower count when the page itself does not say when it was rendered.
    """
    tree = _html_parser()(html)
    omitted: list[Record] = []
    messages = []
    for m in tree.css(".tgme_widget_message"):
        if _is_service(m):
            omitted.append(OmittedRecord(f"message {m.attributes.get('data-post') or '?'}", SERVICE_MESSAGE))
        else:
            messages.append(m)
    if not messages and tree.css_first(".tgme_widget_message_error") is not None:
        # a single-post embed (t.me/<channel>/<id>?embed=1) of a deleted or never-existing post
        error = html_text(tree.css_first(".tgme_widget_message_error")) or "Post not found"
        return PreviewPage([OmittedRecord("page", f"embed page without a post («{clean_text(error, 60)}»)")],
                           None, None, None, None)
    ids_by_handle: dict[str, str] = {}
    rendered: datetime | None = None
    for m in messages:
        view = decode_data_view(m.attributes.get("data-view"))
        handle = (m.attributes.get("data-post") or "").rpartition("/")[0]
        if _view_channel_id(view) and handle:
            ids_by_handle.setdefault(handle.lower(), _view_channel_id(view))  # type: ignore[arg-type]
        if isinstance(view.get("t"), int):
            when = datetime.fromtimestamp(view["t"], tz=UTC)
            rendered = when if rendered is None or when > rendered else rendered
    records: list[Record] = list(omitted)
    min_id: int | None = None
    for n, message in enumerate(messages, start=1):
        location = f"message {n}"
        handle = (message.attributes.get("data-post") or "").rpartition("/")[0]
        try:
            record = map_preview_message(message, channel_id=ids_by_handle.get(handle.lower()),
                                         base_url=base_url, location=location)
        except RecordError as exc:
            records.append(SkippedRecord(location, exc.field, exc.reason))
            continue
        mid = int(record.url.rsplit("/", 1)[1]) if record.url else None
        if mid is not None and (min_id is None or mid < min_id):
            min_id = mid
        records.append(record)
    page_handle, page_id = _channel_header(tree, records, ids_by_handle)
    follower = _follower_record(tree, page_handle, page_id, rendered or taken_utc)
    if follower is not None:
        records.append(follower)
    if page_handle is None and records:
        first = next((r for r in records if isinstance(r, PostRecord)), None)
        page_handle = first.account.handle if first else None
    return PreviewPage(records, min_id, page_handle, page_id or ids_by_handle.get((page_handle or "").lower()),
                       rendered)


SERVICE_MESSAGE = "service message (channel created, title or photo changed, pinned…): not a post"


def _is_service(message) -> bool:
    """t.me/s pages mark service messages with a ``service_message`` class; single-post embeds put a
    ``tgme_widget_message_service`` element inside the message."""
    return "service_message" in _classes(message) or message.css_first(
        ".tgme_widget_message_service, .tgme_widget_message_service_message") is not None


def map_preview_html(html: str, base_url: str | None = None, taken_utc: datetime | None = None) -> list[Record]:
    """Records of a preview page; see ``map_preview_page`` for the pagination cursor."""
    return map_preview_page(html, base_url, taken_utc).records


def preview_min_message_id(html: str) -> int | None:
    """The smallest message id on a preview page (the ``before=`` cursor for the next older page)."""
    return map_preview_page(html).min_message_id


def _channel_header(tree, records: list[Record], ids_by_handle: dict[str, str]) -> tuple[str | None, str | None]:
    node = tree.css_first(".tgme_channel_info_header_username")
    handle = None
    if node is not None:
        handle = (node.text() or "").strip().lstrip("@") or None
    if handle is None:
        return None, None
    return handle, ids_by_handle.get(handle.lower())


def _follower_record(tree, handle: str | None, channel_id: str | None,
                     taken: datetime | None) -> FollowerRecord | None:
    if tree.css_first(".tgme_channel_info") is None or (handle is None and channel_id is None) or taken is None:
        return None
    for counter in tree.css(".tgme_channel_info_counter"):
        kind = counter.css_first(".counter_type")
        value = counter.css_first(".counter_value")
        if kind is None or value is None:
            continue
        if (kind.text() or "").strip().lower() in ("subscriber", "subscribers", "member", "members"):
            followers = parse_count(value.text())
            if followers is None:
                return None
            title = tree.css_first(".tgme_channel_info_header_title")
            return FollowerRecord(AccountRef(PLATFORM, platform_id=channel_id, handle=handle,
                                             name=html_text(title) or None if title is not None else None),
                                  taken_utc=taken, followers=followers, location="channel header")
    return None


# ---------------------------------------------------------------------------------------------
# Web preview: files
# ---------------------------------------------------------------------------------------------
def parse_preview(path: Path) -> Iterator[Record]:
    with open_binary(path) as fh:
        data = fh.read()
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        raise SourceError(path, "", None, "is JSON, not a t.me page (HTML)", "drop --format to detect the format")
    try:
        html = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(path, "", None, f"is not UTF-8 text ({exc.reason})", "save the page as UTF-8") from None
    mtime = datetime.fromtimestamp(os.stat(path).st_mtime, tz=UTC)
    yield from map_preview_html(html, taken_utc=mtime)


def detect_preview(path: Path, peek: Peek) -> int:
    """t.me/s/<channel> pages and single-post embeds (``?embed=1``) carry Telegram's widget classes."""
    if peek.is_json:
        return 0
    return 100 if b"tgme_widget_message" in peek.head or b"tgme_channel_info" in peek.head else 0

FORMATS = [
    Format("telegram_desktop", PLATFORM, "Telegram Desktop 'Export chat history' JSON (channel or discussion group)",
           detect_desktop, parse_desktop),
    Format("telegram_preview", PLATFORM, "Telegram public web preview t.me/s/<channel> HTML page",
           detect_preview, parse_preview),
]
