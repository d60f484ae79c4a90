"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) under /open311/v2/.

Our comment topics are the services (grouped); inbox requests are the service requests. Statuses map to
``open`` (new, in_progress, answered: an answer is not a resolution) and ``closed`` (resolved, closed,
rejected) with ``status_notes`` telling which. ``agency_responsible`` = assigned department,
``expected_datetime`` = due time of the first answer, ``media_url`` = the post the comment was left on.
JSON and XML (``.xml``) are both served; errors use the spec's format (a list of {code, description}).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response

from akimwatch.i18n import LOCAL_TZ, N_, gettext
from akimwatch.inbox import workflow as web_inbox
from akimwatch.privacy import mask_personal_data
from akimwatch.store import web_queries
from akimwatch.store.web_queries import TOPICS
from akimwatch.web.auth import users as web_auth
from akimwatch.web.security import now_utc, principal

router = APIRouter(prefix="/open311/v2", tags=["open311"])

GROUPS = {
    N_("Urban environment"): ("roads_traffic", "public_transport", "greening_parks", "waste_sanitation",
                              "environment", "animals_zoo"),
    N_("Housing and utilities"): ("utilities", "gas", "housing_construction", "prices_tariffs"),
    N_("Social services"): ("social_support", "healthcare", "education", "employment_economy",
                            "culture_sport_leisure"),
    N_("Safety and governance"): ("public_safety", "governance", "none"),
}
SERVICE_NAMES = {
    "roads_traffic": N_("Roads and traffic"), "public_transport": N_("Public transport"),
    "utilities": N_("Utilities"), "gas": N_("Gas supply"), "greening_parks": N_("Greening and parks"),
    "waste_sanitation": N_("Waste and sanitation"), "environment": N_("Environment"),
    "housing_construction": N_("Housing and construction"), "animals_zoo": N_("Animals and the zoo"),
    "prices_tariffs": N_("Prices and tariffs"), "social_support": N_("Social support"),
    "healthcare": N_("Healthcare"), "education": N_("Education"), "employment_economy": N_("Jobs and economy"),
    "public_safety": N_("Public safety"), "culture_sport_leisure": N_("Culture, sport and leisure"),
    "governance": N_("Governance"), "none": N_("Other"),
}
STATUS_NOTES = {
    "new": N_("New: waiting for a first answer"),
    "in_progress": N_("In progress"),
    "answered": N_("Answered by the official; not yet resolved"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
    "rejected": N_("Rejected"),
}
OPEN = ("new", "in_progress", "answered")
MAX_RESULTS = 1000
DEFAULT_WINDOW = timedelta(days=90)


class Open311Error(Exception):
    def __init__(self, code: int, description: str):
        self.code = code
        self.description = description


def w3c(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.astimezone(LOCAL_TZ).isoformat(timespec="seconds")


def parse_w3c(value: str, name: str) -> datetime:
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} is not a W3C date-time (e.g. 2019-07-12T19:41:00+05:00)") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=LOCAL_TZ)
    if not 1900 <= dt.year <= 2200:
        raise Open311Error(400, f"{name} is out of range")
    return dt


def _xml_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return escape(str(v))


def _to_xml(root: str, item_tag: str, items: list[dict]) -> str:
    parts = ['<?xml version="1.0" encoding="utf-8"?>', f"<{root}>"]
    for item in items:
        parts.append(f"<{item_tag}>")
        for k, v in item.items():
            if isinstance(v, list):
                parts.append(f"<{k}>" + "".join(f"<value>{_xml_value(x)}</value>" for x in v) + f"</{k}>")
            else:
                parts.append(f"<{k}>{_xml_value(v)}</{k}>")
        parts.append(f"</{item_tag}>")
    parts.append(f"</{root}>")
    return "".join(parts)


def _out(fmt: str, root: str, item_tag: str, items: list[dict], status: int = 200) -> Response:
    if fmt == "xml":
        return Response(_to_xml(root, item_tag, items), status_code=status, media_type="text/xml; charset=utf-8")
    return Response(orjson.dumps(items), status_code=status, media_type="application/json")


def _fmt(path: str) -> str:
    return "xml" if path.endswith(".xml") else "json"


def error_response(request: Request, code: int, description: str) -> Response:
    fmt = _fmt(request.url.path)
    return _out(fmt, "errors", "error", [{"code": code, "description": description}], status=code)


def _check_format(fmt: str) -> str:
    if fmt not in ("json", "xml"):
        raise Open311Error(404, "unknown format; use .json or .xml")
    return fmt


def _check_jurisdiction(request: Request) -> None:
    jid = request.query_params.get("jurisdiction_id")
    if jid and jid != request.app.state.config.jurisdiction_id:
        raise Open311Error(404, f"jurisdiction_id not found; this endpoint serves "
                                f"{request.app.state.config.jurisdiction_id}")


def _guard(request: Request) -> None:
    p = principal(request)
    if request.app.state.config.private and p.anonymous:
        raise Open311Error(403, "this instance is private; send api_key")


def _lang(request: Request) -> str:
    return getattr(request.state, "lang", "ru")


def services_list(lang: str) -> list[dict]:
    out = []
    for group, codes in GROUPS.items():
        for code in codes:
            out.append({"service_code": code, "service_name": gettext(lang, SERVICE_NAMES[code]),
                        "description": gettext(lang, "Citizen comments about: {topic}",
                                               topic=gettext(lang, SERVICE_NAMES[code]).lower()),
                        "metadata": False, "type": "blackbox", "keywords": code.replace("_", ", "),
                        "group": gettext(lang, group)})
    return out


def _wrap(fn):
    """Open311 errors -> the spec's error list, in the requested format."""
    import functools

    @functools.wraps(fn)
    def inner(request: Request, *args, **kwargs):
        try:
            return fn(request, *args, **kwargs)
        except Open311Error as exc:
            return error_response(request, exc.code, exc.description)

    return inner


@router.get("/discovery.{fmt}", summary="Open311 discovery")
@_wrap
def discovery(request: Request, fmt: str):
    _check_format(fmt)
    base = str(request.base_url).rstrip("/") + "/open311/v2/"
    doc = {"changeset": "2026-11-26T00:00:00+05:00", "contact": "akimwatch", "key_service": "akimwatch admin page",
           "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
                          "changeset": "2026-11-26T00:00:00+05:00", "type": "production",
                          "formats": ["application/json", "text/xml"]}]}
    if fmt == "xml":
        return Response(f'<?xml version="1.0" encoding="utf-8"?><discovery><changeset>{doc["changeset"]}'
                        f"</changeset><contact>akimwatch</contact><endpoints><endpoint><specification>"
                        f"http://wiki.open311.org/GeoReport_v2</specification><url>{escape(base)}</url>"
                        f"<type>production</type><formats><format>application/json</format>"
                        f"<format>text/xml</format></formats></endpoint></endpoints></discovery>",
                        media_type="text/xml; charset=utf-8")
    return Response(orjson.dumps(doc), media_type="application/json")


