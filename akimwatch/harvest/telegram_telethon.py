"""Telegram channels and their discussion-group comments through Telethon (a user session, MTProto).

Chosen instead of the public preview when ``AKIMWATCH_TELEGRAM_API_ID``, ``AKIMWATCH_TELEGRAM_API_HASH`` and
``AKIMWATCH_TELEGRAM_SESSION`` are set (or ``AKIMWATCH_TELEGRAM_COLLECTOR=telethon``); Telethon is an optional
dependency (``pip install 'akimwatch[telegram]'``). The session must have been authorised once, interactively
(docs/collectors.md).

* posts: ``iter_messages(channel, limit=N, offset_id=<oldest id>)`` newest first — views, forwards, reactions;
* comments: ``iter_messages(channel, reply_to=<post id>)`` — the messages of the linked discussion group that
  answer the post, with their reply chains; a comment sent as the channel is an official reply;
* subscribers: ``get_participants(channel, limit=0).total``.

Telethon messages are turned into the shape of a Telegram Desktop export message (``telethon_message_dict``)
and mapped by the Desktop importer's ``map_export_post`` / ``map_export_comment`` — the same mapping as an
export. Telethon itself waits out FloodWait errors (``flood_sleep_threshold``).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from akimwatch.harvest.base import WatchedAccount
from akimwatch.harvest.config import MissingCredential, credential, policy_for, recent_window
from akimwatch.harvest.walk import FeedCollector, FeedPage
from akimwatch.models import AccountRef, FollowerRecord, PostRecord, Record, SkippedRecord
from akimwatch.sources.base import RecordError
from akimwatch.sources.telegram import PLATFORM, map_export_comment, map_export_post

ENTITY_TYPES = {"MessageEntityTextUrl": "text_link", "MessageEntityUrl": "link", "MessageEntityMention": "mention",
                "MessageEntityMentionName": "mention_name", "MessageEntityHashtag": "hashtag"}


def peer_string(peer: Any) -> str | None:
    """PeerChannel(123) → 'channel123', PeerUser(45) → 'user45' (the Desktop export's ``from_id``)."""
    for attr, prefix in (("channel_id", "channel"), ("user_id", "user"), ("chat_id", "chat")):
        value = getattr(peer, attr, None)
        if value is not None:
            return f"{prefix}{value}"
    return None


def _utf16_slice(text: str, offset: int, length: int) -> str:
    data = text.encode("utf-16-le")
    return data[offset * 2:(offset + length) * 2].decode("utf-16-le", errors="replace")


def _name(entity: Any) -> str | None:
    if entity is None:
        return None
    title = getattr(entity, "title", None)
    if title:
        return title
    parts = [getattr(entity, "first_name", None), getattr(entity, "last_name", None)]
    return " ".join(p for p in parts if p) or None


def _media(media: Any) -> dict[str, Any]:
    kind = type(media).__name__ if media is not None else ""
    if kind == "MessageMediaPhoto":
        return {"photo": "(photo)"}
    if kind == "MessageMediaPoll":
        poll = media.poll
        question = getattr(poll.question, "text", poll.question)
        return {"poll": {"question": question,
                         "answers": [{"text": getattr(a.text, "text", a.text)} for a in poll.answers]}}
    if kind != "MessageMediaDocument" or getattr(media, "document", None) is None:
        return {}
    document = media.document
    out: dict[str, Any] = {"mime_type": getattr(document, "mime_type", None)}
    for attr in getattr(document, "attributes", None) or []:
        name = type(attr).__name__
        if name == "DocumentAttributeVideo":
            out["media_type"] = "video_message" if getattr(attr, "round_message", False) else "video_file"
            out["duration_seconds"] = int(attr.duration)
        elif name == "DocumentAttributeAnimated":
            out["media_type"] = "animation"
        elif name == "DocumentAttributeSticker":
            out["media_type"] = "sticker"
        elif name == "DocumentAttributeAudio":
            out["media_type"] = "voice_message" if getattr(attr, "voice", False) else "audio_file"
    return out


def telethon_message_dict(msg: Any) -> dict[str, Any]:
    """A Telethon ``Message`` → the dict a Telegram Desktop JSON export has for it (pure).

    Keys: id, type, date_unixtime, edited_unixtime, from, from_id, text, text_entities, forwarded_from(_id),
    reactions, media fields; plus ``views``/``forwards``, which the export lacks and the collector adds to the post.
    """
    text = msg.message or ""
    entities = []
    for ent in getattr(msg, "entities", None) or []:
        kind = ENTITY_TYPES.get(type(ent).__name__)
        if kind is None:
            continue
        item = {"type": kind, "text": _utf16_slice(text, ent.offset, ent.length)}
        if kind == "text_link":
            item["href"] = ent.url
        if kind == "mention_name":
            item["user_id"] = ent.user_id
        entities.append(item)
    sender = getattr(msg, "sender", None)
    out: dict[str, Any] = {
        "id": msg.id, "type": "message", "date_unixtime": str(int(msg.date.timestamp())),
        "from": _name(sender) or getattr(msg, "post_author", None),
        "from_id": peer_string(msg.from_id) or peer_string(msg.peer_id), "text": text, "text_entities": entities,
    }
    if getattr(msg, "edit_date", None) is not None and not getattr(msg, "edit_hide", False):
        out["edited_unixtime"] = str(int(msg.edit_date.timestamp()))
    fwd = getattr(msg, "fwd_from", None)
    if fwd is not None:
        out["forwarded_from"] = fwd.from_name or fwd.post_author or peer_string(fwd.from_id)
        if fwd.from_id is not None:
            out["forwarded_from_id"] = peer_string(fwd.from_id)
    reactions = getattr(msg, "reactions", None)
    if reactions is not None:
        out["reactions"] = [{"type": "emoji", "count": r.count, "emoji": getattr(r.reaction, "emoticon", None)}
                            for r in reactions.results or []]
    out.update(_media(getattr(msg, "media", None)))
    for key in ("views", "forwards"):
        if getattr(msg, key, None) is not None:
            out[key] = getattr(msg, key)
    return out


class TelethonCollector(FeedCollector):
    platform = "telegram"
    name = "telegram_telethon"
    default_base = "https://t.me"  # not used: Telethon speaks MTProto to Telegram's data centres
    page_size = 100

    def __init__(self, *, client: Any = None, now=None, window=None, controller=None, transport=None,
                 token: str | None = None):
        self.policy = controller.policy if controller else policy_for("telegram")
        self.now = now or (lambda: datetime.now(UTC))
        self.window = window if window is not None else recent_window()
        self.secrets: list[str] = []
        self.client = client if client is not None else self.connect()
        self._entities: dict[str, Any] = {}
        self._threads: dict[str, tuple[int, int | None]] = {}  # post pid → (message id, reply count)

    @staticmethod
    def connect() -> Any:
        try:
            from telethon.sessions import StringSession
            from telethon.sync import TelegramClient
        except ImportError:
            raise MissingCredential("telegram: Telethon is not installed; pip install 'akimwatch[telegram]' "
                                    "or unset AKIMWATCH_TELEGRAM_COLLECTOR to use the public preview") from None
        api_id = credential("telegram_api_id", purpose="telegram (Telethon)")
        api_hash = credential("telegram_api_hash", purpose="telegram (Telethon)")
        session = credential("telegram_session", purpose="telegram (Telethon)")
        session_arg = session if os.path.exists(str(session)) or str(session).endswith(".session") \
            else StringSession(session)
        client = TelegramClient(session_arg, int(api_id), api_hash)
        client.flood_sleep_threshold = 600  # wait out FloodWait up to 10 minutes, then fail the account
        client.connect()
        if not client.is_user_authorized():
            client.disconnect()
            raise MissingCredential("telegram: the Telethon session is not authorised; log in once "
                                    "interactively (docs/collectors.md)")
        return client

    def close(self) -> None:
        disconnect = getattr(self.client, "disconnect", None)
        if disconnect:
            disconnect()

    def entity(self, account: WatchedAccount) -> Any:
        if account.id not in self._entities:
            ref = account.handle.lstrip("@") if account.handle else None
            if ref is None and account.platform_id:
                ref = int(account.platform_id)
            if ref is None:
                raise RecordError("handle", f"account {account.id} has neither a handle nor a channel id")
            self._entities[account.id] = self.client.get_entity(ref)
        return self._entities[account.id]

    def followers(self, account: WatchedAccount, taken_utc: datetime) -> list[Record]:
        channel = self.entity(account)
        total = getattr(self.client.get_participants(channel, limit=0), "total", None)
        if total is None:
            return []
        return [FollowerRecord(AccountRef(PLATFORM, platform_id=str(channel.id), handle=getattr(channel, "username", None),
                                          name=_name(channel)), taken_utc, int(total), "channel info")]

    def _page(self, account: WatchedAccount, offset_id: int | None) -> FeedPage:
        channel = self.entity(account)
        kwargs: dict[str, Any] = {"limit": self.page_size}
        if offset_id:
            kwargs["offset_id"] = offset_id
        messages = list(self.client.iter_messages(channel, **kwargs))
        cid, handle = str(channel.id), getattr(channel, "username", None)
        ref = AccountRef(PLATFORM, platform_id=cid, handle=handle, name=_name(channel))
        posts: list[PostRecord] = []
        skipped: list[Record] = []
        for msg in messages:
            if getattr(msg, "action", None) is not None:
                continue  # service messages
            where = f"{handle or cid} message {msg.id}"
            raw = telethon_message_dict(msg)
            try:
                post = map_export_post(raw, cid, ref, location=where, chat_handle=handle)
            except RecordError as exc:
                skipped.append(SkippedRecord(where, exc.field, exc.reason))
                continue
            post.views = raw.get("views")
            replies = getattr(msg, "replies", None)
            if replies is not None and getattr(replies, "comments", False):
                post.comments_count = replies.replies
                self._threads[post.platform_id] = (msg.id, replies.replies)
            posts.append(post)
        nxt = messages[-1].id if len(messages) >= self.page_size else None
        return FeedPage(posts, skipped, nxt, size=len(messages))

    def first_page(self, account: WatchedAccount) -> FeedPage:
        return self._page(account, None)

    def next_page(self, account: WatchedAccount, token: Any) -> FeedPage:
        return self._page(account, int(token))

    def comments(self, account: WatchedAccount, post: PostRecord) -> tuple[list[Record], bool] | None:
        thread = self._threads.get(post.platform_id)
        if thread is None:
            return None  # comments are off, or the channel has no discussion group
        post_mid, count = thread
        if not count:
            return [], True
        channel = self.entity(account)
        found: list[Record] = []
        for msg in self.client.iter_messages(channel, reply_to=post_mid):
            group_id = peer_string(msg.peer_id)
            group = group_id[len("channel"):] if group_id and group_id.startswith("channel") else str(group_id)
            header = msg.reply_to
            top = getattr(header, "reply_to_top_id", None) or getattr(header, "reply_to_msg_id", None)
            parent_mid = getattr(header, "reply_to_msg_id", None)
            parent = f"{group}/{parent_mid}" if parent_mid and parent_mid != top else None
            where = f"comments of {post.platform_id}, message {msg.id}"
            try:
                found.append(map_export_comment(telethon_message_dict(msg), group, post.platform_id,
                                                parent_platform_id=parent, channel_id=str(channel.id), location=where))
            except RecordError as exc:
                found.append(SkippedRecord(where, exc.field, exc.reason))
        return found, True
