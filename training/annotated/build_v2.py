"""Build the annotated set v2 from two independent annotation passes: agreement, adjudication, grouped split.

Inputs (in training/annotated/v2/): ``sample.csv`` (id, source, row_id, text — drawn by ``draw_sample.py``),
``pass_a.csv`` and ``pass_b.csv`` (id, lang, type, topic, topic2, sentiment), each written by a different
annotator who never saw the other's labels.

Outputs (same folder):
- ``agreement.json``: Cohen's κ and raw agreement per label, overall and per language, on the rows both passes
  labelled; the confusion pairs that disagree most (where the guide was sharpened).
- ``adjudication.csv``: every disagreement with both labels, the decision and its reason.
- ``comments.csv``: the final set (provenance columns kept) with a grouped split.

Adjudication, in this order (the reason is recorded per row):
1. ``guide-rule``: a rule of docs/methodology.md decides mechanically (explicit ask → request; a Kazakh-only
   letter in a text one pass called ``ru`` → not ``ru``);
2. ``v1``: the row was in the v1 set (training/annotated/comments.csv) and one pass agrees with that label;
3. test rows only — ``pass-a``: pass A's label. No model decides a test label: the tiers are measured on the
   test split, and a label the measured model chose between two readings would agree with it by construction;
4. ``model`` (train and dev rows only): the label of the two the accurate tier finds likelier (a tie-break between
   two human readings, never a third label). A decision already recorded in ``adjudication.csv`` is kept (the
   heads shipped were trained on it; asking today's heads again would move labels under them); only new
   disagreements go to the model. Rows decided this way are listed, so they can be re-read by a person.

Split: near-duplicates (same letters after normalisation, or character-3-gram cosine ≥ 0.8) form one group, and a
group goes wholly to train, dev or test (by a hash of its first member: 60/15/25). v1's test overstated
``type`` by ~0.2: 19 % of its test rows had a near-copy (e5 cosine > 0.93) in train, and type was readable from
the source corpus alone.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
V2 = HERE / "v2"
FIELDS = ("lang", "type", "topic", "sentiment")
KK_LETTERS = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def kappa(a: list[str], b: list[str]) -> float:
    from sklearn.metrics import cohen_kappa_score

    return round(float(cohen_kappa_score(a, b)), 4)


def agreement(rows: list[dict], pa: dict, pb: dict) -> dict:
    both = [r for r in rows if r["id"] in pa and r["id"] in pb]
    out: dict = {"rows_both": len(both), "labels": {}}
    for f in FIELDS:
        a = [pa[r["id"]][f] for r in both]
        b = [pb[r["id"]][f] for r in both]
        per_lang = {}
        for lang in ("ru", "kk", "mixed") if f != "lang" else ():  # by pass A's language; moot for lang itself
            idx = [i for i, r in enumerate(both) if pa[r["id"]]["lang"] == lang]
            if len(idx) > 20:
                per_lang[lang] = {"n": len(idx), "kappa": kappa([a[i] for i in idx], [b[i] for i in idx])}
        pairs = Counter((x, y) for x, y in zip(a, b, strict=True) if x != y).most_common(8)
        out["labels"][f] = {
            "kappa": kappa(a, b),
            "raw_agreement": round(sum(x == y for x, y in zip(a, b, strict=True)) / max(1, len(a)), 4),
            "per_lang_a": per_lang,
            "top_disagreements": [{"a": x, "b": y, "n": n} for (x, y), n in pairs],
        }
    return out


def guide_rule(field: str, text: str, a: str, b: str) -> str | None:
    from akimwatch.analysis.rules import KK_ASK
    from akimwatch.analysis.text import fold

    if field == "type" and "request" in (a, b) and KK_ASK.search(fold(text)):
        return "request"
    if field == "type" and "request" in (a, b) and re.search(r"\b(прошу|просим|просьба|требую|требуем)\b", text, re.I):
        return "request"
    if field == "lang" and "ru" in (a, b) and KK_LETTERS.search(text):
        other = b if a == "ru" else a
        return other
    return None


def model_choice(field: str, texts: list[str], cands: list[tuple[str, str]]) -> list[str]:
    """Of two candidate labels per text, the one the accurate tier gives the higher probability."""
    from akimwatch.analysis.accurate import cached_accurate_head, head_probs
    from akimwatch.analysis.base import Batch
    from akimwatch.analysis.language import detect
    from akimwatch.analysis.text import clean

    if field == "lang":
        out = []
        for t, (a, b) in zip(texts, cands, strict=True):
            got = detect(clean(t))[0]
            out.append(got if got in (a, b) else a)
        return out
    name = {"type": "comment_type", "topic": "topic", "sentiment": "sentiment"}[field]
    head = cached_accurate_head(name)
    probs = head_probs(name, Batch(texts), head)
    out = []
    for i, (a, b) in enumerate(cands):
        pa = probs[i, head.classes.index(a)] if a in head.classes else -1
        pb = probs[i, head.classes.index(b)] if b in head.classes else -1
        out.append(a if pa >= pb else b)
    return out


def recorded_model_decisions(path: Path) -> dict[tuple[str, str, str, str], str]:
    """{(id, field, pass_a, pass_b): decision} of the ``model`` rows already in adjudication.csv (kept on rebuild)."""
    if not path.exists():
        return {}
    return {(r["id"], r["field"], r["pass_a"], r["pass_b"]): r["decision"] for r in read(path) if r["reason"] == "model"}


def group_ids(texts: list[str], threshold: float = 0.8) -> list[int]:
    """Connected components of near-duplicates (normalised letters equal, or char-3-gram cosine ≥ threshold)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(texts)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    seen: dict[str, int] = {}
    for i, t in enumerate(texts):
        key = "".join(ch for ch in t.lower() if ch.isalpha())
        if key in seen:
            union(i, seen[key])
        else:
            seen[key] = i
    x = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3), min_df=1).fit_transform(texts)
    for s in range(0, n, 500):
        sim = (x[s : s + 500] @ x.T).toarray()
        for a, b in zip(*((sim >= threshold).nonzero()), strict=True):
            if s + a != b:
                union(s + a, b)
    return [find(i) for i in range(n)]


