"""Idempotent writes of platform-neutral records, keyed by (platform, platform_id).

``RecordSaver`` takes a stream of records inside one transaction (one file = one
transaction, so a crash mid-file leaves the store as it was). Records are written in
batches: existing rows are looked up per batch, new ones inserted with executemany,
changed texts archived in ``text_versions`` before the update — never a silent overwrite.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import JSON, Boolean, Connection, DateTime, and_, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from akimwatch.models import (
    AccountRef,
    CommentRecord,
    FollowerRecord,
    OmittedRecord,
    PostRecord,
    SkippedRecord,
)
from akimwatch.store.schema import (
    account_coverage,
    account_links,
    accounts,
    comments,
    follower_snapshots,
    post_mentions,
    posts,
    text_versions,
)

BATCH = 2000


def now_utc() -> datetime:
    return datetime.now(UTC)


@lru_cache(maxsize=65536)
def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def handle_key(handle: str | None) -> str | None:
    """Handles compare case-insensitively and without a leading @ (cached: authors repeat)."""
    if not handle:
        return None
    return handle.strip().lstrip("@").lower() or None


def dialect_insert(conn: Connection, table):
    """An INSERT that supports ON CONFLICT on both SQLite and PostgreSQL."""
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


_INSERT_PLANS: dict[tuple[str, tuple[str, ...]], tuple[str, list[int], list[int]]] = {}


def _sqlite_ts(value: datetime | None) -> str | None:
    """A timestamp as SQLAlchemy's SQLite DateTime stores it: naive UTC text with microseconds."""
    if value is None:
        return None
    if value.tzinfo is not None and value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]


def bulk_insert(conn: Connection, table, rows: list[dict[str, Any]]) -> None:
    """Insert many new rows (dicts with the same keys) fast; see ``bulk_insert_tuples``."""
    if rows:
        cols = tuple(rows[0])
        bulk_insert_tuples(conn, table, cols, [tuple(r.values()) for r in rows])


def bulk_insert_tuples(conn: Connection, table, cols: tuple[str, ...], rows: list, *,
                       sqlite_ready: bool = False) -> None:
    """Insert many new rows given as tuples in ``cols`` order.

    On SQLite the statement is compiled once per column set and rows go straight to
    ``executemany`` with values converted exactly as SQLAlchemy's SQLite types store them
    (naive-UTC text timestamps, 0/1 booleans), so reads through SQLAlchemy see what a normal
    insert writes. Other backends use SQLAlchemy's executemany.
    """
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        if not copy_rows(conn, table, cols, rows):
            conn.execute(table.insert(), [dict(zip(cols, r, strict=True)) for r in rows])
        return
    plan = _INSERT_PLANS.get((table.name, cols))
    if plan is None:
        sql = f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        ts_pos = [i for i, c in enumerate(cols) if isinstance(table.c[c].type, DateTime)]
        bool_pos = [i for i, c in enumerate(cols) if isinstance(table.c[c].type, Boolean)]
        plan = _INSERT_PLANS[(table.name, cols)] = (sql, ts_pos, bool_pos)
    sql, ts_pos, bool_pos = plan
    if sqlite_ready:  # the caller already wrote timestamps as text and booleans as 0/1
        ts_pos, bool_pos = [], []
    memo: dict[int, str | None] = {}
    converted = []
    if not ts_pos and not bool_pos:
        converted = rows
    for row in rows if converted is not rows else ():
        values = list(row)
        for i in ts_pos:
            v = values[i]
            key = id(v)
            if key in memo:
                values[i] = memo[key]
            else:
                values[i] = text_ts = _sqlite_ts(v)
                if v is not None and len(memo) < 4:  # shared stamps like "now" repeat on every row
                    memo[key] = text_ts
        for i in bool_pos:
            if values[i] is not None:
                values[i] = int(values[i])
        converted.append(values)
    cursor = conn.connection.cursor()  # the transaction's own DBAPI connection: same transaction
    try:
        cursor.executemany(sql, converted)
    finally:
        cursor.close()


def copy_rows(conn: Connection, table, cols: tuple[str, ...], rows: list) -> bool:
    """PostgreSQL: new rows with COPY ... FROM STDIN on the transaction's own connection (several times
    faster than executemany). False when COPY does not apply (another driver, or JSON columns, which
    COPY's text format would need adapted by hand); the caller then inserts as usual."""
    if conn.dialect.name != "postgresql" or conn.dialect.driver != "psycopg":
        return False
    if any(isinstance(table.c[c].type, JSON) for c in cols):
        return False
    dbapi = conn.connection.dbapi_connection
    with dbapi.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    return True


