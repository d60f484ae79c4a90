"""Jinja2 rendering with the translation layer, formatting helpers and the caller's context."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from akimwatch import i18n
from akimwatch.privacy import mask_personal_data
from akimwatch.registry import region_label
from akimwatch.reports.explain import explain_rank
from akimwatch.reports.writer import Writer
from akimwatch.vocabulary import code_name
from akimwatch.web.data import is_demo, normalised_query
from akimwatch.web.security import principal

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def env() -> Environment:
    e = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "xml"]),
                    trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    return e


def region_name(code: str | None, lang: str) -> str:
    return region_label(code, lang)


def official_name(row: dict, lang: str) -> str:
    return row.get(f"name_{lang}") or row.get("name_ru") or row.get("id") or "—"


def _month(ym: str | None, lang: str) -> str:
    """«2019-04» → «апр. 2019 г.» / «2019 ж. сәу.» / «Apr 2019» (Babel), never a raw ISO month."""
    if not ym:
        return "—"
    from datetime import date

    from babel.dates import format_skeleton

    year, month = (int(x) for x in str(ym)[:7].split("-"))
    return format_skeleton("yMMM", date(year, month, 1), locale=lang)


def _parse(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def cached_page(request: Request, build) -> HTMLResponse:
    """Anonymous visitors all see the same page: keep its HTML per (path, query, language) until the
    store changes. Signed-in users (CSRF token, names) always get a fresh render."""
    p = principal(request)
    if not p.anonymous or request.app.state.config.private:
        return build()
    lang = getattr(request.state, "lang", i18n.DEFAULT_LANG)
    key = f"page:{lang}:{request.url.path}?{normalised_query(request)}"
    resp = request.app.state.cache.get(key, lambda _conn: _freeze(build()), persist=False)
    return HTMLResponse(resp[0], status_code=resp[1])


def _freeze(resp: HTMLResponse) -> tuple[bytes, int]:
    return bytes(resp.body), resp.status_code


def render(request: Request, name: str, ctx: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    lang = getattr(request.state, "lang", i18n.DEFAULT_LANG)
    p = principal(request)
    app = request.app

    def url_with(**params) -> str:
        # only the parameters the page reads: the HTML is shared by every URL with the same cache key
        merged = dict(parse_qsl(normalised_query(request)))
        merged.pop("cursor", None)
        for k, v in params.items():
            if v is None or v == "":
                merged.pop(k, None)
            else:
                merged[k] = v
        return request.url.path + ("?" + urlencode(merged) if merged else "")

    def text(value: str | None) -> str:
        return value if p.sees_personal_data else mask_personal_data(value)

    try:
        demo = is_demo(app.state.cache)
    except Exception:  # noqa: BLE001 - the error page must render even when the store does not answer
        demo = False
    base = {
        "request": request, "lang": lang, "languages": i18n.LANGUAGE_NAMES,
        "_": i18n.translator(lang),
        "label": lambda code: code_name(i18n.translator(lang), code),
        "why": lambda row: str(explain_rank(Writer(lang, "text"), row)) if row.get("why") else "",
        "n_": lambda s, pl, n, **kw: i18n.ngettext(lang, s, pl, n, **kw),
        "fnum": lambda v, d=0: i18n.format_number(v, lang, d),
        "fpct": lambda v, d=0: i18n.format_percent(v, lang, d),
        "fdate": lambda v: i18n.format_date(_parse(v), lang),
        "fmonth": lambda ym: _month(ym, lang),
        "fdt": lambda v: i18n.format_datetime(_parse(v), lang),
        "region_name": lambda c: region_name(c, lang),
        "official_name": lambda r: official_name(r, lang),
        "user": p, "csrf": p.csrf, "url_with": url_with, "text": text,
        "demo": demo, "private": app.state.config.private,
        "path": request.url.path,
    }
    base.update(ctx)
    html = env().get_template(name).render(**base)
    return HTMLResponse(html, status_code=status_code)
