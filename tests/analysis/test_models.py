"""Shipped artifacts: size budget, load time, cards present."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from akimwatch.analysis.artifacts import MODELS_DIR

MAX_BYTES = 30 * 1024 * 1024


def test_models_fit_the_size_budget():
    total = sum(p.stat().st_size for p in Path(MODELS_DIR).iterdir() if p.is_file())
    assert total <= MAX_BYTES, f"models/ is {total / 1e6:.1f} MB"


def test_every_model_has_a_card():
    for name in (
        "language",
        "comment_type",
        "topic",
        "sentiment",
        "kursk_coarse",
        "rusentiment5",
        "kazsandra_polarity",
    ):
        card = MODELS_DIR / f"{name}.md"
        assert card.exists(), card
        assert "## Held-out results" in card.read_text(encoding="utf-8")


def test_artifacts_load_under_two_seconds():
    """Fresh interpreter: import, load all heads and label one text, timed inside the child."""
    code = (
        "import time; t=time.perf_counter();"
        "from akimwatch.analysis.heads import label_all; label_all(['проверка']);"
        "print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert float(out.stdout.strip().splitlines()[-1]) < 2.0
