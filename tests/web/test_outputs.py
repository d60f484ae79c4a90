"""Issue 15 on the pages: coverage shown, «no comments» is not «no labels yet», charts start with the data,
months through Babel, a partial last month is not drawn as a drop."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from akimwatch.store.schema import accounts, officials, posts
from akimwatch.store.web_queries import official_charts, topic_stats
from tests.web.conftest import make_client


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " ").replace("\u202f", " ")


def test_official_page_shows_coverage_and_hedges_it(app_client):
    page = visible(app_client.get("/officials/almaty-akim?lang=ru").text)
    # The seed holds a few hours of posts: one day of data, said so, with no status word of its own.
    assert "Период данных:" in page and "1 день" in page and "слишком мало данных для выводов" in page
    assert "thin_coverage" not in page and "мало данных" in page


def test_no_comments_is_not_no_labels(seeded):
    engine, _ = seeded
    with engine.begin() as conn:
        conn.execute(officials.insert().values(id="quiet", name_ru="Аким Тихий", position="akim_city",
                                               region="KZ-79"))
        conn.execute(accounts.insert().values(id="instagram:quiet", platform="instagram", handle="quiet",
                                              handle_key="quiet", role="personal", official_id="quiet",
                                              on_watch_list=True))
        conn.execute(posts.insert().values(id=99, platform="instagram", platform_id="q1",
                                           account_id="instagram:quiet", published_utc=datetime.now(UTC),
                                           text="Пост без комментариев", media_kind="photo"))
    with make_client(engine) as client:
        page = visible(client.get("/officials/quiet?lang=ru").text)
        labelled = visible(client.get("/officials/almaty-akim?lang=ru").text)
    citizens = page.split("О чём пишут жители")[1].split("О чём пишет аким")[0]
    assert "комментариев нет" in citizens and "разметки пока нет" not in citizens
    # … and the other way: the official with labelled comments shows the topics.
    assert "животные и зоопарк" in labelled


def test_weekly_chart_starts_with_the_data(seeded):
    engine, _ = seeded
    with engine.connect() as conn:
        weeks = official_charts(conn, "almaty-akim")["weeks"]
    assert len(weeks) == 1 and weeks[0]["posts"] == 3  # not 26 empty weeks before the first post


def test_partial_last_month_is_left_out_of_the_trend(seeded):
    engine, _ = seeded
    with engine.connect() as conn:
        stats = topic_stats(conn)
        last = max(m["month"] for m in stats["trend"]) if stats["trend"] else None
    # The seed's comments are three days before NOW, mid-month: that month is partial.
    assert stats["partial_month"] is not None and last != stats["partial_month"]
    with engine.connect() as conn:
        whole = topic_stats(conn, until=datetime(2100, 1, 1, tzinfo=UTC))
    assert whole["partial_month"] == stats["partial_month"]


def test_trend_months_are_words_not_iso(app_client):
    page = app_client.get("/topics?lang=en").text
    assert not re.search(r"<span>\d{4}-\d{2}</span>", page)


def test_not_found_page_speaks_the_page_language(app_client):
    for lang, said in (("ru", "такого чиновника нет"), ("kk", "мұндай лауазымды тұлға жоқ"), ("en", "no such official")):
        r = app_client.get(f"/officials/nobody?lang={lang}")
        assert r.status_code == 404 and said in r.text, lang
    assert "no such official" not in app_client.get("/officials/nobody?lang=ru").text
