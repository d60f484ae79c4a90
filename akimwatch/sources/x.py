"""X (Twitter) API v2 JSON: twarc2 pages, flattened twarc2 lines, single API responses (docs/formats.md).

One format, ``x_api_v2``, reads three shapes of the same data:

* a twarc2 page per line: ``{"data": [tweets], "includes": {"users", "tweets", "media"}, "meta", "__twarc"}``
  (a filtered-stream line has ``data`` as one tweet object);
* a twarc2 *flattened* line: one tweet object with ``author``, ``in_reply_to_user`` and
  ``referenced_tweets[]`` inlined;
* a plain single API response saved as a ``.json`` file (pretty-printed or not).

Only tweets in ``data`` become records; ``includes.tweets`` are context (repost sources, edit chains).
A root tweet (``conversation_id == id``) or a retweet is a post; any other tweet is a reply, saved as a
comment on its conversation's root (linked when the root arrives). An edited tweet keeps one identity: its
``platform_id`` is the first id of ``edit_history_tweet_ids``, so a later version updates the same post and
the store archives the earlier text. A user-lookup page gives follower snapshots dated by the
``__twarc.retrieved_at`` time of the request; without that time it gives nothing (no invented dates).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from akimwatch.models import AccountRef, CommentRecord, FollowerRecord, PostRecord, Record, SkippedRecord
from akimwatch.sources.base import (
    Format,
    RecordError,
    as_dict,
    as_int,
    as_list,
    iter_json_lines,
    open_binary,
    parse_iso_utc,
    read_json_file,
    url_domain,
)
from akimwatch.sources.peek import Peek

PLATFORM = "x"
TWEET_URL = "https://x.com/{user}/status/{id}"
TWITTER_HOSTS = {"twitter.com", "x.com", "t.co", "mobile.twitter.com", "pic.twitter.com", "pic.x.com"}
LONG_VIDEO_MS = 60_000
# media_key prefixes the API uses: 3_ photo, 7_ video, 13_ amplify video, 16_ animated GIF
KEY_PREFIX_KIND = {"3": "photo", "7": "video", "13": "video", "16": "video"}


@dataclass
class Context:
    """What one API page says about the tweets in its ``data``: users, referenced tweets, media."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    tweets: dict[str, dict[str, Any]] = field(default_factory=dict)
    media: dict[str, dict[str, Any]] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # any version id of an edited tweet → first id
    _by_handle: dict[str, str] | None = None

    def add_tweet(self, tweet: dict[str, Any]) -> None:
        tid = tweet.get("id")
        if tid is not None:
            self.tweets.setdefault(str(tid), tweet)
        history = tweet.get("edit_history_tweet_ids")
        if isinstance(history, list) and history:
            for version in history:
                self.aliases[str(version)] = str(history[0])

    def user_id_of(self, username: str | None) -> str | None:
        if not username:
            return None
        if self._by_handle is None:
            self._by_handle = {str(u.get("username", "")).lower(): uid for uid, u in self.users.items()}
        return self._by_handle.get(username.lower())

    def canon(self, tweet_id: Any) -> str:
        return self.aliases.get(str(tweet_id), str(tweet_id))


def context_from_includes(page: dict[str, Any]) -> Context:
    ctx = Context()
    includes = page.get("includes") if isinstance(page.get("includes"), dict) else {}
    for user in as_list(includes.get("users")):
        if isinstance(user, dict) and user.get("id") is not None:
            ctx.users[str(user["id"])] = user
    for media in as_list(includes.get("media")):
        if isinstance(media, dict) and media.get("media_key"):
            ctx.media[str(media["media_key"])] = media
    for tweet in as_list(includes.get("tweets")):
        if isinstance(tweet, dict):
            ctx.add_tweet(tweet)
    return ctx


