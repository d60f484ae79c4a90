"""Labels on known texts: the comments quoted in the origin article and the issue's examples."""

from __future__ import annotations

import pytest

from akimwatch.analysis.base import ANALYZERS, TIERS, Analyzer, Label, get_analyzer, label_all
from akimwatch.analysis.language import detect


def test_registry_lists_four_analyzers_with_versions():
    assert ANALYZERS == ("language", "comment_type", "topic", "sentiment")
    for name in ANALYZERS:
        a = get_analyzer(name, "fast")
        assert isinstance(a, Analyzer)
        assert a.name == name and a.version


def test_unknown_analyzer_names_the_known_ones():
    with pytest.raises(KeyError, match="comment_type"):
        get_analyzer("mood", "fast")


@pytest.mark.parametrize("tier", TIERS)
def test_article_request_about_the_zoo(tier):
    out = label_all(["Прошу рассмотреть закрытие зоопарка, как это начали делать в разных странах"], tier)
    assert out["comment_type"][0].value == "request"
    assert out["topic"][0].value == "animals_zoo"
    assert out["language"][0].value == "ru"


@pytest.mark.parametrize("tier", TIERS)
def test_article_praise(tier):
    out = label_all(["Крутой аким. Самый лучший, много что сделал для Уральска"], tier)
    assert out["comment_type"][0].value == "gratitude"
    assert out["sentiment"][0].value == "positive"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Рахмет, аким! Жолды қашан жөндейсіздер?", "mixed"),
        ("Жаксы нарсе екен маган унады", "kk"),
        ("Өте жақсы, бізге ұнады", "kk"),
        ("Когда отремонтируют дорогу на Абая?", "ru"),
        ("👍👍👍", "other"),
        ("", "other"),
    ],
)
def test_language(text, lang):
    assert detect(text)[0] == lang


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("Во дворе третью неделю не вывозят мусор, контейнеры переполнены", "topic", "waste_sanitation"),
        ("Когда проведут газ в наш микрорайон?", "topic", "gas"),
        ("Когда отремонтируют дорогу на Абая?", "comment_type", "question"),
        ("Спасибо большое за новый парк!", "comment_type", "gratitude"),
        ("Огромные ямы на дороге, машины ломаются", "topic", "roads_traffic"),
    ],
)
@pytest.mark.parametrize("tier", TIERS)
def test_municipal_examples(text, field, value, tier):
    assert label_all([text], tier)[field][0].value == value


@pytest.mark.parametrize("tier", TIERS)
def test_labels_have_confidence_and_extra(tier):
    out = label_all(["Нет отопления и горячей воды в доме уже неделю, прошу разобраться"], tier)
    for name in ANALYZERS:
        lab = out[name][0]
        assert isinstance(lab, Label)
        assert 0.0 <= lab.confidence <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "\x00\x01\x02", "а" * 100_000, "http://x.y/z @user", "🙂" * 50])
@pytest.mark.parametrize("tier", TIERS)
def test_odd_inputs_get_sane_labels(text, tier):
    out = label_all([text], tier)
    assert {k: len(v) for k, v in out.items()} == dict.fromkeys(ANALYZERS, 1)
    assert out["topic"][0].value in get_topics()


def get_topics() -> set[str]:
    from akimwatch.analysis.artifacts import cached_head

    return set(cached_head("topic").classes) | {"gas"}
