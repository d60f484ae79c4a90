"""Draw the annotation sample for the two-annotator agreement study (annotator A's draw).

Deterministic (seed 12), stdlib only; reads /work/shared/data and the existing annotated set (ids/texts only,
never labels). Writes /work/annot/sample.csv with columns id,source,row_id,text.
Run: python3 /work/annot/draw_sample.py
"""

from __future__ import annotations

import csv
import glob
import hashlib
import html
import io
import json
import random
import re
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

SEED = 12
DATA = Path("/work/shared/data")
LAB = DATA / "labeled"
FMT = DATA / "formats"
EXISTING = Path("/work/main/training/annotated/comments.csv")
OUT = Path("/work/annot/sample.csv")

csv.field_size_limit(10**8)

URL = re.compile(r"(https?://\S+|www\.\S+|t\.me/\S+)", re.I)
MENTION = re.compile(r"(?<!\w)@\w+")
TAG = re.compile(r"<[^>]+>")
KK_LETTERS = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
KK_WORDS = {
    "жаксы", "жақсы", "рахмет", "рақмет", "рахмед", "өте", "оте", "керемет", "емес", "жок", "жоқ", "екен", "маган",
    "маған", "унады", "ұнады", "унайды", "кушти", "күшті", "тамаша", "болады", "болмайды", "нашар", "деп", "мен",
    "біз", "сапасы", "калай", "қалай", "кандай", "қандай", "кайда", "қайда", "кашан", "қашан", "дурыс", "дұрыс",
    "бари", "бәрі", "бары", "ушин", "үшін", "жумыс", "жұмыс", "керек", "пайдалы", "кызмет", "қызмет", "гой", "ғой",
    "кеп", "көп", "коп", "бир", "бір", "туралы", "барлык", "барлық", "жане", "және", "сиз", "сіз", "сиздер",
    "сіздер", "ашылмайды", "жаман", "тез", "жаксы.", "rahmet", "raxmet", "jaqsy", "jaksy", "zhaksy", "ote",
    "keremet", "unady", "kushti", "jok", "zhok", "emes", "eken", "maganda", "magan", "bari", "tamasha",
}
CYR = re.compile(r"[А-Яа-яЁё]")


def clean(text: str) -> str:
    """Strip HTML tags/entities, URLs and @mentions; fold whitespace."""
    t = html.unescape(TAG.sub(" ", text or ""))
    t = URL.sub(" ", t)
    t = MENTION.sub(" ", t)
    t = re.sub(r"[ \t\u00a0]+", " ", t)
    t = re.sub(r"\s*\n\s*", "\n", t)
    return t.strip()


def fold(text: str) -> str:
    return " ".join(text.lower().split())


def make_id(source: str, row_id: str) -> str:
    return hashlib.sha1(f"{source}#{row_id}".encode()).hexdigest()[:10]


def kazakh_looking(text: str) -> bool:
    if KK_LETTERS.search(text):
        return True
    words = re.findall(r"[a-zа-яё]+", text.lower())
    return sum(w in KK_WORDS for w in words) >= 1 and len(words) >= 1