class GrowthStatistics:
    """Keeps PostgreSQL's statistics in step with tables that grow during one large import.

    The per-batch lookups («which of these ids exist») are planned from table statistics. A table that
    grows from empty inside one import transaction has none (autovacuum cannot see uncommitted rows), and
    the planner's guess turned a 2 ms index lookup into 277 ms: the first 200,000-comment import into a
    fresh store took 26 times as long as on SQLite. So each table is ANALYZEd (inside the transaction,
    which counts its own new rows) whenever this import has added as many rows as the statistics last
    saw — a handful of ANALYZEs per import, none for a small import into a large store.
    """

    MIN_ROWS = 2000

    def __init__(self, conn: Connection):
        self.conn = conn
        self.enabled = conn.dialect.name == "postgresql"
        self.known: dict[str, float] = {}
        self.added: dict[str, int] = {}

    def grew(self, table, n: int) -> None:
        if not self.enabled or n <= 0:
            return
        name = table.name
        if name not in self.known:
            self.known[name] = max(0.0, float(self.conn.exec_driver_sql(
                "SELECT reltuples FROM pg_class WHERE oid = to_regclass(%(t)s)", {"t": name}).scalar() or 0))
        self.added[name] = self.added.get(name, 0) + n
        if self.added[name] >= max(self.MIN_ROWS, self.known[name]):
            analyze_table(self.conn, name)
            self.known[name] += self.added[name]
            self.added[name] = 0


def analyze_table(conn: Connection, name: str) -> bool:
    """ANALYZE one table inside the current transaction (a savepoint: a refusal, e.g. not the table's
    owner, leaves the import's transaction intact). Returns whether it ran."""
    from sqlalchemy.exc import DBAPIError

    try:
        with conn.begin_nested():
            conn.exec_driver_sql(f'ANALYZE "{name}"')
    except DBAPIError:
        return False
    return True


def dump_raw(raw: Any) -> str | None:
    """The record as the file had it (JSON text). NUL characters are escaped (PostgreSQL text cannot hold them);
    what no JSON writer can write (nesting beyond 255 levels) is kept as a note, not as a Python repr."""
    if raw is None:
        return None
    if isinstance(raw, bytes):
        text = raw.decode("utf-8", "replace")
    elif isinstance(raw, str):
        text = raw
    else:
        try:
            text = orjson.dumps(raw, default=str).decode()
        except TypeError:  # integers beyond 64 bits, or nesting beyond orjson's 255 levels
            import json

            try:
                text = json.dumps(raw, default=str, ensure_ascii=False)
            except (RecursionError, ValueError):
                text = '{"_raw": "not kept: nested too deeply to store"}'
    return text.replace("\x00", "\\u0000") if "\x00" in text else text


class BadRecord(Exception):
    """A record the store cannot hold as it is (an id too long, a count beyond 64 bits, text that is not text):
    the same on SQLite and PostgreSQL, raised before anything is written."""

    def __init__(self, location: str, field: str, reason: str):
        self.location = location
        self.field = field
        self.reason = reason
        super().__init__(f"{location}: field '{field}' {reason}")


INT64 = 2**63
ID_LIMITS = {"platform_id": 200, "post_platform_id": 200, "parent_platform_id": 200}
ACCOUNT_ID_LIMIT = 100
HANDLE_LIMIT = 180  # accounts.id is "<platform>:<handle>" in 200 characters


def _looks_like_repr(value: str) -> bool:
    """``str()`` of a dict or list that a mapper got where an id belongs ("{'a': 1}", "[1, 2]")."""
    return len(value) > 1 and value[0] in "{[" and value[-1] in "}]"


def _strip_nul(value: str | None) -> str | None:
    return value.replace("\x00", "") if value and "\x00" in value else value


