"""Reliability of the job queue with the real RabbitMQ, Redis, PostgreSQL and several `akimwatch worker`
processes against a built fake VK on 127.0.0.1 (tests/jobs/fakevk.py). Each store is compared with an
uninterrupted in-process run of the same library functions by row counts and a hash of the rows
(akimwatch.jobs.queries.compute_store_digest)."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
from contextlib import suppress
from pathlib import Path

import pytest
from sqlalchemy import func, select

from akimwatch.harvest.schedule import harvest
from akimwatch.jobs.enqueue import enqueue_analysis, enqueue_harvest
from akimwatch.jobs.queries import compute_store_digest
from akimwatch.store.engine import create_store_engine, ensure_schema
from akimwatch.store.schema import labels
from tests.jobs.cluster import AKIMWATCH, Cluster, wait_until
from tests.jobs.fakevk import FakeVK, watch_accounts


def vk_env(url: str, per_second: float = 200, concurrency: int = 4) -> dict[str, str]:
    return {"AKIMWATCH_VK_TOKEN": "vk-test-token", "AKIMWATCH_VK_BASE_URL": url,
            "AKIMWATCH_VK_PER_SECOND": str(per_second), "AKIMWATCH_VK_CONCURRENCY": str(concurrency)}


def reference_digest(tmp_path, monkeypatch, fake: FakeVK, accounts: int, *, analyse: bool = False) -> dict:
    """The same harvest (and analysis) in-process, uninterrupted, on a fresh SQLite store."""
    engine = create_store_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    ensure_schema(engine)
    watch_accounts(engine, accounts)
    with fake.serve() as url:
        for key, value in vk_env(url).items():
            monkeypatch.setenv(key, value)
        results = harvest(engine)
    assert all(r.ok for r in results), [r.error for r in results]
    if analyse:
        from akimwatch.analysis.run import run_analysis

        run_analysis(engine, progress=False)
    digest = compute_store_digest(engine)
    engine.dispose()
    return digest


def all_done(cluster: Cluster) -> bool:
    return cluster.progress().summary()["unfinished"] == 0


def test_worker_killed_mid_harvest_job_is_redelivered(cluster, tmp_path, monkeypatch):
    expected = reference_digest(tmp_path, monkeypatch, FakeVK(3, posts=12, comments=3), 3)
    fake = FakeVK(3, posts=12, comments=3, delay=0.1)  # 16 requests per account (3 pages): ~1.6 s a job
    watch_accounts(cluster.engine, 3)
    with fake.serve() as url:
        first = cluster.start_worker(env=vk_env(url))
        cluster.wait_ready(first)
        enqueue_harvest(cluster.engine, cluster.db_url, publisher=cluster.publisher())
        # the first page of account 1 (groups + wall.get + 4 × getComments) is committed; the second is under way
        wait_until(lambda: fake.count(1) >= 8, 30, "account 1's second page")
        cluster.kill9(first)
        assert fake.count(2) == 0 and fake.count(3) == 0  # one job at a time: the others were still queued
        second = cluster.start_worker(env=vk_env(url))
        wait_until(lambda: all_done(cluster), 60, "all harvest jobs")
    assert fake.count(1) > 16  # account 1 was fetched again by the second worker
    assert "harvest_account" in Path(second.log_path).read_text()  # type: ignore[attr-defined]
    assert compute_store_digest(cluster.engine) == expected


def test_worker_killed_mid_analysis_batch_is_redelivered(cluster, tmp_path, monkeypatch):
    fake = FakeVK(4, posts=25, comments=40)  # 4,000 comments in one analysis job
    expected = reference_digest(tmp_path, monkeypatch, fake, 4, analyse=True)
    watch_accounts(cluster.engine, 4)
    with fake.serve() as url:
        for key, value in vk_env(url).items():
            monkeypatch.setenv(key, value)
        assert all(r.ok for r in harvest(cluster.engine))
    first = cluster.start_worker("analysis")
    cluster.wait_ready(first)
    refs = enqueue_analysis(cluster.engine, cluster.db_url, batch=5000, publisher=cluster.publisher())
    comment_job = refs[0].task_id

    def labelled() -> int:
        with cluster.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(labels)
                                    .where(labels.c.item_kind == "comment")).scalar_one())

    wait_until(lambda: labelled() > 0, 60, "the first chunk of the batch to be committed")
    assert labelled() < expected["comment_labels"][0], "the batch finished before the kill; make it larger"
    cluster.kill9(first)
    assert cluster.progress().job(comment_job)["state"] == "running"
    second = cluster.start_worker("analysis")
    wait_until(lambda: all_done(cluster), 90, "the analysis jobs")
    assert comment_job in Path(second.log_path).read_text()  # type: ignore[attr-defined]
    assert compute_store_digest(cluster.engine) == expected


def test_two_workers_share_one_platform_rate(cluster, monkeypatch):
    rate = 8.0
    fake = FakeVK(6, posts=4, comments=1)  # 6 requests per account, 36 in all
    watch_accounts(cluster.engine, 6)
    with fake.serve() as url:
        env = vk_env(url, per_second=rate, concurrency=2)
        workers = [cluster.start_worker(env=env), cluster.start_worker(env=env)]
        for w in workers:
            cluster.wait_ready(w)
        enqueue_harvest(cluster.engine, cluster.db_url, publisher=cluster.publisher())
        wait_until(lambda: all_done(cluster), 60, "the harvest jobs")
    times = fake.times()
    assert len(times) == 36
    # both workers took part, and together never more than `rate` requests in any second (+1 for the edge)
    assert sum("harvest_account" in Path(w.log_path).read_text() for w in workers) == 2  # type: ignore[attr-defined]
    # arrivals can only lag their granted slots (scheduling, network), so a window that opens on a late request
    # may hold one more; the long windows show the rate itself
    for window, slack in ((1.0, 2), (3.0, 2)):
        busiest = max(sum(1 for t in times if start <= t < start + window) for start in times)
        assert busiest <= rate * window + slack, (window, busiest)
    assert times[-1] - times[0] >= (len(times) - 1) / rate * 0.9


def test_platform_concurrency_holds_for_the_cluster(cluster, tmp_path):
    """VK concurrency 1: two workers never harvest two VK accounts at once; the waiting job is requeued."""
    fake = FakeVK(3, posts=4, comments=1, delay=0.1)
    watch_accounts(cluster.engine, 3)
    config = tmp_path / "akimwatch.toml"
    config.write_text("[jobs]\nharvest_slot_wait = 0.1\n", encoding="utf-8")
    with fake.serve() as url:
        env = {**vk_env(url, concurrency=1), "AKIMWATCH_CONFIG": str(config)}
        for w in [cluster.start_worker(env=env), cluster.start_worker(env=env)]:
            cluster.wait_ready(w)
        enqueue_harvest(cluster.engine, cluster.db_url, publisher=cluster.publisher())
        wait_until(lambda: all_done(cluster), 60, "the harvest jobs")
    spans = sorted((min(t for t, _, o in fake.requests if -o == n), max(t for t, _, o in fake.requests if -o == n))
                   for n in (1, 2, 3))
    assert all(later[0] > earlier[1] for earlier, later in zip(spans, spans[1:], strict=False)), spans
    assert cluster.progress().summary()["failed"] == []
    assert "Retry in" in cluster.logs()  # the second worker's job went back to the queue while the slot was taken


def test_retry_after_pauses_every_worker(cluster):
    import redis

    from akimwatch.harvest.http import RatePolicy
    from akimwatch.jobs.ratelimit import SharedLimiter, SharedRateController

    limiter = SharedLimiter(redis.Redis.from_url(cluster.settings().result_url), cluster.namespace)
    a = SharedRateController(RatePolicy(per_second=100), limiter=limiter, key="vk", sleep=lambda s: None)
    b = SharedRateController(RatePolicy(per_second=100), limiter=limiter, key="vk", sleep=lambda s: None)
    a.wait_turn()
    assert a.backoff(0, retry_after=2.0) == 2.0  # a was told to wait 2 s …
    b.wait_turn()
    assert b.slept >= 1.8  # … and b, in another worker, waits too


def test_poison_job_ends_in_dead_letter_queue(cluster, tmp_path):
    fake = FakeVK(3, posts=4, comments=2, garbage=frozenset({2}))
    watch_accounts(cluster.engine, 3)
    config = tmp_path / "akimwatch.toml"
    config.write_text("[jobs]\nretries = 2\nretry_backoff = 0.2\n", encoding="utf-8")
    with fake.serve() as url:
        env = {**vk_env(url), "AKIMWATCH_CONFIG": str(config)}
        cluster.start_worker(env=env)
        cluster.start_worker(env=env)
        enqueue_harvest(cluster.engine, cluster.db_url, publisher=cluster.publisher())
        wait_until(lambda: all_done(cluster), 60, "the harvest jobs")
    assert fake.count(2) == 3  # the first try and two retries, then no more
    def status() -> str:
        return subprocess.run([AKIMWATCH, "status", "--json", "--jobs", "--db", cluster.db_url], env=cluster.env,
                              capture_output=True, text=True, timeout=60, check=True).stdout

    # the broker moves the rejected message to the dead-letter queue just after the job records its failure
    wait_until(lambda: json.loads(status())["jobs"].get("dead_letters"), 30, "the dead letter")
    out = status()
    jobs = json.loads(out)["jobs"]
    assert [d["args"][1] for d in jobs["dead_letters"]] == ["vk-2"]
    assert jobs["dead_letters"][0]["from_queue"] == f"{cluster.namespace}.harvest"
    assert [(f["label"], f["attempts"]) for f in jobs["failed"]] == [("vk-2", 3)]
    assert "did not return JSON" in jobs["failed"][0]["error"]
    assert {(r["queue"], r["platform"], r["done"], r["failed"]) for r in jobs["by_queue"]} == {("harvest", "vk", 2, 1)}
    harvested = {r["account_id"]: r["status"] for r in json.loads(out)["harvest"]}
    assert harvested["vk-1"] == harvested["vk-3"] == "ok" and harvested["vk-2"] == "failed"
    text = subprocess.run([AKIMWATCH, "status", "--jobs", "--db", cluster.db_url], env=cluster.env,
                          capture_output=True, text=True, timeout=60, check=True).stdout
    assert "dead-letter queue" in text and "vk-2" in text


class CuttableProxy:
    """A TCP proxy on 127.0.0.1 in front of RabbitMQ: ``cut()`` drops every connection and refuses new ones
    (what workers see when the broker restarts), ``restore()`` lets them reconnect."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.open = True
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        with suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        for s in (src, dst):
            with suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.open = False
        with self.lock:
            for s in self.sockets:
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                    s.close()
            self.sockets.clear()

    def restore(self) -> None:
        self.open = True

    def close(self) -> None:
        self.cut()
        self.server.close()


