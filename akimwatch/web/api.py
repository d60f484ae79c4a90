"""JSON API under /api/v1: lists with filters and cursor pagination; any list as CSV (?format=csv or .csv)."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from akimwatch.inbox import workflow as web_inbox
from akimwatch.privacy import mask_fields
from akimwatch.store import web_queries
from akimwatch.web import data
from akimwatch.web.civic import withhold_removed
from akimwatch.web.security import Principal, now_utc, principal, require_read, require_write

router = APIRouter(prefix="/api/v1", tags=["api"])
Str = Annotated[str | None, Query(max_length=200)]
Limit = Annotated[int, Query(ge=1, le=1000)]
Cursor = Annotated[str | None, Query(max_length=300)]
Fmt = Annotated[Literal["json", "csv"], Query()]
CSV_MAX_ROWS = 1_000_000
ID_MAX = 2**62  # every id and cursor the store hands out is below this; larger numbers name nothing
DEPARTMENT_MAX = 300
NOTES_MAX = 5000
UPDATE_FIELDS = ("status", "department", "notes", "due_utc")
Reader = Annotated[Principal, Depends(require_read)]


def parse_when(value: str | None, name: str) -> datetime | None:
    """ISO date or date-time; naive values are UTC."""
    if not value:
        return None
    try:
        if len(value) == 10:
            d = date.fromisoformat(value)
            dt = datetime(d.year, d.month, d.day, tzinfo=UTC)
        else:
            dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise HTTPException(400, f"{name}: not an ISO date or date-time ({value[:40]!r})") from None
    if not 1900 <= dt.year <= 2200:
        raise HTTPException(400, f"{name}: year out of range (1900-2200)")
    try:
        return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    except OverflowError:
        raise HTTPException(400, f"{name}: out of range") from None


def parse_id(value: str | None) -> int | None:
    """An id written in ASCII digits within the store's range; None for anything else (``"²".isdigit()``
    is True in Python, and 20-digit numbers overflow the database's integers)."""
    if not value or len(value) > 19 or not value.isascii() or not value.isdigit():
        return None
    n = int(value)
    return n if 1 <= n <= ID_MAX else None


def check_id(value: int, what: str = "request") -> int:
    """A path id out of the store's range names nothing: 404 (never a database overflow)."""
    if not 1 <= value <= ID_MAX:
        raise HTTPException(404, f"no such {what}")
    return value


def choice(value: str | None, allowed: tuple[str, ...], name: str) -> str | None:
    if value is None or value == "":
        return None
    if value not in allowed:
        raise HTTPException(400, f"{name}: unknown value; use one of {', '.join(allowed)}")
    return value


def encode_cursor(key: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([key])).decode().rstrip("=")


def decode_cursor(cursor: str | None, kind: type) -> Any:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        (key,) = orjson.loads(raw)
        if not isinstance(key, kind) or isinstance(key, bool):
            raise ValueError
        if isinstance(key, int) and not 1 <= key <= ID_MAX:
            raise ValueError
        return key
    except Exception:  # noqa: BLE001 - any malformed cursor is the caller's error
        raise HTTPException(400, "cursor: malformed; use next_cursor from the previous page") from None


def _flatten(item: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in item.items():
        if k == "labels" and isinstance(v, dict):
            for analyzer, lab in v.items():
                out[f"label_{analyzer}"] = lab.get("value")
        elif isinstance(v, list | dict | set):
            out[k] = orjson.dumps(v, default=list).decode()
        else:
            out[k] = v
    return out


def _csv_cell(v: Any) -> Any:
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v  # no formula injection when opened in a spreadsheet
    return v


def paginated(request: Request, fmt: str, fetch: Callable[[Any, int], list[dict]], key: str, cursor_type: type,
              cursor: str | None, limit: int, name: str) -> Response:
    after = decode_cursor(cursor, cursor_type)
    if fmt == "csv":
        def rows() -> Iterator[str]:
            buf = io.StringIO()
            writer = None
            pos = after
            sent = 0
            while sent < CSV_MAX_ROWS:
                page = fetch(pos, 1000)
                if not page:
                    break
                flat = [_flatten(i) for i in page]
                if writer is None:
                    fields = list(dict.fromkeys(k for f in flat for k in f))
                    writer = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore")
                    writer.writeheader()
                for f in flat:
                    writer.writerow({k: _csv_cell(v) for k, v in f.items()})
                sent += len(page)
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
                if len(page) < 1000:
                    break
                pos = page[-1][key]

        return StreamingResponse(rows(), media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})

    def page_body() -> bytes:
        items = fetch(after, limit + 1)
        more = len(items) > limit
        items = items[:limit]
        return orjson.dumps({"items": items, "count": len(items),
                             "next_cursor": encode_cursor(items[-1][key]) if more and items else None})

    p = principal(request)
    if p.anonymous and not request.app.state.config.private:
        # Anonymous readers all get the same masked page: keep it per URL until the store changes,
        # like the public HTML pages (any change made through the app clears the cache).
        cache_key = f"api:{request.url.path}?{data.normalised_query(request)}"
        body = request.app.state.cache.get(cache_key, lambda _conn: page_body(), persist=False)
    else:
        body = page_body()
    return Response(body, media_type="application/json")


