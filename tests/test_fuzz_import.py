"""Hostile input for every importer: no traceback, no hang, no store change on failure, one line per error,
the same outcome on SQLite and PostgreSQL.

Per run (fixed seeds, so a failure reproduces): every real sample under 1 MB in ../shared/data/formats gets one
mutation and every built fixture two, drawn from tests/fuzzing.py (truncation, byte flips, invalid UTF-8, BOMs, empty
files, type swaps, missing keys, NUL, over-long ids, 255–1000 levels of nesting, 10 MB strings); one sample per
format gets all eleven; hypothesis puts generated JSON values into every format's fixtures; compression bombs,
FIFOs and odd names are tried once each. ``FUZZ_EXAMPLES`` (default 60) sets the hypothesis examples; CI can raise
it. The counts are printed by ``test_fuzz_summary``.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import time
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from akimwatch.ingest import import_file
from akimwatch.sources import all_formats
from akimwatch.sources.base import display_path
from akimwatch.sources.limits import ImportLimits
from akimwatch.store.queries import count_rows
from akimwatch.store.schema import import_runs
from tests import fuzzing
from tests.conftest import FORMATS

FIXTURES = Path(__file__).parent / "fixtures"
LIMITS = ImportLimits(max_bytes=64 * 2**20, ratio_floor=8 * 2**20, max_line=16 * 2**20, max_seconds=30)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
TRIED: dict[str, int] = {}


def samples() -> list[Path]:
    real = sorted(p for p in FORMATS.rglob("*") if p.is_file() and p.suffix not in (".md", ".yaml")
                  and p.name != "LICENSE" and p.stat().st_size < 2**20) if FORMATS.exists() else []
    built = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.suffix in (".json", ".jsonl", ".ndjson",
                                                                                     ".html", ".csv", ".xz"))
    return real + [p for p in built if "registry" not in p.parts]


def check_outcome(engine, path: Path, before: dict, result) -> None:
    """The contract every input must keep, whatever it holds."""
    TRIED["inputs"] = TRIED.get("inputs", 0) + 1
    with engine.connect() as conn:
        assert not conn.execute(select(import_runs.c.id).where(import_runs.c.status == "running")).first()
    if result.not_imported:
        assert "\n" not in result.not_imported
        return
    if result.ok:
        return
    error = result.error or ""
    assert "internal error" not in error, error  # a bug reached the catch-all
    assert "\n" not in error and error.startswith(display_path(path)), error
    assert count_rows(engine) == before, f"a failed import changed the store: {error}"


def run_one(engine, path: Path, limits: ImportLimits = LIMITS, **kwargs):
    before = count_rows(engine)
    started = time.monotonic()
    result = import_file(engine, path, limits=limits, **kwargs)
    assert time.monotonic() - started < LIMITS.max_seconds + 15, path
    check_outcome(engine, path, before, result)
    return result


def mutated_inputs(folder: Path, seed: int = 20261201) -> list[Path]:
    rng = random.Random(seed)
    out = []
    by_format_done: set[str] = set()
    kinds = sorted(fuzzing.MUTATIONS)
    for n, sample in enumerate(samples()):
        data = sample.read_bytes()
        if sample.suffix == ".xz":
            import lzma

            data = lzma.decompress(data)
        key = sample.parent.name
        per_file = 2 if sample.is_relative_to(FIXTURES) else 1
        chosen = kinds if key not in by_format_done else rng.sample([k for k in kinds if k != "huge"], per_file)
        by_format_done.add(key)
        for kind in chosen:
            own = folder / f"{n}_{kind}"  # one folder each: Telegram looks beside a group export for its channel
            own.mkdir()
            out.append(fuzzing.write_input(own, sample.name.removesuffix(".xz"), fuzzing.MUTATIONS[kind](data, rng)))
    return out


def test_mutated_samples_never_end_in_a_traceback(sqlite_store, tmp_path):
    inputs = mutated_inputs(tmp_path)
    for path in inputs:
        run_one(sqlite_store, path)
    TRIED["mutations"] = len(inputs)


def test_compression_bombs_odd_names_fifos_and_empty_files(sqlite_store, tmp_path):
    results = {}
    tight = ImportLimits(max_bytes=24 * 2**20, ratio_floor=2 * 2**20, max_line=4 * 2**20, max_seconds=30)
    for name, data in fuzzing.bombs(mb=40):  # 40 MB inside 40–200 KB: over every budget below
        results[name] = run_one(sqlite_store, fuzzing.write_input(tmp_path, name, data), limits=tight)
    assert all(not r.ok for r in results.values())
    for name in ("bomb_zeros.json.gz", "bomb_line.jsonl.gz"):
        assert "(limit AKIMWATCH_IMPORT_MAX_" in results[name].error, results[name].error
    blank = tmp_path / "bomb_blank.jsonl.xz"  # no format claims blank lines; forced, the budget stops it
    forced = run_one(sqlite_store, blank, format_id="tabular_jsonl", limits=tight)
    assert not forced.ok and "(limit AKIMWATCH_IMPORT_MAX_" in forced.error, forced.error
    odd = [b"line\nbreak.jsonl", b"\xff\xfe-latin1.jsonl", b"  spaces  .jsonl", b"x" * 240 + b".jsonl",
           "кириллица.jsonl".encode()]
    row = orjson.dumps({"kind": "post", "platform": "vk", "id": "1", "account": "a",
                        "published_at": "2024-01-01T00:00:00Z"}) + b"\n"
    for raw in odd:
        path = Path(os.fsdecode(bytes(tmp_path) + b"/" + raw))
        path.write_bytes(row)
        assert run_one(sqlite_store, path).ok
    for name, data in (("e.json", b""), ("b.json", b"\xef\xbb\xbf"), ("n.jsonl", b"\n\n"), ("z.json.gz", b""),
                       ("x.json.xz", b"\xfd7zXZ\x00"), ("g.json.gz", b"\x1f\x8b\x08\x00junk")):
        run_one(sqlite_store, fuzzing.write_input(tmp_path, name, data))
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    assert "named pipe" in run_one(sqlite_store, fifo).error
    TRIED["special"] = len(results) + len(odd) + 7


def test_truncated_and_corrupt_compressed_files_name_the_file_and_never_stop_a_folder(sqlite_store, tmp_path):
    import gzip
    import lzma

    folder = tmp_path / "f"
    folder.mkdir()
    good = b"".join(orjson.dumps({"kind": "post", "platform": "vk", "id": str(i), "account": "a",
                                  "published_at": "2024-01-01T00:00:00Z"}) + b"\n" for i in range(500))
    (folder / "a_cut.jsonl.gz").write_bytes(gzip.compress(good)[:-40])
    (folder / "b_cut.jsonl.xz").write_bytes(lzma.compress(good)[:-40])
    broken = bytearray(gzip.compress(good))
    broken[30:40] = b"\x00" * 10
    (folder / "c_corrupt.jsonl.gz").write_bytes(bytes(broken))
    (folder / "d_good.jsonl").write_bytes(good)
    from akimwatch.ingest import import_files

    results = import_files(sqlite_store, [folder])
    assert [r.ok for r in results] == [False, False, False, True]
    for r in results[:3]:
        assert r.error.startswith(r.path) and "\n" not in r.error
    assert "is truncated" in results[0].error and "is truncated" in results[1].error
    assert count_rows(sqlite_store)["posts"] == 500


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.floats(allow_nan=False)
    | st.text(max_size=30) | st.sampled_from(["", "\x00", "0001-01-01T00:00:00+14:00", "2024-02-30T00:00:00Z",
                                             "-1", "1e400", "id" * 150]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8)


def _format_templates() -> list[Path]:
    """One built fixture per importable shape (every format is covered: the contract test checks detection)."""
    return [p for p in samples() if p.is_relative_to(FIXTURES) and p.suffix in (".json", ".jsonl", ".ndjson")]


_GENERATED_STORE: list = []


def _generated_store(factory):
    """One store for all generated examples (a migration per example would dominate the run)."""
    if not _GENERATED_STORE:
        from akimwatch.store.engine import create_store_engine, ensure_schema

        engine = create_store_engine(f"sqlite:///{factory.mktemp('genstore') / 's.db'}")
        ensure_schema(engine)
        _GENERATED_STORE.append(engine)
    return _GENERATED_STORE[0]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(data=st.data())
def test_generated_values_in_every_format(data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("gen")
    engine = _generated_store(tmp_path_factory)
    template = data.draw(st.sampled_from(_format_templates()))
    obj = orjson.loads(template.read_bytes().splitlines()[0] if template.suffix != ".json"
                       else template.read_bytes())
    places = fuzzing._walk(obj)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(places))
        if path:
            with contextlib.suppress(KeyError, IndexError, TypeError):
                fuzzing._set(obj, path, data.draw(JSON_VALUES))
    target = folder / template.name
    target.write_bytes(fuzzing._dumps(obj))
    shutil.copy(template, folder / ("orig_" + template.name))
    run_one(engine, target)
    TRIED["generated"] = TRIED.get("generated", 0) + 1


@pytest.mark.postgres
def test_the_same_outcome_on_sqlite_and_postgresql(tmp_path, request):
    """Every mutated input of a sample set, on both backends: the same success, counts and error."""
    from tests.conftest import _require_pg

    _require_pg()
    import uuid

    from sqlalchemy import create_engine, text

    from akimwatch.store.engine import create_store_engine, ensure_schema
    from tests.conftest import PG_URL

    lite = create_store_engine(f"sqlite:///{tmp_path / 's.db'}")
    ensure_schema(lite)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    pg = create_store_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        ensure_schema(pg)
        inputs = mutated_inputs(tmp_path, seed=7)[::6]
        for path in inputs:
            a, b = run_one(lite, path), run_one(pg, path)
            assert (a.ok, a.error, a.not_imported) == (b.ok, b.error, b.not_imported), path
            if a.ok:
                assert {k: v for k, v in a.counts.items() if k != "accounts_created"} == \
                    {k: v for k, v in b.counts.items() if k != "accounts_created"}, path
        assert count_rows(lite) == count_rows(pg)
        TRIED["both_backends"] = len(inputs)
    finally:
        pg.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_fuzz_summary(capsys):
    with capsys.disabled():
        print(f"\nfuzz: {TRIED}")


# -- the specific findings of the probe, each a test that failed before ------------------------------------------
def test_a_valid_integer_above_2_63_in_graph_json_is_not_truncated_json(sqlite_store, tmp_path):
    path = tmp_path / "media.json"
    path.write_text('{"data": [{"id": "17900000000000001", "caption": "c", "timestamp": "2024-05-01T10:00:00+0000",'
                    ' "media_type": "IMAGE", "username": "akimat", "like_count": 99999999999999999999}]}')
    res = import_file(sqlite_store, path)  # parsed (it is valid JSON), then refused as a count: not "truncated"
    assert not res.ok and res.error.startswith(f"{path}, record 1: field 'likes' is out of range (")
    ok = tmp_path / "media_ok.json"
    ok.write_text(path.read_text().replace('"like_count": 99999999999999999999', '"like_count": 5, '
                                           '"ig_id": 99999999999999999999'))
    assert import_file(sqlite_store, ok).ok


def test_forcing_the_preview_format_on_json_fails_clearly(sqlite_store, tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"data": []}')
    res = import_file(sqlite_store, path, format_id="telegram_preview")
    assert not res.ok and res.error == f"{path}: is JSON, not a t.me page (HTML); drop --format to detect the format"


def test_same_id_on_two_platforms_in_one_generic_file_keeps_both(sqlite_store, tmp_path):
    rows = [{"kind": "post", "platform": p, "id": "dup1", "account": "a", "published_at": "2024-01-01T00:00:00Z",
             "text": p} for p in ("instagram", "vk")]
    path = tmp_path / "dup.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    res = import_file(sqlite_store, path)
    assert res.ok and res.counts["posts"] == 2 and count_rows(sqlite_store)["posts"] == 2


def test_a_big_facebook_message_costs_linear_time(tmp_path):
    from akimwatch.sources import detect_format
    from akimwatch.sources.facebook import parse_graph

    def cost(size: int) -> float:
        page = {"data": [{"id": "1_2", "created_time": "2024-05-01T10:00:00+0000", "message": "ж" * size,
                          "from": {"id": "5", "name": "A"}}]}
        path = tmp_path / f"c{size}.json"
        path.write_bytes(orjson.dumps(page))
        started = time.perf_counter()
        assert detect_format(path).id == "facebook_graph" and len(list(parse_graph(path))) == 1
        return time.perf_counter() - started

    small, big = cost(500_000), cost(5_000_000)
    assert big < 10 * small * 3 + 0.5  # 10× the size: linear plus noise (it was quadratic: ~100×)


def test_every_format_refuses_nothing_silently_when_forced_on_garbage(sqlite_store, tmp_path):
    path = tmp_path / "garbage.json"
    path.write_bytes(b"\x00\x01\x02 not an export")
    for fmt in all_formats():
        res = run_one(sqlite_store, path, format_id=fmt.id)
        assert not res.ok or res.counts.get("posts", 0) + res.counts.get("all_comments", 0) == 0
