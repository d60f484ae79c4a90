"""Label unlabelled and partly labelled training texts with the accurate tier, for the fast tier to learn from.

Writes ``training/.cache/distilled.csv`` (text, source, row_id, type, topic, sentiment); a label the accurate tier
abstains on is left empty, so the fast tier only learns confident readings. ``akimwatch train`` (fast tier) reads
the file when present (``train.distilled``) at a weight chosen on dev. Texts: the training side of every corpus
(never a held-out split) plus Kazakh reviews from KazSAnDRA's per-source files — the fast tier's word features see
Kazakh words it never had labels for.

Run after ``akimwatch train --tier accurate`` and ``python training/embed.py`` (embeddings come from the cache).
"""

from __future__ import annotations

import csv
from pathlib import Path

from akimwatch.analysis import datasets as d
from akimwatch.analysis.base import Batch, label_batch
from akimwatch.analysis.corpora import kk_unlabelled, training_sets
from akimwatch.analysis.encoder import use_disk_cache
from akimwatch.analysis.train_accurate import CACHE_DIR
from akimwatch.models import UNCERTAIN

OUT = Path(__file__).resolve().parent / ".cache" / "distilled.csv"
FIELDS = {"type": "comment_type", "topic": "topic", "sentiment": "sentiment"}


def main() -> None:
    root = d.shared_data_dir()
    use_disk_cache(CACHE_DIR)
    sets = training_sets(root)
    texts: dict[str, d.Example] = {}
    for name in ("kazsandra", "none", "rusentiment", "spb_topic", "kursk_topic"):
        for e in sets[name]:
            texts.setdefault(e.text, e)
    for e in kk_unlabelled(root):
        texts.setdefault(e.text, e)
    items = list(texts.values())
    n = 0
    with open(OUT, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "source", "row_id", *FIELDS])
        for s in range(0, len(items), 500):
            chunk = items[s : s + 500]
            out = label_batch(Batch([e.text for e in chunk]), list(FIELDS.values()), "accurate")
            for i, e in enumerate(chunk):
                labs = [out[a][i] for a in FIELDS.values()]
                w.writerow([e.text, e.source, e.row_id, *("" if lab.value == UNCERTAIN else lab.value for lab in labs)])
                n += 1
    print(f"{n} texts labelled by the accurate tier -> {OUT}")


if __name__ == "__main__":
    main()
