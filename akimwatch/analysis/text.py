"""Text cleaning and the one feature space every analyzer shares.

Why one shared space: labelling all four labels must run at thousands of comments per second on one core, so a
text is cleaned, tokenised and hashed once and the result is reused by every linear head. Hashing (no vocabulary)
keeps artifacts small and loading instant.

Kazakh letters are *folded* onto Russian ones (қ→к, ә→а ...) for the features, so Kazakh written in Cyrillic,
Kazakh typed with Russian letters only and mixed spellings land on the same features. Language identification
looks at the unfolded text separately (see ``language.py``).
"""

from __future__ import annotations

import csv
import html
import re
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")
MAX_CHARS = 2000  # longer texts are cut: the head of a comment carries its label; keeps 100k-char input cheap

KK_FOLD = str.maketrans(
    {"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и", "ё": "е"}
)
_TAG = re.compile(r"<[^>]{0,300}>")
_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_SPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)
_DIGITS = re.compile(r"\d")
_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def clean(text: object) -> str:
    """Make any input a plain, bounded string: drop HTML tags/entities, URLs, @mentions and control bytes."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    text = text[: MAX_CHARS * 3]
    if "<" in text:
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = _CTRL.sub(" ", text)
    return _SPACE.sub(" ", text).strip()[:MAX_CHARS]


def fold(text: str) -> str:
    """Lower-case and map Kazakh-specific letters to their Russian look-alikes."""
    return text.lower().translate(KK_FOLD)


@lru_cache(maxsize=1)
def load_lexicon() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Return (prefix cues, exact-word cues) from data/lexicon.csv; stems of <= 3 letters match whole words only."""
    prefix: dict[str, list[str]] = {}
    exact: dict[str, list[str]] = {}
    with open(DATA_DIR / "lexicon.csv", encoding="utf-8") as fh:
        rows = [line for line in fh if not line.startswith("#")]
    for row in csv.DictReader(rows):
        stem = fold(row["stem"].strip())
        feat = f"{row['kind']}:{row['value']}"
        target = exact if len(stem) <= 3 else prefix
        target.setdefault(stem, [])
        if feat not in target[stem]:
            target[stem].append(feat)
    return (
        {k: tuple(v) for k, v in prefix.items()},
        {k: tuple(v) for k, v in exact.items()},
    )


_PREFIX_LENS = tuple(range(4, 12))


@lru_cache(maxsize=200_000)
def word_cues(word: str) -> tuple[str, ...]:
    """Lexicon pseudo-features for one folded word (cached: words repeat a lot)."""
    prefix, exact = load_lexicon()
    out: list[str] = list(exact.get(word, ()))
    for n in _PREFIX_LENS:
        if n > len(word):
            break
        hit = prefix.get(word[:n])
        if hit:
            out.extend(hit)
    return tuple(out)


def analyze(text: str) -> list[str]:
    """Turn a cleaned text into hashed-feature strings.

    Features: folded words, word bigrams, 5-letter prefixes (a cheap stemmer that suits both Russian
    inflection and Kazakh suffixes), character 3- and 4-grams inside words, punctuation/emoticon marks, a length
    bucket, and lexicon cues.
    """
    folded = _DIGITS.sub("0", fold(text))
    toks = _TOKEN.findall(folded)
    feats: list[str] = []
    words: list[str] = []
    append = feats.append
    for tok in toks:
        if tok[0].isalnum() or tok[0] == "_":
            words.append(tok)
            append(tok)
            if len(tok) > 5:
                append("~" + tok[:5])
            padded = f" {tok} "
            for i in range(len(padded) - 2):
                append(padded[i : i + 3])
            for i in range(len(padded) - 3):
                append(padded[i : i + 4])
            feats.extend(word_cues(tok))
        else:
            append("p" + tok)
    for a, b in zip(words, words[1:], strict=False):
        append(a + " " + b)
    if words:
        append("w0:" + words[0])
    n = len(words)
    append("len:" + ("0" if n == 0 else "1" if n < 4 else "2" if n < 12 else "3" if n < 40 else "4"))
    if "?" in text:
        append("has:?")
        if text.rstrip(" )!.").endswith("?"):
            append("end:?")
    if ")" in text or "😊" in text or "👍" in text:
        append("has:)")
    if "(" in text:
        append("has:(")
    return feats


N_FEATURES = 2**18


@lru_cache(maxsize=1)
def hasher():
    """The shared HashingVectorizer (sklearn imported lazily: it costs ~0.5 s)."""
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer=analyze, n_features=N_FEATURES, alternate_sign=False, norm=None, dtype="float32"
    )


def featurize(texts: list[str], idf=None):
    """Cleaned texts -> sparse rows, sublinear tf * idf, L2-normalised (the input of every head)."""
    import numpy as np
    from sklearn.preprocessing import normalize

    if not texts:
        from scipy.sparse import csr_matrix

        return csr_matrix((0, N_FEATURES), dtype=np.float32)
    x = hasher().transform(texts)
    if x.nnz:
        np.log1p(x.data, out=x.data)
    if idf is not None:
        x = x.multiply(idf).tocsr()
    return normalize(x, copy=False)
