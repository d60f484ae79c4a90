"""A two-worker run of the demo through the documented commands gives the same store as the in-process demo."""

from __future__ import annotations

import subprocess

from akimwatch.analysis.run import run_analysis
from akimwatch.demo import REMOVALS, WATCHLIST, apply_removals, demo_data_dir, run_demo
from akimwatch.ingest import expand_targets
from akimwatch.jobs.queries import compute_store_digest
from akimwatch.store import open_store
from tests.jobs.cluster import AKIMWATCH, wait_until


def test_two_worker_demo_equals_in_process_demo(cluster, tmp_path):
    result = run_demo(tmp_path / "demo")
    reference = open_store(result.db_path)
    run_analysis(reference, progress=False)
    expected = compute_store_digest(reference)
    reference.dispose()

    def cli(*args: str) -> str:
        done = subprocess.run([AKIMWATCH, *args, "--db", cluster.db_url], env=cluster.env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    for _ in range(2):
        cluster.start_worker(concurrency=1, pool="solo")
    cli("registry", "load", str(demo_data_dir() / WATCHLIST))
    files = len(expand_targets([demo_data_dir()]))  # removals.csv too: passed over by its job, as in-process
    assert f"queued {files} import job(s)" in cli("import", "--distributed", str(demo_data_dir()))
    wait_until(lambda: cluster.progress().summary()["unfinished"] == 0, 90, "the import jobs")
    assert "analysis job(s)" in cli("analyze", "--distributed")
    wait_until(lambda: cluster.progress().summary()["unfinished"] == 0, 90, "the analysis jobs")
    assert cluster.progress().summary()["failed"] == []
    apply_removals(cluster.engine, demo_data_dir() / REMOVALS)  # the demo's synthetic later visit, as `demo` does
    assert compute_store_digest(cluster.engine) == expected
