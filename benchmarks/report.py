"""Benchmark: the HTML report for 200 officials over 1,000,000 comments, against `akimwatch metrics --format json`.

    python benchmarks/report.py [--comments 1000000] [--officials 200] [--repeat 2] [--keep PATH]

Builds a generated SQLite store (schema by ``open_store``, rows by sqlite3 executemany): a watch list of 200
officials with one Instagram account each (every fifth also a Facebook account), 100 posts per account over
2019 (some reposts of news portals), comments on those posts (3 % official replies threaded under a citizen
comment), and topic + comment_type labels as the analysis stage would leave them. Then, both as the CLI a user
runs (a fresh process each, best of --repeat):

- reference: ``akimwatch metrics --format json --db STORE`` (the numbers alone);
- ours: ``akimwatch report --format html --db STORE --out FILE`` (the same numbers, computed once, plus the
  extra reads, prose, charts and map of the report).

Prints both times and, last, ``report ratio: X`` = metrics time ÷ report time (goal ≥ 0.5: writing the report
costs at most as much again as computing its numbers).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synthetic_store import build_store  # noqa: E402  (benchmarks/ is on sys.path when run as a script)


def _cli() -> list[str]:
    exe = Path(sys.executable).with_name("akimwatch")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "akimwatch.cli"]


def _timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--comments", type=int, default=1_000_000)
    ap.add_argument("--officials", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=2, help="Runs of each side; the best time counts.")
    ap.add_argument("--keep", type=Path, help="Build (or reuse) the store at this path instead of a temp dir.")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    path = args.keep or Path(tmp.name) / "bench.db"
    if not path.exists():
        t0 = time.perf_counter()
        build_store(path, args.comments, args.officials, facebook_every=5)
        print(f"built store: {args.comments:,} comments, {args.officials} officials in "
              f"{time.perf_counter() - t0:.1f} s")
    out = Path(tmp.name) / "report.html"
    cli = _cli()
    metrics_cmd = cli + ["metrics", "--format", "json", "--db", str(path)]
    report_cmd = cli + ["report", "--format", "html", "--lang", "ru", "--db", str(path), "--out", str(out)]
    # Warm-up (not timed): the voice labels both commands write on first use, and the page cache.
    subprocess.run(metrics_cmd, check=True, stdout=subprocess.DEVNULL)
    t_metrics = t_report = float("inf")
    for _ in range(args.repeat):
        t_metrics = min(t_metrics, _timed(metrics_cmd))
        t_report = min(t_report, _timed(report_cmd))
    size = out.stat().st_size
    html = out.read_text("utf-8")
    sections = html.count('class="official"')
    print(f"akimwatch metrics --format json: {t_metrics:.2f} s")
    print(f"akimwatch report --format html: {t_report:.2f} s ({sections} official sections, {size / 1e6:.1f} MB, "
          f"{html.count('<svg')} charts)")
    print(f"best of {args.repeat} runs each")
    tmp.cleanup()
    print(f"report ratio: {t_metrics / t_report:.3f}")


if __name__ == "__main__":
    main()
