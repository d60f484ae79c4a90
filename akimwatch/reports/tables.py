"""Terminal and CSV renderings of ``compute_metrics`` output (the JSON itself is the contract)."""

from __future__ import annotations

import csv
import io
from typing import Any

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from akimwatch.reports.explain import account_label, explain_rank, personal_voice, status_name
from akimwatch.reports.prose import region_name
from akimwatch.reports.writer import N_, Writer

WIDE_RANK = 120  # below this many columns `akimwatch rank` prints blocks instead of a table
CSV_COLUMNS = ("demo_data", "official_id", "name", "region", "status", "score", "rank", "rank_state", "account_id", "platform",
               "handle", "account_status", "posts", "posts_per_week", "first_post", "last_post",
               "days_since_last_post", "longest_silence_days", "photo", "video", "long_video", "album", "text",
               "repost_share", "voice_personal", "voice_press_service", "citizen_comments", "official_replies",
               "reply_rate", "reply_rate_requests", "median_reply_hours", "p90_reply_hours", "unanswered",
               "followers", "engagement_rate")


def _pct(w: Writer, x: float | None) -> str:
    return "—" if x is None else w.pct(x)


def _num(w: Writer, x: Any, decimals: int = 0) -> str:
    return "—" if x is None else w.num(x, decimals)


def render_csv(data: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    w.writeheader()
    for o in data:
        base = {k: o.get(k) for k in ("demo_data", "official_id", "name", "region", "status", "score", "rank",
                                      "rank_state")}
        for a in o["accounts"] or [{}]:
            row = dict(base)
            if a:
                row.update({k: a.get(k) for k in CSV_COLUMNS if k in a})
                row.update(a["formats"])
                row.update(account_status=a["status"], voice_personal=a["voice"]["personal"],
                           voice_press_service=a["voice"]["press_service"])
            w.writerow(row)
    return buf.getvalue()


def _unanswered(w: Writer, a: dict[str, Any]) -> str:
    """«no comments» when there are none: «not labelled» only when comments exist and lack labels."""
    if not a.get("citizen_comments"):
        return w.raw("no comments")
    return w.raw("not labelled") if a["unanswered"] is None else w.num(a["unanswered"])


def render_metrics_table(console: Console, data: list[dict[str, Any]], lang: str = "ru", demo: bool = False) -> None:
    w = Writer(lang, "text")
    t = Table(title=w.raw("akimwatch: metrics per account"), caption=w.raw("demo data (synthetic)") if demo else None)
    for col in (N_("official"), N_("account"), N_("status"), N_("posts"), N_("per week"), N_("days silent"),
                N_("video/IGTV"), N_("reposts"), N_("personal voice"), N_("comments"), N_("replies"),
                N_("reply rate"), N_("median reply, h"), N_("unanswered")):
        t.add_column(w.raw(col), overflow="fold")
    for o in data:
        if not o["accounts"]:
            t.add_row(o["name"], "—", status_name(w, o["status"]), *["—"] * 11)
        for i, a in enumerate(o["accounts"]):
            f = a["formats"]
            video = None if f["video"] is None else f["video"] + f["long_video"]
            t.add_row(o["name"] if i == 0 else "", f"{a['platform']} {account_label(a)}",
                      status_name(w, a["status"]), w.num(a["posts"]), _num(w, a["posts_per_week"], 1),
                      _num(w, a["days_since_last_post"]), _pct(w, video), _pct(w, a["repost_share"]),
                      personal_voice(w, a["voice"]), _num(w, a["citizen_comments"]),
                      _num(w, a["official_replies"]), _pct(w, a["reply_rate"]), _num(w, a["median_reply_hours"], 1),
                      _unanswered(w, a))
    console.print(t)


def render_rank_table(console: Console, data: list[dict[str, Any]], demo: bool = False, lang: str = "ru",
                      config: dict[str, Any] | None = None) -> None:
    from akimwatch.config import load_config

    cfg = config or load_config()
    w = Writer(lang, "text")
    t = Table(title=w.raw("akimwatch: ranking (weights and thresholds: docs/methodology.md)"),
              caption=w.raw("demo data (synthetic)") if demo else None)
    if console.width < WIDE_RANK:  # a narrow terminal: one block per official, the «why» wrapped to the width
        console.print(t.title, style="bold")
        for o in data:
            place = w.num(o["rank"]) if o["rank"] is not None else w.raw("not enough data")
            console.print(f"{place}. {o['name']} · {region_name(w, o['region'])} · {status_name(w, o['status'])}"
                          f" · {_num(w, o['score'], 1)}", style="bold", highlight=False, markup=False)
            console.print(Padding(Text(str(explain_rank(w, o, cfg))), (0, 0, 1, 4)))
        if t.caption:
            console.print(t.caption)
        return
    for col in (N_("place"), N_("official"), N_("region"), N_("status"), N_("score"), N_("why")):
        t.add_column(w.raw(col), overflow="fold", ratio=3 if col == "why" else None)
    for o in data:
        place = w.num(o["rank"]) if o["rank"] is not None else w.raw("not enough data")
        t.add_row(place, o["name"], region_name(w, o["region"]), status_name(w, o["status"]),
                  _num(w, o["score"], 1), str(explain_rank(w, o, cfg)))
    console.print(t)