COMMENT_TEXT_FIELDS = ("text", "author_name", "author_handle")
POST_TEXT_FIELDS = ("text",)
REQUEST_TEXT_FIELDS = ("description", "address", "department")


def masked(p: Principal, items: list[dict], *fields: str) -> list[dict]:
    """Personal data masked in the free-text fields of every item, unless the caller may see it."""
    if p.sees_personal_data:
        return items
    for item in items:
        mask_fields(item, fields)
    return items


def _conn(request: Request):
    return request.app.state.engine.connect()


@router.get("/officials", summary="Officials on the watch list")
def officials(request: Request, p: Reader, region: Str = None, q: Str = None, limit: Limit = 100, cursor: Cursor = None,
              format: Fmt = "json"):
    def fetch(after, n):
        with _conn(request) as conn:
            return web_queries.list_officials(conn, region=region, q=q, after=after, limit=n)

    return paginated(request, format, fetch, "id", str, cursor, limit, "officials")


@router.get("/officials/{official_id}", summary="One official with accounts and store facts")
def official(request: Request, p: Reader, official_id: Annotated[str, Path(max_length=200)]):
    with _conn(request) as conn:
        off = web_queries.get_official(conn, official_id)
        if off is None:
            raise HTTPException(404, "no such official")
        off["accounts"] = web_queries.list_accounts(conn, official_id=official_id, limit=1000)
    rank = data.ranking(request.app.state.cache, request.app.state.config.metrics_period)
    off["facts"] = next((r for r in rank["rows"] if r["id"] == official_id), None)
    return off


@router.get("/accounts", summary="Accounts (watch list and accounts seen in imports)")
def accounts(request: Request, p: Reader, platform: Str = None, official_id: Str = None, limit: Limit = 100,
             cursor: Cursor = None, format: Fmt = "json"):
    def fetch(after, n):
        with _conn(request) as conn:
            return web_queries.list_accounts(conn, platform=platform, official_id=official_id, after=after, limit=n)

    return paginated(request, format, fetch, "id", str, cursor, limit, "accounts")


@router.get("/posts", summary="Posts, newest first")
def posts(request: Request, p: Reader, account_id: Str = None, official_id: Str = None, platform: Str = None,
          since: Str = None, until: Str = None, q: Str = None, limit: Limit = 100, cursor: Cursor = None,
          format: Fmt = "json"):
    s, u = parse_when(since, "since"), parse_when(until, "until")

    def fetch(after, n):
        with _conn(request) as conn:
            items = web_queries.list_posts(conn, account_id=account_id, official_id=official_id, platform=platform,
                                           since=s, until=u, q=q, after=after, limit=n)
        return masked(p, items, *POST_TEXT_FIELDS)

    return paginated(request, format, fetch, "id", int, cursor, limit, "posts")


@router.get("/comments", summary="Comments with their labels, newest first; q = full-text search")
def comments(request: Request, p: Reader, post_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
             official_id: Str = None, account_id: Str = None, type: Str = None, topic: Str = None,
             official_reply: bool | None = None, since: Str = None, until: Str = None, q: Str = None,
             limit: Limit = 100, cursor: Cursor = None, format: Fmt = "json"):
    ctype = choice(type, web_queries.COMMENT_TYPES, "type")
    ctopic = choice(topic, web_queries.TOPICS, "topic")
    s, u = parse_when(since, "since"), parse_when(until, "until")

    def fetch(after, n):
        with _conn(request) as conn:
            items = web_queries.list_comments(conn, post_id=post_id, official_id=official_id, account_id=account_id,
                                              comment_type=ctype, topic=ctopic, official_reply=official_reply,
                                              since=s, until=u, q=q, after=after, limit=n)
        return withhold_removed(p, masked(p, items, *COMMENT_TEXT_FIELDS))

    return paginated(request, format, fetch, "id", int, cursor, limit, "comments")


