"""Scale-out figures on the real RabbitMQ, Redis and PostgreSQL with `akimwatch worker` processes.

Usage: python benchmarks/scale.py [--comments 1000000] [--sample 16000] [--accounts 2000] [--rate 100]

1. A PostgreSQL store of ``--comments`` comments (benchmarks/synthetic_store.py, copied from SQLite with COPY;
   its bench labels dropped so everything is to be labelled).
2. Analysis throughput: ``--sample`` of those comments in jobs of 1,000 through the broker, with 1 and then 2
   worker processes (each single-threaded, BLAS threads 1): comments/s; ``scale ratio`` = 2 workers ÷ 1.
3. Queue overhead: one 1,000-comment batch in-process (``run_analysis(items=...)``) ÷ the same-size batch as a
   job through the broker to a warm worker (enqueue → done), both timed end to end.
4. Harvest of ``--accounts`` fake VK accounts (tests/jobs/fakevk.py on 127.0.0.1, 3 requests each) by 4 workers
   under a cluster-wide limit of ``--rate`` requests/s: wall time ÷ the bound set by the limit.
Last line: ``scale ratio: X`` (goal ≥ 1.7 on two cores).
"""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import sqlite3  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synthetic_store import build_store  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

from tests.jobs.cluster import Cluster, wait_until  # noqa: E402


class _Skip(Exception):
    """--only harvest: the analysis part is left out."""


TABLES = ("officials", "accounts", "import_runs", "posts", "comments")