@router.get("/services.{fmt}", summary="Services: comment topics, grouped")
@_wrap
def services(request: Request, fmt: str):
    fmt = _check_format(fmt)
    _check_jurisdiction(request)
    _guard(request)
    return _out(fmt, "services", "service", services_list(_lang(request)))


@router.get("/services/{code}.{fmt}", summary="Service definition (no extra attributes)")
@_wrap
def service_definition(request: Request, code: str, fmt: str):
    fmt = _check_format(fmt)
    _check_jurisdiction(request)
    _guard(request)
    if code not in TOPICS:
        raise Open311Error(404, "service_code not found")
    if fmt == "xml":
        return Response(f'<?xml version="1.0" encoding="utf-8"?><service_definition><service_code>{code}'
                        "</service_code><attributes></attributes></service_definition>",
                        media_type="text/xml; charset=utf-8")
    return Response(orjson.dumps({"service_code": code, "attributes": []}), media_type="application/json")


def _request_item(row: dict, media: dict[int, str | None], lang: str, show_personal: bool, sla: float) -> dict:
    code = row["topic"] if row["topic"] in TOPICS else "none"
    status = row["status"]
    notes = gettext(lang, STATUS_NOTES[status])
    if status == "answered" and row.get("answered_utc"):
        notes += " (" + (w3c(row["answered_utc"]) or "") + ")"
    desc = row["description"] or ""
    return {
        "service_request_id": str(row["id"]),
        "status": "open" if status in OPEN else "closed",
        "status_notes": notes,
        "service_name": gettext(lang, SERVICE_NAMES[code]),
        "service_code": code,
        "description": desc if show_personal else mask_personal_data(desc),
        "agency_responsible": row["department"],
        "service_notice": gettext(lang, "First answer due within {hours} hours", hours=f"{sla:g}"),
        "requested_datetime": w3c(row["requested_utc"]),
        "updated_datetime": w3c(row["updated_utc"]),
        "expected_datetime": w3c(row["due_utc"]),
        "address": row["address"],
        "address_id": None,
        "zipcode": None,
        "lat": float(row["lat"]) if row["lat"] else None,
        "long": float(row["lon"]) if row["lon"] else None,
        "media_url": media.get(row["post_id"]) if row["post_id"] else None,
    }


