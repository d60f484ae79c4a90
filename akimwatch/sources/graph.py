"""Reading saved Graph API responses (Facebook and Instagram share the envelope): one streamed scan of the
top-level keys and paging block, the ``data`` items streamed, small single-object responses loaded whole."""

from __future__ import annotations

import lzma
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ijson
import orjson

from akimwatch.sources.base import RecordError, SourceError, load_json, open_binary, parse_iso_utc
from akimwatch.sources.limits import IJSON_BUFFER

# keys a live collector (or a person) may add to a saved response to say when it was fetched
FETCHED_KEYS = ("fetched_utc", "fetched_at", "taken_at", "retrieved_at", "__fetched_utc")
HINT_RE = re.compile(r"(?:^|[._\-\s])(post|media|comment|user|page)[-=]([0-9]+(?:_[0-9]+)?)", re.IGNORECASE)


class GraphFile:
    """What a Graph API response file is: its top-level keys, paging block and data items (streamed)."""

    def __init__(self, path: Path, keys: list[str], paging: dict[str, Any] | None, has_data_list: bool,
                 top: dict[str, Any] | None):
        self.path = path
        self.keys = keys
        self.paging = paging or {}
        self.has_data_list = has_data_list
        self.top = top  # whole object for small non-list responses (single object / id map)
        self.whole: dict[str, Any] | None = None  # the document loaded whole (integers beyond 64 bits)

    def edge(self) -> tuple[str | None, str | None]:
        """(node id, edge name) from the paging URLs, e.g. ('19292868552_101584', 'comments')."""
        for key in ("next", "previous"):
            node, edge = graph_edge(self.paging.get(key))
            if node:
                return node, edge
        return None, None

    def fetched_utc(self):
        """When the response was fetched, if the file says so (follower counts need an honest time)."""
        top = self.top or {}
        for key in FETCHED_KEYS:
            if top.get(key):
                try:
                    return parse_iso_utc(top[key], key)
                except RecordError as exc:
                    raise SourceError(self.path, "", exc.field, exc.reason) from None
        return None

    def records(self) -> Iterator[tuple[str, Any]]:
        """(location, item): the ``data`` list streamed, or the single object / each value of an id map."""
        if self.has_data_list:
            return ((f"record {n}", item) for n, item in self.items())
        return single_objects(self)

    def items(self) -> Iterator[tuple[int, Any]]:
        """(1-based record number, item) of ``data``; streamed with ijson."""
        if self.whole is not None:
            yield from enumerate(self.whole.get("data") or [], start=1)
            return
        with open_binary(self.path) as fh:
            try:
                yield from enumerate(ijson.items(fh, "data.item", use_float=True, buf_size=IJSON_BUFFER), start=1)
            except (ijson.JSONError, EOFError, lzma.LZMAError) as exc:
                raise SourceError(self.path, "data", None, f"file is truncated or not valid JSON ({exc})") from None


def graph_edge(url: str | None) -> tuple[str | None, str | None]:
    """``https://graph.facebook.com/v11.0/1929_1015/comments?...`` → ('1929_1015', 'comments')."""
    if not url or not isinstance(url, str):
        return None, None
    try:
        parts = [p for p in urlsplit(url).path.split("/") if p]
    except ValueError:
        return None, None
    if parts and re.fullmatch(r"v\d+(\.\d+)?", parts[0]):
        parts = parts[1:]
    if len(parts) >= 2 and re.fullmatch(r"[0-9]+(_[0-9]+)?", parts[0]):
        return parts[0], parts[1]
    return None, None


def filename_hints(path: Path) -> dict[str, str]:
    """Ids given in the file name: ``comments.post-1929_1015.p2.json`` → {'post': '1929_1015'}.

    Recognised: ``post-<id>`` / ``media-<id>`` (the post the comments belong to), ``comment-<id>``
    (the parent of a replies page), ``user-<id>`` / ``page-<id>`` (whose media/posts the file lists)."""
    return {m.group(1).lower(): m.group(2) for m in HINT_RE.finditer(path.name)}


def read_graph_file(path: Path) -> GraphFile:
    """Scan a Graph API response once (streaming): top-level keys, paging; small objects loaded whole."""
    keys: list[str] = []
    paging: dict[str, Any] | None = None
    has_data_list = False
    builder = None
    try:
        with open_binary(path) as fh:
            events = ijson.parse(fh, use_float=True, buf_size=IJSON_BUFFER)
            first = next(events, None)
            if first is None:
                raise SourceError(path, "", None, "is empty")
            if first[1] != "start_map":
                raise SourceError(path, "", None, "is not a Graph API response (expected a JSON object)")
            for prefix, event, value in events:
                if prefix == "" and event == "map_key":
                    keys.append(value)
                elif prefix == "data" and event == "start_array":
                    has_data_list = True
                elif prefix == "paging" and event == "start_map" and builder is None and paging is None:
                    builder = ijson.ObjectBuilder()
                if builder is not None and (prefix == "paging" or prefix.startswith("paging.")):
                    builder.event(event, value)
                    if prefix == "paging" and event == "end_map":
                        paging, builder = builder.value, None
    except (ijson.JSONError, EOFError, lzma.LZMAError) as exc:
        if "integer overflow" in str(exc):  # valid JSON, an integer beyond 64 bits: yajl cannot, json can
            return _read_whole(path)
        raise SourceError(path, "", None, f"file is truncated or not valid JSON ({exc})") from None
    top = None
    if not has_data_list:
        with open_binary(path) as fh:
            try:
                top = load_json(fh.read())
            except orjson.JSONDecodeError as exc:
                raise SourceError(path, "", None, f"file is not valid JSON ({exc})") from None
    return GraphFile(path, keys, paging, has_data_list, top)


def _read_whole(path: Path) -> GraphFile:
    with open_binary(path) as fh:
        try:
            obj = load_json(fh.read())
        except orjson.JSONDecodeError as exc:
            raise SourceError(path, "", None, f"file is not valid JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise SourceError(path, "", None, "is not a Graph API response (expected a JSON object)")
    paging = obj.get("paging") if isinstance(obj.get("paging"), dict) else None
    has_data = isinstance(obj.get("data"), list)
    graph = GraphFile(path, list(obj), paging, has_data, None if has_data else obj)
    graph.whole = obj if has_data else None
    if has_data:
        graph.top = {k: v for k, v in obj.items() if k != "data"}
    return graph


def single_objects(graph: GraphFile) -> Iterator[tuple[str, dict[str, Any]]]:
    """A single object response, or each value of an id-keyed map (``?ids=a,b``)."""
    top = graph.top or {}
    values = list(top.values())
    if top and "id" not in top and all(isinstance(v, dict) and str(v.get("id")) == k for k, v in top.items()):
        for n, value in enumerate(values, start=1):
            yield f"record {n}", value
    else:
        yield "record 1", top