def context_from_flat(tweet: dict[str, Any], ctx: Context | None = None) -> Context:
    """The same context from a flattened tweet's inlined ``author``, ``referenced_tweets`` and media."""
    ctx = ctx or Context()
    for key in ("author", "in_reply_to_user"):
        user = tweet.get(key)
        if isinstance(user, dict) and user.get("id") is not None:
            ctx.users.setdefault(str(user["id"]), user)
    for mention in as_list(as_dict(tweet.get("entities")).get("mentions")):
        if isinstance(mention, dict) and mention.get("id") is not None and mention.get("username"):
            ctx.users.setdefault(str(mention["id"]), mention)
    for media in as_list(as_dict(tweet.get("attachments")).get("media")):
        if isinstance(media, dict) and media.get("media_key"):
            ctx.media.setdefault(str(media["media_key"]), media)
    ctx.add_tweet(tweet)
    for ref in as_list(tweet.get("referenced_tweets")):
        if isinstance(ref, dict) and ref.get("id") is not None and len(ref) > 2:  # inlined, not just type+id
            context_from_flat(ref, ctx)
    return ctx


def _user_ref(user_id: str | None, ctx: Context) -> AccountRef:
    user = ctx.users.get(user_id or "", {})
    return AccountRef(PLATFORM, platform_id=user_id, handle=user.get("username") or None,
                      name=user.get("name") or None)


def _tweet_url(tweet_id: str, username: str | None) -> str:
    return TWEET_URL.format(user=username or "i/web", id=tweet_id)


def _external_link(*tweets: dict[str, Any] | None) -> str | None:
    """The first link that leaves X (a news portal) in the tweets' ``entities.urls``."""
    for tweet in tweets:
        for url in as_list(as_dict((tweet or {}).get("entities")).get("urls")):
            if not isinstance(url, dict):
                continue
            target = url.get("unwound_url") or url.get("expanded_url") or url.get("url")
            domain = url_domain(target)
            if domain and domain not in TWITTER_HOSTS and not domain.endswith(".twitter.com"):
                return target
    return None


def _media_kind(tweet: dict[str, Any], ctx: Context) -> str:
    keys = [str(k) for k in as_dict(tweet.get("attachments")).get("media_keys") or []]
    if not keys:
        return "text"
    if len(keys) > 1:
        return "album"
    media = ctx.media.get(keys[0])
    kind = (media or {}).get("type") or KEY_PREFIX_KIND.get(keys[0].split("_", 1)[0])
    if kind == "photo":
        return "photo"
    if kind in ("video", "animated_gif"):
        duration = as_int((media or {}).get("duration_ms"))
        return "long_video" if duration is not None and duration > LONG_VIDEO_MS else "video"
    return "text"


def _text(tweet: dict[str, Any]) -> str | None:
    note = tweet.get("note_tweet")  # long posts: the full text lives here, ``text`` is cut at 280
    if isinstance(note, dict) and note.get("text"):
        return note["text"]
    return tweet.get("text")


def _sid(value: Any) -> str | None:
    """An id as the API gives it (a string, or a number in some tools' output); anything else is no id."""
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value)


