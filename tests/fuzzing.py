"""Hostile inputs for the importers: mutations of real and built samples, written to disk as files.

Each mutation is a pure function of (sample bytes, random generator) so a failing input can be rebuilt from its
seed. Used by tests/test_fuzz_import.py; also runnable by hand for a longer soak:
``python -m tests.fuzzing <n per sample>``.
"""

from __future__ import annotations

import gzip
import lzma
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

HUGE_INT = 99999999999999999999999  # above 2^64
TEN_MB = 10 * 2**20


def _load(data: bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return None


def _walk(obj: Any, path: tuple = ()) -> list[tuple]:
    """Every (container path) to a value inside obj, for picking a random place to mutate."""
    out = [path]
    if isinstance(obj, dict):
        for k, v in list(obj.items())[:50]:
            out.extend(_walk(v, (*path, k)))
    elif isinstance(obj, list):
        for i, v in enumerate(obj[:20]):
            out.extend(_walk(v, (*path, i)))
    return out


def _set(obj: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    parent = obj
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return obj


def _get(obj: Any, path: tuple) -> Any:
    for key in path:
        obj = obj[key]
    return obj


def _json_mutation(change: Callable[[Any, random.Random], Any]) -> Callable[[bytes, random.Random], bytes]:
    def mutate(data: bytes, rng: random.Random) -> bytes:
        obj = _load(data)
        if obj is None:  # JSON lines / HTML / CSV: mutate the first JSON line if there is one
            lines = data.split(b"\n")
            for i, line in enumerate(lines):
                row = _load(line)
                if row is not None:
                    lines[i] = _dumps(change(row, rng))
                    return b"\n".join(lines)
            return data
        return _dumps(change(obj, rng))
    return mutate


def _dumps(obj: Any) -> bytes:
    try:
        text = orjson.dumps(obj)
    except TypeError:  # integers beyond 64 bits: orjson refuses them, the json module writes them
        import json

        text = json.dumps(obj, ensure_ascii=False).encode()
    if DEEP.encode() in text:
        text = text.replace(b'"' + DEEP.encode() + b'"', deep_text(random.Random(len(text))), 1)
    return text


def _swap_type(obj: Any, rng: random.Random) -> Any:
    path = rng.choice(_walk(obj))
    old = _get(obj, path) if path else obj
    choices: list[Any] = [{"nested": {"x": 1}}, [1, [2]], HUGE_INT, -HUGE_INT, 1.5e308, True, None, "",
                          "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", ["a", "b"], 2**63, -1]
    value = rng.choice([c for c in choices if type(c) is not type(old)] or choices)
    return _set(obj, path, value) if path else obj


def _drop_key(obj: Any, rng: random.Random) -> Any:
    paths = [p for p in _walk(obj) if p and isinstance(_get(obj, p[:-1]), dict)]
    if paths:
        path = rng.choice(paths)
        del _get(obj, path[:-1])[path[-1]]
    return obj


def _huge_string(obj: Any, rng: random.Random) -> Any:
    paths = [p for p in _walk(obj) if p and isinstance(_get(obj, p), str)]
    if paths:
        _set(obj, rng.choice(paths), "ж" * (TEN_MB // 2))
    return obj


def _nul_string(obj: Any, rng: random.Random) -> Any:
    paths = [p for p in _walk(obj) if p and isinstance(_get(obj, p), str)]
    for path in rng.sample(paths, min(5, len(paths))):
        _set(obj, path, "a\x00b" + "x" * rng.choice([0, 300]))
    return obj


def _long_ids(obj: Any, rng: random.Random) -> Any:
    for path in _walk(obj):
        if path and str(path[-1]).endswith("id") and isinstance(_get(obj, path), str | int):
            _set(obj, path, "7" * 400)
    return obj


DEEP = "__deep_nesting_goes_here__"


def _deep(obj: Any, rng: random.Random) -> Any:
    paths = [p for p in _walk(obj) if p]
    return _set(obj, rng.choice(paths), DEEP) if paths else DEEP


def deep_text(rng: random.Random) -> bytes:
    """JSON nested 255–1000 levels (written as text: no JSON library writes it)."""
    depth = rng.choice([255, 300, 1000])
    opens = "".join(rng.choice(['[', '{"k":']) for _ in range(depth))
    closes = "".join("]" if o == "[" else "}" for o in reversed([c[0] for c in _split_opens(opens)]))
    return (opens + '"bottom"' + closes).encode()


def _split_opens(opens: str) -> list[str]:
    out, i = [], 0
    while i < len(opens):
        if opens[i] == "[":
            out.append("[")
            i += 1
        else:
            out.append('{"k":')
            i += 5
    return out


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(0, max(1, len(data)))]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return b"\xff"
    out = bytearray(data)
    for _ in range(rng.choice([1, 3, 20])):
        i = rng.randrange(len(out))
        out[i] = rng.randrange(256)
    return bytes(out)


def invalid_utf8(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(0, max(1, len(data)))
    return data[:i] + rng.choice([b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80"]) + data[i:]


def bom(data: bytes, rng: random.Random) -> bytes:
    return rng.choice([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]) + data


def empty(data: bytes, rng: random.Random) -> bytes:
    return rng.choice([b"", b" \n", b"{}", b"[]", b"null", b"0"])


MUTATIONS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "truncate": truncate, "flip": flip_bytes, "utf8": invalid_utf8, "bom": bom, "empty": empty,
    "swap": _json_mutation(_swap_type), "drop": _json_mutation(_drop_key), "nul": _json_mutation(_nul_string),
    "longid": _json_mutation(_long_ids), "deep": _json_mutation(_deep), "huge": _json_mutation(_huge_string),
}


def compressed(name: str, data: bytes, kind: str) -> tuple[str, bytes]:
    """The same bytes as the sample's compressed form (instaloader writes .json.xz)."""
    if kind == "xz":
        return name + ".xz", lzma.compress(data)
    return name + ".gz", gzip.compress(data)


def bombs(mb: int = 300) -> list[tuple[str, bytes]]:
    """Small compressed files that decompress to far more than any export: zeros, blank lines, one huge line."""
    return [("bomb_zeros.json.gz", gzip.compress(b'{"data": "' + b"0" * (mb * 2**20) + b'"}', 6)),
            ("bomb_blank.jsonl.xz", lzma.compress(b"\n" * (mb * 2**20), preset=1)),
            ("bomb_line.jsonl.gz", gzip.compress(b'{"kind": "post", "text": "' + b"a" * (mb * 2**20) + b'"}\n', 6))]


def write_input(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


if __name__ == "__main__":  # pragma: no cover - a longer soak by hand
    import sys
    import tempfile

    from akimwatch.ingest import import_file
    from akimwatch.sources.limits import ImportLimits
    from akimwatch.store.engine import create_store_engine, ensure_schema
    from tests.conftest import real_samples

    per = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    limits = ImportLimits(max_bytes=64 * 2**20, ratio_floor=16 * 2**20, max_seconds=20)
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_store_engine(f"sqlite:///{tmp}/f.db")
        ensure_schema(engine)
        rng = random.Random(1)
        bad = 0
        for sample in real_samples():
            data = sample.read_bytes()
            for kind, mutate in MUTATIONS.items():
                for n in range(per):
                    path = write_input(Path(tmp), f"{kind}{n}_{sample.name}", mutate(data, rng))
                    res = import_file(engine, path, limits=limits)
                    if res.error and ("internal error" in res.error or "\n" in res.error):
                        bad += 1
                        print(res.error)
                    path.unlink()
        print("bad", bad)
