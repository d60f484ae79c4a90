"""The synthetic demo: generator determinism, the committed files, the article's story, and `akimwatch demo`.

The data-level tests read the JSON files directly (no importer needed); the end-to-end tests run the real
importers and are skipped only while a format they need is not in the code base yet.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
import yaml
from typer.testing import CliRunner

from akimwatch.cli import app
from akimwatch.demo import DEMO_MARK, demo_data_dir, demo_files, expected_format
from akimwatch.registry import load_registry
from demo import generate, quotes
from demo.officials import OFFICIALS, account

from .conftest import SHARED, require_shared

DATA = demo_data_dir()
ARTICLE = SHARED.parent / "seed" / "000_e35909bd297137dc.txt"
START = datetime(2019, 3, 1, tzinfo=UTC)
END = datetime(2019, 7, 12, 23, 59, tzinfo=UTC)


def ts(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("+0000", "+00:00").replace("Z", "+00:00"))


def pages(prefix: str) -> list[dict]:
    files = sorted(DATA.glob(f"{prefix}_p*.json"))
    assert files, f"no demo files {prefix}_p*.json"
    return [json.loads(f.read_text("utf-8")) for f in files]


def media(handle: str) -> list[dict]:
    return [m for page in pages(f"instagram_{handle}") for m in page["data"]]


def fb_posts(stem: str) -> list[dict]:
    return [p for page in pages(f"facebook_{stem}") for p in page["data"]]


def ig_comments(items: list[dict]) -> list[tuple[dict, dict]]:
    """(comment or reply, its media) pairs."""
    return [(x, m) for m in items for c in m["comments"]["data"] for x in (c, *c["replies"]["data"])]


def tweets() -> list[dict]:
    lines = (DATA / f"x_{account('sagintayev', 'x')['handle']}.jsonl").read_text("utf-8").splitlines()
    return [t for line in lines for t in json.loads(line)["data"]]


# -- generator ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo-a")
    generate.build(out)
    return out


def test_generator_is_deterministic(generated, tmp_path):
    generate.build(tmp_path)
    a = sorted(p.name for p in generated.iterdir())
    assert a == sorted(p.name for p in tmp_path.iterdir())
    for name in a:
        assert (generated / name).read_bytes() == (tmp_path / name).read_bytes(), name


def _content(path: Path):
    """A demo file's data, not its bytes."""
    raw = path.read_bytes()
    if path.suffix == ".yaml":
        return yaml.safe_load(raw)
    if path.suffix == ".csv":
        return raw.decode("utf-8").splitlines()
    if path.suffix == ".jsonl":
        return [orjson.loads(line) for line in raw.splitlines() if line.strip()]
    return orjson.loads(raw)


def test_committed_demo_data_equal_a_fresh_generation(generated):
    fresh = {p.name for p in generated.iterdir()}
    committed = {p.name for p in DATA.iterdir() if p.suffix in (".json", ".jsonl", ".yaml", ".csv")}
    assert committed == fresh, "run `python -m demo.generate` and commit akimwatch/demo_data/"
    for name in fresh:  # by content: a newer YAML/JSON writer may lay the same data out differently
        assert _content(DATA / name) == _content(generated / name), (
            f"akimwatch/demo_data/{name} differs from a fresh generation: never edit it by hand, "
            "change demo/*.py and run `python -m demo.generate`")


def test_every_demo_file_names_its_format():
    assert {expected_format(p) for p in demo_files()} == {"instagram_graph", "facebook_graph", "x_api_v2"}


# -- the article's story, at the data level ------------------------------------------------------
def test_watch_list_is_valid_and_owns_every_file():
    reg = load_registry(DATA / "watchlist.yaml")
    assert len(reg.officials) == 12
    assert {(o.id, o.region, o.position) for o in reg.officials} >= {
        ("kulginov", "KZ-71", "akim_city"), ("sagintayev", "KZ-75", "akim_city"), ("nukenov", "KZ-55", "akim_city"),
        ("bakauov", "KZ-55", "akim_region"), ("trumov", "KZ-47", "akim_region")}
    ids = {(a.platform, a.platform_id) for a in reg.accounts}
    for off in OFFICIALS:
        for acc in off["accounts"]:
            if acc["platform"] == "instagram":
                for m in media(acc["handle"]):
                    assert ("instagram", m["owner"]["id"]) in ids and m["username"] == acc["handle"]
            elif acc["platform"] == "facebook" and off["id"] != "trumov":
                for p in fb_posts(f"{acc['handle']}_feed"):
                    assert p["from"]["id"] == acc["platform_id"] and p["id"].startswith(acc["platform_id"] + "_")
    for t in tweets():
        if t["conversation_id"] == t["id"]:
            assert t["author_id"] == account("sagintayev", "x")["platform_id"]


