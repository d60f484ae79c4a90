"""Ranking: weights from config change the order; too little data gives «not enough data», not a rank."""

from __future__ import annotations

import pytest

from akimwatch.config import load_config
from akimwatch.metrics import compute_metrics
from akimwatch.reports.explain import explain_text
from tests.metrics.builders import PERIOD, build


@pytest.fixture
def engine(sqlite_store):
    build(sqlite_store)
    return sqlite_store


def _order(res):
    return [o["official_id"] for o in res if o["rank"] is not None]


def test_default_weights_rank(engine):
    cfg = load_config(overrides={"ranking": {"min_citizen_comments": 5}})
    res = compute_metrics(engine, PERIOD, config=cfg)
    assert _order(res) == ["akim_a", "akim_e"]
    a = res[0]
    # activity 60, responsiveness 50, action 100·(0.5·0.833 + 0.5·1) = 91.6 (coverage 5/6 shown as 0.833), voice 20
    assert a["components"]["activity"] == 60.0 and a["components"]["responsiveness"] == 50.0
    assert a["components"]["action"] == 91.6 and a["components"]["personal_voice"] == 20.0
    assert a["score"] == round((60 * .30 + 50 * .35 + 91.6 * .20 + 20 * .15), 1)
    assert a["metric_ranks"]["personal_voice"] == 2 and res[1]["metric_ranks"]["personal_voice"] == 1
    assert a["why"]["state"] == "ranked" and a["why"]["parts"][0]["component"] == "action"
    assert {p["component"]: p["score"] for p in a["why"]["parts"]}["responsiveness"] == 50
    assert "ответы гражданам 50" in explain_text(a)  # the words are the reports' (akimwatch/reports/explain.py)


def test_weights_change_ranking(engine, tmp_path):
    path = tmp_path / "w.yaml"
    path.write_text("ranking:\n  min_citizen_comments: 5\n  weights: {activity: 0, responsiveness: 0, action: 0, "
                    "personal_voice: 1}\n", "utf-8")
    res = compute_metrics(engine, PERIOD, config=load_config(path))
    assert _order(res) == ["akim_e", "akim_a"]
    assert res[0]["score"] == 100.0


def test_not_enough_data(engine):
    res = {o["official_id"]: o for o in compute_metrics(engine, PERIOD)}
    for oid in ("akim_b", "akim_c", "akim_d"):
        assert res[oid]["rank"] is None and res[oid]["score"] is None
        assert res[oid]["rank_state"] == "not_enough_data" and res[oid]["why"]["state"] == "not_enough_data"
        assert "недостаточно данных" in explain_text(res[oid])
    # With the default 20-comment minimum akim_a (7 comments) is ranked without the responsiveness part.
    assert res["akim_a"]["components"]["responsiveness"] is None
    assert res["akim_a"]["why"]["missing"] == ["responsiveness"]
    assert "без данных: ответы гражданам" in explain_text(res["akim_a"])
    cfg = load_config(overrides={"ranking": {"min_posts": 15}})
    res = {o["official_id"]: o for o in compute_metrics(engine, PERIOD, config=cfg)}
    assert res["akim_a"]["rank_state"] == "not_enough_data" and res["akim_e"]["rank"] == 1


def test_config_errors(tmp_path):
    with pytest.raises(ValueError, match="unknown key 'dormant'"):
        load_config(overrides={"activity": {"dormant": 3}})
    with pytest.raises(ValueError, match="unknown weight"):
        load_config(overrides={"ranking": {"weights": {"likes": 1}}})
    with pytest.raises(ValueError, match="does not exist"):
        load_config(tmp_path / "missing.yaml")
