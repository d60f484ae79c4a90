"""The source contract, over every built-in source (like 4CAT's test_modules): ids, detection, real samples."""

from __future__ import annotations

import gzip
import importlib
from pathlib import Path

import orjson
import pytest
import yaml

from akimwatch.models import PLATFORMS
from akimwatch.sources import BUILTIN_SOURCES, all_formats, detect_format, score_formats
from akimwatch.sources.base import Format, SourceError, UnknownFormatError
from akimwatch.sources.peek import peek_file
from tests.conftest import FORMATS, real_samples

# A real sample folder's platforms, from the words of its name (new folders follow the same naming).
FOLDER_WORDS = {"telegram": "telegram", "twitter": "x", "x": "x", "vk": "vk", "facebook": "facebook",
                "instagram": "instagram", "instaloader": "instagram", "youtube": "youtube"}


def folder_platforms(folder: str) -> set[str]:
    found = {FOLDER_WORDS[w] for w in folder.lower().split("-") if w in FOLDER_WORDS}
    assert found, f"real sample folder {folder!r} names no platform: add its word to FOLDER_WORDS"
    return found


def test_every_builtin_source_is_a_module_with_formats():
    ids = []
    for name in BUILTIN_SOURCES:
        module = importlib.import_module(f"akimwatch.sources.{name}")
        assert module.FORMATS, name
        for fmt in module.FORMATS:
            assert fmt.id == fmt.id.lower() and " " not in fmt.id
            assert fmt.platform in PLATFORMS or fmt.platform == "*", fmt.id
            assert fmt.description
            ids.append(fmt.id)
    assert len(ids) == len(set(ids)) == len(all_formats())


def test_no_detector_claims_a_real_sample_of_another_platform():
    """Every detector over every real sample: a claim is only ever made by a format of the folder's platform,
    and at most one format claims a file at the best score (detection is unambiguous)."""
    claimed_any = 0
    for path in real_samples():
        platforms = folder_platforms(path.relative_to(FORMATS).parts[0])
        claims = score_formats(path)
        for _score, fmt in claims:
            assert fmt.platform in platforms, (path, fmt.id, claims)
        if claims:
            claimed_any += 1
            assert len([s for s, _ in claims if s == claims[0][0]]) == 1, (path, claims)
    assert claimed_any >= 40  # most samples are importable; unsupported Graph edges are claimed by none


def cassette_bodies(path: Path) -> list[bytes]:
    """The JSON bodies recorded in a vcrpy cassette (gzip bytes under !!binary, or a plain string)."""
    cassette = yaml.safe_load(path.read_text(encoding="utf-8"))
    bodies = []
    for interaction in cassette["interactions"]:
        body = interaction["response"]["body"]["string"]
        if isinstance(body, bytes):
            body = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
        else:
            body = body.encode()
        bodies.append(body)
    return bodies


def test_x_v2_search_and_mention_responses_are_x_never_instagram(tmp_path):
    """Real X API v2 responses (search/all, search/recent, mentions, quotes, lookup) unwrapped from tweepy's
    cassettes: claimed by x_api_v2 alone, never by Instagram Graph."""
    cassettes = sorted((FORMATS / "twitter-api-v2-tweepy-cassettes").glob("*.yaml"))
    if not cassettes:
        pytest.fail("tweepy cassettes missing from shared data")
    for n, cassette in enumerate(cassettes):
        for m, body in enumerate(cassette_bodies(cassette)):
            assert orjson.loads(body)["data"]
            saved = tmp_path / f"response_{n}_{m}.json"
            saved.write_bytes(body)
            claims = [(s, f.id) for s, f in score_formats(saved)]
            assert claims and claims[0][1] == "x_api_v2", (cassette.name, claims)
            assert all(fid != "instagram_graph" for _, fid in claims), (cassette.name, claims)
            assert detect_format(saved).id == "x_api_v2"


def test_a_key_after_megabytes_still_decides(tmp_path):
    """instaloader 4.14 writes ``"instaloader"`` after a large ``node.iphone_struct``: detection reads structure,
    not the first 64 KiB."""
    node = {"id": "1", "shortcode": "abc", "taken_at_timestamp": 1715158800,
            "owner": {"id": "9", "username": "akimat"},
            "iphone_struct": {"items": [{"k": "x" * 1000, "n": i} for i in range(300)]}}
    path = tmp_path / "2024-05-08_09-00-00_UTC.json"
    path.write_bytes(orjson.dumps({"node": node, "instaloader": {"version": "4.14", "node_type": "Post"}}))
    assert path.stat().st_size > 256 * 1024
    peek = peek_file(path)
    assert peek.complete and peek.keys == ["node", "instaloader"]
    assert detect_format(path).id == "instagram_instaloader"


def test_a_long_first_comment_does_not_hide_a_facebook_page(tmp_path):
    """The old 64 KiB window: a comments page whose first comment is 63,206 Cyrillic characters."""
    page = {"data": [{"id": "1_2", "created_time": "2024-05-01T10:00:00+0000", "message": "ж" * 63_206,
                      "from": {"id": "5", "name": "A"}}],
            "paging": {"next": "https://graph.facebook.com/v19.0/100_200/comments?after=x"}}
    path = tmp_path / "comments.json"
    path.write_bytes(orjson.dumps(page))
    assert detect_format(path).id == "facebook_graph"


def test_two_equal_claims_ask_for_format(tmp_path, monkeypatch):
    import akimwatch.sources as sources

    def parse(path):
        return iter(())

    twins = [Format("one", "x", "d", lambda p, k: 50, parse), Format("two", "vk", "d", lambda p, k: 50, parse)]
    monkeypatch.setattr(sources, "all_formats", lambda: twins)
    path = tmp_path / "a.json"
    path.write_text("{}")
    with pytest.raises(SourceError) as err:
        sources.detect_format(path)
    assert not isinstance(err.value, UnknownFormatError)
    message = str(err.value)
    assert "could be one or two" in message and "--format one or --format two" in message
    assert "\n" not in message


def test_no_claim_is_an_unknown_format(tmp_path):
    path = tmp_path / "notes.json"
    path.write_text('{"hello": "world"}')
    with pytest.raises(UnknownFormatError, match="is not in a supported format"):
        detect_format(path)