def test_akmola_has_240_plus_instagram_posts_with_igtv():
    items = media(account("marzhikpaev", "instagram")["handle"])
    assert len(items) >= 240
    igtv = [m for m in items if m["media_product_type"] == "IGTV"]
    assert len(igtv) >= 20 and all(m["media_type"] == "VIDEO" and "/tv/" in m["permalink"] for m in igtv)
    assert all(len(page["data"]) <= 50 for page in pages(f"instagram_{account('marzhikpaev', 'instagram')['handle']}"))


def test_almaty_region_has_exactly_16_instagram_posts_first_in_april():
    items = media(account("batalov", "instagram")["handle"])
    assert len(items) == 16
    assert min(ts(m["timestamp"]) for m in items).month == 4
    shares = [p for p in fb_posts(f"{account('batalov', 'facebook')['handle']}_feed")
              if p.get("attachments", {}).get("data", [{}])[0].get("type") == "share"]
    assert {s["attachments"]["data"][0]["unshimmed_url"].split("/")[2] for s in shares} >= {"tengrinews.kz", "zakon.kz"}


def test_pavlodar_city_is_inactive():
    assert len(media(account("nukenov", "instagram")["handle"])) <= 2


def test_mangystau_only_tagged_by_others():
    me = account("trumov", "facebook")
    assert not list(DATA.glob(f"facebook_{me['handle']}_feed*"))
    tagged = fb_posts(f"{me['handle']}_tagged")
    assert len(tagged) >= 3
    for p in tagged:
        assert p["from"]["id"] != me["platform_id"]
        assert {"id": me["platform_id"], "name": me["name"]} in p["with_tags"]["data"]
        tag = next(t for t in p["message_tags"] if t["id"] == me["platform_id"])
        assert p["message"][tag["offset"]:tag["offset"] + tag["length"]] == me["name"]


def test_article_quotes_are_verbatim():
    kulginov = ig_comments(media(account("kulginov", "instagram")["handle"]))
    texts = {c["text"] for c, _ in kulginov}
    assert set(quotes.ZKO_PRAISE) <= texts
    sag_ig = media(account("sagintayev", "instagram")["handle"])
    assert set(quotes.ZOO_COMMENTS) <= {c["text"] for c, _ in ig_comments(sag_ig)}
    captions = {m["caption"] for m in sag_ig}
    assert {quotes.SAGINTAYEV_ADDRESS, quotes.ZOO_VISIT} <= captions
    assert any(c.startswith(quotes.SAGINTAYEV_CIVIL_SOCIETY) for c in captions)
    assert quotes.SAGINTAYEV_ADDRESS in {p["message"] for p in fb_posts(f"{account('sagintayev', 'facebook')['handle']}_feed")}
    assert quotes.SAGINTAYEV_ADDRESS in {t["text"] for t in tweets()}
    assert quotes.KOSTANAY_ROADS in {m["caption"] for m in media(account("mukhambetov", "instagram")["handle"])}
    assert "Сейдipyлы" in quotes.ZKO_PRAISE[1]  # Latin i, p, y as printed in the article


@pytest.mark.shared_data
def test_quotes_match_the_article():
    article = require_shared("seed", ARTICLE.name).read_text("utf-8")
    for q in (*quotes.ZKO_PRAISE, *quotes.ZOO_COMMENTS, quotes.SAGINTAYEV_ADDRESS, quotes.SAGINTAYEV_CIVIL_SOCIETY,
              quotes.ZOO_VISIT, quotes.KOSTANAY_ROADS):
        assert q in article


def test_zoo_visit_comes_after_the_zoo_comments():
    sag_ig = media(account("sagintayev", "instagram")["handle"])
    visit = next(ts(m["timestamp"]) for m in sag_ig if m["caption"] == quotes.ZOO_VISIT)
    zoo = [ts(c["timestamp"]) for c, _ in ig_comments(sag_ig) if c["text"] in quotes.ZOO_COMMENTS]
    assert len(zoo) == 3 and max(zoo) < visit
    address = next(ts(m["timestamp"]) for m in sag_ig if m["caption"] == quotes.SAGINTAYEV_ADDRESS)
    assert address == min(ts(m["timestamp"]) for m in sag_ig) and address.date().isoformat() == "2019-06-20"


def test_dates_ids_and_threads_are_consistent():
    seen: dict[str, set[str]] = {"instagram": set(), "facebook": set(), "x": set()}
    for path in demo_files():
        if path.suffix == ".jsonl":
            items = [(t, None) for t in tweets()]
            for t, _ in items:
                assert START <= ts(t["created_at"]) <= END
                assert t["id"] not in seen["x"]
                seen["x"].add(t["id"])
            roots = {t["id"]: ts(t["created_at"]) for t, _ in items if t["id"] == t["conversation_id"]}
            for t, _ in items:
                if t["id"] != t["conversation_id"]:
                    assert ts(t["created_at"]) > roots[t["conversation_id"]]
                    assert t["referenced_tweets"][0]["type"] == "replied_to"
            continue
        page = orjson.loads(path.read_bytes())
        platform = "instagram" if path.name.startswith("instagram_") else "facebook"
        for post in page["data"]:
            posted = ts(post.get("timestamp") or post.get("created_time"))
            assert START <= posted <= END, path.name
            assert post["id"] not in seen[platform]
            seen[platform].add(post["id"])
            for c in post["comments"]["data"]:
                nested = c["replies"]["data"] if platform == "instagram" else c["comments"]["data"]
                for x in (c, *nested):
                    when = ts(x.get("timestamp") or x.get("created_time"))
                    assert posted < when <= END, (path.name, x["id"])
                    assert x["id"] not in seen[platform]
                    seen[platform].add(x["id"])
                for r in nested:
                    assert ts(r.get("timestamp") or r.get("created_time")) > ts(c.get("timestamp") or c.get("created_time"))


