"""Server-rendered pages: overview, official, topics (with search), inbox, login, admin."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from akimwatch.inbox import workflow as web_inbox
from akimwatch.store import web_queries
from akimwatch.web import data
from akimwatch.web.api import check_id, choice, parse_when
from akimwatch.web.auth import users as web_auth
from akimwatch.web.civic import withhold_removed
from akimwatch.web.render import cached_page, render
from akimwatch.web.security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    check_csrf,
    client_address,
    forget_session,
    new_login_csrf,
    now_utc,
    principal,
    require_read,
    require_role,
)

router = APIRouter(include_in_schema=False)
Str = Annotated[str | None, Query(max_length=200)]
SORTS = ("rank", "name", "region", "posts", "citizen_comments", "official_replies", "answered_share", "last_post")
REGION_GRID = {  # tile map of Kazakhstan: region -> (column, row), roughly west to east, north to south
    "KZ-27": (2, 1), "KZ-39": (4, 1), "KZ-59": (5, 1), "KZ-55": (6, 1),
    "KZ-23": (1, 2), "KZ-15": (3, 2), "KZ-62": (4, 2), "KZ-11": (5, 2), "KZ-71": (6, 2), "KZ-10": (7, 2),
    "KZ-63": (8, 2),
    "KZ-47": (1, 3), "KZ-43": (3, 3), "KZ-35": (5, 3), "KZ-33": (7, 3),
    "KZ-61": (3, 4), "KZ-79": (4, 4), "KZ-31": (5, 4), "KZ-19": (6, 4), "KZ-75": (7, 4),
}


def _cache(request: Request):
    return request.app.state.cache


@router.get("/")
def overview(request: Request, sort: Str = None, dir: Str = None, region: Str = None):
    require_read(request)
    return cached_page(request, lambda: _overview(request, sort, dir, region))


def _overview(request: Request, sort, dir, region):
    rank = data.ranking(_cache(request), request.app.state.config.metrics_period)
    rows = rank["rows"]
    if region:
        rows = [r for r in rows if r["region"] == region]
    sort = sort if sort in SORTS else "rank"
    if sort != "rank":
        key = {"name": lambda r: (r["name_ru"] or ""), "last_post": lambda r: r["last_post_utc"] or ""}.get(
            sort, lambda r: (r[sort] is None, r[sort] if r[sort] is not None else 0))
        rows = sorted(rows, key=key, reverse=(dir == "desc"))
    by_region: dict[str, list] = {}
    for r in rank["rows"]:
        if r["region"]:
            by_region.setdefault(r["region"], []).append(r)
    tiles = []
    for code, (col, row) in REGION_GRID.items():
        mine = by_region.get(code, [])
        cit = sum(r["citizen_comments"] for r in mine)
        ans = sum(min(r["answered_comments"], r["citizen_comments"]) for r in mine)
        tiles.append({"code": code, "col": col, "row": row, "officials": len(mine),
                      "share": ans / cit if cit else None})
    return render(request, "overview.html", {"rank": rank, "rows": rows, "sort": sort, "dir": dir or "asc",
                                             "tiles": tiles, "region": region})


@router.get("/officials/{official_id}")
def official_page(request: Request, official_id: str):
    require_read(request)
    return cached_page(request, lambda: _official_page(request, official_id))


def _official_page(request: Request, official_id: str):
    if len(official_id) > 200:
        raise HTTPException(404, "no such official")
    rank = data.ranking(_cache(request), request.app.state.config.metrics_period)
    facts = next((r for r in rank["rows"] if r["id"] == official_id), None)
    if facts is None:
        raise HTTPException(404, "no such official")
    charts = data.official_charts(_cache(request), official_id)
    with request.app.state.engine.connect() as conn:
        accounts = web_queries.list_accounts(conn, official_id=official_id, limit=100)
        recent = web_queries.list_posts(conn, official_id=official_id, limit=8, newest_published=True)
        threads = web_queries.comment_threads(conn, [p["id"] for p in recent], per_post=12)
    for items in threads.values():
        withhold_removed(principal(request), items)
    return render(request, "official.html", {"o": facts, "charts": charts, "accounts": accounts, "recent": recent,
                                             "threads": threads, "metrics_available": rank["metrics_available"]})


@router.get("/officials/{official_id}/report.{fmt}")
def official_report(request: Request, official_id: str, fmt: str):
    """The official's report (akimwatch.reports) as HTML or PDF, in the page's language."""
    require_read(request)
    if fmt not in ("html", "pdf") or len(official_id) > 200:
        raise HTTPException(404, "report formats: html, pdf")
    rank = data.ranking(_cache(request), request.app.state.config.metrics_period)
    if not any(r["id"] == official_id for r in rank["rows"]):
        raise HTTPException(404, "no such official")
    lang = getattr(request.state, "lang", "ru")

    def build(_conn) -> bytes:
        import tempfile
        from pathlib import Path

        from akimwatch.reports import render_report

        with tempfile.TemporaryDirectory() as tmp:
            path = render_report(request.app.state.engine, None, [official_id], lang=lang, fmt=fmt,
                                 out=Path(tmp) / f"report.{fmt}")
            return path.read_bytes()

    body = _cache(request).get(f"report:{official_id}:{lang}:{fmt}", build, persist=False)
    media = "text/html; charset=utf-8" if fmt == "html" else "application/pdf"
    headers = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                                          "font-src data:; frame-ancestors 'none'"}
    if fmt == "pdf":
        headers["Content-Disposition"] = f'attachment; filename="akimwatch-{official_id}-{lang}.pdf"'
    return Response(body, media_type=media, headers=headers)


@router.get("/topics")
def topics_page(request: Request, region: Str = None, official_id: Str = None, since: Str = None,
                until: Str = None, topic: Str = None, q: Str = None):
    require_read(request)
    return cached_page(request, lambda: _topics_page(request, region, official_id, since, until, topic, q))


def _topics_page(request: Request, region, official_id, since, until, topic, q):
    s, u = parse_when(since, "since"), parse_when(until, "until")
    topic = choice(topic, web_queries.TOPICS, "topic")
    stats = data.topic_stats(_cache(request), region=region, official_id=official_id,
                             since=s.isoformat() if s else None, until=u.isoformat() if u else None)
    rank = data.ranking(_cache(request), request.app.state.config.metrics_period)
    selected = topic or (stats["totals"][0][0] if stats["totals"] else None)
    with request.app.state.engine.connect() as conn:
        examples = (web_queries.representative_comments(conn, selected, official_id=official_id, region=region)
                    if selected else [])
        results = (web_queries.list_comments(conn, q=q, official_id=official_id, since=s, until=u, limit=50)
                   if q else None)
    regions = sorted({r["region"] for r in rank["rows"] if r["region"]})
    return render(request, "topics.html", {"stats": stats, "selected": selected, "examples": examples,
                                           "results": results, "q": q or "", "regions": regions,
                                           "officials": rank["rows"], "f": {"region": region or "",
                                           "official_id": official_id or "", "since": since or "",
                                           "until": until or ""}})


@router.get("/inbox")
def inbox(request: Request, status: Str = None, official_id: Str = None, topic: Str = None, kind: Str = None,
          age: Str = None, incident: Annotated[int | None, Query(ge=1, le=2**62)] = None,
          cursor: Annotated[int | None, Query(ge=1, le=2**62)] = None, grouped: Str = "1"):
    require_read(request)
    statuses = None
    if status:
        statuses = [choice(s, web_inbox.STATUSES, "status") for s in status.split(",") if s]
    topic = choice(topic, web_queries.TOPICS, "topic")
    kind = choice(kind, web_inbox.REQUEST_KINDS, "kind")
    age = choice(age, ("overdue", "1d", "7d", "30d", "older30d"), "age")
    now = now_utc()
    since = until = None
    overdue = None
    if age == "overdue":
        overdue = True
    elif age in ("1d", "7d", "30d"):
        since = now - timedelta(days=int(age[:-1]))
    elif age == "older30d":
        until = now - timedelta(days=30)
    group = grouped == "1" and incident is None
    # The list is cached per filter set for a minute (overdue flags age); any change in the inbox or the
    # store drops the cache, so an editor sees their own change at once.
    key = f"inbox:{statuses}:{official_id}:{topic}:{kind}:{age}:{incident}:{cursor}:{group}"
    items = _cache(request).get(key, lambda conn: web_inbox.list_requests(
        conn, now=now, status=statuses, official_id=official_id, topic=topic, kind=kind, overdue=overdue,
        since=since, until=until, incident_id=incident, after=cursor, limit=51, incidents_only=group),
        persist=False, version=now.strftime(":%Y%m%d%H%M"))
    counts = _cache(request).get("inbox:counts", lambda conn: web_inbox.status_counts(conn, now=now_utc()),
                                 persist=False, version=now.strftime(":%Y%m%d%H%M"))
    more = len(items) > 50
    items = items[:50]
    rank = data.ranking(_cache(request), request.app.state.config.metrics_period)
    names = {r["id"]: r for r in rank["rows"]}
    # The table is the same for everyone with the same language and masking: render it once per list.
    p = principal(request)
    lang = getattr(request.state, "lang", "ru")
    table_html = _cache(request).get(
        f"{key}:html:{lang}:{p.sees_personal_data}",
        lambda _conn: render(request, "_inbox_table.html", {
            "items": items, "names": names, "next_cursor": items[-1]["id"] if more and items else None}).body.decode(),
        persist=False, version=now.strftime(":%Y%m%d%H%M"))
    return render(request, "inbox.html", {"table_html": table_html, "counts": counts,
                                          "officials": rank["rows"], "statuses": web_inbox.STATUSES,
                                          "kinds": web_inbox.REQUEST_KINDS, "topics": web_queries.TOPICS,
                                          "f": {"status": status or "", "official_id": official_id or "",
                                                "topic": topic or "", "kind": kind or "", "age": age or "",
                                                "grouped": "1" if group else "0", "incident": incident}})


@router.get("/inbox/{request_id}")
def inbox_item(request: Request, request_id: int):
    require_read(request)
    check_id(request_id)
    now = now_utc()
    with request.app.state.engine.connect() as conn:
        item = web_inbox.get_request(conn, request_id, now=now)
        if item is None:
            raise HTTPException(404, "no such request")
        siblings = web_inbox.list_requests(conn, now=now, incident_id=item["incident_id"], limit=20)
        depts = web_inbox.departments(conn)
        comment = None
        post = None
        if item["comment_id"]:
            got = web_queries.list_comments(conn, limit=1, after=item["comment_id"] + 1)
            comment = got[0] if got and got[0]["id"] == item["comment_id"] else None
        if item["post_id"]:
            got = web_queries.list_posts(conn, limit=1, after=item["post_id"] + 1)
            post = got[0] if got and got[0]["id"] == item["post_id"] else None
        thread = []
        if comment and post:
            thread = [c for c in web_queries.comment_threads(conn, [post["id"]], per_post=200)[post["id"]]
                      if c["parent_platform_id"] == comment["platform_id"]]
    rank = data.ranking(_cache(request), request.app.state.config.metrics_period)
    names = {r["id"]: r for r in rank["rows"]}
    return render(request, "request.html", {"r": item, "siblings": [s for s in siblings if s["id"] != request_id],
                                            "departments": depts, "comment": comment, "post": post,
                                            "thread": thread, "names": names,
                                            "transitions": web_inbox.TRANSITIONS.get(item["status"], ()),
                                            "sla": request.app.state.config.service_level_hours})


@router.post("/inbox/{request_id}")
def inbox_update(request: Request, request_id: int, csrf_token: Annotated[str, Form(max_length=200)] = "",
                 status: Annotated[str, Form(max_length=40)] = "",
                 department: Annotated[str | None, Form(max_length=300)] = None,
                 notes: Annotated[str | None, Form(max_length=5000)] = None,
                 due: Annotated[str | None, Form(max_length=40)] = None):
    p = principal(request)
    if p.anonymous:
        raise HTTPException(401, "sign in first")
    check_csrf(p, csrf_token)
    if not p.has_role("editor"):
        raise HTTPException(403, "the editor role is needed")
    check_id(request_id)
    changes: dict = {}
    if status:
        changes["status"] = choice(status, web_inbox.STATUSES, "status")
    if department is not None:
        changes["department"] = department
    if notes is not None:
        changes["notes"] = notes
    if due:
        changes["due_utc"] = parse_when(due, "due")
    try:
        with request.app.state.engine.begin() as conn:
            web_inbox.update_request(conn, request_id, changes, actor=p.actor, now=now_utc())
    except LookupError:
        raise HTTPException(404, "no such request") from None
    except web_inbox.WorkflowError as exc:
        raise HTTPException(409, str(exc)) from None
    _cache(request).invalidate()
    return RedirectResponse(f"/inbox/{request_id}", status_code=303)


def _safe_next(value: str | None) -> str:
    if not value or not value.startswith("/") or value.startswith("//") or urlparse(value).netloc or "\\" in value:
        return "/"
    return value


@router.get("/login")
def login_form(request: Request, next: Str = None, error: Str = None):
    token = new_login_csrf()
    resp = render(request, "login.html", {"next": _safe_next(next), "login_csrf": token,
                                          "error": error if error in ("bad", "limit", "csrf") else None})
    resp.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", max_age=3600,
                    secure=request.app.state.config.secure_cookies)
    return resp


@router.post("/login")
def login(request: Request, username: Annotated[str, Form(max_length=100)] = "",
          password: Annotated[str, Form(max_length=200)] = "", csrf_token: Annotated[str, Form(max_length=200)] = "",
          next: Annotated[str, Form(max_length=500)] = "/"):
    import hmac

    cookie = request.cookies.get(LOGIN_CSRF_COOKIE) or ""
    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        return RedirectResponse("/login?error=csrf", status_code=303)
    if "\x00" in username + password:
        raise HTTPException(400, "NUL characters are not allowed")
    limiter = request.app.state.limiter
    client = client_address(request)
    keys = (f"ip:{client}", f"user:{username.lower()}")
    if limiter.blocked(*keys):
        resp = render(request, "login.html", {"next": _safe_next(next), "login_csrf": cookie, "error": "limit"},
                      status_code=429)
        resp.headers["Retry-After"] = str(request.app.state.config.login_window_seconds)
        return resp
    with request.app.state.engine.begin() as conn:
        user = web_auth.check_password(conn, username, password)
        if user is None:
            limiter.fail(*keys)
            return render(request, "login.html", {"next": _safe_next(next), "login_csrf": cookie, "error": "bad"},
                          status_code=401)
        token, _csrf = web_auth.create_session(conn, user["id"], now=now_utc(),
                                               hours=request.app.state.config.session_hours)
    limiter.reset(f"user:{username.lower()}")
    resp = RedirectResponse(_safe_next(next), status_code=303)
    resp.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=request.app.state.config.secure_cookies,
                    max_age=int(request.app.state.config.session_hours * 3600))
    resp.delete_cookie(LOGIN_CSRF_COOKIE)
    return resp


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form(max_length=200)] = ""):
    p = principal(request)
    if not p.anonymous and p.csrf:
        check_csrf(p, csrf_token)
        with request.app.state.engine.begin() as conn:
            web_auth.delete_session(conn, request.cookies.get(SESSION_COOKIE, ""))
        forget_session(request.app, request.cookies.get(SESSION_COOKIE))
    resp = RedirectResponse("/", status_code=303)
    resp.delete_cookie(SESSION_COOKIE)
    return resp


@router.get("/admin")
def admin(request: Request):
    require_role(request, "admin")
    return _admin_page(request, new_key=None)


def _admin_page(request: Request, new_key: str | None, status_code: int = 200) -> Response:
    request.app.state.key_use.flush(request.app.state.engine)  # show up-to-date "last used" times
    with request.app.state.engine.connect() as conn:
        users = web_auth.list_users(conn)
        keys = web_auth.list_api_keys(conn)
    resp = render(request, "admin.html", {"users": users, "keys": keys, "roles": web_auth.ROLES,
                                          "scopes": web_auth.SCOPES, "new_key": new_key, "jobs": _jobs_status()},
                  status_code=status_code)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def _jobs_status() -> dict | None:
    """With workers configured (akimwatch.jobs): the same queue numbers and dead letters as ``akimwatch status``."""
    from akimwatch.jobs.settings import JobsConfigError, jobs_configured

    try:
        if not jobs_configured():
            return None
    except (JobsConfigError, ValueError):
        return None
    from akimwatch.jobs.status import compute_jobs_status

    return compute_jobs_status()


@router.post("/admin/users")
def admin_add_user(request: Request, csrf_token: Annotated[str, Form(max_length=200)] = "",
                   username: Annotated[str, Form(max_length=100)] = "",
                   password: Annotated[str, Form(max_length=200)] = "", role: Annotated[str, Form(max_length=20)] = ""):
    p = require_role(request, "admin")
    check_csrf(p, csrf_token)
    try:
        with request.app.state.engine.begin() as conn:
            web_auth.add_user(conn, username.strip(), password, role, now=now_utc())
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/keys")
def admin_add_key(request: Request, csrf_token: Annotated[str, Form(max_length=200)] = "",
                  name: Annotated[str, Form(max_length=200)] = "",
                  scopes: Annotated[list[str] | None, Form()] = None):
    p = require_role(request, "admin")
    check_csrf(p, csrf_token)
    try:
        with request.app.state.engine.begin() as conn:
            key = web_auth.create_api_key(conn, name.strip() or "key", scopes or ["read"], user_id=None, now=now_utc())
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    # Shown once, in this response only (no-store): the key is never stored in plain text nor sent in a cookie.
    return _admin_page(request, new_key=key, status_code=201)


@router.post("/admin/keys/{key_id}/revoke")
def admin_revoke_key(request: Request, key_id: int, csrf_token: Annotated[str, Form(max_length=200)] = ""):
    p = require_role(request, "admin")
    check_csrf(p, csrf_token)
    check_id(key_id, "key")
    with request.app.state.engine.begin() as conn:
        web_auth.revoke_api_key(conn, key_id, now=now_utc())
    return RedirectResponse("/admin", status_code=303)


@router.get("/api/docs")
def api_docs(request: Request):
    """The API reference rendered from the OpenAPI schema on the server (no CDN-hosted Swagger UI)."""
    require_read(request)
    schema = request.app.openapi()
    ops = []
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            params = [{"name": prm["name"], "in": prm["in"], "required": prm.get("required", False)}
                      for prm in op.get("parameters", [])]
            ops.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                        "params": params, "body": "requestBody" in op})
    return cached_page(request, lambda: render(request, "api_docs.html", {"ops": ops, "info": schema["info"]}))


@router.get("/healthz")
def healthz() -> Response:
    return Response("ok", media_type="text/plain")
