"""Terminal and CSV renderings of ``compute_metrics`` output (the JSON itself is the contract)."""

from __future__ import annotations

import csv
import io
from typing import Any

from rich.console import Console
from rich.table import Table

STATUS_RU = {"active": "активен", "irregular": "нерегулярно", "dormant": "затих", "inactive": "неактивен",
             "tagged_only": "только отметки", "none": "нет аккаунтов"}
CSV_COLUMNS = ("official_id", "name", "region", "status", "score", "rank", "rank_state", "account_id", "platform",
               "handle", "account_status", "posts", "posts_per_week", "first_post", "last_post",
               "days_since_last_post", "longest_silence_days", "photo", "video", "long_video", "album", "text",
               "repost_share", "voice_personal", "voice_press_service", "citizen_comments", "official_replies",
               "reply_rate", "reply_rate_requests", "median_reply_hours", "p90_reply_hours", "unanswered",
               "followers", "engagement_rate")


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}"


def _num(x: Any, fmt: str = "{:,}") -> str:
    return "—" if x is None else fmt.format(x)


def render_csv(data: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    w.writeheader()
    for o in data:
        base = {k: o.get(k) for k in ("official_id", "name", "region", "status", "score", "rank", "rank_state")}
        for a in o["accounts"] or [{}]:
            row = dict(base)
            if a:
                row.update({k: a.get(k) for k in CSV_COLUMNS if k in a})
                row.update(a["formats"])
                row.update(account_status=a["status"], voice_personal=a["voice"]["personal"],
                           voice_press_service=a["voice"]["press_service"])
            w.writerow(row)
    return buf.getvalue()


def render_metrics_table(console: Console, data: list[dict[str, Any]]) -> None:
    t = Table(title="akimwatch: метрики по аккаунтам")
    for col in ("аким", "аккаунт", "статус", "постов", "в неделю", "дней тишины", "видео/IGTV", "репосты",
                "личный голос", "комм.", "ответов", "доля ответов", "медиана, ч", "без ответа"):
        t.add_column(col, overflow="fold")
    for o in data:
        if not o["accounts"]:
            t.add_row(o["name"], "—", STATUS_RU.get(o["status"], o["status"]), *["—"] * 11)
        for i, a in enumerate(o["accounts"]):
            f = a["formats"]
            video = None if f["video"] is None else f["video"] + f["long_video"]
            t.add_row(o["name"] if i == 0 else "", f"{a['platform']} @{a['handle'] or a['account_id']}",
                      STATUS_RU.get(a["status"], a["status"]), str(a["posts"]), _num(a["posts_per_week"], "{:.1f}"),
                      _num(a["days_since_last_post"], "{:.0f}"), _pct(video), _pct(a["repost_share"]),
                      _pct(a["voice"]["personal"]), _num(a["citizen_comments"]), _num(a["official_replies"]),
                      _pct(a["reply_rate"]), _num(a["median_reply_hours"], "{:.1f}"),
                      "не размечено" if a["unanswered"] is None else str(a["unanswered"]))
    console.print(t)


def render_rank_table(console: Console, data: list[dict[str, Any]], demo: bool = False) -> None:
    t = Table(title="akimwatch: рейтинг (веса и пороги — docs/methodology.md)",
              caption="демо-данные (синтетические)" if demo else None)
    for col in ("место", "аким", "регион", "статус", "балл", "почему"):
        t.add_column(col, overflow="fold")
    for o in data:
        place = str(o["rank"]) if o["rank"] is not None else "нет данных"
        t.add_row(place, o["name"], o["region"] or "—", STATUS_RU.get(o["status"], o["status"]),
                  _num(o["score"], "{:.1f}"), o["why"] or "")
    console.print(t)