def test_comments_are_bilingual_and_carry_some_personal_data():
    everything = "\n".join(p.read_text("utf-8") for p in demo_files())
    for phrase in ("Рахмет, аким!", "Жолды қашан жөндейсіздер?", "Газ қашан келеді?", "+7 701 123 45 67",
                   "870412350217", "Ордабасы", "многодет", "IGTV"):
        assert phrase in everything, phrase


def test_only_east_kazakhstan_and_aktobe_answer():
    def official(handle: str, pid: str) -> int:
        return sum(1 for c, _ in ig_comments(media(handle)) if c["from"]["id"] == pid)

    ak = account("akhmetov", "instagram")
    assert official(ak["handle"], ak["platform_id"]) >= 20
    for who in ("kulginov", "sagintayev", "bakauov", "marzhikpaev"):
        acc = account(who, "instagram")
        assert official(acc["handle"], acc["platform_id"]) == 0
    ur = account("urazalin", "facebook")
    replies = [r for p in fb_posts(f"{ur['handle']}_feed") for c in p["comments"]["data"] for r in c["comments"]["data"]
               if r["from"]["id"] == ur["platform_id"]]
    assert replies and all("Пресс-служба" in r["message"] for r in replies)


# -- end to end: the real importers ---------------------------------------------------------------
def _importers_missing() -> str | None:
    from akimwatch.sources import get_format
    from akimwatch.sources.base import SourceError

    for fmt in ("instagram_graph", "facebook_graph", "x_api_v2"):
        try:
            get_format(fmt)
        except SourceError:
            return f"importer '{fmt}' is not merged yet"
    return None


EXPECTED = {"officials": 12, "accounts": 21, "accounts_unassigned": 4, "posts": 856, "comments": 3324,
            "official_replies": 176, "follower_snapshots": 0}


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    missing = _importers_missing()
    if missing:
        pytest.skip(missing)
    out = tmp_path_factory.mktemp("demo-run")
    result = CliRunner().invoke(app, ["demo", "--dir", str(out), "--tier", "fast"])  # accurate: make demo
    return out, result


def test_demo_command_builds_the_store(demo_run):
    out, result = demo_run
    assert result.exit_code == 0, result.output
    assert DEMO_MARK.upper() in result.output and DEMO_MARK in result.output
    for name in ("Алтай Кульгинов", "Серикбай Трумов", "Мангистауская обл.", "FB, IG, X"):
        assert name in result.output
    assert f"store: {(out / 'akimwatch.db').resolve()}" in result.output


def test_demo_status_counts_are_exact(demo_run):
    out, _ = demo_run
    status = CliRunner().invoke(app, ["status", "--db", str(out / "akimwatch.db"), "--json"])
    assert status.exit_code == 0, status.output
    data = json.loads(status.output)
    assert {k: data[k] for k in EXPECTED} == EXPECTED
    runs = data["import_runs"]
    assert runs and all(r["status"] == "ok" for r in runs)


def test_demo_overview_matches_the_generator(demo_run, generated):
    from akimwatch.store import open_store
    from akimwatch.store.queries import is_demo_store, official_overview

    out, _ = demo_run
    engine = open_store(out / "akimwatch.db")
    try:
        assert is_demo_store(engine)
        overview = {row["official_id"]: row for row in official_overview(engine)}
    finally:
        engine.dispose()
    summary = generate.build(generated)
    for official, counts in summary.items():
        row = overview[official]
        assert (row["posts"], row["official_replies"]) == (counts["posts"], counts["official_replies"]), official
        if official != "trumov":  # comments under the posts that tag him belong to the tagging accounts
            assert row["citizen_comments"] == counts["comments"], official
    assert overview["trumov"]["posts"] == 0 and overview["trumov"]["platforms"] == ["facebook"]
    assert overview["nukenov"]["posts"] == 2
    assert overview["marzhikpaev"]["posts"] == 248


def test_demo_rebuilds_a_fresh_store(demo_run, tmp_path):
    from akimwatch.demo import run_demo

    out, _ = demo_run
    again = run_demo(out)
    assert {k: again.counts[k] for k in EXPECTED} == EXPECTED  # the old store was deleted, not added to