def copy_to_postgres(sqlite_path: Path, cluster: Cluster) -> int:
    """Rows of the synthetic SQLite store into the cluster's PostgreSQL database (COPY, no labels)."""
    import psycopg

    src = sqlite3.connect(sqlite_path)
    dsn = cluster.db_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as pg, pg.cursor() as cur:
        cur.execute("SET TIME ZONE 'UTC'")
        for table in TABLES:
            cols = [r[1] for r in src.execute(f"PRAGMA table_info({table})")]
            with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in src.execute(f"SELECT {', '.join(cols)} FROM {table}"):
                    copy.write_row(row)
        for table in ("posts", "comments", "import_runs"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cur.execute("ANALYZE")
    n = src.execute("SELECT count(*) FROM comments").fetchone()[0]
    src.close()
    return int(n)


def analysis_rate(cluster: Cluster, workers: int, ids: list[int]) -> float:
    """Comments/s labelling ``ids`` in 1,000-comment jobs with ``workers`` single-process workers."""
    procs = [cluster.start_worker("analysis", concurrency=1, pool="solo") for _ in range(workers)]
    for p in procs:
        cluster.wait_ready(p)
    publisher = cluster.publisher()
    _warm(cluster, publisher, workers)
    began = time.perf_counter()
    for start in range(0, len(ids), 1000):
        publisher.send("analysis", [cluster.db_url, "comment", ids[start:start + 1000]])
    wait_until(lambda: cluster.progress().summary()["unfinished"] == 0, 3600, "analysis jobs", every=0.05)
    seconds = time.perf_counter() - began
    cluster.stop_workers()
    return len(ids) / seconds


WARM: list[int] = []  # comment ids kept aside for warm-up jobs (labelled once, then no-ops)


def _warm(cluster: Cluster, publisher, workers: int) -> None:
    """Load every model in every worker (small comment jobs) so the timing is of labelling only."""
    for n in range(workers * 3):
        publisher.send("analysis", [cluster.db_url, "comment", WARM[n * 20:(n + 1) * 20]])
    wait_until(lambda: cluster.progress().summary()["unfinished"] == 0, 600, "warm-up jobs", every=0.05)


def queue_overhead(cluster: Cluster, batches: list[list[int]]) -> tuple[float, float]:
    """Median seconds of a 1,000-comment batch in-process and as a job (enqueue → done), alternating rounds so
    the machine's other load falls on both alike."""
    from statistics import median

    from akimwatch.analysis.run import run_analysis

    run_analysis(cluster.engine, items={"comment": WARM[-20:]}, progress=False)  # models loaded here too
    proc = cluster.start_worker("analysis", concurrency=1, pool="solo")
    cluster.wait_ready(proc)
    publisher = cluster.publisher()
    _warm(cluster, publisher, 1)
    inproc, queued = [], []
    for n in range(0, len(batches) - 1, 2):
        began = time.perf_counter()
        run_analysis(cluster.engine, items={"comment": batches[n]}, progress=False)
        inproc.append(time.perf_counter() - began)
        began = time.perf_counter()
        publisher.send("analysis", [cluster.db_url, "comment", batches[n + 1]])
        wait_until(lambda: cluster.progress().summary()["unfinished"] == 0, 600, "the 1,000-comment job", every=0.01)
        queued.append(time.perf_counter() - began)
    cluster.stop_workers()
    return median(inproc), median(queued)


def storage_per_row(cluster: Cluster) -> str:
    """Bytes per row on disk (table + indexes + TOAST) of comments, posts and labels, for docs/scale.md."""
    from sqlalchemy import text

    parts = []
    with cluster.engine.connect() as conn:
        for table in ("comments", "posts", "labels"):
            rows = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            size = conn.execute(text(f"SELECT pg_total_relation_size('{table}')")).scalar_one()
            parts.append(f"{table} {rows:,} rows, {size / 2**20:,.0f} MiB, {size / max(rows, 1):,.0f} B/row")
    return "storage: " + "; ".join(parts)


def harvest_bound(tmp: Path, accounts: int, rate: float) -> tuple[float, float, int]:
    from akimwatch.jobs.enqueue import enqueue_harvest
    from tests.jobs.fakevk import FakeVK, watch_accounts

    cluster = Cluster(tmp / "harvest")
    try:
        fake = FakeVK(accounts, posts=1, comments=1)
        watch_accounts(cluster.engine, accounts)
        with fake.serve() as url:
            env = {"AKIMWATCH_VK_TOKEN": "bench", "AKIMWATCH_VK_BASE_URL": url, "AKIMWATCH_VK_PER_SECOND": str(rate),
                   "AKIMWATCH_VK_CONCURRENCY": "64"}
            procs = [cluster.start_worker("harvest", concurrency=8, pool="threads", env=env) for _ in range(4)]
            for p in procs:
                cluster.wait_ready(p)
            enqueue_harvest(cluster.engine, cluster.db_url, publisher=cluster.publisher())
            wait_until(lambda: cluster.progress().summary()["unfinished"] == 0, 3600, "harvest jobs", every=0.1)
            times = fake.times()
        return times[-1] - times[0], (len(times) - 1) / rate, len(times)
    finally:
        cluster.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=16_000, help="comments labelled per worker-count run")
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=100.0, help="fake platform's limit, requests/s")
    parser.add_argument("--only", choices=("analysis", "harvest"), help="run one part")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="akimwatch-scale-"))
    (tmp / "harvest").mkdir()
    print(f"machine: {os.cpu_count()} cores (shared with other work: figures are lower bounds); "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    r1 = r2 = None
    cluster = Cluster(tmp) if args.only != "harvest" else None
    try:
        if cluster is None:
            raise _Skip
        began = time.perf_counter()
        build_store(tmp / "synthetic.db", args.comments, max(12, args.comments // 5000), posts_per_account=100)
        n = copy_to_postgres(tmp / "synthetic.db", cluster)
        (tmp / "synthetic.db").unlink()
        print(f"store: {n:,} comments on PostgreSQL in {time.perf_counter() - began:.0f} s", flush=True)
        step = max(1, n // (2 * args.sample + 10_200))  # spread the samples over the whole store
        pool = list(range(1, n + 1, step))
        WARM.extend(pool[-200:])
        one, two = pool[:args.sample], pool[args.sample:2 * args.sample]
        rest = pool[2 * args.sample:]
        inproc, queued = queue_overhead(cluster, [rest[k * 1000:(k + 1) * 1000] for k in range(10)])
        print(f"queue overhead (medians of 5): 1,000 comments in-process {inproc:.2f} s, as a job through the broker "
              f"{queued:.2f} s; ratio {inproc / queued:.2f} (goal ≥ 0.9)", flush=True)
        r1 = analysis_rate(cluster, 1, one)
        print(f"analysis, 1 worker: {r1:,.0f} comments/s", flush=True)
        r2 = analysis_rate(cluster, 2, two)
        print(f"analysis, 2 workers: {r2:,.0f} comments/s", flush=True)
        print(storage_per_row(cluster), flush=True)
    except _Skip:
        pass
    finally:
        if cluster is not None:
            cluster.close()
    if args.only != "analysis":
        wall, bound, requests = harvest_bound(tmp, args.accounts, args.rate)
        print(f"harvest: {args.accounts:,} accounts, {requests:,} requests by 4 workers in {wall:.1f} s; bound at "
              f"{args.rate:g} req/s {bound:.1f} s; {100 * (wall / bound - 1):+.1f} % (goal within 10 %)", flush=True)
    if r1 and r2:
        print(f"scale ratio: {r2 / r1:.2f}")


if __name__ == "__main__":
    main()