@pytest.fixture
def proxied_cluster(tmp_path):
    from tests.jobs.conftest import _require_services

    _require_services()
    proxy = CuttableProxy(("127.0.0.1", 5672))
    c = Cluster(tmp_path, broker_url=f"amqp://guest:guest@127.0.0.1:{proxy.port}//")
    try:
        yield c, proxy
    finally:
        proxy.restore()
        c.close()
        proxy.close()


def test_broker_connection_lost_during_a_run(proxied_cluster, tmp_path, monkeypatch):
    """Simulated with a TCP proxy (restarting the machine's real RabbitMQ from a test would disturb every other
    user of it): all connections dropped and refused for 3 s while jobs run, then restored."""
    cluster, proxy = proxied_cluster
    expected = reference_digest(tmp_path, monkeypatch, FakeVK(6, posts=6, comments=2), 6)
    fake = FakeVK(6, posts=6, comments=2, delay=0.05)
    watch_accounts(cluster.engine, 6)
    with fake.serve() as url:
        for _ in range(2):
            cluster.wait_ready(cluster.start_worker(env=vk_env(url)))
        enqueue_harvest(cluster.engine, cluster.db_url, publisher=cluster.publisher())
        wait_until(lambda: len(fake.requests) >= 10, 30, "the run to be under way")
        proxy.cut()
        time.sleep(3)
        proxy.restore()
        wait_until(lambda: all_done(cluster), 90, "every job after the broker came back")
    summary = cluster.progress().summary()
    # jobs running at the cut could not be acknowledged: RabbitMQ handed them out again (done ≥ 6, not lost)
    assert summary["failed"] == [] and summary["unfinished"] == 0
    assert sum(r["done"] for r in summary["by_queue"]) >= 6
    for n in range(1, 7):  # no job lost: every account fetched completely at least once
        assert fake.count(n) >= 1 + 2 + 6
    assert compute_store_digest(cluster.engine) == expected  # none done twice with a visible effect


def test_an_account_is_not_queued_twice_while_its_job_is_unfinished(cluster):
    watch_accounts(cluster.engine, 3)
    publisher = cluster.publisher()
    first = enqueue_harvest(cluster.engine, cluster.db_url, publisher=publisher)
    assert [r.label for r in first] == ["vk-1", "vk-2", "vk-3"]
    assert enqueue_harvest(cluster.engine, cluster.db_url, publisher=publisher) == []  # no worker ran them yet
    cluster.progress().mark_done(first[1].task_id)
    assert [r.label for r in enqueue_harvest(cluster.engine, cluster.db_url, publisher=publisher)] == ["vk-2"]
    summary = cluster.progress().summary()
    assert summary["unfinished"] == 3 and summary["oldest_unfinished_seconds"] >= 0
