"""Language of a comment: ru, kk, mixed (code-switching) or other.

Why word counting and not a classifier: the hard cases are short Kazakh comments typed with Russian letters and
Kazakh/Russian code-switching. Each word is looked up in two word lists learnt from the corpora (Kazakh reviews vs
Russian posts and appeals; Russian dictionary words vetted with pymorphy3 at training time only, see langwords.py) and the shares
decide: the minority language at >= 15 % of the recognised words makes a text ``mixed``. Rules are in
docs/methodology.md ("Comment labels").
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

from akimwatch.analysis.base import Label

MODELS_DIR = Path(__file__).with_name("models")
LEXICON_FILE = MODELS_DIR / "lang_words.tsv.gz"
VERSION = "lang-1.1"
MIXED_SHARE = 0.15

KK_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_CYR = re.compile(r"[а-яёәғқңөұүһі]", re.IGNORECASE)
_LAT = re.compile(r"[a-z]", re.IGNORECASE)
# Russian spellings of Kazakh administrative words (Kazakh: әкім, әкімдік): counted as Russian.
RU_FORMS = frozenset({"аким", "акима", "акиму", "акимом", "акимат", "акимата", "акимату", "акимы", "акимов"})


@lru_cache(maxsize=1)
def load_words() -> dict[str, str]:
    """{word: 'kk'|'ru'} built by train.build_lang_words(); a missing file means letters-only detection."""
    if not LEXICON_FILE.exists():
        return {}
    out: dict[str, str] = {}
    with gzip.open(LEXICON_FILE, "rt", encoding="utf-8") as fh:
        for line in fh:
            word, _, lang = line.rstrip("\n").partition("\t")
            out[word] = lang
    return out


def word_lang(word: str, words: dict[str, str]) -> str | None:
    if any(ch in KK_LETTERS for ch in word):
        return "kk"
    if word in RU_FORMS:
        return "ru"
    return words.get(word)


def detect(text: str) -> tuple[str, float, dict[str, int]]:
    """(label, confidence, counts) for one cleaned text."""
    words = load_words()
    kk = ru = 0
    for w in _WORD.findall(text.lower()):
        lang = word_lang(w, words)
        if lang == "kk":
            kk += 1
        elif lang == "ru":
            ru += 1
    counts = {"kk": kk, "ru": ru}
    total = kk + ru
    if total == 0:
        if not text or not (_CYR.search(text) or _LAT.search(text)):
            return "other", 0.9, counts
        if _CYR.search(text):
            return "ru", 0.5, counts  # Cyrillic but no known word: Russian is by far the likelier
        return "other", 0.6, counts
    share_kk = kk / total
    minority = min(kk, ru) / total
    if minority >= MIXED_SHARE:
        return "mixed", round(0.5 + minority, 3), counts
    conf = round(min(0.99, 0.6 + 0.1 * total) * (1 - minority), 3)
    return ("kk" if share_kk > 0.5 else "ru"), conf, counts


def label_batch(batch) -> list[Label]:
    """The registry's labeller: language is the same in both tiers (word lists, no model)."""
    return [Label(v, c, n) for v, c, n in map(detect, batch.cleaned)]