def split_of(key: str) -> str:
    h = int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "train" if h < 0.60 else "dev" if h < 0.75 else "test"


def main() -> int:
    sample = read(V2 / "sample.csv")
    pa = {r["id"]: r for r in read(V2 / "pass_a.csv")}
    pb = {r["id"]: r for r in read(V2 / "pass_b.csv")}
    v1 = {r["id"]: r for r in read(HERE / "comments.csv")}
    stats = agreement(sample, pa, pb)
    rows = [r for r in sample if r["id"] in pa and r["id"] in pb]
    # the split depends on the near-duplicate group only (never on labels): known before adjudication
    groups = group_ids([r["text"] for r in rows])
    first: dict[int, str] = {}
    for r, g in zip(rows, groups, strict=True):
        first.setdefault(g, r["id"])
    split = {r["id"]: split_of(first[g]) for r, g in zip(rows, groups, strict=True)}
    recorded = recorded_model_decisions(V2 / "adjudication.csv")
    decisions = []
    final: dict[str, dict[str, str]] = {r["id"]: {f: pa[r["id"]][f] for f in (*FIELDS, "topic2")} for r in rows}
    pending: dict[str, list[tuple[int, str, str, str]]] = {f: [] for f in FIELDS}
    for i, r in enumerate(rows):
        for f in FIELDS:
            a, b = pa[r["id"]][f], pb[r["id"]][f]
            if a == b:
                continue
            rule = guide_rule(f, r["text"], a, b)
            old = v1.get(r["id"], {}).get({"type": "type"}.get(f, f))
            if rule:
                decisions.append((r, f, a, b, rule, "guide-rule"))
            elif old in (a, b):
                decisions.append((r, f, a, b, old, "v1"))
            elif split[r["id"]] == "test":
                decisions.append((r, f, a, b, a, "pass-a"))
            elif recorded.get((r["id"], f, a, b)):
                decisions.append((r, f, a, b, recorded[(r["id"], f, a, b)], "model"))
            else:
                pending[f].append((i, r["id"], a, b))
    for f, items in pending.items():
        if not items:
            continue
        picks = model_choice(f, [rows[i]["text"] for i, *_ in items], [(a, b) for *_, a, b in items])
        for (i, _, a, b), pick in zip(items, picks, strict=True):
            decisions.append((rows[i], f, a, b, pick, "model"))
    for r, f, _a, _b, pick, _why in decisions:
        final[r["id"]][f] = pick
    with open(V2 / "adjudication.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "field", "pass_a", "pass_b", "decision", "reason", "text"])
        for r, f, a, b, pick, why in decisions:
            w.writerow([r["id"], f, a, b, pick, why, r["text"][:300]])
    stats["adjudicated"] = dict(Counter(why for *_, why in decisions))
    stats["adjudicated_by_field"] = dict(Counter(f for _, f, *_ in decisions))
    with open(V2 / "comments.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "source", "row_id", "split", "group", *FIELDS, "topic2", "text"])
        for r, g in zip(rows, groups, strict=True):
            lab = final[r["id"]]
            w.writerow([r["id"], r["source"], r["row_id"], split[r["id"]], first[g],
                        *(lab[f] for f in FIELDS), lab["topic2"], r["text"]])
    stats["groups"] = len(set(groups))
    stats["rows"] = len(rows)
    stats["splits"] = dict(Counter(split.values()))
    stats["adjudicated_test"] = dict(Counter(why for r, *_, why in decisions if split[r["id"]] == "test"))
    (V2 / "agreement.json").write_text(json.dumps(stats, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: stats[k] for k in ("rows_both", "adjudicated", "groups", "splits")}, ensure_ascii=False))
    for f in FIELDS:
        print(f, "kappa", stats["labels"][f]["kappa"], "raw", stats["labels"][f]["raw_agreement"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
