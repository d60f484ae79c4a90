"""The words about removed comments never claim more than the numbers: said when they hold, never otherwise."""

from __future__ import annotations

import pytest

from akimwatch.civic.deletion import compute_removals
from akimwatch.reports.civic import civic_sections, removal_paragraphs
from akimwatch.reports.writer import Writer


def official(crit: tuple[int, int], praise: tuple[int, int], checked: bool = True) -> dict:
    rows = []
    for ctype, (k, n) in (("complaint", crit), ("gratitude", praise)):
        rows += [{"comment_type": ctype, "sentiment": None, "removed": 1, "n": k},
                 {"comment_type": ctype, "sentiment": None, "removed": 0, "n": n - k}]
    removed = [{"comment_type": "complaint", "sentiment": None, "hours": 4.0, "with_parent": False,
                "author_stayed": False}]
    return {"removals": compute_removals(rows, removed, checked, 30)}


def text(o: dict, lang: str = "en") -> str:
    return " ".join(str(p) for p in removal_paragraphs(Writer(lang, "text"), o))


def test_the_claim_is_said_when_the_intervals_separate():
    said = text(official((30, 100), (3, 100)))
    assert "Criticism disappeared 10.0 times as often as praise" in said
    assert "not who removed it" in said
    assert "Half of the removed critical comments were gone within 4 hours" in said


@pytest.mark.parametrize("o", [official((6, 100), (3, 100)), official((1, 200), (40, 200))])
def test_no_claim_when_the_numbers_do_not_hold(o):
    said = text(o)
    assert "Criticism disappeared" not in said and "times as often" not in said
    assert "no sign that criticism is removed" in said or "nothing suggests" in said


@pytest.mark.parametrize("o", [official((20, 29), (0, 200)), official((30, 100), (3, 100), checked=False), {}])
def test_silence_below_the_minimum_or_without_a_recheck(o):
    assert removal_paragraphs(Writer("en", "text"), o) == []
    assert civic_sections(Writer("en", "text"), o) == []


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_translated_in_both_directions(lang):
    claim = text(official((30, 100), (3, 100)), lang)
    calm = text(official((6, 100), (3, 100)), lang)
    assert claim and calm and claim != calm
    assert "Criticism" not in claim and "harvest" not in calm  # translated, not the English ids
    marker = {"ru": "чаще похвалы", "kk": "мақтаудан"}[lang]
    assert marker in claim and marker not in calm