def map_tweet(tweet: dict[str, Any], ctx: Context, location: str, raw: Any = None) -> PostRecord | CommentRecord:
    """One API v2 tweet object (with its page's context) → a post or a comment (pure)."""
    tweet_id = _sid(tweet.get("id"))
    if tweet_id is None:
        raise RecordError("id", "is missing or not an id")
    author_id = _sid(tweet.get("author_id"))
    if author_id is None:
        raise RecordError("author_id", "is missing (request expansions=author_id)")
    published = parse_iso_utc(tweet.get("created_at"), "created_at")
    author = _user_ref(author_id, ctx)
    listed = tweet.get("referenced_tweets") if isinstance(tweet.get("referenced_tweets"), list) else []
    refs = {r["type"]: _sid(r.get("id")) for r in listed
            if isinstance(r, dict) and isinstance(r.get("type"), str) and _sid(r.get("id"))}
    metrics = tweet.get("public_metrics") if isinstance(tweet.get("public_metrics"), dict) else {}
    pid = ctx.canon(tweet_id)
    if pid != tweet_id and pid in ctx.tweets:  # a later version of an edited tweet: published when first posted
        published = parse_iso_utc(ctx.tweets[pid].get("created_at") or tweet.get("created_at"), "created_at")
    conversation = _sid(tweet.get("conversation_id"))
    is_reply = "retweeted" not in refs and (
        (conversation not in (None, "") and ctx.canon(conversation) != pid)
        or (conversation in (None, "") and "replied_to" in refs))
    if is_reply:
        if conversation in (None, ""):
            raise RecordError("conversation_id", "is missing on a reply (request tweet.fields=conversation_id)")
        root = ctx.canon(conversation)
        parent = ctx.canon(refs["replied_to"]) if "replied_to" in refs else None
        return CommentRecord(
            platform=PLATFORM, platform_id=pid, post_platform_id=root,
            parent_platform_id=parent if parent != root else None, author=author, published_utc=published,
            text=_text(tweet), likes=as_int(metrics.get("like_count")), raw=raw, location=location)

    source_id = refs.get("retweeted") or refs.get("quoted")
    source = ctx.tweets.get(source_id) if source_id else None
    source_user = ctx.users.get(str((source or {}).get("author_id")), {}) if source else {}
    retweet_count, quote_count = as_int(metrics.get("retweet_count")), as_int(metrics.get("quote_count"))
    shares = None if retweet_count is None and quote_count is None else (retweet_count or 0) + (quote_count or 0)
    if "retweeted" in refs:
        shares = None  # a retweet's retweet_count is the original's: not this post's shares
    media_kind = _media_kind(tweet, ctx)
    if media_kind == "text" and "retweeted" in refs and source:
        media_kind = _media_kind(source, ctx)
    news = _external_link(tweet, source) if source_id else None
    mentions = tuple(AccountRef(PLATFORM, platform_id=str(m["id"]) if m.get("id") else ctx.user_id_of(
                                    m.get("username")), handle=m.get("username"))
                     for m in as_dict(tweet.get("entities")).get("mentions") or []
                     if isinstance(m, dict) and (m.get("username") or m.get("id")))
    return PostRecord(
        platform=PLATFORM, platform_id=pid, account=author, published_utc=published, text=_text(tweet),
        media_kind=media_kind, url=_tweet_url(tweet_id, author.handle), is_repost=source_id is not None,
        repost_source_name=source_user.get("username") or None,
        repost_source_url=_tweet_url(source_id, source_user.get("username")) if source_id else None,
        repost_source_domain=url_domain(news), likes=as_int(metrics.get("like_count")),
        comments_count=as_int(metrics.get("reply_count")), views=as_int(metrics.get("impression_count")),
        shares=shares, mentions=mentions, raw=raw, location=location)


def map_user_followers(user: dict[str, Any], taken: str, location: str) -> FollowerRecord:
    """A user object from a user-lookup page, at the time the page was retrieved → a snapshot (pure)."""
    if user.get("id") in (None, ""):
        raise RecordError("id", "is missing")
    followers = as_int(as_dict(user.get("public_metrics")).get("followers_count"))
    if followers is None:
        raise RecordError("public_metrics.followers_count", "is missing (request user.fields=public_metrics)")
    return FollowerRecord(
        account=AccountRef(PLATFORM, platform_id=str(user["id"]), handle=user.get("username"),
                           name=user.get("name")),
        taken_utc=parse_iso_utc(taken, "__twarc.retrieved_at"), followers=followers, location=location)


def _is_user(obj: Any) -> bool:
    return isinstance(obj, dict) and "username" in obj and "text" not in obj


def _is_tweet(obj: Any) -> bool:
    return isinstance(obj, dict) and "id" in obj and "text" in obj and (
        "author_id" in obj or "conversation_id" in obj or "edit_history_tweet_ids" in obj)


