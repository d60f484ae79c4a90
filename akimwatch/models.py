"""Platform-neutral records that every source maps into and the store saves.

Sources produce these from raw exports/API responses (``map_*`` functions); the store
only ever sees these types. All timestamps are timezone-aware UTC (``*_utc``).
Fields a platform does not provide stay ``None`` — they are recorded as missing, never invented.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

PLATFORMS = ("instagram", "facebook", "x", "telegram", "vk", "youtube")
ACCOUNT_ROLES = ("personal", "press_service", "official_page")
MEDIA_KINDS = ("photo", "video", "long_video", "album", "text")

# The label contract (docs/methodology.md «Comment labels»): the analyzers produce these values, the metrics,
# reports, web pages, API and Open311 feed read them. One list, so a new topic cannot reach half the product.
LANGUAGES = ("ru", "kk", "mixed", "other")
COMMENT_TYPES = ("gratitude", "complaint", "request", "question", "other")
TOPICS = ("roads_traffic", "public_transport", "utilities", "gas", "greening_parks", "waste_sanitation",
          "environment", "housing_construction", "animals_zoo", "prices_tariffs", "social_support", "healthcare",
          "education", "employment_economy", "public_safety", "culture_sport_leisure", "governance", "none")
SENTIMENTS = ("positive", "neutral", "negative")
# An accurate-tier label whose calibrated confidence is under its head's threshold: the analyzer abstains and
# stores this value (best guess in ``extra["guess"]``). Pages and metrics show it apart; it is never a fact.
UNCERTAIN = "uncertain"


@dataclass(slots=True, frozen=True)
class AccountRef:
    """An account as a data file names it: by platform id, handle, or both."""

    platform: str
    platform_id: str | None = None
    handle: str | None = None
    name: str | None = None

    @property
    def label(self) -> str:
        return self.handle or self.platform_id or self.name or "?"


@dataclass(slots=True)
class PostRecord:
    """One post (or video / tweet / channel message) published by an account.

    ``platform_id`` must be unique within the platform (e.g. Telegram uses
    ``<channel id>/<message id>``); it is the idempotency key with ``platform``.
    """

    platform: str
    platform_id: str
    account: AccountRef
    published_utc: datetime
    text: str | None = None
    media_kind: str = "text"
    url: str | None = None
    is_repost: bool = False
    repost_source_name: str | None = None
    repost_source_url: str | None = None
    repost_source_domain: str | None = None
    likes: int | None = None
    comments_count: int | None = None
    views: int | None = None
    shares: int | None = None
    tagged: tuple[AccountRef, ...] = ()
    mentions: tuple[AccountRef, ...] = ()
    comments_closed: bool | None = None
    raw: Any = None
    location: str = ""
    published_approx: bool = False  # a local time converted with an assumed zone (old Telegram exports)


@dataclass(slots=True)
class CommentRecord:
    """A comment (or reply) under a post; ``parent_platform_id`` links replies into threads.

    ``is_official_reply`` is usually left ``None``: the store decides it by comparing the
    author with the post's account and the accounts linked to the same official.
    """

    platform: str
    platform_id: str
    post_platform_id: str
    author: AccountRef
    published_utc: datetime
    text: str | None = None
    parent_platform_id: str | None = None
    likes: int | None = None
    is_official_reply: bool | None = None
    raw: Any = None
    location: str = ""
    published_approx: bool = False


@dataclass(slots=True)
class FollowerRecord:
    """A follower-count snapshot of an account at a moment."""

    account: AccountRef
    taken_utc: datetime
    followers: int
    location: str = ""


@dataclass(slots=True)
class SkippedRecord:
    """A record a parser could not map; the importer fails the file or, with --skip-bad, lists it."""

    location: str
    field: str
    reason: str


@dataclass(slots=True)
class OmittedRecord:
    """An item a file holds that is rightly not imported (a deleted comment, a service message, a «Post not
    found» page): counted by reason in the import summary, never a failure."""

    location: str
    reason: str


Record = PostRecord | CommentRecord | FollowerRecord | SkippedRecord | OmittedRecord


@dataclass(slots=True)
class Official:
    id: str
    name_ru: str
    position: str
    region: str | None = None
    name_kk: str | None = None
    name_en: str | None = None
    term_start: str | None = None
    term_end: str | None = None


@dataclass(slots=True)
class Account:
    id: str
    platform: str
    handle: str | None = None
    url: str | None = None
    platform_id: str | None = None
    role: str = "personal"
    official_id: str | None = None
    linked: tuple[str, ...] = field(default_factory=tuple)


def to_utc(value: datetime) -> datetime:
    """Normalise a datetime to aware UTC; naive values are taken as already UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
