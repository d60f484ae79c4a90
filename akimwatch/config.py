"""One configuration: the TOML file named by ``AKIMWATCH_CONFIG``, sections overridden by environment variables.

The file (default ``~/.config/akimwatch/config.toml``; the older ``credentials.toml`` there is read too) has four
sections, each optional and needing only the keys it changes::

    [metrics]                      # thresholds and weights (docs/methodology.md)
    activity.dormant_days = 45
    ranking.weights = {activity = 0.1, responsiveness = 0.6, action = 0.2, personal_voice = 0.1}

    [credentials]                  # platform tokens (docs/collectors.md)
    facebook_token = "EAAB..."

    [web]                          # the dashboard (docs/deploy.md)
    private = true

    [harvest]                      # live collection (docs/collectors.md)
    recent_days = 7

Environment variables override keys: ``AKIMWATCH_<SECTION>__<KEY>[__<SUBKEY>]`` (e.g.
``AKIMWATCH_METRICS__RANKING__MIN_POSTS=10``, ``AKIMWATCH_WEB__PRIVATE=1``), values read as TOML values when they
parse as one (numbers, booleans), else as text. The established short names keep working:
``AKIMWATCH_<NAME>`` for a credential, ``AKIMWATCH_PRIVATE``, ``AKIMWATCH_SLA_HOURS``, ``AKIMWATCH_SECURE_COOKIES``,
``AKIMWATCH_HARVEST_RECENT_DAYS``. ``--config PATH`` on metrics, rank and report names the file for one command;
a YAML file there (the earlier form) holds thresholds only and is read as ``[metrics]``.

Every value of ``[metrics]`` is explained in docs/methodology.md («Thresholds» and «Score and ranking»).
"""

from __future__ import annotations

import copy
import os
import tomllib
from pathlib import Path
from typing import Any

import yaml

ENV_CONFIG = "AKIMWATCH_CONFIG"
DEFAULT_FILES = (Path("~/.config/akimwatch/config.toml"), Path("~/.config/akimwatch/credentials.toml"))
SECTIONS = ("metrics", "credentials", "web", "harvest", "jobs")
ENV_PREFIX = "AKIMWATCH_"


class ConfigError(ValueError):
    """The configuration file or an override is wrong; the message is one line naming the file and the key."""


DEFAULTS: dict[str, Any] = {
    "activity": {
        # An account is `active` when it posted in at least this share of the weeks it was observed.
        "active_min_week_share": 0.5,
        # … and at least this many posts per week on average (a post every other week is not «active»).
        "active_min_posts_per_week": 1.0,
        # `dormant`: nothing posted for this many days before the end of the period.
        "dormant_days": 30,
        # `inactive`: the account exists but has at most this many posts ever (up to the end of the period).
        "inactive_max_posts": 3,
        # Coverage: an account whose data span fewer days than this is judged on nothing (status `thin_coverage`,
        # no silences, no rank) — a single t.me/s page of one day is not an akim who went quiet.
        "min_coverage_days": 14,
    },
    "responsiveness": {
        # A request or question with no official reply older than this many days is in the «inbox».
        "inbox_days": 7,
    },
    "agenda": {
        "top_topics": 5,
        # A citizen «cluster»: at least this many comments on one topic within `acted_on_days` before a post.
        "cluster_min_comments": 3,
        # An official post (or promising reply) within this many days after the cluster counts as «acted on».
        "acted_on_days": 14,
        # Comments whose character-shingle Jaccard similarity is at least this are one «incident».
        "near_duplicate_jaccard": 0.5,
        "examples_per_topic": 3,
        # Representative comments come from a sample of this many real comments per (official, topic): the first
        # and the last comment of each day, busiest days first.
        "examples_pool": 60,
        "examples": True,
    },
    "ranking": {
        # Fairness: an official is ranked only with at least this many own posts in the period …
        "min_posts": 5,
        # … and the responsiveness part counts only with at least this many citizen comments.
        "min_citizen_comments": 20,
        # Composite score = weighted mean of the component scores (0–100); weights are normalised to sum 1.
        "weights": {"activity": 0.30, "responsiveness": 0.35, "action": 0.20, "personal_voice": 0.15,
                    "engagement": 0.0},
        # Posts per week at which the activity component reaches 100 (fewer scale linearly).
        "activity_full_posts_per_week": 5,
    },
    "civic": {
        # Deleted criticism: a contrast (criticism vs praise removed) is stated only when both groups have at least
        # this many citizen comments and their 95 % Wilson intervals do not overlap (docs/methodology.md).
        "removal_min_comments": 30,
        # Coordinated praise: near-identical = estimated Jaccard of character 4-grams ≥ this …
        "coordination_jaccard": 0.6,
        # … from at least this many distinct authors, of whom ≥ 3 wrote on one post within `burst_minutes`;
        "coordination_min_authors": 3,
        "burst_minutes": 15,
        # texts shorter than this (letters and spaces) are too common to be evidence («Спасибо!», «Рахмет»).
        "coordination_min_chars": 25,
    },
    # Officials with no account of their own can still be found as a tag: official id → ["platform:handle", ...].
    "tag_handles": {},
}