def _api_error(obj: dict[str, Any]) -> str:
    errors = obj.get("errors") if isinstance(obj.get("errors"), list) else [obj]
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    message = first.get("detail") or first.get("message") or first.get("title") or "unknown error"
    return f"is an API error, not data: {message}"


def map_object(obj: Any, where: str, raw: Any, item_label: str) -> Iterator[Record]:
    """One JSON object of the file (a page, a flattened tweet or an error) → records."""
    if not isinstance(obj, dict):
        yield SkippedRecord(where, "-", "is not a JSON object")
        return
    data = obj.get("data")
    if data is None:
        if _is_tweet(obj):
            try:
                yield map_tweet(obj, context_from_flat(obj), where, raw)
            except RecordError as exc:
                yield SkippedRecord(where, exc.field, exc.reason)
        elif "errors" in obj or "title" in obj:
            yield SkippedRecord(where, "errors", _api_error(obj))
        else:
            yield SkippedRecord(where, "data", "is missing: neither an API v2 response nor a flattened tweet")
        return
    items = [data] if isinstance(data, dict) else data
    if not isinstance(items, list):
        yield SkippedRecord(where, "data", "is not a list of tweets or users")
        return
    ctx = context_from_includes(obj)
    for item in items:
        if isinstance(item, dict):
            ctx.add_tweet(item)
    retrieved = as_dict(obj.get("__twarc")).get("retrieved_at") if isinstance(obj.get("__twarc"), dict) else None
    for n, item in enumerate(items, start=1):
        location = f"{where}, {item_label} {n}" if where else f"{item_label} {n}"
        try:
            if _is_user(item):
                if retrieved:  # without the request time a follower count has no honest date
                    yield map_user_followers(item, retrieved, location)
                continue
            if not isinstance(item, dict):
                raise RecordError("data", "is not a JSON object")
            yield map_tweet(item, ctx, location, item)
        except RecordError as exc:
            yield SkippedRecord(location, exc.field, exc.reason)


def _base_name(path: Path) -> str:
    name = path.name.lower()
    for ext in (".gz", ".xz"):
        if name.endswith(ext):
            name = name[: -len(ext)]
    return name


def parse(path: Path) -> Iterator[Record]:
    """Lines (twarc2 JSONL, pages or flattened) or one whole JSON response (a pretty-printed ``.json``)."""
    with open_binary(path) as fh:
        first = fh.readline()
        while first and not first.strip():
            first = fh.readline()
        try:
            orjson.loads(first)
            whole = False
        except orjson.JSONDecodeError:
            whole = _base_name(path).endswith(".json")
    if whole:
        yield from map_object(read_json_file(path), "", None, "record")
        return
    for item in iter_json_lines(path):
        if isinstance(item, SkippedRecord):
            yield item
            continue
        where, line, obj = item
        yield from map_object(obj, where, line, "tweet")


TWEET_KEYS = {"conversation_id", "edit_history_tweet_ids", "in_reply_to_user_id", "referenced_tweets"}


def detect(path: Path, peek: Peek) -> int:
    """twarc2 pages and flattened lines, and X API v2 responses (search, mentions, lookups, users)."""
    if peek.root not in ("object", "lines"):
        return 0
    top = peek.children()
    if "source_platform" in top or {"kind", "platform"} <= top or "response" in top:
        return 0
    if "__twarc" in top:
        return 100
    item = peek.children("data.item") | peek.children("data")
    if item & TWEET_KEYS:
        return 90
    if "meta" in top and peek.any("meta.result_count", "meta.newest_id", "meta.next_token") and \
            {"id", "text"} <= item:
        return 90
    if top & TWEET_KEYS and "author_id" in top:
        return 80  # twarc2 flattened: one tweet a line
    if "username" in item and peek.any("data.item.public_metrics.followers_count",
                                       "data.public_metrics.followers_count"):
        return 70
    return 0

FORMATS = [
    Format("x_api_v2", PLATFORM,
           "X/Twitter API v2 JSON: twarc2 pages or flattened lines, single API responses, user lookups",
           detect, parse),
]