def ok_len(text: str) -> bool:
    return 3 <= len(text) <= 600


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def read_zip_csv(path: Path) -> list[dict[str, str]]:
    with zipfile.ZipFile(path) as z:
        name = z.namelist()[0]
        with z.open(name) as fh:
            return list(csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8")))


def main() -> None:
    rng = random.Random(SEED)
    rows: list[dict[str, str]] = []
    seen_text: set[str] = set()
    seen_key: set[tuple[str, str]] = set()

    def add(source: str, row_id: str, text: str, check_dup: bool = True) -> bool:
        key = (source, row_id)
        f = fold(text)
        if key in seen_key or (check_dup and f in seen_text):
            return False
        seen_key.add(key)
        seen_text.add(f)
        rows.append({"id": make_id(source, row_id), "source": source, "row_id": row_id, "text": text})
        return True

    # 1. the existing annotated set, all rows, without labels
    for r in read_csv(EXISTING):
        add(r["source"], r["row_id"], r["text"], check_dup=False)
    n_existing = len(rows)

    valid_texts = {r["text"] for r in read_zip_csv(LAB / "kazsandra" / "04_pc_valid.zip")}

    def take(source: str, pool: list[tuple[str, str]], n: int) -> int:
        """pool: (row_id, cleaned text); random order, add until n taken."""
        pool = list(pool)
        rng.shuffle(pool)
        got = 0
        for rid, t in pool:
            if got >= n:
                break
            if add(source, rid, t):
                got += 1
        return got

    # 2. KazSAnDRA map/directory reviews, Kazakh-looking, stratified by stars (~350 per file)
    for name in ("01_source_2gis.csv", "05_source_maps.csv"):
        src = f"kazsandra/{name}"
        by_star: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for i, r in enumerate(read_csv(LAB / "kazsandra" / name)):
            if r["text"] in valid_texts:
                continue
            t = clean(r["text"])
            if ok_len(t) and kazakh_looking(t):
                by_star[r["label"]].append((str(i), t))
        target, left = 350, 350
        stars = sorted(by_star, key=lambda s: len(by_star[s]))
        for k, s in enumerate(stars):  # smallest strata first, leftover quota passes on
            quota = left // (len(stars) - k)
            left -= take(src, by_star[s], quota)
        assert left >= 0, target

    # 3. KazSAnDRA polarity train, Kazakh-looking, both labels
    src = "kazsandra/03_pc_train_rus.csv"
    by_lab: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in read_zip_csv(LAB / "kazsandra" / "03_pc_train_rus.zip"):
        t = clean(r["text"])
        if ok_len(t) and kazakh_looking(t):
            by_lab[r["label"]].append((r["custom_id"], t))
    for lab in sorted(by_lab):
        take(src, by_lab[lab], 200)

    # 4. SPb appeals: round-robin over categories (random within)
    src = "spb-nash-gorod-appeals/spb_appeals.csv"
    by_cat: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in read_csv(LAB / "spb-nash-gorod-appeals" / "spb_appeals.csv"):
        t = clean(r["text"])
        if ok_len(t):
            by_cat[r["category"]].append((r["id"], t))
    for c in by_cat.values():
        rng.shuffle(c)
    cats = sorted(by_cat)
    got, idx = 0, 0
    while got < 400 and any(by_cat.values()):
        c = cats[idx % len(cats)]
        idx += 1
        if by_cat[c]:
            rid, t = by_cat[c].pop()
            got += add(src, rid, t)

    # 5. Kursk appeals
    src = "kursk-citizen-appeals/train_dataset_train.csv"
    pool = []
    for r in read_csv(LAB / "kursk-citizen-appeals" / "train_dataset_train.csv"):
        t = clean(r["Текст Сообщения"])
        if ok_len(t):
            pool.append((r["id"], t))
    take(src, pool, 250)

    # 6. RuSentiment random posts (row id = 0-based data row index)
    src = "rusentiment/rusentiment_random_posts.csv"
    pool = []
    for i, r in enumerate(read_csv(LAB / "rusentiment" / "rusentiment_random_posts.csv")):
        t = clean(r["text"])
        if ok_len(t):
            pool.append((str(i), t))
    take(src, pool, 250)

    # 7. RuSentiTweet train
    src = "rusentitweet/rusentitweet_train.csv"
    pool = []
    for r in read_csv(LAB / "rusentitweet" / "rusentitweet_train.csv"):
        t = clean(r["text"])
        if ok_len(t):
            pool.append((r["id"], t))
    take(src, pool, 100)

    # 8. real export samples: every Cyrillic text with prose (the only ru/kk texts there are channel/community posts)
    fmt: list[tuple[str, str, str]] = []
    d = json.load(open(FMT / "telegram-desktop-export-json" / "result.json", encoding="utf-8"))
    for m in d["messages"]:
        raw = m.get("text", "")
        if not isinstance(raw, str):
            raw = "".join(x if isinstance(x, str) else ("" if x.get("type") == "hashtag" else x.get("text", ""))
                          for x in raw)
        t = clean(re.sub(r"#\w+", " ", raw))
        words = re.findall(r"[А-Яа-яЁё]{2,}", t)
        # stream titles ("Наруто (S.1, Ep.97-117)", "Такси (1998) 🤪 - 7/10") are not citizen-like prose
        if ok_len(t) and len(words) >= 6 and not re.search(r"\(\d{4}\)|\bS\.?\d|Ep\.|E\d+-\d+|СЕРИИ|Оценка", t):
            fmt.append(("telegram-desktop-export-json/result.json", str(m["id"]), t))
    v = json.load(open(FMT / "vk-wall-get-kasandra-rus" / "response10.json", encoding="utf-8"))
    for it in v["response"]["items"]:
        t = clean(it.get("text", ""))
        if ok_len(t) and CYR.search(t):
            fmt.append(("vk-wall-get-kasandra-rus/response10.json", f"{it['owner_id']}_{it['id']}", t))
    for f in sorted(glob.glob(str(FMT / "telegram-tme-preview-html" / "*.html"))):
        s = open(f, encoding="utf-8").read()
        for post, body in re.findall(
            r'data-post="([^"]+)".*?tgme_widget_message_text[^>]*>(.*?)</div>', s, re.S
        ):
            t = clean(re.sub(r"<br\s*/?>", "\n", body))
            if ok_len(t) and len(re.findall(r"[А-Яа-яЁё]{2,}", t)) >= 3:
                fmt.append((f"telegram-tme-preview-html/{Path(f).name}", post, t))
    for f in sorted(glob.glob(str(FMT / "facebook-instagram-graph-api-pyfacebook" / "**" / "*.json"),
                          recursive=True)):
        try:
            j = json.load(open(f, encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
        data = j.get("data", []) if isinstance(j, dict) else []
        for it in data if isinstance(data, list) else []:
            if not isinstance(it, dict):
                continue
            for key in ("caption", "message", "text"):
                t = clean(re.sub(r"#\w+", " ", str(it.get(key) or "")))
                if ok_len(t) and len(re.findall(r"[А-Яа-яЁё]{2,}", t)) >= 2:
                    fmt.append((str(Path(f).relative_to(FMT)), str(it.get("id")), t))
    tg = [x for x in fmt if x[0].startswith("telegram-desktop")]
    other = [x for x in fmt if not x[0].startswith("telegram-desktop")]
    rng.shuffle(tg)
    for source, rid, t in other + tg[: max(0, 100 - len(other))]:
        add(source, rid, t)

    ids = Counter(r["id"] for r in rows)
    assert max(ids.values()) == 1, "id collision"
    with open(OUT, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "source", "row_id", "text"])
        w.writeheader()
        w.writerows(rows)
    print(f"existing set: {n_existing}")
    new = Counter(r["source"] for r in rows[n_existing:])
    for s, n in sorted(new.items()):
        print(f"new {s}: {n}")
    print("total", len(rows))


if __name__ == "__main__":
    main()
