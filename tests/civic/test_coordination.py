"""Coordinated praise: each of the three signals is required; short and emoji-only texts are never evidence alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from akimwatch.civic.coordination import (
    compute_coordination,
    find_coordinated,
    near_identical_groups,
    normalise,
    single_minded_by_official,
)
from akimwatch.config import DEFAULTS
from akimwatch.reports.civic import coordination_paragraphs
from akimwatch.reports.writer import Writer

CFG = DEFAULTS["civic"]
T0 = datetime(2019, 5, 1, 9, 0, tzinfo=UTC)
PHRASE = "Спасибо акиму за заботу о жителях области! Так держать"


def rows(texts: list[str], minutes: list[int], post: int = 1, first_id: int = 1) -> list[dict]:
    return [{"id": first_id + i, "post_id": post, "author": f"u{first_id + i}", "text": t,
             "published_utc": T0 + timedelta(minutes=m)} for i, (t, m) in enumerate(zip(texts, minutes, strict=True))]


def test_normalise_keeps_letters_and_spots_emoji_only():
    assert normalise("@akim Спасибо!!! 👏 https://t.co/x 2019") == ("спасибо", False)
    assert normalise("👏👏👏") == ("", True)
    assert normalise("...") == ("", False)


def test_light_edits_stay_near_identical_and_other_praise_does_not():
    a = normalise("Спасибо акиму за заботу о жителях области! Так держать")[0]
    b = normalise("Спасибо нашему акиму за заботу о жителях области, так держать!!")[0]
    other = normalise("Спасибо за новую дорогу на улице Абая, наконец-то сделали")[0]
    groups = sorted(near_identical_groups([a, b, other], 0.6), key=len)
    assert groups == [[other], [a, b]]


def test_three_signals_flag_a_campaign():
    campaign = rows([PHRASE, PHRASE + "!", PHRASE + " 🙏", "👏👏👏"], [3, 5, 9, 6])
    minded = {r["author"] for r in campaign}
    [cluster] = find_coordinated(campaign, minded, CFG)
    assert cluster["comment_ids"] == [1, 2, 3] and cluster["template_ids"] == [4] and cluster["authors"] == 3


@pytest.mark.parametrize("case", ["spread_out", "not_single_minded", "short_texts", "two_authors"])
def test_any_missing_signal_clears_the_group(case):
    texts, minutes = [PHRASE, PHRASE + "!", PHRASE + " 🙏"], [3, 5, 9]
    if case == "spread_out":
        minutes = [3, 300, 900]  # the same words over a day are what real people write
    if case == "short_texts":
        texts = ["Спасибо!", "Спасибо!!", "Спасибо 🙏"]
    campaign = rows(texts, minutes)
    minded = {r["author"] for r in campaign}
    if case == "not_single_minded":
        minded = {"u1"}
    if case == "two_authors":
        for r in campaign:
            r["author"] = "u1" if r["id"] < 3 else "u2"
    assert find_coordinated(campaign, minded, CFG) == []


def test_single_minded_means_all_praise_on_one_official():
    feet = [{"author": "a", "comments": 3, "praise": 3, "officials": 1, "official_id": "o1"},
            {"author": "b", "comments": 3, "praise": 2, "officials": 1, "official_id": "o1"},
            {"author": "c", "comments": 4, "praise": 4, "officials": 2, "official_id": "o1"},
            {"author": "d", "comments": 1, "praise": 1, "officials": 1, "official_id": "o1"}]
    assert single_minded_by_official(feet) == {"o1": {"a"}}


def _block(found: bool) -> dict:
    campaign = rows([PHRASE, PHRASE + "!", PHRASE + " 🙏"], [3, 5, 9])
    clusters = find_coordinated(campaign, {r["author"] for r in campaign} if found else set(), CFG)
    sentiment = {r["id"]: "positive" for r in campaign}
    return {"coordination": compute_coordination(clusters, sentiment, {"positive": 10, "negative": 10}, 3, True)}


def test_sentiment_with_and_without_the_suspected():
    c = _block(True)["coordination"]
    assert c["state"] == "suspected" and c["suspected"] == 3 and c["suspected_share"] == 0.15
    assert c["positive_share"] == 0.5 and c["positive_share_without"] == round(7 / 17, 4)


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_words_only_when_a_group_met_all_signals(lang):
    w = Writer(lang, "text")
    said = " ".join(str(p) for p in coordination_paragraphs(w, _block(True)))
    assert said and "15.0" in said.replace(",", ".")
    assert coordination_paragraphs(w, _block(False)) == []
    assert coordination_paragraphs(w, {}) == []
    for word in ("бот", "bot", "paid", "купл", "проплач"):
        assert word not in said.lower()