def _media(conn, rows: list[dict]) -> dict[int, str | None]:
    return web_queries.post_urls(conn, [r["post_id"] for r in rows if r["post_id"]])


@router.get("/requests.{fmt}", summary="Service requests (default: last 90 days, at most 1000)")
@_wrap
def requests_list(request: Request, fmt: str):
    fmt = _check_format(fmt)
    _check_jurisdiction(request)
    _guard(request)
    p = principal(request)
    key = f"open311:{fmt}:{_lang(request)}:{p.sees_personal_data}:{request.url.query}"
    minute = datetime.now().strftime(":%Y%m%d%H%M")
    body, status, media_type = request.app.state.cache.get(
        key, lambda _conn: _freeze(_requests_list(request, fmt)), persist=False, version=minute)
    return Response(body, status_code=status, media_type=media_type)


def _freeze(resp: Response) -> tuple[bytes, int, str]:
    return bytes(resp.body), resp.status_code, resp.media_type


def _requests_list(request: Request, fmt: str):
    qp = request.query_params
    now = now_utc()
    ids = None
    statuses = None
    code = None
    start = end = None
    if qp.get("service_request_id"):
        try:
            ids = [int(x) for x in qp["service_request_id"].split(",") if x.strip()][:MAX_RESULTS]
        except ValueError:
            raise Open311Error(400, "service_request_id must be a comma-separated list of ids") from None
    else:
        if qp.get("service_code"):
            code = qp["service_code"]
            if code not in TOPICS:
                raise Open311Error(404, "service_code not found")
        if qp.get("status"):
            wanted = {s.strip() for s in qp["status"].split(",") if s.strip()}
            if not wanted <= {"open", "closed"}:
                raise Open311Error(400, "status must be open, closed or both (comma-separated)")
            statuses = [s for s in web_inbox.STATUSES if ("open" if s in OPEN else "closed") in wanted]
        if qp.get("start_date"):
            start = parse_w3c(qp["start_date"], "start_date")
        if qp.get("end_date"):
            end = parse_w3c(qp["end_date"], "end_date")
        if start and end and start > end:
            raise Open311Error(400, "start_date is after end_date")
        if start is None and end is None:
            start = now - DEFAULT_WINDOW
        elif start is None:
            start = end - DEFAULT_WINDOW
    engine = request.app.state.engine
    with engine.connect() as conn:
        rows = web_inbox.list_requests(conn, now=now, status=statuses, topic=code if code != "none" else None,
                                       since=start, until=end, ids=ids, limit=MAX_RESULTS)
        if code == "none":
            rows = [r for r in rows if r["topic"] in (None, "none")]
        media = _media(conn, rows)
    p = principal(request)
    lang = _lang(request)
    items = [_request_item(r, media, lang, p.sees_personal_data, request.app.state.config.service_level_hours)
             for r in rows]
    return _out(fmt, "service_requests", "request", items)


