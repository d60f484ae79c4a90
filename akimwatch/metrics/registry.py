"""The metric registry: each metric is a function with its inputs declared, registered for one level.

``compute_metrics`` loads the inputs the registered metrics need (set-based, once per run), then loops over the
registry for every account and every official; a new metric is one ``@metric`` function, its fields documented in
docs/methodology.md («JSON contract»). Metrics return numbers and reason codes, never sentences: the words are in
``akimwatch/reports``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Level = Literal["account", "official"]

# What a metric may ask for. Store inputs are loaded only when some registered metric needs them.
STORE_INPUTS = ("posts", "posts_ever", "comment_aggregates", "official_replies", "topic_days", "followers",
                "mentions", "coverage", "removals", "coordination")
# Computed earlier in the same scope: the account rows an official's metrics read, and the official's activity.
DERIVED_INPUTS = ("accounts", "activity", "status")


@dataclass
class Scope:
    """Everything one account's or one official's metrics may read (only the declared ``needs`` are filled)."""

    cfg: dict[str, Any]
    label_versions: dict[str, str]
    start: datetime | None
    end: datetime | None
    as_of: datetime | None
    inbox_cutoff: datetime | None
    tz: str
    posts: list[dict[str, Any]] = field(default_factory=list)
    posts_ever: int = 0
    posts_before: int = 0
    comment_aggregates: list[dict[str, Any]] = field(default_factory=list)
    official_replies: list[dict[str, Any]] = field(default_factory=list)
    topic_days: list[tuple] = field(default_factory=list)
    followers: list[dict[str, Any]] = field(default_factory=list)
    coverage: list[dict[str, Any]] = field(default_factory=list)  # stored spans (store ``coverage_rows``)
    tagged: int = 0
    removal_counts: list[dict[str, Any]] = field(default_factory=list)  # input «removals» (akimwatch/civic)
    removed_rows: list[dict[str, Any]] = field(default_factory=list)
    rechecked: bool = False
    praise_rows: list[dict[str, Any]] = field(default_factory=list)  # input «coordination» (akimwatch/civic)
    single_minded: dict[str, set[str]] = field(default_factory=dict)  # official id → authors
    voice_source: str = "labels"
    accounts: list[dict[str, Any]] = field(default_factory=list)  # official level: the finished account rows
    row: dict[str, Any] = field(default_factory=dict)  # the fields computed so far for this account / official


@dataclass(frozen=True)
class Metric:
    name: str
    level: Level
    needs: tuple[str, ...]
    compute: Callable[[Scope], dict[str, Any]]


METRICS: list[Metric] = []


def metric(name: str, level: Level, needs: tuple[str, ...] = ()) -> Callable[[Callable], Callable]:
    """Register ``compute(scope) -> {field: value}`` as a metric; fields merge into the account or official row."""
    unknown = set(needs) - set(STORE_INPUTS) - set(DERIVED_INPUTS)
    if unknown:
        raise ValueError(f"metric {name}: unknown input(s) {sorted(unknown)} (known: {STORE_INPUTS + DERIVED_INPUTS})")

    def register(fn: Callable[[Scope], dict[str, Any]]) -> Callable[[Scope], dict[str, Any]]:
        if any(m.name == name and m.level == level for m in METRICS):
            raise ValueError(f"metric {name} ({level}) is registered twice")
        METRICS.append(Metric(name, level, tuple(needs), fn))
        return fn

    return register


def metrics_for(level: Level) -> tuple[Metric, ...]:
    """The registered metrics of one level, in registration order (a metric may read fields of earlier ones)."""
    import akimwatch.metrics.builtin  # noqa: F401 - registers the built-in metrics

    return tuple(m for m in METRICS if m.level == level)


def needed_inputs() -> set[str]:
    return {n for level in ("account", "official") for m in metrics_for(level) for n in m.needs}
