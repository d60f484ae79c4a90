"""Merge the human review (pass 2) into the pre-labels (pass 1) and write training/annotated/comments.csv.

Prints and stores (training/annotated/review_stats.json) how many labels the review changed, per field.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from akimwatch.models import COMMENT_TYPES, LANGUAGES, SENTIMENTS, TOPICS

HERE = Path(__file__).parent / "annotated"
VALUES = {"lang": set(LANGUAGES), "type": set(COMMENT_TYPES), "sentiment": set(SENTIMENTS), "topic": set(TOPICS)}
VALUES["topic2"] = VALUES["topic"] | {""}


def main() -> None:
    with open(HERE / "prelabel.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_prefix: dict[str, dict[str, str]] = {}
    for r in rows:
        assert r["id"][:6] not in by_prefix, r["id"]
        by_prefix[r["id"][:6]] = r
    changed: Counter[str] = Counter()
    touched: set[str] = set()
    review = (HERE / "review_pass2.txt").read_text(encoding="utf-8").splitlines()
    for line in review:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, *edits = line.split()
        row = by_prefix[key]
        for edit in edits:
            field, value = edit.split("=", 1)
            assert value in VALUES[field], (key, field, value)
            if row[field] != value:
                changed[field] += 1
                touched.add(key)
                row[field] = value
    for r in rows:
        if r["topic2"] == r["topic"]:
            r["topic2"] = ""
    fields = ["id", "source", "row_id", "split", "lang", "type", "topic", "topic2", "sentiment", "text"]
    with open(HERE / "comments.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    stats = {
        "texts": len(rows),
        "texts_changed_in_review": len(touched),
        "label_changes_per_field": dict(changed),
        "label_changes_total": sum(changed.values()),
        "splits": dict(Counter(r["split"] for r in rows)),
        "type": dict(Counter(r["type"] for r in rows)),
        "lang": dict(Counter(r["lang"] for r in rows)),
        "sentiment": dict(Counter(r["sentiment"] for r in rows)),
        "topic": dict(Counter(r["topic"] for r in rows)),
        "source": dict(Counter(r["source"].split("/")[0] for r in rows)),
    }
    (HERE / "review_stats.json").write_text(
        json.dumps(stats, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(json.dumps(stats, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
