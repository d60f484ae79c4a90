"""Label the text column of any CSV file with all four labels (``classify_csv``).

Robust by design: the file is decoded line by line (utf-8, utf-8 with BOM, cp1251 fallback) so one badly encoded
line does not spoil the rest; NUL bytes are dropped; empty, binary or huge texts get a sane label instead of an
exception halfway through the file. A missing text column is reported before any output is written.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from pathlib import Path

from akimwatch.analysis.base import DEFAULT_TIER, Label
from akimwatch.models import UNCERTAIN

OUT_COLUMNS = ("lang", "type", "topic", "sentiment")
ANALYZER_OF = {"lang": "language", "type": "comment_type", "topic": "topic", "sentiment": "sentiment"}
BATCH = 2000

csv.field_size_limit(2**31 - 1)


class ClassifyInputError(ValueError):
    """The input CSV cannot be labelled as asked (e.g. the text column is missing)."""


def decode_bytes(raw: bytes) -> tuple[str, int]:
    """Decode per line: utf-8 first, cp1251 for lines that are not utf-8. Returns (text, n_fallback_lines)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    raw = raw.replace(b"\x00", b"")
    try:
        return raw.decode("utf-8"), 0
    except UnicodeDecodeError:
        pass
    lines, fallbacks = [], 0
    for line in raw.split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(line.decode("cp1251", errors="replace"))
            fallbacks += 1
    return "\n".join(lines), fallbacks


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _batches(reader: csv.DictReader, size: int) -> Iterator[list[dict[str, str]]]:
    batch: list[dict[str, str]] = []
    for row in reader:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _safe_label_all(texts: list[str], tier: str = DEFAULT_TIER) -> dict[str, list[Label]]:
    """label_all on a batch; if anything in it fails, label row by row and give failing rows a neutral default."""
    from akimwatch.analysis.base import label_all
    from akimwatch.analysis.encoder import EncoderUnavailable

    try:
        return label_all(texts, tier)
    except EncoderUnavailable:
        raise
    except Exception:  # noqa: BLE001 - one bad text must not stop a file
        out: dict[str, list[Label]] = {name: [] for name in ANALYZER_OF.values()}
        for t in texts:
            try:
                one = label_all([t], tier)
            except Exception:  # noqa: BLE001
                one = {
                    "language": [Label("other", 0.0)],
                    "comment_type": [Label("other", 0.0)],
                    "topic": [Label("none", 0.0)],
                    "sentiment": [Label("neutral", 0.0)],
                }
            for k, v in one.items():
                out[k].extend(v)
        return out


def classify_csv(
    input: str | os.PathLike[str],
    text_column: str,
    output: str | os.PathLike[str],
    batch_size: int = BATCH,
    tier: str = DEFAULT_TIER,
) -> dict:
    """Write ``output``: every input row plus lang/type/topic/sentiment, their ``*_confidence``,
    ``topic_secondary`` and ``uncertain`` (the columns whose confidence is under the head's threshold: their
    value is the best guess, not a fact). Returns counts {rows, encoding_fallback_lines, output}."""
    src = Path(input)
    text, fallbacks = decode_bytes(src.read_bytes())
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=_dialect(text[:8192]))
    fields = reader.fieldnames or []
    if text_column not in fields:
        shown = ", ".join(repr(f) for f in fields[:20]) or "none (empty file?)"
        raise ClassifyInputError(
            f"{src}: no column {text_column!r}; columns found: {shown}. Pass the name of the text column."
        )
    extra = [
        c
        for c in (*OUT_COLUMNS, *(f"{c}_confidence" for c in OUT_COLUMNS), "topic_secondary", "uncertain")
        if c not in fields
    ]
    rows = 0
    out_path = Path(output)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with open(out_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=[*fields, *extra], extrasaction="ignore")
        writer.writeheader()
        for batch in _batches(reader, batch_size):
            texts = [r.get(text_column) or "" for r in batch]
            labels = _safe_label_all(texts, tier)
            for i, row in enumerate(batch):
                unsure = []
                for col, analyzer in ANALYZER_OF.items():
                    lab = labels[analyzer][i]
                    row[col] = lab.value
                    if lab.value == UNCERTAIN:
                        row[col] = str((lab.extra or {}).get("guess", UNCERTAIN))
                        unsure.append(col)
                    row[f"{col}_confidence"] = f"{lab.confidence:.3f}"
                    if col == "topic":
                        row["topic_secondary"] = ";".join((lab.extra or {}).get("secondary", []))
                row["uncertain"] = ";".join(unsure)
                writer.writerow({k: ("" if v is None else v) for k, v in row.items() if k is not None})
            rows += len(batch)
    return {"rows": rows, "encoding_fallback_lines": fallbacks, "output": str(out_path)}
