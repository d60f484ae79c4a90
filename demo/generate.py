"""Generate the synthetic demo dataset into akimwatch/demo_data/ (deterministic: same bytes every run).

    python -m demo.generate            # rewrite akimwatch/demo_data/
    python -m demo.generate --out DIR  # write elsewhere (tests do this)

Modelled on the BNews.kz article of 12 July 2019 on how Kazakhstan's akims use social networks:
the officials and the quotes (demo/quotes.py) are real; accounts, ids, every other post and comment
and all numbers are invented. The files are in the platforms' real export shapes (Instagram Graph API
media pages, Facebook Graph API feed pages, X API v2 twarc2 JSONL) so the demo runs the real importers.
Seeded random and a fixed clock only — never the current time.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

if __package__ in (None, ""):  # run as a script: python demo/generate.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from demo import captions as C
from demo import texts as T

SEED = 20190712
START = datetime(2019, 3, 1, tzinfo=UTC)
COLLECTED = datetime(2019, 7, 12, 12, 0, tzinfo=UTC)  # the article appeared 12 July 2019, 19:41 Almaty
LOCAL = timedelta(hours=6)  # Asia/Almaty, UTC+6 in 2019
OUT = Path(__file__).resolve().parents[1] / "akimwatch" / "demo_data"
COMPLAINTS = {"gas", "roads", "greening", "traffic", "longbuild", "utilities", "prices", "insects", "parks",
              "social", "schools", "personal", "agri", "whitewash", "zoo", "housing"}


def rng_for(key: str) -> random.Random:
    """One random stream per account, so editing one official never shifts the others."""
    return random.Random(int(hashlib.sha256(f"{SEED}:{key}".encode()).hexdigest()[:16], 16))


def day(month: int, dom: int, hour: int = 12, minute: int = 0) -> datetime:
    """A local (Almaty) wall-clock time in 2019 as UTC."""
    return datetime(2019, month, dom, hour, minute, tzinfo=UTC) - LOCAL


class Ids:
    """Unique numeric ids of a given width, drawn from a seeded stream."""

    def __init__(self, key: str):
        self.rng = rng_for(f"ids:{key}")
        self.used: set[str] = set()

    def digits(self, prefix: str, width: int) -> str:
        while True:
            value = prefix + "".join(str(self.rng.randrange(10)) for _ in range(width - len(prefix)))
            if value not in self.used:
                self.used.add(value)
                return value

    def token(self, n: int, alphabet: str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))


def snowflake(ts: datetime, rng: random.Random) -> str:
    """An X/Twitter id as the platform makes them: milliseconds since the Twitter epoch, shifted."""
    ms = int(ts.timestamp() * 1000) - 1288834974657
    return str((ms << 22) | rng.randrange(1 << 22))


# -- people -------------------------------------------------------------------------------------
@dataclass
class Person:
    name: str
    username: str
    ig_id: str
    fb_id: str
    x_id: str


def people(key: str, n: int, ids: Ids) -> list[Person]:
    rng = rng_for(f"people:{key}")
    out, seen = [], set()
    while len(out) < n:
        first, first_lat, sex = rng.choice(T.FIRST_NAMES)
        last, last_lat = rng.choice(T.SURNAMES)
        if sex == "f" and last.endswith(("ов", "ев", "ин")):
            last, last_lat = last + "а", last_lat + "a"
        style = rng.randrange(4)
        username = [f"{first_lat}_{last_lat}", f"{first_lat}.{rng.randrange(70, 100)}",
                    f"{last_lat}_{first_lat[0]}", f"{first_lat}{last_lat[:3]}_{key[:3]}"][style]
        if username in seen:
            continue
        seen.add(username)
        out.append(Person(f"{first} {last}", username, ids.digits("1784", 17), ids.digits("1000", 15),
                          str(rng.randrange(10**8, 10**18))))
    return out


# -- the neutral model the writers render ------------------------------------------------------
@dataclass
class Comment:
    text: str
    ts: datetime
    author: Person | None  # None: the account itself (an official reply)
    likes: int = 0
    replies: list[Comment] = field(default_factory=list)
    topic: str = ""
    platform_id: str = ""  # set by the writer that renders it (the removals file names comments by it)


@dataclass
class Post:
    ts: datetime
    text: str
    kind: str = "photo"  # photo | video | igtv | album | share | text
    link: tuple[str, str, str] | None = None  # (domain, site name, title) of a shared news article
    comments: list[Comment] = field(default_factory=list)
    likes: int = 0
    shares: int = 0
    tags: list[tuple[str, str, str]] = field(default_factory=list)  # (id, name, type) in the text
    author: tuple[str, str] | None = None  # (id, name) when someone else posted (tagged posts)


@dataclass
class Ctx:
    """What comment generation needs to know about one account."""

    key: str
    rng: random.Random
    crowd: list[Person]
    places: list[str]
    topics: dict[str, float]
    mean_comments: float
    answers: float = 0.0  # share of complaints the account answers
    answer_texts: tuple[str, ...] = tuple(T.OFFICIAL_REPLIES)


def delay(rng: random.Random) -> timedelta:
    """Minutes to days after the post, most within hours."""
    r = rng.random()
    minutes = rng.expovariate(1 / 80) if r < 0.7 else rng.uniform(360, 2880) if r < 0.95 else rng.uniform(2880, 7200)
    return timedelta(minutes=1 + int(minutes), seconds=rng.randrange(60))


def compose(ctx: Ctx, topic: str) -> str:
    rng = ctx.rng
    if topic == "personal" and rng.random() < 0.15:
        return rng.choice(T.PERSONAL_DATA)
    text = rng.choice(T.COMMENTS[topic])
    if topic not in ("thanks", "football", "zko_praise", "housing") and rng.random() < 0.4:
        prefix = rng.choice(T.PREFIXES)
        if prefix.endswith(", ") and text[1:2].islower():
            text = text[0].lower() + text[1:]
        text = prefix + text
    if topic in COMPLAINTS and rng.random() < 0.25:
        text += f" ({rng.choice(ctx.places)})"
    if topic in COMPLAINTS and rng.random() < 0.3:
        text = text.rstrip(".") + (". " if text[-1] not in "?!)" else " ") + rng.choice(T.FOLLOW_UPS)
    elif rng.random() < 0.3:
        text += rng.choice(T.SUFFIXES)
    return text.strip()


def pick_topic(ctx: Ctx, weights: dict[str, float] | None = None) -> str:
    weights = weights or ctx.topics
    keys = list(weights)
    return ctx.rng.choices(keys, weights=[weights[k] for k in keys])[0]


def add_comments(ctx: Ctx, post: Post, n: int | None = None, topics: dict[str, float] | None = None,
                 until: datetime = COLLECTED) -> None:
    rng = ctx.rng
    if n is None:
        n = min(int(rng.expovariate(1 / ctx.mean_comments)), int(ctx.mean_comments * 4) + 1)
    for _ in range(n):
        ts = post.ts + delay(rng)
        if ts >= until:
            continue
        topic = pick_topic(ctx, topics)
        c = Comment(compose(ctx, topic), ts, rng.choice(ctx.crowd), likes=int(rng.expovariate(1 / 3)), topic=topic)
        post.comments.append(c)
        thread_replies(ctx, c, until)
    post.comments.sort(key=lambda c: c.ts)


def thread_replies(ctx: Ctx, c: Comment, until: datetime) -> None:
    rng = ctx.rng
    if ctx.answers and c.topic in COMPLAINTS and rng.random() < ctx.answers:
        ts = c.ts + timedelta(minutes=rng.randrange(40, 30 * 60))
        if ts < until:
            c.replies.append(Comment(f"@{c.author.username} {rng.choice(ctx.answer_texts)}", ts, None,
                                     likes=rng.randrange(1, 15)))
            if rng.random() < 0.4 and ts + timedelta(hours=2) < until:
                c.replies.append(Comment(f"@{ctx.key} {rng.choice(T.THANKS_FOR_ANSWER)}",
                                         ts + timedelta(minutes=rng.randrange(10, 120)), c.author))
    if rng.random() < 0.08:
        for _ in range(rng.randrange(1, 3)):
            ts = c.ts + timedelta(minutes=rng.randrange(5, 600))
            if ts < until:
                other = rng.choice(ctx.crowd)
                c.replies.append(Comment(f"@{c.author.username} {rng.choice(T.CITIZEN_REPLIES)}", ts, other,
                                         likes=rng.randrange(0, 4)))
    c.replies.sort(key=lambda r: r.ts)


def times(rng: random.Random, start: datetime, end: datetime, count: int) -> list[datetime]:
    """``count`` post times between two dates, in local working hours (08:00–21:59 Almaty)."""
    days = (end - start).days + 1
    out = set()
    while len(out) < count:
        d = start + timedelta(days=rng.randrange(days))
        local = datetime(d.year, d.month, d.day, rng.randrange(8, 22), rng.randrange(60), tzinfo=UTC)
        out.add(local - LOCAL)
    return sorted(out)


def daily(rng: random.Random, start: datetime, end: datetime, p: float) -> list[datetime]:
    """Posts on most days: each day has a post with probability ``p``."""
    out, d = [], start
    while d <= end:
        if rng.random() < p:
            out.append(datetime(d.year, d.month, d.day, rng.randrange(8, 22), rng.randrange(60), tzinfo=UTC) - LOCAL)
        d += timedelta(days=1)
    return out


def caption(rng: random.Random, key: str, places: list[str]) -> str:
    return rng.choice(C.CAPTIONS[key]).format(place=rng.choice(places), n=rng.randrange(2, 12) * 10 + rng.randrange(10))


def kinds(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# -- writers: render the model in each platform's export shape ----------------------------------
def ig_ts(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S+0000")


def x_ts(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def cursor(ids: Ids) -> str:
    return base64.b64encode(ids.token(24).encode()).decode().rstrip("=")


def dump(path: Path, obj: object) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def render_instagram(acc: dict, posts: list[Post], out: Path, ids: Ids) -> list[str]:
    def comment(c: Comment, top: bool) -> dict:
        user = (acc["handle"], acc["platform_id"]) if c.author is None else (c.author.username, c.author.ig_id)
        item = {"id": ids.digits("17", 17), "text": c.text, "timestamp": ig_ts(c.ts), "username": user[0],
                "from": {"id": user[1], "username": user[0]}, "like_count": c.likes}
        c.platform_id = item["id"]
        if top:
            item["replies"] = {"data": [comment(r, False) for r in c.replies]}
        return item

    media = []
    for p in sorted(posts, key=lambda p: p.ts, reverse=True):
        mtype, product = {"photo": ("IMAGE", "FEED"), "video": ("VIDEO", "FEED"), "igtv": ("VIDEO", "IGTV"),
                          "album": ("CAROUSEL_ALBUM", "FEED")}[p.kind]
        code = "B" + ids.token(10)
        ncomments = sum(1 + len(c.replies) for c in p.comments)
        media.append({"id": ids.digits("17", 17), "caption": p.text, "timestamp": ig_ts(p.ts), "media_type": mtype,
                      "media_product_type": product,
                      "permalink": f"https://www.instagram.com/{'tv' if p.kind == 'igtv' else 'p'}/{code}/",
                      "shortcode": code, "like_count": p.likes, "comments_count": ncomments,
                      "username": acc["handle"], "owner": {"id": acc["platform_id"]},
                      "comments": {"data": [comment(c, True) for c in p.comments]}})
    return paged(media, 50, out, f"instagram_{acc['handle']}", ids,
                 f"https://graph.facebook.com/v3.3/{acc['platform_id']}/media?fields=id%2Ccaption%2Ctimestamp"
                 "%2Cmedia_type%2Cmedia_product_type%2Cpermalink%2Cshortcode%2Clike_count%2Ccomments_count%2Cusername"
                 "%2Cowner%2Ccomments%7Bid%2Ctext%2Ctimestamp%2Cusername%2Cfrom%2Clike_count%2Creplies%7Bid%2Ctext"
                 "%2Ctimestamp%2Cusername%2Cfrom%2Clike_count%7D%7D&limit=50")


def paged(items: list[dict], size: int, out: Path, stem: str, ids: Ids, url: str) -> list[str]:
    names, pages = [], [items[i:i + size] for i in range(0, len(items), size)] or [[]]
    cursors = [(cursor(ids), cursor(ids)) for _ in pages]
    for i, page in enumerate(pages):
        paging: dict = {"cursors": {"before": cursors[i][0], "after": cursors[i][1]}}
        if i > 0:
            paging["previous"] = f"{url}&before={cursors[i][0]}"
        if i + 1 < len(pages):
            paging["next"] = f"{url}&after={cursors[i][1]}"
        name = f"{stem}_p{i + 1:02d}.json"
        dump(out / name, {"data": page, "paging": paging})
        names.append(name)
    return names


def fb_attachment(acc_slug: str, p: Post, ids: Ids) -> dict | None:
    if p.kind == "text":
        return None
    if p.kind == "share":
        domain, site, title = p.link
        real = f"https://{domain}/news/2019/{p.ts:%m/%d}/{ids.digits('3', 6)}/"
        shim = f"https://l.facebook.com/l.php?u={quote(real, safe='')}&h=AT{ids.token(20)}"
        return {"type": "share", "media_type": "link", "title": title, "url": shim, "unshimmed_url": real,
                "target": {"url": shim}, "description": site}
    photo_id = ids.digits("2", 16)
    if p.kind in ("video", "igtv"):
        url = f"https://www.facebook.com/{acc_slug}/videos/{photo_id}/"
        return {"type": "video_inline", "media_type": "video", "url": url, "target": {"id": photo_id, "url": url}}
    album = ids.digits("1", 15)
    url = f"https://www.facebook.com/{acc_slug}/photos/a.{album}/{photo_id}/?type=3"
    att = {"type": "photo", "media_type": "photo", "url": url, "target": {"id": photo_id, "url": url}}
    if p.kind == "album":
        subs = []
        for _ in range(3):
            sub = ids.digits("2", 16)
            sub_url = f"https://www.facebook.com/{acc_slug}/photos/a.{album}/{sub}/?type=3"
            subs.append({"type": "photo", "media_type": "photo", "url": sub_url, "target": {"id": sub, "url": sub_url}})
        att = {"type": "album", "media_type": "album", "title": "Фото", "url": url,
               "target": {"id": album, "url": url}, "subattachments": {"data": subs}}
    return att


def render_facebook(acc: dict, posts: list[Post], out: Path, ids: Ids, stem: str) -> list[str]:
    slug = acc["handle"]

    def comment(c: Comment, post_num: str, top: bool) -> dict:
        author = {"id": acc["platform_id"], "name": acc["name"]} if c.author is None \
            else {"id": c.author.fb_id, "name": c.author.name}
        text = c.text.split(" ", 1)[1] if c.text.startswith("@") else c.text  # Facebook threads need no @
        item = {"id": f"{post_num}_{ids.digits('1', 16)}", "message": text, "created_time": ig_ts(c.ts),
                "from": author, "like_count": c.likes}
        c.platform_id = item["id"]
        if top:
            item["comment_count"] = len(c.replies)
            item["comments"] = {"data": [comment(r, post_num, False) for r in c.replies]}
        return item

    items = []
    for p in sorted(posts, key=lambda p: p.ts, reverse=True):
        owner_id, owner_name = p.author or (acc["platform_id"], acc["name"])
        owner_slug = slug if p.author is None else owner_id
        num = ids.digits("2", 16)
        item: dict = {"id": f"{owner_id}_{num}", "created_time": ig_ts(p.ts),
                      **({"message": p.text} if p.text else {}),  # the API omits an empty message
                      "from": {"id": owner_id, "name": owner_name},
                      "permalink_url": f"https://www.facebook.com/{owner_slug}/posts/{num}",
                      "status_type": {"share": "shared_story", "text": "mobile_status_update",
                                      "video": "added_video", "igtv": "added_video"}.get(p.kind, "added_photos")}
        att = fb_attachment(owner_slug, p, ids)
        if att:
            item["attachments"] = {"data": [att]}
        if p.tags:
            item["message_tags"] = [{"id": tid, "name": name, "type": kind, "offset": p.text.index(name),
                                     "length": len(name)} for tid, name, kind in p.tags]
            item["with_tags"] = {"data": [{"id": tid, "name": name} for tid, name, _ in p.tags]}
        if p.shares:
            item["shares"] = {"count": p.shares}
        item["reactions"] = {"data": [], "summary": {"total_count": p.likes, "viewer_reaction": "NONE"}}
        item["comments"] = {"data": [comment(c, num, True) for c in p.comments],
                            "summary": {"order": "chronological", "total_count": len(p.comments), "can_comment": True}}
        items.append(item)
    return paged(items, 25, out, stem, ids,
                 f"https://graph.facebook.com/v3.3/{acc['platform_id']}/{'tagged' if 'tagged' in stem else 'feed'}"
                 "?fields=id%2Ccreated_time%2Cmessage%2Cfrom%2Cpermalink_url%2Cstatus_type%2Cattachments%2Cmessage_tags"
                 "%2Cshares%2Creactions.summary(true)%2Ccomments.summary(true)%7Bid%2Cmessage%2Ccreated_time%2Cfrom"
                 "%2Clike_count%2Ccomment_count%2Ccomments%7D&limit=25")


def render_x(acc: dict, posts: list[Post], out: Path) -> list[str]:
    rng = rng_for(f"x:{acc['handle']}")
    me = {"id": acc["platform_id"], "username": acc["handle"], "name": acc["name"]}
    retrieved = COLLECTED.strftime("%Y-%m-%dT%H:%M:%S+00:00")

    def tweet(ts: datetime, text: str, author_id: str, conversation: str | None, likes: int,
              replying: tuple[str, str, str] | None = None) -> dict:
        tid = snowflake(ts, rng)
        item = {"id": tid, "text": text, "author_id": author_id, "conversation_id": conversation or tid,
                "created_at": x_ts(ts), "lang": "kk" if any(ch in text for ch in "әғқңөұүһі") else "ru",
                "reply_settings": "everyone",
                "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": likes, "quote_count": 0},
                "entities": {}}
        if replying:  # (tweet id, user id, username) answered
            item["in_reply_to_user_id"] = replying[1]
            item["referenced_tweets"] = [{"type": "replied_to", "id": replying[0]}]
            item["entities"] = {"mentions": [{"start": 0, "end": len(replying[2]) + 1, "username": replying[2],
                                              "id": replying[1]}]}
        return item

    timeline, media, conversations = [], [], []
    for p in sorted(posts, key=lambda p: p.ts, reverse=True):
        root = tweet(p.ts, p.text, me["id"], None, p.likes)
        root["source"] = "Twitter for iPhone"
        root["public_metrics"]["retweet_count"] = p.shares
        root["public_metrics"]["reply_count"] = len(p.comments)
        if p.kind in ("video", "photo"):
            key = f"{'13' if p.kind == 'video' else '3'}_{snowflake(p.ts, rng)}"
            root["attachments"] = {"media_keys": [key]}
            media.append({"media_key": key, "type": "video", "duration_ms": 58000} if p.kind == "video"
                         else {"media_key": key, "type": "photo"})
        timeline.append(root)
        replies, users = [], {}
        for c in p.comments:
            author = c.author or Person(me["name"], me["username"], "", "", me["id"])
            users[author.x_id] = {"id": author.x_id, "username": author.username, "name": author.name}
            first = tweet(c.ts, f"@{me['username']} {c.text}", author.x_id, root["id"], c.likes,
                          (root["id"], me["id"], me["username"]))
            first["public_metrics"]["reply_count"] = len(c.replies)
            replies.append(first)
            for r in c.replies:
                who = r.author or Person(me["name"], me["username"], "", "", me["id"])
                users[who.x_id] = {"id": who.x_id, "username": who.username, "name": who.name}
                body = r.text.split(" ", 1)[1] if r.text.startswith("@") else r.text
                replies.append(tweet(r.ts, f"@{author.username} {body}", who.x_id, root["id"], r.likes,
                                     (first["id"], author.x_id, author.username)))
        if replies:
            replies.sort(key=lambda t: t["created_at"], reverse=True)
            conversations.append((root["id"], replies, [u for k, u in users.items() if k != me["id"]]))
    lines = [{"data": timeline, "includes": {"users": [me], **({"media": media} if media else {})},
              "meta": {"result_count": len(timeline), "newest_id": timeline[0]["id"], "oldest_id": timeline[-1]["id"]},
              "__twarc": {"url": f"https://api.twitter.com/2/users/{me['id']}/tweets?max_results=100&tweet.fields="
                                 "author_id%2Cconversation_id%2Ccreated_at%2Centities%2Cin_reply_to_user_id%2Clang"
                                 "%2Cpublic_metrics%2Creferenced_tweets&expansions=author_id%2Cattachments.media_keys",
                          "version": "2.10.4", "retrieved_at": retrieved}}]
    for root_id, replies, users in conversations:
        lines.append({"data": replies, "includes": {"users": [me, *users]},
                      "meta": {"result_count": len(replies), "newest_id": replies[0]["id"],
                               "oldest_id": replies[-1]["id"]},
                      "__twarc": {"url": "https://api.twitter.com/2/tweets/search/all?query=conversation_id%3A"
                                         f"{root_id}&max_results=100", "version": "2.10.4", "retrieved_at": retrieved}})
    name = f"x_{acc['handle']}.jsonl"
    (out / name).write_text("".join(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"
                                    for line in lines), encoding="utf-8")
    return [name]


# -- the whole dataset --------------------------------------------------------------------------
def build(out: Path = OUT) -> dict[str, dict[str, int]]:
    """Write every data file and the watch list into ``out``; returns per-official counts."""
    from demo.officials import account, watchlist_yaml
    from demo.story import STORY

    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        if old.suffix in (".json", ".jsonl"):
            old.unlink()
    summary: dict[str, dict[str, int]] = {}
    rendered: list[tuple[str, str, list[Post]]] = []
    for story in STORY:
        ids = Ids(story.__name__)
        for (official, platform), posts in story(ids).items():
            if (official, platform) in CAMPAIGNS:
                add_campaign(official, platform, posts)
            if platform == "facebook_tagged":
                acc = account(official, "facebook")
                render_facebook(acc, posts, out, ids, f"facebook_{acc['handle']}_tagged")
            elif platform == "facebook":
                acc = account(official, platform)
                render_facebook(acc, posts, out, ids, f"facebook_{acc['handle']}_feed")
                rendered.append((official, platform, posts))
            elif platform == "instagram":
                render_instagram(account(official, platform), posts, out, ids)
                rendered.append((official, platform, posts))
            else:
                render_x(account(official, platform), posts, out)
            counts = summary.setdefault(official, {"posts": 0, "tagged_posts": 0, "comments": 0,
                                                   "official_replies": 0})
            counts["tagged_posts" if platform == "facebook_tagged" else "posts"] += len(posts)
            for p in posts:
                for c in p.comments:
                    for item in (c, *c.replies):
                        counts["official_replies" if item.author is None else "comments"] += 1
    (out / "watchlist.yaml").write_text(watchlist_yaml(), encoding="utf-8")
    write_removals(out, rendered)
    return summary


# -- a coordinated praise campaign (issue 17), invented like everything else ----------------------------------
# A dozen accounts that comment only here, only praise, within minutes of a post, with the same few phrases lightly
# edited, and emoji-only applause beside them. On other posts these accounts stay silent.
CAMPAIGNS = {("bakauov", "instagram"): {"posts": 9, "accounts": 12}}
CAMPAIGN_TEXTS = [
    "Спасибо акиму за заботу о жителях области! Так держать",
    "Наконец-то есть руководитель, который реально работает для людей. Спасибо за ваш труд",
    "Облыс көркейіп келеді, әкімге үлкен рахмет! Жұмыстарыңызға табыс",
    "Вот это настоящая работа для народа, горжусь нашим акимом",
]
CAMPAIGN_EDITS = ("", "!", "!!", " 👏", " 👍👍", " 🙏", "!!! 🔥", ".")
CAMPAIGN_EMOJI = ("👏👏👏", "🔥🔥", "❤️❤️❤️", "👍👍👍", "🙏🙏")


def add_campaign(official: str, platform: str, posts: list[Post]) -> None:
    """Insert the campaign's comments into some of the account's posts (its own random stream and ids)."""
    plan = CAMPAIGNS[(official, platform)]
    rng = rng_for(f"campaign:{official}:{platform}")
    crew = people(f"campaign_{official}", plan["accounts"], Ids(f"campaign:{official}"))
    targets = sorted(rng.sample(range(len(posts)), min(plan["posts"], len(posts))))
    for i in targets:
        p = posts[i]
        start = p.ts + timedelta(minutes=rng.randrange(2, 9))
        for who in rng.sample(crew, rng.randrange(6, len(crew) + 1)):
            ts = start + timedelta(minutes=rng.randrange(0, 12), seconds=rng.randrange(60))
            if ts >= COLLECTED:
                continue
            if rng.random() < 0.2:
                text = rng.choice(CAMPAIGN_EMOJI)
            else:
                text = rng.choice(CAMPAIGN_TEXTS) + rng.choice(CAMPAIGN_EDITS)
            p.comments.append(Comment(text, ts, who, likes=rng.randrange(0, 3), topic="campaign"))
        p.comments.sort(key=lambda c: c.ts)


# -- removals: a later visit that no longer found some comments (deleted criticism, issue 17) -----------------
# Invented like everything else here. On one page (REMOVING) complaints vanish far more often than praise and within
# hours; everywhere else a few comments of every kind vanish later, as when authors remove their own. A removed
# comment's replies vanish with it (the platform drops the thread).
PRAISE = {"thanks", "zko_praise"}
REMOVING = {"kulginov": {"complaint": 0.30, "praise": 0.03}}
BACKGROUND = 0.02


def write_removals(out: Path, rendered: list[tuple[str, str, list[Post]]]) -> int:
    """``removals.csv``: platform, comment id and the (invented) time a later visit no longer listed it."""
    rows = []
    for official, platform, posts in rendered:
        rng = rng_for(f"removals:{official}:{platform}")
        profile = REMOVING.get(official)
        for p in posts:
            for c in p.comments:
                if c.author is None:
                    continue
                kind = "complaint" if c.topic in COMPLAINTS else "praise" if c.topic in PRAISE else "other"
                chance = profile.get(kind, BACKGROUND) if profile else BACKGROUND
                if rng.random() >= chance:
                    continue
                hours = rng.expovariate(1 / 5) if profile and kind == "complaint" else rng.uniform(2, 240)
                when = c.ts + timedelta(hours=1 + hours)
                if when >= COLLECTED:
                    continue
                rows.append((platform, c.platform_id, when))
                rows += [(platform, r.platform_id, when) for r in c.replies]
    lines = ["platform,comment_id,missing_since_utc"]
    lines += [f"{pl},{cid},{when.strftime('%Y-%m-%dT%H:%M:%SZ')}" for pl, cid, when in sorted(rows, key=lambda r: r[1])]
    (out / "removals.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    args = parser.parse_args(argv)
    summary = build(args.out)
    total = {k: sum(s[k] for s in summary.values()) for k in ("posts", "tagged_posts", "comments", "official_replies")}
    for official, s in summary.items():
        print(f"{official:12} {s['posts']:4} posts {s['tagged_posts']:2} tagged {s['comments']:5} comments "
              f"{s['official_replies']:3} official replies")
    print(f"{'total':12} {total['posts']:4} posts {total['tagged_posts']:2} tagged {total['comments']:5} comments "
          f"{total['official_replies']:3} official replies → {args.out}")


if __name__ == "__main__":
    main()