def check_record(rec: PostRecord | CommentRecord | FollowerRecord) -> None:
    """Refuse what a store column cannot hold, in words, and drop NUL characters from texts (PostgreSQL refuses
    them, SQLite keeps them: the two backends must store the same thing)."""
    where = rec.location or "record"
    ids = {"platform_id": getattr(rec, "platform_id", None), "post_platform_id": getattr(rec, "post_platform_id", None),
           "parent_platform_id": getattr(rec, "parent_platform_id", None)}
    for name, value in ids.items():
        if value is None or (name != "platform_id" and value == ""):
            continue
        if not isinstance(value, str) or not value or _looks_like_repr(value) or "\x00" in value:
            raise BadRecord(where, name, f"is not an id ({str(value)[:60]!r})")
        if len(value) > ID_LIMITS[name]:
            raise BadRecord(where, name, f"is longer than {ID_LIMITS[name]} characters ({len(value)})")
    account = rec.account if isinstance(rec, PostRecord | FollowerRecord) else rec.author
    for name, value, limit in (("account id", account.platform_id, ACCOUNT_ID_LIMIT),
                               ("account handle", account.handle, HANDLE_LIMIT)):
        if value is None:
            continue
        if not isinstance(value, str) or _looks_like_repr(value) or "\x00" in value:
            raise BadRecord(where, name, f"is not an id or handle ({str(value)[:60]!r})")
        if len(value) > limit:
            raise BadRecord(where, name, f"is longer than {limit} characters ({len(value)})")
    if account.name is not None and not isinstance(account.name, str):
        raise BadRecord(where, "author name", "is not text")
    counts = ("likes", "comments_count", "views", "shares") if isinstance(rec, PostRecord) else (
        ("likes",) if isinstance(rec, CommentRecord) else ("followers",))
    for name in counts:
        value = getattr(rec, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise BadRecord(where, name, f"is not a count ({str(value)[:60]!r})")
        if value is not None and not -INT64 <= value < INT64:
            raise BadRecord(where, name, f"is out of range ({str(value)[:30]})")
    if isinstance(rec, FollowerRecord):
        return
    if rec.text is not None and not isinstance(rec.text, str):
        raise BadRecord(where, "text", f"is not text (a JSON {type(rec.text).__name__})")
    rec.text = _strip_nul(rec.text)
    if account.name and "\x00" in account.name:
        object.__setattr__(account, "name", _strip_nul(account.name))
    if isinstance(rec, PostRecord):
        for name in ("url", "repost_source_name", "repost_source_url", "repost_source_domain"):
            value = getattr(rec, name)
            if value is not None and not isinstance(value, str):
                raise BadRecord(where, name, "is not text")
            setattr(rec, name, _strip_nul(value))
        if rec.repost_source_domain and len(rec.repost_source_domain) > 200:
            rec.repost_source_domain = None
        for ref in (*rec.tagged, *rec.mentions):
            if ref.handle is not None and (not isinstance(ref.handle, str) or len(ref.handle) > HANDLE_LIMIT):
                raise BadRecord(where, "mention", "is not a handle")
            if ref.platform_id is not None and (not isinstance(ref.platform_id, str)
                                                or len(ref.platform_id) > ACCOUNT_ID_LIMIT):
                raise BadRecord(where, "mention", "is not an account id")


def account_id_for(ref: AccountRef) -> str:
    """The id given to an account first seen in data (not on the watch list)."""
    return f"{ref.platform}:{handle_key(ref.handle) or ref.platform_id}"


class AccountResolver:
    """Maps the account a record names to a store account, creating unassigned ones."""

    def __init__(self, conn: Connection, *, forced_account_id: str | None = None, strict: bool = False):
        self.conn = conn
        self.forced = forced_account_id
        self.strict = strict
        self.by_id: dict[tuple[str, str], str] = {}
        self.by_handle: dict[tuple[str, str], str] = {}
        self.created: list[str] = []
        self.loaded = False

    def _load(self) -> None:
        for row in self.conn.execute(select(accounts.c.id, accounts.c.platform, accounts.c.platform_id,
                                            accounts.c.handle_key)):
            if row.platform_id:
                self.by_id[(row.platform, row.platform_id)] = row.id
            if row.handle_key:
                self.by_handle[(row.platform, row.handle_key)] = row.id
        self.loaded = True

    def find(self, ref: AccountRef) -> str | None:
        if not self.loaded:
            self._load()
        key = handle_key(ref.handle)
        if ref.platform_id and (ref.platform, ref.platform_id) in self.by_id:
            found = self.by_id[(ref.platform, ref.platform_id)]
        elif key and (ref.platform, key) in self.by_handle:
            found = self.by_handle[(ref.platform, key)]
        else:
            return None
        self._complete(found, ref)
        return found

    def _complete(self, account_id: str, ref: AccountRef) -> None:
        """Fill in the platform id or handle the watch list did not know."""
        key = handle_key(ref.handle)
        if ref.platform_id and (ref.platform, ref.platform_id) not in self.by_id:
            self.by_id[(ref.platform, ref.platform_id)] = account_id
            self.conn.execute(update(accounts).where(accounts.c.id == account_id, accounts.c.platform_id.is_(None))
                              .values(platform_id=ref.platform_id))
        if key and (ref.platform, key) not in self.by_handle:
            self.by_handle[(ref.platform, key)] = account_id
            self.conn.execute(update(accounts).where(accounts.c.id == account_id, accounts.c.handle_key.is_(None))
                              .values(handle=ref.handle.lstrip("@"), handle_key=key))

    def owner(self, ref: AccountRef, location: str) -> str:
        """The account that owns a post: forced by --account, found, or created unassigned."""
        if self.forced:
            return self.forced
        found = self.find(ref)
        if found:
            return found
        if self.strict:
            raise UnknownAccountError(ref, location)
        new_id = account_id_for(ref)
        self.conn.execute(dialect_insert(self.conn, accounts).values(
            id=new_id, platform=ref.platform, handle=ref.handle.lstrip("@") if ref.handle else None,
            handle_key=handle_key(ref.handle), platform_id=ref.platform_id, name=ref.name,
            role="personal", on_watch_list=False, created_utc=now_utc(),
        ).on_conflict_do_nothing())
        self.created.append(new_id)
        if ref.platform_id:
            self.by_id[(ref.platform, ref.platform_id)] = new_id
        if handle_key(ref.handle):
            self.by_handle[(ref.platform, handle_key(ref.handle))] = new_id
        return new_id


class UnknownAccountError(Exception):
    def __init__(self, ref: AccountRef, location: str):
        self.ref = ref
        self.location = location
        super().__init__(f"{location}: {ref.platform} account '{ref.label}' is not on the watch list "
                         "(--strict); add it to the registry or pass --account")


class Identities:
    """Platform ids and handle keys whose comments under an account's posts are official replies."""

    __slots__ = ("handles", "ids")

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.handles: set[str] = set()

    def update(self, other: Identities) -> None:
        self.ids |= other.ids
        self.handles |= other.handles

    def matches(self, platform_id: str | None, handle: str | None) -> bool:
        return (platform_id is not None and platform_id in self.ids) or (
            handle is not None and handle_key(handle) in self.handles)


NO_IDENTITIES = Identities()


def official_identities(conn: Connection) -> dict[str, Identities]:
    """account id → who answers officially under its posts.

    The account itself, every account of the same official, and accounts linked to it.
    """
    rows = conn.execute(select(accounts.c.id, accounts.c.official_id, accounts.c.platform_id,
                               accounts.c.handle_key)).all()
    own: dict[str, Identities] = {}
    by_official: dict[str, Identities] = {}
    for r in rows:
        ident = Identities()
        if r.platform_id:
            ident.ids.add(r.platform_id)
        if r.handle_key:
            ident.handles.add(r.handle_key)
        own[r.id] = ident
        if r.official_id:
            by_official.setdefault(r.official_id, Identities()).update(ident)
    links: dict[str, Identities] = {}
    for link in conn.execute(select(account_links.c.account_id, account_links.c.linked_account_id)):
        links.setdefault(link.account_id, Identities()).update(own.get(link.linked_account_id, NO_IDENTITIES))
    result: dict[str, Identities] = {}
    for r in rows:
        ident = Identities()
        ident.update(own[r.id])
        if r.official_id:
            ident.update(by_official[r.official_id])
        ident.update(links.get(r.id, NO_IDENTITIES))
        result[r.id] = ident
    return result


@dataclass
class SaveCounts:
    posts_new: int = 0
    posts_updated: int = 0
    posts_unchanged: int = 0
    comments_new: int = 0
    comments_updated: int = 0
    comments_unchanged: int = 0
    official_replies: int = 0
    followers: int = 0
    mentions: int = 0
    earlier_now_official: int = 0  # comments of earlier files that became official replies when their post came
    approx_times: int = 0  # posts/comments whose time is local time read with an assumed zone
    skipped: list[dict[str, str]] = field(default_factory=list)
    omitted: Counter[str] = field(default_factory=Counter)  # reason → items rightly left out (deleted, service)
    accounts_created: list[str] = field(default_factory=list)

    @property
    def posts(self) -> int:
        return self.posts_new + self.posts_updated + self.posts_unchanged

    @property
    def all_comments(self) -> int:
        """Citizen comments and official replies together."""
        return self.comments_new + self.comments_updated + self.comments_unchanged

    @property
    def comments(self) -> int:
        """Citizen comments: the word «comments» never includes the officials' own replies (docs/formats.md)."""
        return self.all_comments - self.official_replies

    def as_dict(self) -> dict[str, Any]:
        return {
            "posts": self.posts, "posts_new": self.posts_new, "posts_updated": self.posts_updated,
            "comments": self.comments, "official_replies": self.official_replies,
            "all_comments": self.all_comments, "all_comments_new": self.comments_new,
            "all_comments_updated": self.comments_updated,
            "followers": self.followers, "mentions": self.mentions, "skipped": len(self.skipped),
            "earlier_now_official": self.earlier_now_official, "omitted": dict(self.omitted), "approx_times": self.approx_times,
            "accounts_created": list(self.accounts_created),
        }


COMMENT_COLUMNS = ("platform", "platform_id", "post_platform_id", "post_id", "parent_platform_id",
                   "author_platform_id", "author_handle", "author_name", "is_official_reply", "text",
                   "published_utc", "published_approx", "likes", "version", "first_seen_utc", "updated_utc",
                   "import_run_id", "raw")


class RecordSaver:
    """Buffers records and writes them in batches on one connection (one transaction)."""

    def __init__(self, conn: Connection, *, run_id: int | None, forced_account_id: str | None = None,
                 strict: bool = False):
        self.conn = conn
        self.run_id = run_id
        self.now = now_utc()
        self.resolver = AccountResolver(conn, forced_account_id=forced_account_id, strict=strict)
        self.counts = SaveCounts()
        # keyed by (platform, id): one generic file may hold the same id on two platforms
        self._posts: dict[tuple[str, str], PostRecord] = {}
        self._comments: dict[tuple[str, str], CommentRecord] = {}
        self._followers: list[FollowerRecord] = []
        self._identities: dict[str, Identities] | None = None
        self._post_cache: dict[tuple[str, str], tuple[int, str]] = {}  # (platform, pid) -> (id, account)
        self._new_posts: dict[str, list[str]] = {}  # platform -> ids of posts first saved by this file
        self._official_keys: Counter[str] = Counter()
        self._growth = GrowthStatistics(conn)
        self._spans: dict[str, list] = {}  # account -> [first, last, posts] of this run (account_coverage)

    # -- intake ---------------------------------------------------------------------------
    def add(self, record: PostRecord | CommentRecord | FollowerRecord | SkippedRecord | OmittedRecord) -> None:
        """Buffer a record; raises BadRecord (nothing written) for one the store cannot hold."""
        if isinstance(record, PostRecord | CommentRecord | FollowerRecord):
            check_record(record)
        if isinstance(record, CommentRecord):
            self._comments[(record.platform, record.platform_id)] = record
            self.counts.approx_times += record.published_approx
            if len(self._comments) >= BATCH:
                self._flush_posts()
                self._flush_comments()
        elif isinstance(record, PostRecord):
            self._posts[(record.platform, record.platform_id)] = record
            self.counts.approx_times += record.published_approx
            if len(self._posts) >= BATCH:
                self._flush_posts()
        elif isinstance(record, OmittedRecord):
            self.counts.omitted[record.reason] += 1
        elif isinstance(record, FollowerRecord):
            self._followers.append(record)
        elif isinstance(record, SkippedRecord):
            self.counts.skipped.append({"location": record.location, "field": record.field,
                                        "reason": record.reason})
        else:  # pragma: no cover - programming error
            raise TypeError(f"not a record: {record!r}")

    def add_all(self, records: Iterable) -> None:
        for record in records:
            self.add(record)

    def finish(self) -> SaveCounts:
        self._flush_posts()
        self._flush_comments()
        self._flush_followers()
        self._link_orphans()
        self._save_coverage()
        self.counts.accounts_created = list(self.resolver.created)
        return self.counts

    def _save_coverage(self) -> None:
        """One ``account_coverage`` row per account this run saw posts of (a re-run of the same run merges)."""
        if self.run_id is None or not self._spans:
            return
        for account_id, (first, last, n) in self._spans.items():
            key = and_(account_coverage.c.account_id == account_id, account_coverage.c.import_run_id == self.run_id)
            old = self.conn.execute(select(account_coverage.c.start_utc, account_coverage.c.end_utc,
                                           account_coverage.c.posts).where(key)).first()
            if old is None:
                self.conn.execute(account_coverage.insert().values(
                    account_id=account_id, import_run_id=self.run_id, start_utc=first, end_utc=last, posts=n))
            else:
                self.conn.execute(update(account_coverage).where(key).values(
                    start_utc=min(_utc(old.start_utc), first), end_utc=max(_utc(old.end_utc), last),
                    posts=old.posts + n))
        self._spans.clear()

    # -- posts ----------------------------------------------------------------------------
    def _flush_posts(self) -> None:
        if not self._posts:
            return
        batch = list(self._posts.values())
        self._posts.clear()
        by_platform: dict[str, list[PostRecord]] = {}
        for rec in batch:
            by_platform.setdefault(rec.platform, []).append(rec)
        for platform, recs in by_platform.items():
            self._save_posts(platform, recs)

    def _save_posts(self, platform: str, recs: list[PostRecord]) -> None:
        ids = [r.platform_id for r in recs]
        existing = {row.platform_id: row for row in self.conn.execute(
            select(posts.c.id, posts.c.platform_id, posts.c.text, posts.c.version, posts.c.account_id,
                   posts.c.likes, posts.c.comments_count, posts.c.views, posts.c.shares)
            .where(posts.c.platform == platform, posts.c.platform_id.in_(ids)))}
        new_rows, changed = [], []
        for rec in recs:
            account_id = self.resolver.owner(rec.account, rec.location)
            span = self._spans.setdefault(account_id, [rec.published_utc, rec.published_utc, 0])
            span[0], span[1], span[2] = min(span[0], rec.published_utc), max(span[1], rec.published_utc), span[2] + 1
            values = {
                "platform": rec.platform, "platform_id": rec.platform_id, "account_id": account_id,
                "published_utc": rec.published_utc, "published_approx": rec.published_approx, "text": rec.text,
                "media_kind": rec.media_kind,
                "url": rec.url, "is_repost": rec.is_repost, "repost_source_name": rec.repost_source_name,
                "repost_source_url": rec.repost_source_url, "repost_source_domain": rec.repost_source_domain,
                "likes": rec.likes, "comments_count": rec.comments_count, "views": rec.views,
                "shares": rec.shares, "comments_closed": rec.comments_closed, "raw": dump_raw(rec.raw),
            }
            old = existing.get(rec.platform_id)
            if old is None:
                values.update(version=1, first_seen_utc=self.now, updated_utc=self.now,
                              import_run_id=self.run_id)
                new_rows.append(values)
                self._new_posts.setdefault(rec.platform, []).append(rec.platform_id)
                self.counts.posts_new += 1
            elif (old.text or "") != (rec.text or ""):
                self.conn.execute(text_versions.insert().values(
                    item_kind="post", item_id=old.id, version=old.version, text=old.text,
                    replaced_utc=self.now))
                values.update(version=old.version + 1, updated_utc=self.now, deleted_utc=None)
                changed.append((old.id, values))
                self.counts.posts_updated += 1
            else:
                counts_now = (rec.likes, rec.comments_count, rec.views, rec.shares)
                counts_old = (old.likes, old.comments_count, old.views, old.shares)
                if any(n is not None and n != o for n, o in zip(counts_now, counts_old, strict=True)):
                    changed.append((old.id, {k: v for k, v in zip(
                        ("likes", "comments_count", "views", "shares"), counts_now, strict=True) if v is not None}))
                self.counts.posts_unchanged += 1
        bulk_insert(self.conn, posts, new_rows)
        self._growth.grew(posts, len(new_rows))
        for post_id, values in changed:
            self.conn.execute(update(posts).where(posts.c.id == post_id).values(**values))
        id_rows = self.conn.execute(select(posts.c.id, posts.c.platform_id, posts.c.account_id)
                                    .where(posts.c.platform == platform, posts.c.platform_id.in_(ids)))
        post_ids = {}
        for row in id_rows:
            post_ids[row.platform_id] = row.id
            self._post_cache[(platform, row.platform_id)] = (row.id, row.account_id)
        self._save_mentions(recs, post_ids)

    def _save_mentions(self, recs: list[PostRecord], post_ids: dict[str, int]) -> None:
        rows = []
        for rec in recs:
            for kind, refs in (("tag", rec.tagged), ("mention", rec.mentions)):
                for ref in refs:
                    key = handle_key(ref.handle) or (f"id:{ref.platform_id}" if ref.platform_id else None)
                    if key:
                        rows.append({"post_id": post_ids[rec.platform_id], "kind": kind, "handle_key": key,
                                     "platform": ref.platform, "platform_id": ref.platform_id,
                                     "handle": ref.handle})
        if rows:
            unique = list({(r["post_id"], r["kind"], r["handle_key"]): r for r in rows}.values())
            self.conn.execute(dialect_insert(self.conn, post_mentions).on_conflict_do_nothing(), unique)
            self.counts.mentions += len(unique)

    # -- comments -------------------------------------------------------------------------
    def _identities_for(self, account_id: str) -> Identities:
        if self._identities is None:
            self._identities = official_identities(self.conn)
        return self._identities.get(account_id, NO_IDENTITIES)

    def _post_of(self, platform: str, post_pids: set[str]) -> None:
        missing = [p for p in post_pids if (platform, p) not in self._post_cache]
        for start in range(0, len(missing), 900):
            chunk = missing[start:start + 900]
            for row in self.conn.execute(select(posts.c.id, posts.c.platform_id, posts.c.account_id)
                                         .where(posts.c.platform == platform, posts.c.platform_id.in_(chunk))):
                self._post_cache[(platform, row.platform_id)] = (row.id, row.account_id)

    def _is_official(self, rec: CommentRecord, post: tuple[int, str] | None) -> bool:
        if rec.is_official_reply is not None:
            return rec.is_official_reply
        if post is None:
            return False
        return self._identities_for(post[1]).matches(rec.author.platform_id, rec.author.handle)

    def _flush_comments(self) -> None:
        if not self._comments:
            return
        batch = list(self._comments.values())
        self._comments.clear()
        by_platform: dict[str, list[CommentRecord]] = {}
        for rec in batch:
            by_platform.setdefault(rec.platform, []).append(rec)
        for platform, recs in by_platform.items():
            self._save_comments(platform, recs)

    def _resolve_thread_posts(self, platform: str, recs: list[CommentRecord]) -> list[CommentRecord]:
        """Replies that name only their parent comment (YouTube ``comments.list`` pages) take the parent's post,
        from this batch or the store; a reply whose thread is nowhere is skipped with the reason."""
        known = {r.platform_id: r.post_platform_id for r in recs if r.post_platform_id}
        wanted = list({r.parent_platform_id for r in recs if not r.post_platform_id and r.parent_platform_id
                       and r.parent_platform_id not in known})
        for start in range(0, len(wanted), 900):
            for row in self.conn.execute(select(comments.c.platform_id, comments.c.post_platform_id).where(
                    comments.c.platform == platform, comments.c.platform_id.in_(wanted[start:start + 900]))):
                known[row.platform_id] = row.post_platform_id
        kept = []
        for rec in recs:
            if not rec.post_platform_id:
                post = known.get(rec.parent_platform_id or "")
                if post is None:
                    self.counts.skipped.append({
                        "location": rec.location, "field": "parentId",
                        "reason": f"names a thread ({rec.parent_platform_id}) that is not in the store: import "
                                  "the video's comment threads first, then this page again"})
                    continue
                rec.post_platform_id = post
            kept.append(rec)
        return kept

    def _save_comments(self, platform: str, recs: list[CommentRecord]) -> None:
        if any(not r.post_platform_id for r in recs):
            recs = self._resolve_thread_posts(platform, recs)
        self._post_of(platform, {r.post_platform_id for r in recs})
        ids = [r.platform_id for r in recs]
        existing = {}
        for start in range(0, len(ids), 900):
            chunk = ids[start:start + 900]
            for row in self.conn.execute(
                    select(comments.c.id, comments.c.platform_id, comments.c.text, comments.c.version,
                           comments.c.likes, comments.c.is_official_reply)
                    .where(comments.c.platform == platform, comments.c.platform_id.in_(chunk))):
                existing[row.platform_id] = row
        new_rows, changed = [], []
        # SQLite gets its stored forms straight away (text timestamps, 0/1): one pass over the rows.
        lite = self.conn.dialect.name == "sqlite"
        now = _sqlite_ts(self.now) if lite else self.now
        for rec in recs:
            post = self._post_cache.get((platform, rec.post_platform_id))
            official = self._is_official(rec, post)
            old = existing.get(rec.platform_id)
            if old is None:
                author = rec.author
                new_rows.append((
                    platform, rec.platform_id, rec.post_platform_id, post[0] if post else None,
                    rec.parent_platform_id, author.platform_id, author.handle, author.name,
                    int(official) if lite else official, rec.text,
                    _sqlite_ts(rec.published_utc) if lite else rec.published_utc,
                    int(rec.published_approx) if lite else rec.published_approx, rec.likes, 1, now, now,
                    self.run_id, dump_raw(rec.raw)))
                self.counts.comments_new += 1
                self.counts.official_replies += official
            elif (old.text or "") != (rec.text or ""):
                self.conn.execute(text_versions.insert().values(
                    item_kind="comment", item_id=old.id, version=old.version, text=old.text,
                    replaced_utc=self.now))
                changed.append({"b_id": old.id, "text": rec.text, "version": old.version + 1,
                                "likes": rec.likes if rec.likes is not None else old.likes,
                                "updated_utc": self.now, "raw": dump_raw(rec.raw)})
                self.counts.comments_updated += 1
                self.counts.official_replies += old.is_official_reply
            else:
                if rec.likes is not None and rec.likes != old.likes:
                    self.conn.execute(update(comments).where(comments.c.id == old.id).values(likes=rec.likes))
                self.counts.comments_unchanged += 1
                self.counts.official_replies += old.is_official_reply
        bulk_insert_tuples(self.conn, comments, COMMENT_COLUMNS, new_rows, sqlite_ready=lite)
        self._growth.grew(comments, len(new_rows))
        if changed:
            self.conn.execute(
                update(comments).where(comments.c.id == bindparam("b_id"))
                .values(text=bindparam("text"), version=bindparam("version"), likes=bindparam("likes"),
                        updated_utc=bindparam("updated_utc"), raw=bindparam("raw"), deleted_utc=None),
                changed)

    # -- followers ------------------------------------------------------------------------
    def _flush_followers(self) -> None:
        rows = {}
        for rec in self._followers:
            account_id = self.resolver.owner(rec.account, rec.location)
            rows[(account_id, rec.taken_utc)] = {"account_id": account_id, "taken_utc": rec.taken_utc,
                                                 "followers": rec.followers}
        self._followers.clear()
        if rows:
            stmt = dialect_insert(self.conn, follower_snapshots)
            self.conn.execute(stmt.on_conflict_do_update(
                index_elements=["account_id", "taken_utc"], set_={"followers": stmt.excluded.followers}),
                list(rows.values()))
            self.counts.followers += len(rows)

    # -- after the file -------------------------------------------------------------------
    def _link_orphans(self) -> None:
        """Attach comments saved (by earlier files) before their post arrived: any file order works.

        Only the posts this file saved for the first time can have waiting comments, so only those are looked up,
        and only the comments just attached have their official-reply flag decided again.
        """
        linked = link_orphan_comments(self.conn, self._new_posts)
        if linked:
            self.counts.earlier_now_official += recompute_official_replies(self.conn, comment_ids=linked)


def link_orphan_comments(conn: Connection, new_posts: dict[str, list[str]]) -> list[int]:
    """Set ``post_id`` on comments waiting for these posts (platform → post platform ids); returns their ids."""
    linked: list[int] = []
    for platform, pids in new_posts.items():
        for start in range(0, len(pids), 900):
            chunk = pids[start:start + 900]
            rows = conn.execute(
                select(comments.c.id, posts.c.id.label("post_id"))
                .join(posts, and_(posts.c.platform == comments.c.platform,
                                  posts.c.platform_id == comments.c.post_platform_id))
                .where(comments.c.platform == platform, comments.c.post_platform_id.in_(chunk),
                       comments.c.post_id.is_(None))).all()
            if rows:
                conn.execute(update(comments).where(comments.c.id == bindparam("b_id"))
                             .values(post_id=bindparam("b_post")),
                             [{"b_id": r.id, "b_post": r.post_id} for r in rows])
                linked.extend(r.id for r in rows)
    return linked


def recompute_official_replies(conn: Connection, *, comment_ids: list[int] | None = None) -> int:
    """Re-derive ``is_official_reply`` from the accounts and links now known.

    Run after the watch list changes (an account assigned to an official makes its earlier
    comments official replies). Returns how many comments became official replies.
    """
    identities = official_identities(conn)
    query = (select(comments.c.id, comments.c.author_platform_id, comments.c.author_handle,
                    comments.c.is_official_reply, posts.c.account_id)
             .join(posts, posts.c.id == comments.c.post_id))
    if comment_ids is not None:  # just these (e.g. comments an import has just attached to their post)
        rows = [r for start in range(0, len(comment_ids), 900)
                for r in conn.execute(query.where(comments.c.id.in_(comment_ids[start:start + 900])))]
    else:
        rows = conn.execute(query)
    flips_on, flips_off = [], []
    for row in rows:
        official = identities.get(row.account_id, NO_IDENTITIES).matches(row.author_platform_id, row.author_handle)
        if official and not row.is_official_reply:
            flips_on.append({"b_id": row.id})
        elif not official and row.is_official_reply:
            flips_off.append({"b_id": row.id})
    stmt = update(comments).where(comments.c.id == bindparam("b_id"))
    if flips_on:
        conn.execute(stmt.values(is_official_reply=True), flips_on)
    if flips_off:
        conn.execute(stmt.values(is_official_reply=False), flips_off)
    return len(flips_on) - len(flips_off)


def mark_deleted(conn: Connection, table_name: str, ids: Iterable[int]) -> int:
    """Mark posts or comments that disappeared from the platform; the archive keeps them."""
    table = {"posts": posts, "comments": comments}[table_name]
    ids = list(ids)
    if not ids:
        return 0
    result = conn.execute(update(table).where(table.c.id.in_(ids), table.c.deleted_utc.is_(None))
                          .values(deleted_utc=now_utc()))
    return result.rowcount or 0