def _ranking_rows(request: Request) -> tuple[list[dict], bool]:
    rank = data.ranking(request.app.state.cache, request.app.state.config.metrics_period)
    return [dict(r) for r in rank["rows"]], rank["metrics_available"]


@router.get("/metrics", summary="Per-official figures (store facts + metric scores when computed)")
def metrics(request: Request, p: Reader, region: Str = None, limit: Limit = 1000, cursor: Cursor = None,
            format: Fmt = "json"):
    rows, _ = _ranking_rows(request)
    if region:
        rows = [r for r in rows if r["region"] == region]
    for i, r in enumerate(rows):
        r["position"] = i + 1

    def fetch(after, n):
        start = after or 0
        return rows[start:start + n]

    return paginated(request, format, fetch, "position", int, cursor, limit, "metrics")


@router.get("/rankings", summary="Officials in ranking order")
def rankings(request: Request, p: Reader, region: Str = None, limit: Limit = 1000, cursor: Cursor = None,
             format: Fmt = "json"):
    rows, available = _ranking_rows(request)
    if region:
        rows = [r for r in rows if r["region"] == region]
    slim = [{"position": i + 1, "official_id": r["id"], "name": r["name_ru"], "region": r["region"],
             "score": r["score"], "rank": r["rank"], "answered_share": r["answered_share"], "posts": r["posts"],
             "citizen_comments": r["citizen_comments"], "metrics_available": available}
            for i, r in enumerate(rows)]

    def fetch(after, n):
        start = after or 0
        return slim[start:start + n]

    return paginated(request, format, fetch, "position", int, cursor, limit, "rankings")


@router.get("/topics", summary="Citizen comment topics: totals, monthly trend, by region")
def topics(request: Request, p: Reader, region: Str = None, official_id: Str = None, since: Str = None, until: Str = None):
    s, u = parse_when(since, "since"), parse_when(until, "until")
    return data.topic_stats(request.app.state.cache, region=region, official_id=official_id,
                            since=s.isoformat() if s else None, until=u.isoformat() if u else None)


def _public_request(p: Principal, item: dict) -> dict:
    item.pop("requester", None)
    if not p.sees_personal_data:
        mask_fields(item, REQUEST_TEXT_FIELDS)
        item.pop("notes", None)
        for e in item.get("events", []):
            if e["actor"] not in ("system",):
                e["actor"] = "staff"
            if e["action"] == "notes":
                e["old_value"] = e["new_value"] = None
            mask_fields(e, ("old_value", "new_value"))
    return item


@router.get("/requests", summary="Inbox: citizen requests, complaints and questions")
def requests_list(request: Request, p: Reader, status: Str = None, official_id: Str = None, topic: Str = None, kind: Str = None,
                  overdue: bool | None = None, since: Str = None, until: Str = None,
                  incident_id: Annotated[int | None, Query(ge=1, le=2**62)] = None, department: Str = None,
                  incidents_only: bool = False, limit: Limit = 100, cursor: Cursor = None, format: Fmt = "json"):
    statuses = None
    if status:
        statuses = [choice(s.strip(), web_inbox.STATUSES, "status") for s in status.split(",") if s.strip()]
    ckind = choice(kind, web_inbox.REQUEST_KINDS, "kind")
    ctopic = choice(topic, web_queries.TOPICS, "topic")
    s, u = parse_when(since, "since"), parse_when(until, "until")
    now = now_utc()

    def fetch(after, n):
        with _conn(request) as conn:
            items = web_inbox.list_requests(conn, now=now, status=statuses, official_id=official_id, topic=ctopic,
                                            kind=ckind, overdue=overdue, since=s, until=u, incident_id=incident_id,
                                            department=department, after=after, limit=n,
                                            incidents_only=incidents_only)
        return [_public_request(p, i) for i in items]

    return paginated(request, format, fetch, "id", int, cursor, limit, "requests")


@router.get("/requests/{request_id}", summary="One request with its audit log")
def request_one(request: Request, p: Reader, request_id: int):
    check_id(request_id)
    with _conn(request) as conn:
        item = web_inbox.get_request(conn, request_id, now=now_utc())
    if item is None:
        raise HTTPException(404, "no such request")
    return _public_request(p, item)


