"""The civic signals on the web (issue 17): public rates on the official's page and in the API; the removed
comments themselves only for signed-in editors and admins, personal data masked even for them.

Every public number is the metrics' (``web/data.py`` ``ranking()``); the removed texts are read through
akimwatch/civic/queries.py.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request

from akimwatch.civic import queries as civic_q
from akimwatch.privacy import mask_personal_data
from akimwatch.web import data
from akimwatch.web.render import render
from akimwatch.web.security import Principal, principal, require_read, require_role

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["api"])
OfficialId = Annotated[str, Path(max_length=200)]
REMOVED_LIMIT = 500


def withhold_removed(p: Principal, items: list[dict[str, Any]], field: str = "text") -> list[dict[str, Any]]:
    """Removed comments are evidence: their text only for editors and admins; everybody else sees that one was
    removed, not what it said."""
    if p.has_role("editor"):
        return items
    for item in items:
        if item.get("deleted_utc"):
            item[field] = None
            item["text_withheld"] = "removed"
    return items


def _official_row(request: Request, official_id: str) -> dict[str, Any]:
    rank = data.ranking(request.app.state.cache, request.app.state.config.metrics_period)
    row = next((r for r in rank["rows"] if r["id"] == official_id), None)
    if row is None:
        raise HTTPException(404, "no such official")
    return row


def _removed(request: Request, official_id: str) -> list[dict[str, Any]]:
    with request.app.state.engine.connect() as conn:
        acc_ids = civic_q.official_account_ids(conn, official_id)
        rows = civic_q.removed_comments(conn, acc_ids, (None, None), civic_q.civic_label_versions(conn),
                                        with_text=True, limit=REMOVED_LIMIT)
    for r in rows:
        r["text"] = mask_personal_data(r["text"])
        r["author_handle"] = None  # who wrote it is not needed to judge the pattern; the platform id stays internal
        r["hours"] = round(r["hours"], 1)
        for k in ("published_utc", "deleted_utc"):
            r[k] = r[k].isoformat()
    return rows


@pages.get("/officials/{official_id}/removed")
def removed_page(request: Request, official_id: OfficialId):
    require_role(request, "editor")
    row = _official_row(request, official_id)
    return render(request, "removed.html", {"o": row, "removed": _removed(request, official_id),
                                            "limit": REMOVED_LIMIT})


@api.get("/removals", summary="Removed citizen comments per official: rates by type and sentiment (no texts)")
def removals(request: Request):
    require_read(request)
    rank = data.ranking(request.app.state.cache, request.app.state.config.metrics_period)
    return {"items": [{"official_id": r["id"], "name": r["name_ru"], "removals": r.get("removals")}
                      for r in rank["rows"]],
            "metrics_available": rank["metrics_available"]}


@api.get("/coordination", summary="Suspected coordinated praise per official: share, clusters, sentiment with/without")
def coordination(request: Request):
    require_read(request)
    rank = data.ranking(request.app.state.cache, request.app.state.config.metrics_period)
    return {"items": [{"official_id": r["id"], "name": r["name_ru"], "coordination": r.get("coordination")}
                      for r in rank["rows"]],
            "metrics_available": rank["metrics_available"]}


@api.get("/officials/{official_id}/removed", summary="The removed comments of an official (editors; masked)")
def removed_list(request: Request, official_id: OfficialId):
    p = principal(request)
    if p.anonymous or not p.has_role("editor"):
        require_role(request, "editor")
    _official_row(request, official_id)
    return {"official_id": official_id, "items": _removed(request, official_id), "limit": REMOVED_LIMIT}
