"""The collector contract: fetch pages of records for one account, each with the cursor after it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from akimwatch.models import Record


@dataclass(frozen=True)
class WatchedAccount:
    id: str
    platform: str
    handle: str | None
    platform_id: str | None
    official_id: str | None


@dataclass
class Listing:
    """All ids currently visible in a scope, so items gone from the platform can be marked deleted.

    ``kind='posts'``: every post of the account published in [start_utc, end_utc];
    ``kind='comments'``: every comment of the post ``scope`` (a post platform id).
    """

    kind: str
    scope: str
    ids: set[str]
    start_utc: datetime | None = None
    end_utc: datetime | None = None


@dataclass
class Page:
    """One unit of progress: records to save, and the stream cursor to store with them atomically."""

    stream: str
    records: list[Record]
    cursor: dict[str, Any] | None
    listings: list[Listing] = field(default_factory=list)


class Collector(Protocol):
    platform: str
    name: str

    def fetch_pages(self, account: WatchedAccount, cursors: dict[str, dict[str, Any]], *,
                    since: datetime | None, full: bool) -> Iterator[Page]:
        """Yield pages newest-first or oldest-first as the API allows; resume from ``cursors[stream]``."""
        ...