def _merge(base: dict[str, Any], over: dict[str, Any], where: str) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if key not in base:
            raise ConfigError(f"config {where}: unknown key '{key}' (known: {', '.join(sorted(base))})")
        if isinstance(base[key], dict) and key not in ("weights", "tag_handles"):
            if not isinstance(value, dict):
                raise ConfigError(f"config {where}: '{key}' must be a mapping")
            out[key] = _merge(base[key], value, f"{where}.{key}")
        elif key == "weights":
            unknown = set(value) - set(base[key])
            if unknown:
                raise ConfigError(f"config {where}: unknown weight(s) {sorted(unknown)}; known: {sorted(base[key])}")
            out[key] = {**base[key], **{k: float(v) for k, v in value.items()}}
        else:
            out[key] = value
    return out


def config_path(path: str | os.PathLike[str] | None = None) -> Path | None:
    """The configuration file in force: ``path``, else ``$AKIMWATCH_CONFIG``, else the first default that exists."""
    named = path or os.environ.get(ENV_CONFIG)
    if named:
        p = Path(named).expanduser()
        if not p.is_file():
            raise ConfigError(f"config file {p} does not exist (named by "
                              f"{'--config' if path else ENV_CONFIG}); create it or point {ENV_CONFIG} elsewhere")
        return p
    return next((p.expanduser() for p in DEFAULT_FILES if p.expanduser().is_file()), None)


def read_config_file(p: Path) -> dict[str, dict[str, Any]]:
    """The sections of one file; a YAML file is the earlier thresholds-only form (its content is ``[metrics]``)."""
    try:
        text = p.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {p}: cannot be read ({exc})") from None
    if p.suffix.lower() in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"config file {p}: not valid YAML ({' '.join(str(exc).split())})") from None
        if not isinstance(data, dict):
            raise ConfigError(f"config file {p}: the top level must be a mapping")
        return {"metrics": data}
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {p}: not valid TOML ({exc}); fix the file or point {ENV_CONFIG} "
                          "elsewhere") from None
    for key, value in data.items():
        if key not in SECTIONS:
            raise ConfigError(f"config file {p}: unknown section [{key}] (known: "
                              f"{', '.join(f'[{s}]' for s in SECTIONS)})")
        if not isinstance(value, dict):
            raise ConfigError(f"config file {p}: '{key}' must be a section ([{key}]), not a single value")
    return data


def _env_value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def env_overrides(environ: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """``AKIMWATCH_<SECTION>__<KEY>[__<SUBKEY>]=value`` as nested sections."""
    out: dict[str, dict[str, Any]] = {}
    for name, text in (os.environ if environ is None else environ).items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, *path = name[len(ENV_PREFIX):].lower().split("__")
        if section not in SECTIONS or not path or not all(path):
            continue
        node = out.setdefault(section, {})
        for key in path[:-1]:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                raise ConfigError(f"environment {name}: '{key}' is set as a value and as a section")
        node[path[-1]] = _env_value(text)
    return out


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        out[key] = _deep_merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) \
            else value
    return out


def load_settings(path: str | os.PathLike[str] | None = None) -> dict[str, dict[str, Any]]:
    """Every section, as the file gives it with the environment's overrides on top (no defaults applied)."""
    p = config_path(path)
    data = read_config_file(p) if p else {}
    settings = {s: dict(data.get(s) or {}) for s in SECTIONS}
    for section, values in env_overrides().items():
        settings[section] = _deep_merge(settings[section], values)
    settings["_source"] = {"path": str(p) if p else None}  # type: ignore[assignment]
    return settings


def load_config(path: str | os.PathLike[str] | None = None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The metrics thresholds and weights: defaults, then ``[metrics]`` of the configuration (file + environment),
    then ``overrides`` (a dict). Raises ``ConfigError`` (a ``ValueError``) with a one-line message."""
    settings = load_settings(path)
    where = f"{settings['_source']['path'] or 'environment'} [metrics]"
    cfg = _merge(copy.deepcopy(DEFAULTS), settings["metrics"], where)
    if overrides:
        cfg = _merge(cfg, overrides, "overrides")
    return cfg
