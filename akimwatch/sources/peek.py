"""What a file looks like, for format detection: its JSON structure streamed with ijson, not a byte window.

Detectors used to look at the first 64 KiB of a file; a big first comment or a key written late (instaloader
4.14 puts ``"instaloader"`` after a large ``iphone_struct``) then hid the format. ``peek_file`` streams the
JSON events as far as needed — to the end of the file or an event budget — and keeps the distinct key paths
(``response.items.item.owner_id``), the first scalar value of each shallow path and the top-level keys in
order. HTML and CSV detectors still read the first bytes (``head``): those formats announce themselves there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ijson

from akimwatch.sources.limits import (
    IJSON_BUFFER,
    READ_ERRORS,
    LimitExceeded,
    describe_read_error,
    open_limited,
)

HEAD_BYTES = 65536
EVENT_BUDGET = 400_000  # ~a few MB of JSON; a top-level key later than that is not needed by any detector
MAX_PATHS = 4000  # id-keyed maps would otherwise add a path per id
VALUE_DEPTH = 5  # first scalar values are kept for paths this shallow (``response.items.item.type``)


@dataclass
class Peek:
    """The structure of one file as detectors see it."""

    name: str  # the file name, lower case
    head: bytes = b""  # first bytes (decompressed), for HTML / CSV / text detectors
    root: str | None = None  # "object" | "array" | "lines" (several JSON values) | None: not JSON
    keys: list[str] = field(default_factory=list)  # top-level keys of the first JSON value, in order
    paths: set[str] = field(default_factory=set)  # every distinct key path seen ("data.item.text")
    values: dict[str, Any] = field(default_factory=dict)  # first scalar of each shallow path
    complete: bool = False  # the whole file was scanned
    error: str | None = None  # why the JSON scan stopped early (truncated, not JSON)
    damaged: str | None = None  # the file itself cannot be read to the end (damaged compression, a budget)

    def has(self, *paths: str) -> bool:
        """All these key paths occur in the file."""
        return all(p in self.paths for p in paths)

    def any(self, *paths: str) -> bool:
        return any(p in self.paths for p in paths)

    def value(self, path: str) -> Any:
        return self.values.get(path)

    def children(self, prefix: str = "") -> set[str]:
        """The keys seen directly under a path ("" = top level, "data.item" = every item of ``data``)."""
        if not prefix:
            return {p for p in self.paths if "." not in p}
        start = prefix + "."
        return {p[len(start):] for p in self.paths if p.startswith(start) and "." not in p[len(start):]}

    def object_bases(self, limit: int = 20) -> list[str]:
        """Where the objects of a response sit: ``data`` items, the top level, and the objects under the first
        top-level keys (id maps ``{"<id>": {...}}``, wrappers such as ``{"mentioned_media": {...}}``)."""
        bases = ["data.item", ""]
        for key in self.keys[:limit]:
            if key != "data" and self.children(key):
                bases.append(key)
        return bases

    @property
    def is_json(self) -> bool:
        return self.root is not None

    def ends_with(self, *suffixes: str) -> bool:
        return self.name.endswith(suffixes)


def base_name(name: str) -> str:
    """``posts.json.xz`` → ``posts.json``."""
    lower = name.lower()
    for ext in (".xz", ".gz"):
        if lower.endswith(ext):
            return lower[: -len(ext)]
    return lower


def open_stream(path: Path):
    """A possibly compressed file opened for binary streaming reads (within the import's budgets)."""
    return open_limited(path)




def peek_file(path: Path, budget: int = EVENT_BUDGET) -> Peek:
    """Scan a file's structure for detection. Never raises for bad content (the parser reports that)."""
    peek = Peek(name=path.name.lower())
    try:
        with open_stream(path) as fh:
            peek.head = fh.read(HEAD_BYTES)
    except LimitExceeded as exc:
        peek.error = peek.damaged = str(exc)
        return peek
    except READ_ERRORS as exc:
        peek.error = peek.damaged = describe_read_error(exc)
        return peek
    start = peek.head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start not in (b"{", b"["):
        return peek
    _scan_json(path, peek, budget)
    return peek


def _scan_json(path: Path, peek: Peek, budget: int) -> None:
    top_values = 0
    seen_values = 0
    try:
        with open_stream(path) as fh:
            for n, (prefix, event, value) in enumerate(ijson.parse(fh, multiple_values=True, use_float=True,
                                                                          buf_size=IJSON_BUFFER)):
                if n >= budget:
                    return
                if prefix == "":
                    if event in ("start_map", "start_array"):
                        top_values += 1
                        if top_values == 1:
                            peek.root = "object" if event == "start_map" else "array"
                        elif top_values == 2:
                            peek.root = "lines"
                    elif event == "map_key" and top_values == 1:
                        peek.keys.append(value)
                if event == "map_key":
                    if len(peek.paths) < MAX_PATHS:
                        peek.paths.add(f"{prefix}.{value}" if prefix else value)
                elif event in ("string", "number", "boolean", "null") and prefix not in peek.values \
                        and prefix.count(".") < VALUE_DEPTH and seen_values < MAX_PATHS:
                    seen_values += 1
                    peek.values[prefix] = value[:200] if isinstance(value, str) else value
        peek.complete = True
    except (ijson.JSONError, ijson.IncompleteJSONError) as exc:
        peek.error = f"is truncated or not valid JSON ({exc})"
        if "integer overflow" in str(exc):  # valid JSON with an integer beyond 64 bits: read it whole instead
            _scan_whole(path, peek)
    except LimitExceeded as exc:
        peek.error = peek.damaged = str(exc)
    except READ_ERRORS as exc:
        peek.error = peek.damaged = describe_read_error(exc)
    except (ValueError, RecursionError, OverflowError) as exc:  # odd numbers, nesting: the parser reports it
        peek.error = f"is not valid JSON ({exc})"


def _scan_whole(path: Path, peek: Peek) -> None:
    """The same structure from a document loaded whole (the standard library reads integers of any size)."""
    from akimwatch.sources.base import load_json

    try:
        with open_stream(path) as fh:
            obj = load_json(fh.read())
    except Exception:  # noqa: BLE001 - keep what the stream gave
        return
    peek.paths.clear()
    peek.values.clear()
    peek.keys = list(obj) if isinstance(obj, dict) else []
    peek.root = "object" if isinstance(obj, dict) else "array" if isinstance(obj, list) else None

    def walk(node, prefix: str, depth: int) -> None:
        if depth > 12 or len(peek.paths) >= MAX_PATHS:
            return
        if isinstance(node, dict):
            for key, value in node.items():
                peek.paths.add(f"{prefix}.{key}" if prefix else key)
                walk(value, f"{prefix}.{key}" if prefix else key, depth + 1)
        elif isinstance(node, list):
            for item in node[:50]:
                walk(item, f"{prefix}.item" if prefix else "item", depth + 1)
        elif prefix not in peek.values and prefix.count(".") < VALUE_DEPTH:
            peek.values[prefix] = node[:200] if isinstance(node, str) else node

    walk(obj, "", 0)
    peek.complete, peek.error = True, None