async def read_json_object(request: Request) -> dict[str, Any]:
    """The JSON object in the body; read only after the caller is authenticated (the size limit is
    enforced before reading, by the app's frame middleware)."""
    raw = await request.body()
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise HTTPException(400, "body: not valid JSON") from None
    if not isinstance(body, dict):
        raise HTTPException(400, "body: a JSON object is expected")
    return body


async def _writer(request: Request) -> Principal:
    return await run_in_threadpool(require_write, request, csrf_value=request.headers.get("x-csrf-token"))


def validate_update(changes: dict[str, Any]) -> dict[str, Any]:
    """Field names, types and sizes of a request update, checked at the edge (400, not a workflow 409)."""
    unknown = sorted(set(changes) - set(UPDATE_FIELDS))
    if unknown:
        raise HTTPException(400, f"unknown field(s): {', '.join(unknown)[:200]}; use {', '.join(UPDATE_FIELDS)}")
    if "status" in changes:
        choice(changes["status"] if isinstance(changes["status"], str) else "?", web_inbox.STATUSES, "status")
    for f, most in (("department", DEPARTMENT_MAX), ("notes", NOTES_MAX)):
        if f in changes and changes[f] is not None:
            if not isinstance(changes[f], str):
                raise HTTPException(400, f"{f}: must be a string")
            if len(changes[f]) > most or "\x00" in changes[f]:
                raise HTTPException(400, f"{f}: at most {most} characters, no NUL")
    if "due_utc" in changes:
        changes["due_utc"] = parse_when(changes["due_utc"] if isinstance(changes["due_utc"], str) else "x", "due_utc")
    return changes


@router.patch("/requests/{request_id}", summary="Change status / department / notes / due time (editor)",
              openapi_extra={"requestBody": {"content": {"application/json": {"schema": {"type": "object"},
                                                                               "example": {"status": "in_progress",
                                                                                           "department": "ЖКХ"}}}}})
async def request_update(request: Request, request_id: int):
    who = await _writer(request)
    check_id(request_id)
    changes = validate_update(await read_json_object(request))
    return await run_in_threadpool(_update, request, request_id, changes, who)


def _update(request: Request, request_id: int, changes: dict[str, Any], who: Principal) -> dict[str, Any]:
    try:
        with request.app.state.engine.begin() as conn:
            changed = web_inbox.update_request(conn, request_id, changes, actor=who.actor, now=now_utc())
    except LookupError:
        raise HTTPException(404, "no such request") from None
    except web_inbox.WorkflowError as exc:
        raise HTTPException(409, str(exc)) from None
    request.app.state.cache.invalidate()
    with _conn(request) as conn:
        item = web_inbox.get_request(conn, request_id, now=now_utc())
    item["changed"] = sorted(k for k in changed if k != "answered_utc")
    return item


def official_exists(conn, official_id: str) -> bool:
    return web_queries.get_official(conn, official_id) is not None


@router.post("/requests", status_code=201, summary="Create a request by hand (e.g. from a phone call)",
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}})
async def request_create(request: Request):
    who = await _writer(request)
    body = await read_json_object(request)
    return await run_in_threadpool(_create, request, body, who)


def _create(request: Request, body: dict[str, Any], who: Principal) -> dict[str, Any]:
    kind = choice(body.get("kind") if isinstance(body.get("kind"), str) else "?", web_inbox.REQUEST_KINDS, "kind")
    topic = choice(body.get("topic") if isinstance(body.get("topic"), str) else None, web_queries.TOPICS, "topic")
    desc = body.get("description")
    if not isinstance(desc, str) or not desc.strip() or len(desc) > 10000 or "\x00" in desc:
        raise HTTPException(400, "description: required text up to 10000 characters")
    official_id = body.get("official_id")
    if official_id is not None and (not isinstance(official_id, str) or len(official_id) > 200):
        raise HTTPException(400, "official_id: must be a string")
    with request.app.state.engine.begin() as conn:
        if official_id is not None and not official_exists(conn, official_id):
            raise HTTPException(400, "official_id: no such official")
        rid = web_inbox.create_request(conn, kind=kind, topic=topic, description=desc.strip(),
                                       official_id=official_id, address=None, lat=None, lon=None,
                                       requester=None, source="manual", actor=who.actor, now=now_utc(),
                                       sla_hours=request.app.state.config.service_level_hours)
        item = web_inbox.get_request(conn, rid, now=now_utc())
    request.app.state.cache.invalidate()
    return item
