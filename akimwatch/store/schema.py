"""The core tables and indexes, declared once for SQLite and PostgreSQL (SQLAlchemy Core).

Features declare their own tables on the same ``metadata`` (store/metadata.py lists them).

Changes to this file need an Alembic revision in ``store/migrations/versions``.
Times are stored as UTC (``*_utc`` columns); local time appears only at display.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from akimwatch.store.metadata import UtcDateTime, metadata

officials = Table(
    "officials",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("name_ru", Text, nullable=False),
    Column("name_kk", Text),
    Column("name_en", Text),
    Column("position", String(40), nullable=False),
    Column("region", String(10)),
    Column("term_start", String(10)),
    Column("term_end", String(10)),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("platform", String(20), nullable=False),
    Column("handle", String(200)),
    Column("handle_key", String(200)),  # lower-cased handle for matching
    Column("platform_id", String(100)),
    Column("url", Text),
    Column("name", Text),
    Column("role", String(20), nullable=False, server_default="personal"),
    Column("official_id", String(100), ForeignKey("officials.id", ondelete="SET NULL")),
    Column("on_watch_list", Boolean, nullable=False, server_default="0"),
    Column("created_utc", UtcDateTime),
    Index(None, "platform", "platform_id"),
    Index(None, "platform", "handle_key"),
    Index(None, "official_id"),
)

# Accounts that answer on behalf of another account (a press service for an akim's page).
account_links = Table(
    "account_links",
    metadata,
    Column("account_id", String(200), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("linked_account_id", String(200), primary_key=True),
)

import_runs = Table(
    "import_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False, server_default="import"),  # import | harvest
    Column("source", Text, nullable=False),
    Column("format", String(40)),
    Column("account_id", String(200)),
    Column("status", String(20), nullable=False),  # running | ok | failed | partial
    Column("started_utc", UtcDateTime, nullable=False),
    Column("finished_utc", UtcDateTime),
    Column("counts", JSON),
    Column("errors", JSON),
    Column("pid", Integer),  # the process writing a running run: a run whose process is gone was interrupted
    Column("host", String(255)),
)

posts = Table(
    "posts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(20), nullable=False),
    Column("platform_id", String(200), nullable=False),
    Column("account_id", String(200), ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("published_utc", UtcDateTime, nullable=False),
    # local time of an old export converted with an assumed zone (--timezone): not exact, never mixed silently
    Column("published_approx", Boolean, nullable=False, server_default=false()),
    Column("text", Text),
    Column("media_kind", String(20), nullable=False, server_default="text"),
    Column("url", Text),
    Column("is_repost", Boolean, nullable=False, server_default="0"),
    Column("repost_source_name", Text),
    Column("repost_source_url", Text),
    Column("repost_source_domain", String(200)),
    Column("likes", BigInteger),
    Column("comments_count", BigInteger),
    Column("views", BigInteger),
    Column("shares", BigInteger),
    Column("comments_closed", Boolean),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("first_seen_utc", UtcDateTime),
    Column("updated_utc", UtcDateTime),
    Column("deleted_utc", UtcDateTime),
    Column("import_run_id", Integer),
    Column("raw", Text),
    UniqueConstraint("platform", "platform_id"),
    Index(None, "account_id", "published_utc"),
)

# Accounts tagged or mentioned in a post; an official present only as a tag shows up here.
post_mentions = Table(
    "post_mentions",
    metadata,
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(10), primary_key=True),  # tag | mention
    Column("handle_key", String(200), primary_key=True),
    Column("platform", String(20), nullable=False),
    Column("platform_id", String(100)),
    Column("handle", String(200)),
    Index(None, "platform", "handle_key"),
)

comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(20), nullable=False),
    Column("platform_id", String(200), nullable=False),
    Column("post_platform_id", String(200), nullable=False),
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE")),
    Column("parent_platform_id", String(200)),
    Column("author_platform_id", String(100)),
    Column("author_handle", String(200)),
    Column("author_name", Text),
    Column("is_official_reply", Boolean, nullable=False, server_default="0"),
    Column("text", Text),
    Column("published_utc", UtcDateTime, nullable=False),
    # local time of an old export converted with an assumed zone (--timezone): not exact, never mixed silently
    Column("published_approx", Boolean, nullable=False, server_default=false()),
    Column("likes", BigInteger),
    Column("version", Integer, nullable=False, server_default="1"),
    Column("first_seen_utc", UtcDateTime),
    Column("updated_utc", UtcDateTime),
    Column("deleted_utc", UtcDateTime),
    Column("import_run_id", Integer),
    Column("raw", Text),
    UniqueConstraint("platform", "platform_id"),
    Index(None, "post_id", "published_utc"),
    Index(None, "platform", "post_platform_id"),
    Index(None, "platform", "parent_platform_id"),
)

# Earlier versions of edited texts: an edit never silently overwrites what was public.
text_versions = Table(
    "text_versions",
    metadata,
    Column("item_kind", String(10), primary_key=True),  # post | comment
    Column("item_id", Integer, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("text", Text),
    Column("replaced_utc", UtcDateTime, nullable=False),
)

follower_snapshots = Table(
    "follower_snapshots",
    metadata,
    Column("account_id", String(200), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("taken_utc", UtcDateTime, primary_key=True),
    Column("followers", BigInteger, nullable=False),
)

# Labels from analyzers, keyed by (item, analyzer, version): re-runs are free, upgrades re-label.
labels = Table(
    "labels",
    metadata,
    Column("item_kind", String(10), primary_key=True),  # post | comment
    Column("item_id", Integer, primary_key=True),
    Column("analyzer", String(40), primary_key=True),
    Column("version", String(40), primary_key=True),
    Column("value", String(60), nullable=False),
    Column("confidence", Float),
    Column("extra", JSON),
    Column("created_utc", UtcDateTime),
    Index(None, "analyzer", "version", "value"),
    # Metrics join every comment to its labels and read only ``value``: on SQLite the table is
    # clustered by its key (WITHOUT ROWID); on PostgreSQL a covering index allows index-only scans.
    Index("ix_labels_item_covering", "item_kind", "item_id", "analyzer", "version", "value").ddl_if(
        dialect="postgresql"),
    sqlite_with_rowid=False,
)

# Facts about the store itself, e.g. ``dataset = demo`` so every output can carry the synthetic-data mark.
store_meta = Table(
    "store_meta",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text),
)

# Where each account's harvest stream stopped; advanced in the same transaction as the rows it covers.
harvest_cursors = Table(
    "harvest_cursors",
    metadata,
    Column("account_id", String(200), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("stream", String(60), primary_key=True),
    Column("cursor", JSON),
    Column("updated_utc", UtcDateTime, nullable=False),
)


# Precomputed aggregates of any feature (the web pages' overview ranking, topic counts, per-official charts), kept
# with the store fingerprint they were computed for. Full-text search over comment text is not a table: SQLite
# gets an FTS5 virtual table ``comments_fts`` (external content, kept in step by triggers), PostgreSQL gets GIN
# expression indexes on ``to_tsvector('russian', text)`` and ``to_tsvector('simple', text)`` (migration 0005).
web_snapshots = Table(
    "web_snapshots",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("computed_utc", UtcDateTime, nullable=False),
    Column("fingerprint", Text),  # what the store looked like when computed
    Column("data", JSON),
)

# What each import or harvest run really covered, per account: the span of its posts (and, for a harvest, up to
# the moment it looked). The stream (full export, preview page, harvest) follows from the run's kind and format.
# Metrics judge silences, rates and ranks only inside these spans (akimwatch/metrics/coverage.py).
account_coverage = Table(
    "account_coverage",
    metadata,
    Column("account_id", String(200), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("import_run_id", Integer, primary_key=True),
    Column("start_utc", UtcDateTime, nullable=False),
    Column("end_utc", UtcDateTime, nullable=False),
    Column("posts", Integer, nullable=False),
)
