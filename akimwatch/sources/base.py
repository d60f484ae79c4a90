"""The contract every platform source fulfils, and the error type importers raise.

A source module owns one platform's formats. For each export format it exposes a
``Format``: ``detect(path, peek)`` scores how surely a file is in that format from its structure
(``sources/peek.py``: the JSON key paths streamed from the whole file, the first bytes, the name; 0 = no,
100 = certain; the unambiguous best claim wins), ``parse(path)`` streams platform-neutral records (``PostRecord``,
``CommentRecord``, ``FollowerRecord`` or ``SkippedRecord`` for a record that cannot be mapped).
``map_*`` functions are pure (raw JSON → record) so live collectors reuse them.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from akimwatch.models import Record, SkippedRecord
from akimwatch.sources.limits import current_limits, open_limited


def display_path(path: Path | str) -> str:
    """A path as text that can always be printed and stored: bytes of a non-UTF-8 file name become ``\\xNN``."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = os.fsencode(text).decode("utf-8", "backslashreplace")
    if any(c < " " for c in text):  # a newline or tab in a file name must not break a one-line message
        text = "".join(c if c >= " " else f"\\x{ord(c):02x}" for c in text)
    return text


def clean_text(value: str, limit: int = 200) -> str:
    """A value quoted in an error message: one line, bounded."""
    text = value.replace("\r", " ").replace("\n", " ")
    return text if len(text) <= limit else text[:limit] + "…"


class SourceError(Exception):
    """A file cannot be read as its format: says which file, where and which field."""

    def __init__(self, path: Path | str, location: str, field: str | None, reason: str, hint: str = ""):
        self.path = display_path(path)
        self.location = location
        self.field = clean_text(field, 120) if field else field
        self.reason = clean_text(" ".join(reason.split()), 600)  # one line, whatever a parser said
        self.hint = hint
        where = f"{self.path}, {location}" if location else self.path
        what = f"field '{self.field}' {self.reason}" if field else self.reason
        super().__init__(f"{where}: {what}" + (f"; {hint}" if hint else ""))


class UnknownFormatError(SourceError):
    """No format claims the file: in a folder such a file is listed as skipped, not failed (unless --strict)."""


class RecordError(Exception):
    """Raised inside a ``map_*`` function: the field that is missing or wrong, and why."""

    def __init__(self, field: str, reason: str):
        self.field = field
        self.reason = reason
        super().__init__(f"field '{field}' {reason}")


@dataclass(frozen=True, slots=True)
class Format:
    """One importable file format of a platform."""

    id: str  # stable, lowercase: "telegram_desktop", "facebook_graph", ...
    platform: str
    description: str
    detect: Callable[[Path, Any], int]  # (path, sources.peek.Peek) → score 0..100
    parse: Callable[[Path], Iterator[Record]]


def open_binary(path: Path):
    """Open a possibly compressed file for streaming reads, within the import's size/time budgets."""
    return open_limited(path)


DEFAULT_LOCAL_ZONE = "Asia/Almaty"
_LOCAL_ZONE: ContextVar[ZoneInfo | None] = ContextVar("akimwatch_local_zone", default=None)


def local_zone(name: str) -> ZoneInfo:
    """A time zone by IANA name (``Asia/Almaty``), or ValueError in words."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"--timezone '{name}' is not a known time zone (use an IANA name such as Asia/Almaty, "
                         "Asia/Aqtobe or UTC)") from None


@contextlib.contextmanager
def local_times_in(zone: ZoneInfo) -> Iterator[ZoneInfo]:
    """Within this block, exports that give only local times are read in ``zone``."""
    token = _LOCAL_ZONE.set(zone)
    try:
        yield zone
    finally:
        _LOCAL_ZONE.reset(token)


def current_local_zone() -> ZoneInfo:
    """The zone assumed for local times without an offset (``--timezone``, default Asia/Almaty)."""
    return _LOCAL_ZONE.get() or ZoneInfo(DEFAULT_LOCAL_ZONE)


def parse_iso_utc(value: object, field: str) -> datetime:
    """Parse an ISO-8601 / Graph-API style timestamp into aware UTC, or raise RecordError."""
    if not isinstance(value, str) or not value:
        raise RecordError(field, f"is not a timestamp ({clean_text(repr(value), 60)})")
    text = value.strip()
    if len(text) == 25 and text[19] == "+" and text.endswith("+00:00"):  # the common case, fast
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            raise RecordError(field, f"is not a timestamp ({clean_text(value, 60)!r})") from None
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # Graph API: 2021-08-10T18:45:03+0000
    if len(text) > 5 and text[-5] in "+-" and text[-4:].isdigit() and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]
    try:
        dt = datetime.fromisoformat(text)
        return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    except ValueError:
        raise RecordError(field, f"is not a timestamp ({clean_text(value, 60)!r})") from None
    except OverflowError:
        raise RecordError(field, f"is out of range ({clean_text(value, 60)!r})") from None


def parse_unix_utc(value: object, field: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise RecordError(field, f"is not a unix timestamp ({clean_text(repr(value), 60)})")
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise RecordError(field, f"is not a unix timestamp ({clean_text(repr(value), 60)})") from None


def as_int(value: object) -> int | None:
    """A count that may be missing or a numeric string; missing stays None (and so does a float that is not a
    number, or a string too long to be a count)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, str) and len(value) > 40:
        return None
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None


