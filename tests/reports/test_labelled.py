"""With topic and comment-type labels (as the analysis stage leaves them): topics in the prose and the key
findings, representative comments per topic, the topics chart, acted-on evidence with dates and links."""

from __future__ import annotations

import re

import pytest

from akimwatch import i18n
from akimwatch.demo import run_demo
from akimwatch.reports.data import build_report_data
from akimwatch.reports.render import render_report
from akimwatch.store import open_store

from .labels import label_demo


@pytest.fixture(scope="module")
def labelled(tmp_path_factory):
    result = run_demo(tmp_path_factory.mktemp("labelled"))
    engine = open_store(result.db_path)
    label_demo(engine)
    data = build_report_data(engine)
    out = tmp_path_factory.mktemp("labelled-out")
    paths = {(lang, fmt): render_report(engine, lang=lang, fmt=fmt, out=out / f"r-{lang}.{fmt}", data=data)
             for lang in ("ru", "kk", "en") for fmt in ("html", "md")}
    yield data, paths
    engine.dispose()


def test_topics_and_evidence_in_the_prose(labelled):
    data, paths = labelled
    md = paths[("ru", "md")].read_text("utf-8")
    assert "Чаще всего граждане пишут о темах: дороги и движение" in md
    sag = md.split("## Бакытжан Сагинтаев")[1].split("\n## ")[0]
    assert "Чаще всего пишут о темах: животные и зоопарк" in sag
    assert "Несмотря на отсутствие ответов на комментарии граждан, аким уделяет внимание поднимаемым проблемам." in sag
    # Acted-on: a dated link to the official's own post.
    assert re.search(r"Граждане поднимали тему «животные и зоопарк» \(\d+ комментари[йяев]+\), и через \d+ (день|дня|дней) "
                     r"аким написал об этом: \[\d+ июля 2019 года\]\(https://www\.facebook\.com/b\.sagintayev/posts/", sag)
    o = next(x for x in data["metrics"] if x["official_id"] == "sagintayev")
    zoo = next(t for t in o["top_topics"] if t["topic"] == "animals_zoo")
    assert f"животные и зоопарк ({zoo['comments']})" in sag
    quoted = o["examples"][o["top_topics"][0]["topic"]][0]["text"].rstrip(".")
    assert f"«{quoted}»" in sag


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_topics_chart_is_drawn(labelled, lang):
    _data, paths = labelled
    html = paths[(lang, "html")].read_text("utf-8")
    assert html.count('class="chart topics"') >= 8
    assert i18n.gettext(lang, "Topics: citizens vs akim") in html
    assert i18n.gettext(lang, "animals and the zoo") in html
