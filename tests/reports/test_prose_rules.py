"""Every sentence template's condition, both ways: said when the data say it, never otherwise (issue 15)."""

from __future__ import annotations

import copy
import io
import re

import pytest
from rich.console import Console

from akimwatch.config import load_config
from akimwatch.metrics import compute_metrics
from akimwatch.reports.explain import explain_rank
from akimwatch.reports.prose import key_findings, official_text
from akimwatch.reports.tables import render_metrics_table, render_rank_table
from akimwatch.reports.writer import Writer
from tests.metrics.builders import PERIOD, build


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    from akimwatch.store.engine import create_store_engine, ensure_schema

    engine = create_store_engine(f"sqlite:///{tmp_path_factory.mktemp('prose') / 's.db'}")
    ensure_schema(engine)
    build(engine)
    cfg = load_config(overrides={"ranking": {"min_citizen_comments": 5}})
    out = {o["official_id"]: o for o in compute_metrics(engine, PERIOD, config=cfg)}
    engine.dispose()
    return out


def plain(s: object) -> str:
    """Numbers are set with no-break spaces («8 %», «1 205»); compare with plain ones."""
    return str(s).replace("\u00a0", " ").replace("\u202f", " ")


def text(w: Writer, o: dict) -> str:
    return plain(" ".join(str(p) for p in official_text(w, o, {})))


def with_voice(o: dict, personal: int, press: int, unknown: int) -> dict:
    o = copy.deepcopy(o)
    n = personal + press + unknown
    o["voice"] = {"personal": personal / n, "press_service": press / n, "unknown": unknown / n, "posts": n,
                  "counts": {"personal": personal, "press_service": press, "unknown": unknown}}
    return o


def test_press_release_majority_only_with_a_majority(rows):
    w = Writer("ru", "text")
    few = text(w, with_voice(rows["akim_a"], 2, 8, 90))  # 8 %: no «most»
    assert "Большинство постов похожи на пресс-релизы" not in few and "голос неясен: 8 %" in few
    many = text(w, with_voice(rows["akim_a"], 2, 60, 38))
    assert "Большинство постов похожи на пресс-релизы: 60 %" in many
    mine = text(w, with_voice(rows["akim_a"], 70, 10, 20))
    assert "от первого лица" in mine and "пресс-релиз" not in mine


def test_formats_sentence_names_long_videos_and_claims_no_rarity(rows):
    w = Writer("ru", "text")
    o = copy.deepcopy(rows["akim_a"])
    o["accounts"][0]["format_counts"] = {"photo": 25, "album": 0, "video": 0, "long_video": 75, "text": 0}
    said = text(w, o)
    assert "длинные видео — 75 %" in said and "фото — 25 %" in said
    assert "один из немногих" not in said
    o["accounts"][0]["format_counts"]["long_video"] = 0
    assert "длинные видео" not in text(w, o)


def test_reposts_are_news_portals_only_when_they_are(rows):
    w = Writer("ru", "text")
    metrics = [copy.deepcopy(rows["akim_a"])]
    acc = metrics[0]["accounts"][0]
    acc.update(reposts=3, repost_share=0.3, repost_sources=[{"source": "Акимат Тестовской области", "posts": 3}])
    lead = plain(" ".join(str(s) for s in key_findings(w, metrics)))
    assert "новостных порталов" not in lead and "Репосты других каналов и сайтов" in lead
    acc["repost_sources"] = [{"source": "tengrinews.kz", "posts": 3}]
    assert "Репосты новостных порталов" in plain(" ".join(str(s) for s in key_findings(w, metrics)))


@pytest.mark.parametrize("lang", ["ru", "kk", "en"])
def test_no_sentence_starts_with_a_digit(rows, lang):
    w = Writer(lang, "text")
    sentences = [str(s) for s in key_findings(w, list(rows.values()))]
    for o in rows.values():
        sentences += re.split(r"(?<=[.;!?])\s+", text(w, o))
    starts = [s for s in sentences if s and s.lstrip("«(")[:1].isdigit()]
    assert not starts, starts


def test_no_comments_is_not_unlabelled(rows):
    out = io.StringIO()
    data = [copy.deepcopy(rows["akim_e"])]
    data[0]["accounts"][0].update(citizen_comments=0, unanswered=None)
    render_metrics_table(Console(file=out, width=300), data, lang="ru")
    assert "комментариев нет" in plain(out.getvalue()) and "не размечено" not in out.getvalue()
    data[0]["accounts"][0]["citizen_comments"] = 4  # comments exist but carry no labels: that is «not labelled»
    out = io.StringIO()
    render_metrics_table(Console(file=out, width=300), data, lang="ru")
    assert "не размечено" in out.getvalue()


def test_channel_title_not_its_numeric_id(rows):
    w = Writer("ru", "text")
    o = copy.deepcopy(rows["akim_a"])
    o["accounts"][0].update(platform="telegram", handle=None, title="Аким Тестовской области",
                            account_id="telegram:2447843635")
    said = text(w, o)
    out = io.StringIO()
    render_metrics_table(Console(file=out, width=300), [o], lang="ru")
    for shown in (said, out.getvalue()):
        assert "Аким Тестовской области" in shown and "2447843635" not in shown


def test_personal_voice_one_wording_one_number(rows):
    w = Writer("ru", "text")
    o = with_voice(rows["akim_e"], 14, 291, 0)
    o["accounts"][0]["voice"] = o["voice"]
    o["why"]["parts"] = [{"component": "personal_voice", "score": 4.6, "weight": 1.0,
                          "facts": {"personal": 14, "total": 305}}]
    out = io.StringIO()
    render_metrics_table(Console(file=out, width=300), [o], lang="ru")
    assert "14 личных постов из 305" in plain(out.getvalue())
    assert "14 личных постов из 305" in plain(explain_rank(w, o))


def test_rank_fits_an_80_column_terminal(rows):
    out = io.StringIO()
    render_rank_table(Console(file=out, width=80), list(rows.values()), lang="ru")
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    assert len(lines) < 12 * len(rows)  # blocks, not a 12-character «why» column folded into a wall
    wide = io.StringIO()
    render_rank_table(Console(file=wide, width=160), list(rows.values()), lang="ru")
    assert "почему" in wide.getvalue().lower()


def test_region_names_in_each_language_from_one_place():
    from akimwatch.registry import kz_regions, region_label
    from akimwatch.reports.prose import region_name
    from akimwatch.web.render import region_name as web_region_name

    assert region_label("KZ-63", "kk") == "Шығыс Қазақстан облысы"
    assert region_label("KZ-63", "en") == "East Kazakhstan Region"
    assert region_label("KZ-VOS", "ru") == "Восточно-Казахстанская область"  # a legacy code
    for code, row in kz_regions().items():
        for lang in ("ru", "kk", "en"):
            name = region_label(code, lang)
            assert name == row[f"name_{lang}"] == region_name(Writer(lang, "text"), code) == web_region_name(code, lang)
            if lang != "en":
                assert not re.search(r"[A-Za-zöüū]", name), (code, lang, name)  # no Latin inside Cyrillic text
