"""Coverage: the issue-15 case (one t.me/s page of one day beside months of other data) and the rules both ways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from akimwatch.config import load_config
from akimwatch.ingest import import_file
from akimwatch.metrics import compute_metrics
from akimwatch.metrics.coverage import compute_data_coverage
from akimwatch.reports.prose import key_findings, official_text
from akimwatch.reports.writer import Writer
from akimwatch.store.schema import account_coverage, accounts, officials
from tests.metrics.builders import build

DAY = datetime(2016, 2, 20, tzinfo=UTC)  # 1 205 days before the builders' data end (2019-06-…)


def preview_page(day: datetime, n: int = 6) -> str:
    """A t.me/s page (built markup, the shape tests/sources/test_telegram.py checks) with ``n`` posts of one day."""
    msgs = "".join(
        f'<div class="tgme_widget_message_wrap"><div class="tgme_widget_message" data-post="akim_onepage/{i + 1}">'
        f'<div class="tgme_widget_message_text">Пост {i + 1}: провёл совещание</div>'
        f'<a class="tgme_widget_message_date"><time datetime="{(day + timedelta(hours=8 + i)).isoformat()}"></time>'
        f'</a></div></div>' for i in range(n))
    return f"<html><body><section class='tgme_channel_history'>{msgs}</section></body></html>"


@pytest.fixture
def one_page(store, tmp_path):
    build(store)
    with store.begin() as conn:
        conn.execute(insert(officials).values(id="akim_page", name_ru="Аким Страничный", position="akim_city",
                                              region="KZ-71"))
        conn.execute(insert(accounts).values(id="tg_page", platform="telegram", handle="akim_onepage",
                                             handle_key="akim_onepage", official_id="akim_page", on_watch_list=True))
    page = tmp_path / "akim_onepage.html"
    page.write_text(preview_page(DAY), encoding="utf-8")
    res = import_file(store, page)
    assert res.ok and res.format == "telegram_preview", res.error
    cfg = load_config(overrides={"ranking": {"min_citizen_comments": 5}})
    return store, {o["official_id"]: o for o in compute_metrics(store, config=cfg)}


def test_import_stores_the_span_it_covered(one_page):
    store, _ = one_page
    with store.connect() as conn:
        [row] = conn.execute(select(account_coverage).where(account_coverage.c.account_id == "tg_page")).all()
    assert row.posts == 6 and row.end_utc.replace(tzinfo=UTC) - row.start_utc.replace(tzinfo=UTC) == timedelta(hours=5)


def test_one_day_page_is_not_a_silent_akim_nor_first_on_volume(one_page):
    _, res = one_page
    o = res["akim_page"]
    assert o["data_coverage"]["days"] == 1 and o["data_coverage"]["state"] == "thin"
    assert o["data_coverage"]["streams"] == ["preview"]
    assert o["status"] == "thin_coverage"  # not «dormant» / «inactive»
    assert o["activity"]["longest_silence_days"] is None and o["activity"]["days_since_last_post"] is None
    assert o["rank"] is None and {"code": "thin_coverage", "days": 1, "min_days": 14} in o["why"]["reasons"]
    # The other way: an account whose data span the whole period keeps its status and rank.
    assert res["akim_e"]["data_coverage"]["state"] == "full" and res["akim_e"]["status"] != "thin_coverage"
    assert res["akim_e"]["rank"] is not None


def test_the_lead_paragraph_withholds_conclusions(one_page):
    _, res = one_page
    w = Writer("ru", "text")
    lead = " ".join(str(s) for s in key_findings(w, list(res.values())))
    assert "Аким Страничный (данные за 1 день)" in lead
    assert "1 205" not in lead and "почти не ведёт" not in lead.split("Слишком мало")[0].split("Аким Страничный")[0]
    assert "Самый активный — Аким Страничный" not in lead
    text = " ".join(str(p) for p in official_text(w, res["akim_page"], {}))
    assert "Данные за 1 день — выводов нет" in text and "тишин" not in text and "затих" not in text
    # … and the sentence is not said of an akim whose data cover the period.
    assert "выводов нет" not in " ".join(str(p) for p in official_text(w, res["akim_e"], {}))


def test_coverage_spans_by_stream():
    as_of = datetime(2019, 7, 1, tzinfo=UTC)
    day = datetime(2019, 6, 30, 8, tzinfo=UTC)
    preview = [{"start_utc": day, "end_utc": day + timedelta(hours=5), "kind": "import", "format": "telegram_preview",
                "posts": 6, "taken_utc": None}]
    assert compute_data_coverage(preview, [day], 0, None, as_of, 14)["state"] == "thin"
    export = [{**preview[0], "format": "telegram_desktop", "start_utc": day - timedelta(days=60)}]
    full = compute_data_coverage(export, [day], 0, None, as_of, 14)
    assert full["state"] == "full" and full["streams"] == ["export"] and full["days"] == 61
    harvest = [{**preview[0], "kind": "harvest", "format": None, "taken_utc": day + timedelta(days=20)}]
    assert compute_data_coverage(harvest, [day], 0, None, as_of + timedelta(days=30), 14)["days"] == 20
    # Spans outside the period: nothing to judge (thin, 0 days), not «dormant».
    outside = compute_data_coverage(preview, [], 0, as_of, as_of + timedelta(days=30), 14)
    assert outside["state"] == "thin" and outside["days"] == 0
