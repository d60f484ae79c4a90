"""Draw the texts for the annotated comment set and pre-label them with simple rules (pass 1).

Run once: ``python training/annotate_sample.py``. Writes training/annotated/prelabel.csv. The human review (pass 2)
is recorded as corrections in training/annotated/review_pass2.csv and merged by training/annotate_merge.py.
"""

from __future__ import annotations

import csv
import hashlib
import random
from collections import Counter

from akimwatch.analysis import datasets as d
from akimwatch.analysis.language import detect
from akimwatch.analysis.text import clean, fold, word_cues

SEED = 5
ARTICLE = [
    "Крутой аким. Самый лучший, много что сделал для Уральска",
    "Теперь понятно, почему забрали самого молодого и лучшего акима Казахстана в столицу Нур-Султан. Чтобы утрясти "
    "все волнующие вопросы жителей столицы, так как другой этого сделать просто не в силах. Ну, а вам, Алтай "
    "Сейдipyлы, желаем всего самого наилучшего. И большое спасибо за всё что вы сделали для ЗКО, будем помнить вас "
    "всегда",
    "Всего наилучшего. ЗКО и Уральск вас не забудут",
    "Прошу рассмотреть закрытие зоопарка, как это начали делать в разных странах",
    "Зачем строить в зоопарке современные детские городки? Лучше вольеры для животных улучшить, а детей младше 7 лет "
    "не пускать",
    "Уважаемый Бакытжан Абдирович, от имени алматинцев просим о закрытии контактных зоопарков по городу",
]
SENT = {
    "speech": "positive",
    "skip": "neutral",
    "0": "negative",
    "1": "positive",
    "1s": "negative",
    "2s": "negative",
    "3s": "neutral",
    "4s": "positive",
    "5s": "positive",
}


def prelabel(text: str, source: str, hint: str) -> dict[str, str]:
    t = clean(text)
    lang = detect(t)[0]
    cues = Counter(c for w in fold(t).split() for c in word_cues(w.strip(".,!?;:()\"'")))
    if cues["type:thanks"] or cues["type:praise"]:
        typ = "gratitude"
    elif "?" in t:
        typ = "request" if cues["type:ask"] else "question"
    elif cues["type:ask"]:
        typ = "request"
    elif source.startswith(("spb", "kursk")) or cues["type:neg"]:
        typ = "complaint"
    else:
        typ = "other"
    topics = Counter({k[6:]: v for k, v in cues.items() if k.startswith("topic:")})
    topic = hint if hint.startswith("T:") else (topics.most_common(1)[0][0] if topics else "none")
    topic = topic.removeprefix("T:") or "none"
    if source.startswith(("spb", "kursk")):
        sent = "negative"
    elif source == "article":
        sent = "positive" if typ == "gratitude" else "negative"
    else:
        sent = SENT.get(hint, hint if hint in ("positive", "negative", "neutral") else "neutral")
    return {"lang": lang, "type": typ, "topic": topic, "topic2": "", "sentiment": sent}


def main() -> None:
    root = d.shared_data_dir()
    rng = random.Random(SEED)
    picked: list[tuple[str, str, str, str]] = []  # text, source, row_id, hint
    for i, t in enumerate(ARTICLE):
        picked.append((t, "article/000_e35909bd297137dc.txt", f"quote{i + 1}", ""))
    spb_map = d.read_mapping("spb_reason_to_topic.csv", "reason_id")
    spb = [e for e in d.spb_texts(root) if 10 <= len(e.text) <= 400]
    for e in rng.sample(spb, 220):
        picked.append((e.text, e.source, e.row_id, "T:" + spb_map.get(e.label, "")))
    kmap = d.read_mapping("kursk_theme_to_topic.csv", "theme")
    ktrain, _ = d.kursk_split(root)
    for r in rng.sample(ktrain, 110):
        picked.append(
            (
                clean(r["Текст Сообщения"]),
                "kursk-citizen-appeals/train_dataset_train.csv",
                r["id"],
                "T:" + kmap.get(r["Тематика"], ""),
            )
        )
    rs = d.rusentiment(root, d.RUSENTIMENT_TRAIN)
    for lab, n in (("speech", 90), ("positive", 55), ("negative", 50), ("neutral", 35), ("skip", 15)):
        pool = [e for e in rs if e.label == lab and len(e.text) <= 400]
        picked.extend((e.text, e.source, e.row_id, e.label) for e in rng.sample(pool, n))
    q = [
        e
        for e in rs
        if "?" in e.text and len(e.text) <= 300 and e.label in ("neutral", "negative", "positive")
    ]
    picked.extend((e.text, e.source, e.row_id, e.label) for e in rng.sample(q, 30))
    tw = [e for e in d.rusentitweet(root) if e.label != "skip"]
    picked.extend((e.text, e.source, e.row_id, e.label) for e in rng.sample(tw, 75))
    twq = [e for e in tw if "?" in e.text]
    picked.extend((e.text, e.source, e.row_id, e.label) for e in rng.sample(twq, 25))
    ks = [e for e in d.kazsandra(root, "03_pc_train_rus.zip") if 5 <= len(e.text) <= 400]
    for lab, n in (("0", 100), ("1", 100)):
        pool = [e for e in ks if e.label == lab]
        picked.extend((e.text, e.source, e.row_id, e.label) for e in rng.sample(pool, n))
    ksq = [e for e in ks if "?" in e.text]
    picked.extend((e.text, e.source, e.row_id, e.label) for e in rng.sample(ksq, 30))
    valid_texts = {e.text for e in d.kazsandra_valid(root)}
    for name in ("01_source_2gis.csv", "05_source_maps.csv"):
        rows = list(d._rows(root / "labeled" / "kazsandra" / name))
        pool = [
            (i, r) for i, r in enumerate(rows) if r["text"] not in valid_texts and 5 <= len(r["text"]) <= 400
        ]
        for i, r in rng.sample(pool, 45):
            picked.append((r["text"], f"kazsandra/{name}", str(i), f"{r['label']}s"))
    seen: set[tuple[str, str]] = set()
    out = []
    for text, source, row_id, hint in picked:
        if (source, row_id) in seen:
            continue
        seen.add((source, row_id))
        key = hashlib.sha1(f"{source}#{row_id}".encode()).hexdigest()
        bucket = int(key[:8], 16) % 100
        split = "train" if bucket < 55 else "dev" if bucket < 70 else "test"
        row = {"id": key[:10], "source": source, "row_id": row_id, "split": split, "text": clean(text)}
        row.update(prelabel(text, source, hint))
        out.append(row)
    with open(d.ANNOTATED_DIR / "prelabel.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(out[0]))
        w.writeheader()
        w.writerows(out)
    print(len(out), Counter(r["split"] for r in out), Counter(r["type"] for r in out))


if __name__ == "__main__":
    main()
