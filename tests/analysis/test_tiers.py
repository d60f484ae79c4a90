"""Two tiers, one interface: the registry, the encoder cache, abstention, the Kazakh rules, per-tier versions.

The accurate-tier tests encode a handful of short texts only (the whole file stays within seconds).
"""

from __future__ import annotations

import csv

import numpy as np
import pytest

from akimwatch.analysis.base import ANALYZERS, TIERS, Batch, get_analyzer, label_all, registry, tier_of
from akimwatch.analysis.encoder import ENCODER_ID, Encoder, prepare
from akimwatch.models import COMMENT_TYPES, SENTIMENTS, TOPICS, UNCERTAIN


def test_both_tiers_register_the_same_analyzers_with_the_tier_in_the_version():
    fast, acc = registry("fast"), registry("accurate")
    assert set(fast) == set(acc) == {*ANALYZERS, "voice"}
    for name in ("comment_type", "topic", "sentiment"):
        assert tier_of(fast[name].version) == "fast" and tier_of(acc[name].version) == "accurate"
        assert ENCODER_ID in acc[name].version and fast[name].version != acc[name].version
    assert fast["voice"].applies_to == ("post",)
    assert "official_reply" in acc["topic"].applies_to and "official_reply" not in acc["sentiment"].applies_to


def test_unknown_tier_and_analyzer_are_named():
    with pytest.raises(ValueError, match="fast, accurate"):
        registry("medium")
    with pytest.raises(KeyError, match="voice"):
        get_analyzer("mood", "accurate")


def test_voice_is_an_analyzer_that_knows_reposts():
    voice = get_analyzer("voice", "fast")
    labs = voice.label_batch(Batch(["Сегодня провёл совещание", "Аким области провёл совещание"], [False, True]))
    assert [lab.value for lab in labs] == ["personal", "press_service"]


def test_encoder_caches_by_text_and_cuts_long_texts():
    enc = Encoder(num_threads=1)
    texts = ["Жарық жоқ", "Нет света", "Жарық жоқ", ""]
    x = enc.encode(texts)
    assert x.shape == (4, 384) and enc.encoded == 2  # duplicate and empty text are not encoded
    assert np.allclose(x[0], x[2]) and not x[3].any()
    assert abs(float(np.linalg.norm(x[0])) - 1) < 1e-3
    enc.encode(["Нет света"])
    assert enc.encoded == 2
    assert len(prepare("слово " * 500)) <= 400


@pytest.mark.parametrize("tier", TIERS)
def test_every_label_is_in_the_contract(tier):
    out = label_all(["Ыстық су жоқ", "", "Спасибо за парк!"], tier)
    allowed = {
        "comment_type": {*COMMENT_TYPES, UNCERTAIN},
        "topic": {*TOPICS, UNCERTAIN},
        "sentiment": {*SENTIMENTS, UNCERTAIN},
    }
    for name, values in allowed.items():
        assert {lab.value for lab in out[name]} <= values
        assert all(0.0 <= lab.confidence <= 1.0 for lab in out[name])


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Ыстық су жоқ, үш күннен бері", "utilities"),
        ("Автобустар аз, аялдамада бір сағат күтеміз", "public_transport"),
        ("Жолда шұңқыр көп, көліктер бұзылады", "roads_traffic"),
        ("Емханада дәрігер жоқ, кезек өте ұзын", "healthcare"),
        ("Мектепте орын жетпейді, балалар үш ауысымда оқиды", "education"),
    ],
)
def test_accurate_tier_reads_kazakh_complaints(text, topic):
    lab = label_all([text], "accurate")["topic"][0]
    assert (lab.extra or {}).get("guess", lab.value) == topic


@pytest.mark.parametrize(
    "text",
    ["Осы жолды биыл жөндеуіңізді сұраймыз. Рахмет!", "Құрметті әкім, көмектесуіңізді өтінемін", "Жарықты қосыңыздаршы"],
)
def test_polite_kazakh_asks_are_requests_in_both_tiers(text):
    for tier in TIERS:
        assert label_all([text], tier)["comment_type"][0].value == "request", tier


