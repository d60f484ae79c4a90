"""classify_csv on good, bad and oddly encoded input."""

from __future__ import annotations

import csv

import pytest

from akimwatch.analysis.classify import ClassifyInputError, classify_csv


def _read(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_labels_good_and_bad_rows(tmp_path):
    src = tmp_path / "in.csv"
    rows = [
        {"id": "1", "comment": "Прошу рассмотреть закрытие зоопарка"},
        {"id": "2", "comment": ""},
        {"id": "3", "comment": "\x01\x02\x03 \ufffd"},
        {"id": "4", "comment": "Рахмет, аким! " * 8000},
        {"id": "5", "comment": "Спасибо за чистый двор!"},
    ]
    with open(src, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["id", "comment"])
        w.writeheader()
        w.writerows(rows)
    out = tmp_path / "out.csv"
    summary = classify_csv(src, "comment", out)
    got = _read(out)
    assert summary["rows"] == 5 and len(got) == 5
    assert [r["id"] for r in got] == ["1", "2", "3", "4", "5"]
    for col in (
        "lang",
        "type",
        "topic",
        "sentiment",
        "lang_confidence",
        "type_confidence",
        "topic_confidence",
        "sentiment_confidence",
    ):
        assert all(r[col] != "" for r in got), col
    assert got[0]["type"] == "request" and got[0]["topic"] == "animals_zoo"
    assert got[1]["lang"] == "other" and got[1]["type"] == "other"


def test_missing_column_is_a_clear_error(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,body\n1,привет\n", encoding="utf-8")
    with pytest.raises(ClassifyInputError) as err:
        classify_csv(src, "text", tmp_path / "out.csv")
    assert isinstance(err.value, ValueError)
    assert "in.csv" in str(err.value) and "'text'" in str(err.value) and "'body'" in str(err.value)
    assert not (tmp_path / "out.csv").exists()


def test_mixed_encodings_and_bom(tmp_path):
    src = tmp_path / "mixed.csv"
    data = (
        b"\xef\xbb\xbftext;n\n"
        + "Нет света на улице;1\n".encode()
        + "Мусор во дворе не вывозят;2\n".encode("cp1251")
        + b"\x00binary\x00junk;3\n"
    )
    src.write_bytes(data)
    out = tmp_path / "out.csv"
    summary = classify_csv(src, "text", out)
    got = _read(out)
    assert summary["rows"] == 3 and summary["encoding_fallback_lines"] == 1
    assert got[1]["text"] == "Мусор во дворе не вывозят"
    assert got[1]["topic"] == "waste_sanitation"
