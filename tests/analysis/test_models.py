"""Shipped artifacts: size budget, load time, cards present."""

from __future__ import annotations

from pathlib import Path

from akimwatch.analysis.artifacts import MODELS_DIR, RESEARCH_DIR, RESEARCH_HEADS

MAX_BYTES = 30 * 1024 * 1024


def test_models_fit_the_size_budget():
    total = sum(p.stat().st_size for p in Path(MODELS_DIR).iterdir() if p.is_file())
    assert total <= MAX_BYTES, f"models/ is {total / 1e6:.1f} MB"


def test_every_model_has_a_card():
    for name in ("language", "comment_type", "topic", "sentiment", "accurate", *RESEARCH_HEADS):
        card = (RESEARCH_DIR if name in RESEARCH_HEADS else MODELS_DIR) / f"{name}.md"
        assert card.exists(), card
        assert "## Held-out results" in card.read_text(encoding="utf-8")


def test_kursk_benchmark_head_blends_coarse_and_fine_topics():
    """The Kursk research head keeps 150 fine-topic columns sparse and answers with the 16 coarse categories."""
    from scipy.sparse import issparse

    from akimwatch.analysis.artifacts import load_head, load_idf
    from akimwatch.analysis.text import clean, featurize

    head = load_head("kursk_coarse", RESEARCH_DIR)
    assert issparse(head.weights) and 0 < head.meta["combine"]["coarse_share"] < 1
    texts = [
        "На улице Ленина огромные ямы на дороге, асфальт разбит",
        "Не работает уличное освещение во дворе",
    ]
    classes, scores = head.output(featurize([clean(t) for t in texts], load_idf()))
    assert not any(c.startswith("fine:") for c in classes) and scores.shape == (2, len(classes))
    assert [classes[i] for i in scores.argmax(axis=1)] == ["0", "3"]  # roads; utilities and housing


def test_product_heads_speak_the_label_contract():
    """The trained heads' classes are the contract's values (gas is decided by a lexicon rule, see topic.md)."""
    from akimwatch.analysis.artifacts import cached_head
    from akimwatch.models import COMMENT_TYPES, SENTIMENTS, TOPICS

    assert set(cached_head("comment_type").classes) == set(COMMENT_TYPES)
    assert set(cached_head("sentiment").classes) == set(SENTIMENTS)
    assert set(cached_head("topic").classes) == set(TOPICS) - {"gas"}
