"""Telethon collector against a FAKE Telethon client (no network, no session). Messages are BUILT with
stand-in classes named and shaped like Telethon's ``Message``, ``PeerChannel``, ``MessageReplies``,
``MessageReplyHeader``… (telethon 1.x); a second test checks the adapter against Telethon's own types when
Telethon is installed. Covers posts paged by ``offset_id``, discussion-group comments with a reply chain and
an answer sent as the channel, views, subscribers, a deletion, an edited comment and a resume.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from akimwatch.harvest.runner import harvest_account, watched_accounts
from akimwatch.harvest.telegram_telethon import TelethonCollector, telethon_message_dict
from akimwatch.models import Account
from tests.harvest.fakeapi import cursors, fresh_sqlite, rows, watch

CHANNEL, GROUP = 1084368520, 1500000001
NOW = datetime(2024, 5, 20, 12, 0, tzinfo=UTC)
ACCOUNT = Account("tg-akimat", "telegram", handle="akimat_test", official_id="o1")


@dataclass
class PeerChannel:
    channel_id: int


@dataclass
class PeerUser:
    user_id: int


@dataclass
class MessageReplies:
    replies: int
    replies_pts: int = 0
    comments: bool = True
    channel_id: int = GROUP


@dataclass
class MessageReplyHeader:
    reply_to_msg_id: int
    reply_to_top_id: int | None = None


@dataclass
class MessageEntityTextUrl:
    offset: int
    length: int
    url: str


@dataclass
class MessageMediaPhoto:
    photo: Any = None


@dataclass
class Channel:
    id: int = CHANNEL
    username: str = "akimat_test"
    title: str = "Акимат (тест)"


@dataclass
class User:
    id: int
    first_name: str
    last_name: str | None = None


@dataclass
class Message:
    id: int
    peer_id: Any
    date: datetime
    message: str
    from_id: Any = None
    sender: Any = None
    reply_to: Any = None
    replies: Any = None
    views: int | None = None
    forwards: int | None = None
    entities: list = field(default_factory=list)
    media: Any = None
    fwd_from: Any = None
    reactions: Any = None
    edit_date: datetime | None = None
    edit_hide: bool = False
    post_author: str | None = None
    action: Any = None


def channel_posts(drop: int | None = None) -> list[Message]:
    posts = []
    for mid in range(105, 100, -1):  # newest first, as iter_messages yields
        if mid == drop:
            continue
        text = f"Пост {mid}: подробнее на сайте" if mid == 105 else f"Пост {mid}"
        posts.append(Message(mid, PeerChannel(CHANNEL), datetime(2024, 5, 10 + mid - 100, 9, tzinfo=UTC), text,
                             views=1000 + mid, replies=MessageReplies(3 if mid == 105 else 0),
                             entities=[MessageEntityTextUrl(len("Пост 105: подробнее на "), 4, "https://akimat.kz/n/1")]
                             if mid == 105 else [], media=MessageMediaPhoto() if mid == 104 else None))
    return posts


def discussion(edited: str | None = None) -> list[Message]:
    t = datetime(2024, 5, 15, 10, tzinfo=UTC)
    return [
        Message(9001, PeerChannel(GROUP), t, "Когда починят освещение?", from_id=PeerUser(555),
                sender=User(555, "Айгуль"), reply_to=MessageReplyHeader(900)),
        Message(9002, PeerChannel(GROUP), t + timedelta(minutes=30), "Заявка передана в ЖКХ.",
                from_id=PeerChannel(CHANNEL), sender=Channel(), reply_to=MessageReplyHeader(9001, 900)),
        Message(9003, PeerChannel(GROUP), t + timedelta(hours=1), edited or "Спасибо!", from_id=PeerUser(555),
                sender=User(555, "Айгуль"), reply_to=MessageReplyHeader(9002, 900),
                edit_date=t + timedelta(hours=2) if edited else None),
    ]


@dataclass
class Total(list):
    total: int = 0


class FakeTelethon:
    """The part of telethon.sync.TelegramClient the collector uses."""

    def __init__(self, *, drop: int | None = None, edited: str | None = None, page_size: int = 2,
                 kill_after: int | None = None):
        self.posts, self.comments = channel_posts(drop), discussion(edited)
        self.calls: list[tuple] = []
        self.kill_after = kill_after

    def _call(self, *what):
        self.calls.append(what)
        if self.kill_after is not None and len(self.calls) > self.kill_after:
            raise KeyboardInterrupt

    def get_entity(self, ref):
        self._call("get_entity", ref)
        assert ref == "akimat_test"
        return Channel()

    def get_participants(self, entity, limit=None):
        self._call("get_participants")
        return Total(total=5400)

    def iter_messages(self, entity, limit=None, offset_id=None, reply_to=None):
        self._call("iter_messages", offset_id, reply_to)
        if reply_to is not None:
            return list(self.comments) if reply_to == 105 else []
        older = [m for m in self.posts if offset_id is None or m.id < offset_id]
        return older[:limit]

    def disconnect(self):
        pass


def collector(client, now=NOW):
    c = TelethonCollector(client=client, now=lambda: now, window=timedelta(days=14))
    c.page_size = 2
    return c


@pytest.fixture
def tg(store):
    watch(store, ACCOUNT)
    return store


def test_posts_comments_threads_views_and_subscribers(tg):
    client = FakeTelethon()
    result = harvest_account(tg, collector(client), watched_accounts(tg)[0])
    assert result.ok, result.error
    assert result.counts == {"posts_new": 5, "posts_updated": 0, "all_comments_new": 3, "all_comments_updated": 0,
                             "followers": 1, "skipped": 0, "deleted": 0}
    post_rows, comment_rows = rows(tg)
    assert [(p[0], p[5]) for p in post_rows] == [(f"{CHANNEL}/{m}", 1000 + m) for m in range(101, 106)]
    assert [(c[0], c[1], c[2], c[6]) for c in comment_rows] == [
        (f"{GROUP}/9001", f"{CHANNEL}/105", None, False),
        (f"{GROUP}/9002", f"{CHANNEL}/105", f"{GROUP}/9001", True),  # answered as the channel
        (f"{GROUP}/9003", f"{CHANNEL}/105", f"{GROUP}/9002", False)]
    offsets = [c[1] for c in client.calls if c[0] == "iter_messages" and c[2] is None]
    assert offsets == [None, 104, 102]
    assert [c[2] for c in client.calls if c[0] == "iter_messages" and c[2] is not None] == [105]  # others: 0 replies
    assert cursors(tg, "tg-akimat")["posts"] == {"done_utc": "2024-05-15T09:00:00+00:00"}


def test_second_pass_deleted_post_edited_comment_and_resume(tg, tmp_path):
    account = watched_accounts(tg)[0]
    with pytest.raises(KeyboardInterrupt):
        harvest_account(tg, collector(FakeTelethon(kill_after=4)), account)  # entity, count, page 1, comments; dies
    assert len(rows(tg)[0]) == 2 and cursors(tg, "tg-akimat")["posts"]["walk"]["next"] == 104
    harvest_account(tg, collector(FakeTelethon()), account)
    clean = fresh_sqlite(tmp_path / "clean.db")
    watch(clean, ACCOUNT)
    harvest_account(clean, collector(FakeTelethon()), watched_accounts(clean)[0])
    assert rows(clean) == rows(tg)

    result = harvest_account(tg, collector(FakeTelethon(drop=103, edited="Спасибо, свет есть!"),
                                           now=NOW + timedelta(hours=1)), account)
    assert result.ok and result.deleted == 1 and result.counts["all_comments_updated"] == 1
    post_rows, comment_rows = rows(tg)
    assert [p[0] for p in post_rows if p[2]] == [f"{CHANNEL}/103"]
    assert comment_rows[-1][3:6] == ("Спасибо, свет есть!", False, 2)


def test_adapter_matches_telethons_own_types():
    types = pytest.importorskip("telethon.tl.types")
    msg = types.Message(
        id=7, peer_id=types.PeerChannel(CHANNEL), date=datetime(2024, 5, 1, 6, tzinfo=UTC),
        message="Видео с брифинга @akimat_press", views=321, forwards=4,
        entities=[types.MessageEntityMention(offset=17, length=13)],
        replies=types.MessageReplies(replies=2, replies_pts=1, comments=True, channel_id=GROUP),
        reactions=types.MessageReactions(results=[types.ReactionCount(types.ReactionEmoji("👍"), 12)]),
        media=types.MessageMediaDocument(document=types.Document(
            id=1, access_hash=1, file_reference=b"", date=datetime(2024, 5, 1, tzinfo=UTC), mime_type="video/mp4",
            size=10, dc_id=2, attributes=[types.DocumentAttributeVideo(duration=95.0, w=1280, h=720)])),
        fwd_from=types.MessageFwdHeader(date=datetime(2024, 4, 30, tzinfo=UTC), from_id=types.PeerChannel(42)))
    d = telethon_message_dict(msg)
    assert d == {"id": 7, "type": "message", "date_unixtime": "1714543200", "from": None, "from_id": f"channel{CHANNEL}",
                 "text": "Видео с брифинга @akimat_press",
                 "text_entities": [{"type": "mention", "text": "@akimat_press"}],
                 "forwarded_from": "channel42", "forwarded_from_id": "channel42",
                 "reactions": [{"type": "emoji", "count": 12, "emoji": "👍"}], "mime_type": "video/mp4",
                 "media_type": "video_file", "duration_seconds": 95, "views": 321, "forwards": 4}