def test_agreement_is_not_a_complaint():
    for tier in TIERS:
        assert label_all(["Дұрыс айтасыз"], tier)["comment_type"][0].value != "complaint", tier


def test_low_confidence_becomes_uncertain_with_the_guess_kept():
    from akimwatch.analysis.accurate import cached_accurate_head, labels_with_abstention

    head = cached_accurate_head("topic")
    strict = type(head)(head.name, head.classes, head.coef, head.intercept, {**head.meta, "threshold": 1.01})
    batch = Batch(["Автобус не пришёл"])
    probs = np.full((1, len(head.classes)), 1 / len(head.classes))
    lab = labels_with_abstention("topic", strict, probs, batch)[0]
    assert lab.value == UNCERTAIN and lab.extra["guess"] in head.classes


def test_classify_marks_uncertain_columns(tmp_path):
    from akimwatch.analysis.classify import classify_csv

    src = tmp_path / "in.csv"
    src.write_text("text\nЖолды жөндеңіздер\nок\n", encoding="utf-8")
    classify_csv(src, "text", tmp_path / "out.csv", tier="accurate")
    with open(tmp_path / "out.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert "uncertain" in rows[0]
    for r in rows:
        assert r["topic"] in TOPICS  # the best guess, never the word «uncertain»
        assert set(filter(None, r["uncertain"].split(";"))) <= {"type", "topic", "sentiment"}


def test_bootstrap_interval_brackets_the_value():
    from akimwatch.analysis.tiers_eval import figure

    y = ["a"] * 50 + ["b"] * 50
    p = ["a"] * 40 + ["b"] * 10 + ["b"] * 45 + ["a"] * 5
    f = figure(y, p)
    assert f["lo"] <= f["value"] <= f["hi"] and f["n"] == 100
    assert 0.80 < f["value"] < 0.90 and f["hi"] - f["lo"] < 0.25


def test_annotated_v2_split_keeps_near_duplicates_together():
    """The v1 split overstated `type`: near-copies sat in train and test. v2 splits by near-duplicate group."""
    from akimwatch.analysis import datasets as d

    rows = d.annotated()
    assert len(rows) >= 3000 and sum(r["lang"] in ("kk", "mixed") for r in rows) >= 1000
    split_of: dict[str, str] = {}
    letters: dict[str, str] = {}
    for r in rows:
        assert split_of.setdefault(r["group"], r["split"]) == r["split"], r["id"]
        key = "".join(ch for ch in r["text"].lower() if ch.isalpha())
        assert letters.setdefault(key, r["split"]) == r["split"], r["text"]


def test_evaluation_path_applies_the_type_rules_too():
    """evaluate_all scores heads.head_labels: it must see the same guide rules as the analyzers (what users get)."""
    from akimwatch.analysis.heads import head_labels
    from akimwatch.analysis.text import clean

    texts = [clean("Осы жолды биыл жөндеуіңізді сұраймыз. Рахмет!"), clean("Дұрыс айтасыз")]
    labs = head_labels("comment_type", texts)
    assert labs[0].value == "request" and labs[0].extra["rule"] == "kk_ask"
    assert labs[1].value != "complaint"


def test_disk_cache_is_attached_to_the_one_shared_encoder(tmp_path, monkeypatch):
    """Training and eval attach the disk cache without a second model load or a second read of the shards."""
    from akimwatch.analysis import encoder as e

    monkeypatch.setattr(e, "_shared", None)
    enc = e.shared_encoder()
    enc._model = loaded = object()
    again = e.use_disk_cache(tmp_path)
    assert again is enc and again._model is loaded and again.disk.dir == tmp_path
    assert e.use_disk_cache(tmp_path).disk is again.disk
