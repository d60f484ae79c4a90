"""Voice rules (personal vs press service) on the labelled set and on typical forms; labels land in the store."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from akimwatch.analysis.voice import VoiceAnalyzer, classify_voice, evaluate, evaluation_set, run_voice
from akimwatch.store.schema import labels
from tests.metrics.builders import build


def test_evaluation_set_is_real_and_small():
    rows = evaluation_set()
    assert len(rows) == 7 and {r["label"] for r in rows} == {"personal", "not_personal"}
    assert all(r["source"] for r in rows)
    report = evaluate()
    assert report["correct"] == 7 and report["misses"] == []


@pytest.mark.parametrize(("text", "repost", "want"), [
    ("Посетил наш алматинский зоопарк. На месте ознакомился с состоянием дел.", False, "personal"),
    ("Сегодня провёл рабочее совещание. Поручил выделить 4 млрд тенге.", False, "personal"),
    ("Дорогие алматинцы! Сегодня я открываю свои аккаунты.", False, "personal"),
    ("Бүгін ауданға бардым. Тұрғындармен кездестім.", False, "personal"),
    ("Аким области Ондасын Уразалин провёл совещание с руководителями.", False, "press_service"),
    ("Облыс әкімі Ондасын Оразалин ауданға барды.", False, "press_service"),
    ("В акимате состоялось заседание. Пресс-служба акима Актюбинской области", False, "press_service"),
    ("Посетил школу.", True, "press_service"),  # a repost is never the akim's own voice
    ("#Алматы ❤️", False, "unknown"),
])
def test_forms(text, repost, want):
    assert classify_voice(text, repost).value == want


def test_run_voice_stores_labels_once(sqlite_store):
    build(sqlite_store)
    assert run_voice(sqlite_store) == 38
    assert run_voice(sqlite_store) == 0
    with sqlite_store.connect() as conn:
        n = conn.execute(select(func.count()).select_from(labels).where(
            labels.c.analyzer == "voice", labels.c.version == VoiceAnalyzer.version)).scalar_one()
    assert n == 38
