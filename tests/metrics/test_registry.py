"""The metric registry: compute_metrics loops over it; a new metric is one registered function."""

from __future__ import annotations

import pytest

from akimwatch.metrics import compute_metrics
from akimwatch.metrics.registry import METRICS, metric, metrics_for, needed_inputs
from tests.metrics.builders import PERIOD, build


@pytest.fixture
def engine(sqlite_store):
    build(sqlite_store)
    return sqlite_store


def test_every_builtin_metric_is_registered_once_per_level():
    for level in ("account", "official"):
        names = [m.name for m in metrics_for(level)]
        assert len(names) == len(set(names))
    assert {"activity", "responsiveness", "topics", "acted_on", "examples"} <= {m.name for m in metrics_for("official")}
    assert needed_inputs() >= {"posts", "comment_aggregates", "official_replies", "topic_days"}


def test_a_registered_metric_is_computed_for_every_account_and_official(engine):
    @metric("video_posts", "account", needs=("posts",))
    def video_posts(s):
        return {"video_posts": sum(1 for p in s.posts if p["media_kind"] in ("video", "long_video"))}

    @metric("accounts_with_video", "official", needs=("accounts",))
    def accounts_with_video(s):
        return {"accounts_with_video": sum(1 for a in s.accounts if a["video_posts"])}

    try:
        res = compute_metrics(engine, PERIOD)
    finally:
        METRICS[:] = [m for m in METRICS if m.name not in ("video_posts", "accounts_with_video")]
    assert all("video_posts" in a for o in res for a in o["accounts"])
    assert all(o["accounts_with_video"] == sum(1 for a in o["accounts"] if a["video_posts"]) for o in res)
    assert "video_posts" not in compute_metrics(engine, PERIOD)[0]["accounts"][0]


def test_inputs_are_declared():
    with pytest.raises(ValueError, match="unknown input"):
        metric("bad", "account", needs=("tweets",))
    with pytest.raises(ValueError, match="registered twice"):
        metric("activity", "account", needs=("posts",))(lambda s: {})


def test_the_json_has_codes_not_sentences(engine):
    for o in compute_metrics(engine, PERIOD):
        assert isinstance(o["why"], dict) and o["why"]["state"] in ("ranked", "not_enough_data")
        assert not any(k.startswith("_") for k in o) and not any(k.startswith("_") for a in o["accounts"] for k in a)
