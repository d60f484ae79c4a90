"""Which corpus rows the accurate tier trains and is measured on (fixed seeds, sub-sampled).

Why sub-sampled: encoding is the expensive step (tens of texts per second on two shared cores), so every corpus
contributes a fixed, seeded sample, the same one for ``train`` and ``eval``; ``training/embed.py`` encodes them
once into the disk cache. Held-out rows (annotated test, our Kursk test split, rusentiment_test, KazSAnDRA
04_pc_valid) are never in a training set.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from akimwatch.analysis import datasets as d

SEED = 13
SPB_PER_TOPIC = 120
NONE_POOL = 1200
RUSENTIMENT_TRAIN_N = 2500
KAZSANDRA_TRAIN_N = 2000
KAZSANDRA_VALID_N = 1500
RUSENTIMENT_TEST_N = 1500


def _sample(items: list, n: int, seed: int) -> list:
    items = list(items)
    random.Random(seed).shuffle(items)
    return items[:n]


def sentiment_of(e: d.Example, mapping: dict[tuple[str, str], str]) -> str:
    return mapping.get((e.source.split("/")[0], e.label), "")


def training_sets(root: Path) -> dict[str, list[d.Example]]:
    """{set name: examples} in the order they are worth encoding (most useful first)."""
    from akimwatch.analysis.train import annotated_test_keys, sentiment_map

    exclude = annotated_test_keys()
    smap = sentiment_map()
    ktrain, _ = d.kursk_split(root)
    out: dict[str, list[d.Example]] = {}
    out["kursk_topic"] = d.kursk_topic_examples(ktrain)
    out["kursk_coarse"] = d.kursk_examples(ktrain)
    out["spb_topic"] = d.spb_topic_examples(root, per_topic=SPB_PER_TOPIC)
    none_pool = (
        d.rusentiment(root, d.RUSENTIMENT_TRAIN) + d.rusentitweet(root) + d.kazsandra_polarity_split(root)[0]
    )
    out["none"] = [d.Example(e.text, "none", e.source, e.row_id) for e in _sample(none_pool, NONE_POOL, 6)]
    rs = [e for e in d.rusentiment(root, d.RUSENTIMENT_TRAIN) if sentiment_of(e, smap)]
    out["rusentiment"] = [
        d.Example(e.text, sentiment_of(e, smap), e.source, e.row_id) for e in _sample(rs, RUSENTIMENT_TRAIN_N, 21)
    ]
    ks = d.kazsandra_polarity_split(root)[0]
    out["kazsandra"] = [
        d.Example(e.text, sentiment_of(e, smap), e.source, e.row_id) for e in _sample(ks, KAZSANDRA_TRAIN_N, 22)
    ]
    for name in out:
        out[name] = [e for e in out[name] if (e.source, e.row_id) not in exclude]
    return out


def heldout_sets(root: Path) -> dict[str, list[d.Example]]:
    """Held-out evaluation sets (never trained or tuned on)."""
    smap = sentiment_map_cached()
    _, ktest = d.kursk_split(root)
    rt = _sample([e for e in d.rusentiment(root, d.RUSENTIMENT_TEST) if sentiment_of(e, smap)], RUSENTIMENT_TEST_N, 24)
    valid = _sample(d.kazsandra_valid(root), KAZSANDRA_VALID_N, 23)
    return {
        "kursk_test_topic": d.kursk_topic_examples(ktest),
        "kursk_test_coarse": d.kursk_examples(ktest),
        "rusentiment_test": [d.Example(e.text, sentiment_of(e, smap), e.source, e.row_id) for e in rt],
        "kazsandra_valid": [d.Example(e.text, e.label, e.source, e.row_id) for e in valid],
    }


def sentiment_map_cached() -> dict[tuple[str, str], str]:
    from akimwatch.analysis.train import sentiment_map

    return sentiment_map()


SEED_KK_DIRS = (d.ANNOTATED_DIR / "seed_kk",)


def seed_kk_rows() -> list[dict[str, str]]:
    """Kazakh seed comments written and labelled by hand (training/annotated/seed_kk/*.csv)."""
    import csv

    for folder in SEED_KK_DIRS:
        files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
        if files:
            rows = []
            for path in files:
                with open(path, encoding="utf-8", newline="") as fh:
                    rows += [dict(r, file=path.name) for r in csv.DictReader(fh)]
            return rows
    return []


def seed_kk_examples(field: str) -> list[d.Example]:
    """Seed rows as examples of one field. Kazakh translations of Kursk appeals in our Kursk test split are left
    out (ids ``kkseed-tr-kursk-<id>``): training on a translation of a test appeal would leak the test."""
    test_ids = _kursk_test_ids()
    out = []
    for r in seed_kk_rows():
        m = re.match(r"kkseed-tr-kursk-(\d+)$", r["id"])
        if m and m.group(1) in test_ids:
            continue
        out.append(d.Example(r["text"], r.get(field, ""), "seed_kk/" + r["file"], r["id"]))
    return out


def _kursk_test_ids() -> set[str]:
    try:
        root = d.shared_data_dir()
    except FileNotFoundError:
        return set()
    return {r["id"] for r in d.kursk_split(root)[1]}


KK_UNLABELLED_N = 1500
_KK_LETTERS = set("әғқңөұүһі")


def kk_unlabelled(root: Path) -> list[d.Example]:
    """Kazakh-script reviews from KazSAnDRA's per-source files (their star labels unused): distillation texts."""
    from akimwatch.analysis.train import annotated_test_keys

    exclude = annotated_test_keys()
    held_texts = {r["text"] for r in d.annotated()}  # no annotated text, whatever its split
    rows = []
    for name in ("01_source_2gis.csv", "05_source_maps.csv"):
        for i, r in enumerate(d._rows(root / "labeled" / "kazsandra" / name)):
            text = r.get("text") or ""
            if len(text) >= 15 and sum(ch in _KK_LETTERS for ch in text.lower()) >= 2:
                e = d.Example(text, "", f"kazsandra/{name}", r.get("custom_id") or str(i))
                if (e.source, e.row_id) not in exclude and text not in held_texts:
                    rows.append(e)
    return _sample(rows, KK_UNLABELLED_N, 25)
