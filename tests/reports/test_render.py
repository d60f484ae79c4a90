"""Every format in every language for the demo data: content, numbers from the metrics JSON, translation,
self-containment, the demo mark."""

from __future__ import annotations

import json
import re

import pytest

from akimwatch import catalogs, i18n
from akimwatch.metrics import compute_metrics
from akimwatch.reports.prose import name_of

from .conftest import LANGS

TEXT_FORMATS = ("html", "md", "json")
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _text(path) -> str:
    return path.read_text("utf-8")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_every_official_has_a_section_and_the_demo_mark(outputs, report_data, lang, fmt):
    text = _text(outputs[(lang, fmt)])
    if fmt == "json":
        text = json.loads(text)["report"]["demo_mark"] + json.dumps(json.loads(text), ensure_ascii=False)
    assert i18n.gettext(lang, "demo data (synthetic)") in text
    for o in report_data["metrics"]:
        name = name_of(o, lang)
        if fmt == "html":
            assert f'id="official-{o["official_id"]}"' in text
            assert f'href="#official-{o["official_id"]}"' in text  # table of contents and ranking link to it
        if fmt == "md":
            assert f"## {name}" in text
        else:
            assert name in text
    assert len(report_data["metrics"]) == 12


def test_demo_mark_is_russian_by_default(outputs):
    assert "демо-данные (синтетические)" in _text(outputs[("ru", "html")])


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_no_untranslated_messages_or_placeholders(outputs, lang, fmt):
    text = _text(outputs[(lang, fmt)])
    assert not PLACEHOLDER.search(re.sub(r"<style>.*?</style>", "", text, flags=re.S)), PLACEHOLDER.search(text)
    if lang == "en":
        return
    leftovers = []
    for m in catalogs.read_po(lang):
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        for msgid in ids:
            if not msgid or len(msgid) < 14 or "{" in msgid or msgid.startswith("of "):
                continue
            if msgid.isidentifier():  # a data code the web pages translate (not_enough_data); JSON keeps codes
                continue
            if msgid in text and msgid not in str(m.string):
                leftovers.append(msgid)
    # The English methodology text is quoted in full on purpose; the report's own strings must all be translated.
    body = text.split('class="methodology-text"')[0].split(i18n.gettext(lang, "Full text (docs/methodology.md, in English)"))[0]
    assert [m for m in leftovers if m in body] == []


def test_numbers_equal_the_metrics_json(demo_engine, report_data, outputs):
    fresh = json.loads(json.dumps(compute_metrics(demo_engine), default=str))
    data = json.loads(_text(outputs[("en", "json")]))
    assert data["metrics"] == fresh
    html = _text(outputs[("ru", "html")])
    for o in report_data["metrics"]:
        section = html.split(f'id="official-{o["official_id"]}"')[1].split("</section>")[0]
        facts = re.findall(r"<dd>([^<]*)</dd>", section)
        assert facts[0] == i18n.format_number(o["posts"], "ru")
        assert facts[2] == i18n.format_number(o["citizen_comments"], "ru")
        if o["citizen_comments"]:
            assert facts[3] == i18n.format_percent(o["reply_rate"], "ru")
        if o["score"] is not None:
            assert facts[5] == i18n.format_number(o["score"], "ru")


def test_the_article_in_numbers(outputs, report_data):
    """The story of the origin article, told from the demo data, in Russian."""
    md = _text(outputs[("ru", "md")])
    by_id = {o["official_id"]: o for o in report_data["metrics"]}
    assert "Из 12 акимов в отчёте 2 почти не ведут соцсети: Кайрат Нукенов и Серикбай Трумов." in md
    kulginov = md.split("## Алтай Кульгинов")[1].split("\n## ")[0]
    assert "Ответов на комментарии граждан не наблюдается." in kulginov
    assert "Крутой аким. Самый лучший, много что сделал для Уральска" in kulginov
    n = by_id["kulginov"]["citizen_comments"]
    assert f"Граждане оставили {i18n.format_number(n, 'ru')} комментари" in kulginov
    batalov = md.split("## Амандык Баталов")[1].split("\n## ")[0]
    assert "Репосты в Facebook: 12 постов (40\u00a0%), чаще всего из informburo.kz (5)" in batalov
    marzh = md.split("## Ермек Маржикпаев")[1].split("\n## ")[0]
    assert "длинные видео — " in marzh and "один из немногих" not in marzh  # a share, no claim of rarity
    urazalin = md.split("## Ондасын Уразалин")[1].split("\n## ")[0]
    assert "по всей видимости, пресс-службой" in urazalin
    trumov = md.split("## Серикбай Трумов")[1].split("\n## ")[0]
    assert "собственных публикаций не ведёт" in trumov
    nukenov = md.split("## Кайрат Нукенов")[1].split("\n## ")[0]
    assert "Страница неактивна: всего 2 поста." in nukenov
    assert "Судить трудно: данных мало." in nukenov


@pytest.mark.parametrize("lang", LANGS)
def test_html_is_self_contained(outputs, lang):
    html = _text(outputs[(lang, "html")])
    assert "<script" not in html.lower()
    for tag, attr in (("link", "href"), ("img", "src"), ("iframe", "src"), ("image", "href"), ("use", "href")):
        for m in re.finditer(rf"<{tag}\b[^>]*\b(?:xlink:)?{attr}=\"([^\"]*)\"", html, re.I):
            assert m.group(1).startswith(("data:", "#")), m.group(0)
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", html), "no remote fonts or images in CSS"
    assert "@import" not in html
    assert html.count("<svg") >= 2 + 10  # map, replies, a weekly chart per official with posts
    assert "@page" in html and "@media print" in html


@pytest.mark.parametrize("lang", LANGS)
def test_markdown_links_its_charts_beside_it(outputs, lang):
    md_path = outputs[(lang, "md")]
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", _text(md_path))
    assert len(links) >= 12
    for link in links:
        assert not link.startswith(("http:", "https:", "/"))
        svg = (md_path.parent / link).read_text("utf-8")
        assert svg.startswith("<svg") and "<script" not in svg


def test_json_carries_the_prose_and_the_series(outputs, report_data):
    data = json.loads(_text(outputs[("kk", "json")]))
    assert data["report"]["lang"] == "kk" and data["report"]["demo"] is True
    assert len(data["officials"]) == len(report_data["metrics"])
    first = data["officials"][0]
    assert first["paragraphs"] and all(isinstance(p, str) for p in first["paragraphs"])
    assert len(next(iter(first["posts_per_week_series"].values()))) == len(data["report"]["weeks"])
    assert data["report"]["key_findings"][0].startswith("Есептегі 12 әкімнің ішінде")


def test_key_findings_are_computed(outputs):
    en = _text(outputs[("en", "md")])
    assert "Of 12 akims in this report, 2 hardly use social networks" in en
    assert "Only 2 answer citizens' comments: Daniyal Akhmetov and Ondasyn Urazalin" in en


def test_data_freshness_on_the_title_page(outputs, report_data):
    html = _text(outputs[("ru", "html")])
    assert 'id="freshness"' in html
    n_accounts = sum(len(o["accounts"]) for o in report_data["metrics"])
    table = html.split('id="freshness"')[1].split("</table>")[0]
    assert table.count("<tr>") == n_accounts + 1
