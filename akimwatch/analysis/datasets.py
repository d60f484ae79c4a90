"""Readers for the labelled corpora under the shared data folder (training and evaluation only).

Every reader yields :class:`Example` with its provenance (file + row id) so that annotated sets and model cards can
point back to the exact source row. Held-out splits are made here, once, with fixed seeds.
"""

from __future__ import annotations

import csv
import io
import os
import random
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ENV_SHARED = "AKIMWATCH_SHARED_DATA"
REPO_ROOT = Path(__file__).resolve().parents[2]
MAPPINGS_DIR = REPO_ROOT / "training" / "mappings"
ANNOTATED_DIR = REPO_ROOT / "training" / "annotated"
KURSK_TEST_SEED = 2024
KURSK_TEST_SHARE = 0.2
KAZSANDRA_TUNE_SEED = 7
KAZSANDRA_TUNE_SHARE = 0.1

csv.field_size_limit(10**8)


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str
    source: str  # "<dataset>/<file>"
    row_id: str


def shared_data_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """Where the shared corpora live: argument, else $AKIMWATCH_SHARED_DATA, else ../shared/data from the repo."""
    value = path or os.environ.get(ENV_SHARED) or (REPO_ROOT.parent / "shared" / "data")
    root = Path(value).expanduser().resolve()
    if not (root / "labeled").is_dir():
        raise FileNotFoundError(
            f"shared data folder {root} has no 'labeled/' subfolder; pass data_dir= or set {ENV_SHARED}"
        )
    return root


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh)


def _zip_rows(path: Path) -> Iterator[dict[str, str]]:
    with zipfile.ZipFile(path) as zf:
        name = zf.namelist()[0]
        with zf.open(name) as raw:
            yield from csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))


def read_mapping(name: str, key: str, value: str = "topic") -> dict[str, str]:
    """A mapping table from training/mappings/ as {key: value}; empty value means 'leave the row out'."""
    return {r[key]: r[value] for r in _rows(MAPPINGS_DIR / name)}


# --- Kursk ---------------------------------------------------------------------------------------------------
def kursk(root: Path) -> list[dict[str, str]]:
    path = root / "labeled" / "kursk-citizen-appeals" / "train_dataset_train.csv"
    return list(_rows(path))


def kursk_split(root: Path) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Our fixed, stratified (by Категория) 80/20 split of the 1,600 shared Kursk rows: (train, test)."""
    rows = [r for r in kursk(root) if r["Категория"] != "12"]  # 12 is a portal test row, not an appeal
    by_cat: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_cat.setdefault(r["Категория"], []).append(r)
    rng = random.Random(KURSK_TEST_SEED)
    train, test = [], []
    for cat in sorted(by_cat, key=int):
        group = sorted(by_cat[cat], key=lambda r: int(r["id"]))
        rng.shuffle(group)
        n_test = int(round(len(group) * KURSK_TEST_SHARE)) if len(group) >= 5 else 0
        test.extend(group[:n_test])
        train.extend(group[n_test:])
    return train, test


def kursk_examples(rows: list[dict[str, str]], field: str = "Категория") -> list[Example]:
    src = "kursk-citizen-appeals/train_dataset_train.csv"
    return [Example(r["Текст Сообщения"], r[field], src, r["id"]) for r in rows]


def kursk_topic_examples(rows: list[dict[str, str]]) -> list[Example]:
    mapping = read_mapping("kursk_theme_to_topic.csv", "theme")
    src = "kursk-citizen-appeals/train_dataset_train.csv"
    out = []
    for r in rows:
        topic = mapping.get(r["Тематика"], "")
        if topic:
            out.append(Example(r["Текст Сообщения"], topic, src, r["id"]))
    return out


# --- St Petersburg ---------------------------------------------------------------------------------------------
def spb_topic_examples(root: Path, per_topic: int = 4000, seed: int = 11) -> list[Example]:
    """SPb appeals mapped reason -> topic, capped per topic so 'garbage in yards' does not drown the rest."""
    mapping = read_mapping("spb_reason_to_topic.csv", "reason_id")
    src = "spb-nash-gorod-appeals/spb_appeals.csv"
    by_topic: dict[str, list[Example]] = {}
    for r in _rows(root / "labeled" / "spb-nash-gorod-appeals" / "spb_appeals.csv"):
        topic = mapping.get(r["reason_id"], "")
        text = r["text"]
        if topic and len(text) >= 8:
            by_topic.setdefault(topic, []).append(Example(text, topic, src, r["id"]))
    rng = random.Random(seed)
    out: list[Example] = []
    for topic in sorted(by_topic):
        group = by_topic[topic]
        rng.shuffle(group)
        out.extend(group[:per_topic])
    return out


def spb_texts(root: Path) -> list[Example]:
    src = "spb-nash-gorod-appeals/spb_appeals.csv"
    path = root / "labeled" / "spb-nash-gorod-appeals" / "spb_appeals.csv"
    return [Example(r["text"], r["reason_id"], src, r["id"]) for r in _rows(path)]


# --- RuSentiment / RuSentiTweet ------------------------------------------------------------------------------
def rusentiment(root: Path, files: tuple[str, ...]) -> list[Example]:
    out = []
    for name in files:
        for i, r in enumerate(_rows(root / "labeled" / "rusentiment" / name)):
            out.append(Example(r["text"], r["label"], f"rusentiment/{name}", str(i)))
    return out


RUSENTIMENT_TRAIN = ("rusentiment_random_posts.csv", "rusentiment_preselected_posts.csv")
RUSENTIMENT_TEST = ("rusentiment_test.csv",)


def rusentitweet(root: Path, name: str = "rusentitweet_train.csv") -> list[Example]:
    return [
        Example(r["text"], r["label"], f"rusentitweet/{name}", r["id"])
        for r in _rows(root / "labeled" / "rusentitweet" / name)
    ]


# --- KazSAnDRA -----------------------------------------------------------------------------------------------
def kazsandra(root: Path, archive: str) -> list[Example]:
    path = root / "labeled" / "kazsandra" / archive
    name = archive.replace(".zip", ".csv")
    return [Example(r["text"], r["label"], f"kazsandra/{name}", r["custom_id"]) for r in _zip_rows(path)]


def kazsandra_polarity_split(root: Path) -> tuple[list[Example], list[Example]]:
    """03_pc_train_rus split into (train, tune); tune is carved out so 04_pc_valid stays untouched for reporting."""
    rows = kazsandra(root, "03_pc_train_rus.zip")
    rng = random.Random(KAZSANDRA_TUNE_SEED)
    idx = list(range(len(rows)))
    rng.shuffle(idx)
    n_tune = int(len(rows) * KAZSANDRA_TUNE_SHARE)
    tune = {i for i in idx[:n_tune]}
    return [r for i, r in enumerate(rows) if i not in tune], [r for i, r in enumerate(rows) if i in tune]


def kazsandra_valid(root: Path) -> list[Example]:
    return kazsandra(root, "04_pc_valid.zip")


# --- annotated set -------------------------------------------------------------------------------------------
def annotated(split: str | None = None, version: str = "v2") -> list[dict[str, str]]:
    """Our hand-labelled texts, optionally one split: v2 (training/annotated/v2/comments.csv: two passes,
    adjudicated, split by near-duplicate group) when present, else v1 (training/annotated/comments.csv)."""
    path = ANNOTATED_DIR / "v2" / "comments.csv"
    if version == "v1" or not path.exists():
        path = ANNOTATED_DIR / "comments.csv"
    rows = list(_rows(path))
    return [r for r in rows if split is None or r["split"] == split]