@router.get("/requests/{rid}.{fmt}", summary="One service request")
@_wrap
def request_one(request: Request, rid: str, fmt: str):
    fmt = _check_format(fmt)
    _check_jurisdiction(request)
    _guard(request)
    if not rid.isdigit() or len(rid) > 18:
        raise Open311Error(404, "service_request_id not found")
    with request.app.state.engine.connect() as conn:
        rows = web_inbox.list_requests(conn, now=now_utc(), ids=[int(rid)], limit=1)
        if not rows:
            raise Open311Error(404, "service_request_id not found")
        media = _media(conn, rows)
    p = principal(request)
    return _out(fmt, "service_requests", "request",
                [_request_item(rows[0], media, _lang(request), p.sees_personal_data,
                               request.app.state.config.service_level_hours)])


@router.post("/requests.{fmt}", summary="Create a service request (api_key with requests:write)")
async def request_create(request: Request, fmt: str):
    from starlette.concurrency import run_in_threadpool

    try:
        raw = await request.form(max_files=0, max_fields=100)
        form = {k: v for k, v in raw.items() if isinstance(v, str)}
    except Exception:  # noqa: BLE001 - malformed body
        return error_response(request, 400, "request body must be application/x-www-form-urlencoded")
    return await run_in_threadpool(_create, request, fmt, form)


@_wrap
def _create(request: Request, fmt: str, form: dict[str, str]):
    fmt = _check_format(fmt)
    if any("\x00" in v for v in form.values()):
        raise Open311Error(400, "NUL characters are not allowed")
    jid = form.get("jurisdiction_id")
    if jid and jid != request.app.state.config.jurisdiction_id:
        raise Open311Error(404, "jurisdiction_id not found")
    key = form.get("api_key") or ""
    with request.app.state.engine.begin() as conn:
        info = web_auth.api_key_info(conn, key, now=now_utc()) if key else None
    if info is None:
        raise Open311Error(403, "api_key not provided or invalid")
    if "requests:write" not in info["scopes"]:
        raise Open311Error(403, "api_key lacks the requests:write scope")
    code = form.get("service_code")
    if not code:
        raise Open311Error(400, "service_code not provided")
    if code not in TOPICS:
        raise Open311Error(400, "service_code not valid; see services.json")
    lat, lon = form.get("lat"), form.get("long")
    address = form.get("address_string")
    if not ((lat and lon) or address or form.get("address_id")):
        raise Open311Error(400, "location required: lat and long, address_string or address_id")
    for name, value, lo, hi in (("lat", lat, -90, 90), ("long", lon, -180, 180)):
        if value:
            try:
                f = float(value)
                if not lo <= f <= hi:
                    raise ValueError
            except ValueError:
                raise Open311Error(400, f"{name} is not a coordinate") from None
    desc = (form.get("description") or "").strip()
    if len(desc) > 4000:
        raise Open311Error(400, "description is longer than 4000 characters")
    official_id = form.get("official_id")  # extension: which akim the request is for
    requester = {k: form[k] for k in ("email", "first_name", "last_name", "phone", "device_id", "account_id",
                                      "media_url") if form.get(k)}
    with request.app.state.engine.begin() as conn:
        rid = web_inbox.create_request(conn, kind="request", topic=code, description=desc or None,
                                       official_id=official_id[:200] if official_id else None,
                                       address=(address or form.get("address_id") or None),
                                       lat=lat, lon=lon, requester=requester or None, source="open311",
                                       actor=f"api-key:{info['prefix']}", now=now_utc(),
                                       sla_hours=request.app.state.config.service_level_hours)
    request.app.state.cache.invalidate()
    notice = gettext(_lang(request), "First answer due within {hours} hours",
                     hours=f"{request.app.state.config.service_level_hours:g}")
    return _out(fmt, "service_requests", "request",
                [{"service_request_id": str(rid), "service_notice": notice, "account_id": None}], status=201)