def as_dict(value: Any) -> dict[str, Any]:
    """A JSON object where one is expected, or an empty one (a list or a string there holds nothing usable)."""
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """A JSON array where one is expected, or an empty one."""
    return value if isinstance(value, list) else []


def as_text(value: Any) -> str | None:
    """Text where text is expected; anything else (an object, a list, a number) is no text — never its repr."""
    return value if isinstance(value, str) and value else None


def as_id(value: Any) -> str | None:
    """An id given as a string or a number; objects, lists and booleans are no id."""
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value)


def load_json(body: bytes | str) -> Any:
    """A whole JSON document. orjson first (fast); integers beyond 64 bits are valid JSON that orjson refuses,
    so such a document is read again with the standard library. Raises ``orjson.JSONDecodeError``."""
    import orjson

    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if "integer" not in str(exc).lower() and "number" not in str(exc).lower():
            raise
        import json

        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            raise exc from None


def url_domain(url: str | None) -> str | None:
    """The host of a link without ``www.``; None for anything that is not a usable link."""
    if not url or not isinstance(url, str):
        return None
    from urllib.parse import urlsplit

    try:
        host = urlsplit(url if "://" in url else f"https://{url}").hostname
    except ValueError:  # brackets or a port that is not a number
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


def iter_json_lines(path: Path) -> Iterator[tuple[str, bytes, Any] | SkippedRecord]:
    """Stream a JSON Lines file: ``(location, raw line, parsed object)`` per non-blank line.

    A line that is not valid JSON (often the last one of a cut-off file) comes back as a
    ``SkippedRecord`` naming the line, so the importer fails the file or, with --skip-bad, lists it.
    """
    import orjson

    max_line = current_limits().max_line
    with open_binary(path) as fh:
        line_no = 0
        while True:
            line = fh.readline(max_line + 1)
            if not line:
                break
            line_no += 1
            location = f"line {line_no}"
            if len(line) > max_line and not line.endswith(b"\n"):
                while line and not line.endswith(b"\n"):  # pass over the rest of the over-long line
                    line = fh.readline(1 << 20)
                yield SkippedRecord(location, "-", f"is longer than {max_line // 2**20} MB (limit "
                                    "AKIMWATCH_IMPORT_MAX_LINE_MB)")
                continue
            if not line.strip():
                continue
            try:
                yield location, line.rstrip(b"\r\n"), load_json(line)
            except orjson.JSONDecodeError as exc:
                yield SkippedRecord(location, "-", f"is not valid JSON, perhaps cut off ({exc})")


def read_json_file(path: Path, head: bytes = b"") -> Any:
    """One whole JSON document (a saved API response), or a SourceError saying the file is cut off or not JSON.

    For responses small enough to hold in memory (one page of an API); streamed formats use ijson instead.
    """
    import orjson

    with open_binary(path) as fh:
        body = head + fh.read()
    try:
        return load_json(body)
    except orjson.JSONDecodeError as exc:
        raise SourceError(path, "", None, f"file is truncated or not valid JSON ({exc})") from None


def is_json_lines(path: Path) -> bool:
    name = path.name.lower()
    return ".jsonl" in name or ".ndjson" in name


def iter_comment_edge(edge: Any, location: str, map_one: Callable[..., Any], children: str, post_id: str | None,
                      parent_id: str | None = None, reply_word: str = "comment") -> Iterator[Any]:
    """Comments of a nested Graph-API-style edge (``{"data": [...]}``) and their replies, depth first.

    ``map_one(item, location, post_id, parent_id)`` maps one comment (raising RecordError for a bad one);
    ``children`` names the edge holding its replies (Facebook ``comments``, Instagram ``replies``).
    """
    data = edge.get("data") if isinstance(edge, dict) else edge
    if not isinstance(data, list):
        return
    for n, item in enumerate(data, start=1):
        where = f"{location} {reply_word if parent_id else 'comment'} {n}"
        if not isinstance(item, dict):
            yield SkippedRecord(where, "-", "is not a JSON object")
            continue
        try:
            record = map_one(item, where, post_id, parent_id)
        except RecordError as exc:
            yield SkippedRecord(where, exc.field, exc.reason)
            continue
        yield record
        yield from iter_comment_edge(item.get(children), where, map_one, children, record.post_platform_id,
                                     record.platform_id, reply_word)
