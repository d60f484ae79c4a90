"""Web benchmark: the server on a 1,000,000-comment store, driven from a second process on 127.0.0.1.

    python benchmarks/web.py [--comments 1000000] [--requests 3000] [--seconds 20] [--concurrency 32]

1. Builds benchmarks/out/web-<N>.db once (schema by ``open_store()``, rows by sqlite3 ``executemany``):
   40 officials, 80 accounts, 20,000 posts, N comments (3 % official replies), a comment_type and a topic
   label per comment. Reused on later runs.
2. Starts ``akimwatch serve`` (one uvicorn process) on a free port; the inbox is synced at start-up and the
   pages are warmed once (the first overview computes and stores the snapshot).
3. A second process opens 32 keep-alive connections and, per endpoint, sends requests until the count or
   the time bound is reached; it prints p50/p95/p99 latency and throughput per endpoint.
4. Last line: ``web ratio: X`` = overview throughput / throughput of a static file from the same server.
   Goal: p95 < 200 ms on every page, ratio >= 0.2.

Soak (``--soak``; bounded: it stops by itself after ``--soak-minutes`` + 2 minutes of warm-up, and talks to
127.0.0.1 only): the same server under 32 keep-alive connections, alternating phases of the usual pages and
API lists (anonymous and signed in) and phases of *distinct* anonymous URLs (unknown parameters, new search
words, new filters: every request a new cache key). The server's RSS is sampled every 5 s; after a
2-minute warm-up (caches fill to their caps) memory must stay within 10 % of its level at the start of the
measured window. Last line: ``soak memory growth: X %``.

    python benchmarks/web.py --soak [--soak-minutes 10] [--comments 200000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from akimwatch.models import TOPICS

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"
REGIONS = [
    "KZ-10",
    "KZ-11",
    "KZ-15",
    "KZ-19",
    "KZ-23",
    "KZ-27",
    "KZ-31",
    "KZ-33",
    "KZ-35",
    "KZ-39",
    "KZ-43",
    "KZ-47",
    "KZ-55",
    "KZ-59",
    "KZ-61",
    "KZ-62",
    "KZ-63",
    "KZ-71",
    "KZ-75",
    "KZ-79",
]
TYPES = [("gratitude", 30), ("other", 45), ("complaint", 10), ("request", 8), ("question", 7)]
WORDS = [
    "дорога",
    "пробки",
    "газ",
    "вода",
    "свет",
    "двор",
    "парк",
    "сквер",
    "мусор",
    "автобус",
    "школа",
    "садик",
    "больница",
    "тариф",
    "цена",
    "квартира",
    "стройка",
    "зоопарк",
    "собаки",
    "шум",
    "снег",
    "лёд",
    "тротуар",
    "освещение",
    "отопление",
    "спасибо",
    "аким",
    "просим",
    "помогите",
    "когда",
    "почему",
    "сделайте",
    "жол",
    "су",
    "жарық",
    "мектеп",
    "рахмет",
    "көше",
]


def ts(d: datetime) -> str:
    return d.replace(tzinfo=None).isoformat(" ", "microseconds")


def build_store(path: Path, n_comments: int) -> None:
    from akimwatch.store import open_store

    tmp = path.with_suffix(".tmp")
    for p in (tmp, Path(str(tmp) + "-wal"), Path(str(tmp) + "-shm")):
        p.unlink(missing_ok=True)
    engine = open_store(tmp)  # the schema, migrations and FTS triggers
    engine.dispose()
    rnd = random.Random(42)
    con = sqlite3.connect(tmp)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    end = datetime(2026, 11, 1, tzinfo=UTC)
    start = end - timedelta(days=730)
    officials, accounts = [], []
    for i in range(40):
        oid = f"official-{i:02d}"
        officials.append(
            (
                oid,
                f"Аким {i:02d} Тестов",
                None,
                None,
                "akim_region" if i < 20 else "akim_city",
                REGIONS[i % 20],
            )
        )
        for platform in ("instagram", "telegram"):
            accounts.append(
                (
                    f"{platform}:akim{i:02d}",
                    platform,
                    f"akim{i:02d}",
                    f"akim{i:02d}",
                    str(1000 + i),
                    f"https://{platform}.example/akim{i:02d}",
                    "personal",
                    oid,
                    1,
                )
            )
    con.executemany(
        "INSERT INTO officials (id, name_ru, name_kk, name_en, position, region) VALUES (?,?,?,?,?,?)",
        officials,
    )
    con.executemany(
        "INSERT INTO accounts (id, platform, handle, handle_key, platform_id, url, role, official_id, "
        "on_watch_list) VALUES (?,?,?,?,?,?,?,?,?)",
        accounts,
    )
    n_posts = 20000
    posts = []
    post_times = []
    for pid in range(1, n_posts + 1):
        acc = accounts[rnd.randrange(len(accounts))]
        t = start + timedelta(seconds=rnd.randrange(int((end - start).total_seconds())))
        post_times.append((t, acc))
        posts.append(
            (
                pid,
                acc[1],
                f"p{pid}",
                acc[0],
                ts(t),
                " ".join(rnd.choices(WORDS, k=25)),
                "photo",
                f"https://{acc[1]}.example/p/{pid}",
                rnd.randrange(5000),
            )
        )
    con.executemany(
        "INSERT INTO posts (id, platform, platform_id, account_id, published_utc, text, media_kind, url, "
        "likes) VALUES (?,?,?,?,?,?,?,?,?)",
        posts,
    )
    type_pool = [t for t, w in TYPES for _ in range(w)]
    cid = 0
    per_post = n_comments // n_posts
    batch, labs = [], []
    t0 = time.time()
    for pid in range(1, n_posts + 1):
        t, acc = post_times[pid - 1]
        last_citizen = None
        for _ in range(per_post):
            cid += 1
            t = t + timedelta(minutes=rnd.randrange(1, 240))
            official = last_citizen is not None and rnd.random() < 0.03
            text = " ".join(rnd.choices(WORDS, k=rnd.randrange(4, 18)))
            batch.append(
                (
                    cid,
                    acc[1],
                    f"c{cid}",
                    f"p{pid}",
                    pid,
                    last_citizen if official else None,
                    acc[4] if official else str(rnd.randrange(10**6)),
                    acc[2] if official else None,
                    None if official else f"Житель {rnd.randrange(10**5)}",
                    int(official),
                    text,
                    ts(t),
                    rnd.randrange(50),
                )
            )
            if not official:
                last_citizen = f"c{cid}"
                labs.append(("comment", cid, "comment_type", "1", rnd.choice(type_pool), 0.8, ts(end)))
                labs.append(("comment", cid, "topic", "1", rnd.choice(TOPICS), 0.7, ts(end)))
        if len(batch) >= 50000 or pid == n_posts:
            con.executemany(
                "INSERT INTO comments (id, platform, platform_id, post_platform_id, post_id, "
                "parent_platform_id, author_platform_id, author_handle, author_name, is_official_reply, "
                "text, published_utc, likes) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                batch,
            )
            con.executemany(
                "INSERT INTO labels (item_kind, item_id, analyzer, version, value, confidence, "
                "created_utc) VALUES (?,?,?,?,?,?,?)",
                labs,
            )
            con.commit()
            batch, labs = [], []
            print(f"  {cid:,} comments written ({time.time() - t0:.0f} s)", file=sys.stderr)
    con.commit()
    con.close()
    tmp.rename(path)
    for suffix in ("-wal", "-shm"):
        Path(str(tmp) + suffix).unlink(missing_ok=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------ the driver (second process)


async def _fetch(reader, writer, host: str, path: str, cookie: str | None) -> int:
    head = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: keep-alive\r\n"
    if cookie:
        head += f"Cookie: {cookie}\r\n"
    writer.write((head + "\r\n").encode())
    await writer.drain()
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    length = None
    chunked = False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        k, _, v = line.decode("latin-1").partition(":")
        k = k.strip().lower()
        if k == "content-length":
            length = int(v.strip())
        elif k == "transfer-encoding" and "chunked" in v.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readline()).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status


async def _run_endpoint(port: int, path: str, cookie: str | None, count: int, seconds: float, conc: int):
    latencies: list[float] = []
    errors = 0
    issued = 0
    deadline = time.perf_counter() + seconds

    async def worker():
        nonlocal issued, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while issued < count and time.perf_counter() < deadline:
            issued += 1
            t = time.perf_counter()
            status = await _fetch(reader, writer, f"127.0.0.1:{port}", path, cookie)
            latencies.append(time.perf_counter() - t)
            if status != 200:
                errors += 1
        writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(conc)))
    elapsed = time.perf_counter() - t0
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000 if latencies else 0.0

    return {
        "n": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
    }


WORDS_LATIN = ["gaz", "jol", "su", "park", "mektep", "avtobus", "zhary", "kosh", "baq", "tariff"]


def _distinct_path(n: int) -> str:
    """A new anonymous URL per request: unknown parameters, new search words, new filters, new ids."""
    w = WORDS_LATIN[n % len(WORDS_LATIN)]
    kind = n % 7
    if kind == 0:
        return f"/api/v1/comments?limit=1000&x={n}"
    if kind == 1:
        return f"/topics?q={w}{n}"
    if kind == 2:
        return f"/api/v1/comments?q={w}{n}&limit=100"
    if kind == 3:
        return f"/?region=KZ-{10 + n % 70}&utm_source={n}"
    if kind == 4:
        return f"/open311/v2/requests.json?service_request_id={1 + n % 5000},{n}"
    if kind == 5:
        return f"/api/v1/posts?since=2026-0{1 + n % 9}-{1 + n % 28:02d}&limit=200&ref={n}"
    return f"/officials/official-{n % 40:02d}?from={n}"


async def _soak_phase(port: int, fixed: list, cookie: str, seconds: float, conc: int, distinct: bool,
                      counter: list[int]) -> dict:
    latencies: list[float] = []
    errors: dict[int, int] = {}
    deadline = time.perf_counter() + seconds

    async def worker(w: int):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        i = w
        while time.perf_counter() < deadline:
            if distinct:
                counter[0] += 1
                path, ck = _distinct_path(counter[0]), None
            else:
                _, path, with_cookie = fixed[i % len(fixed)]
                ck = cookie if with_cookie else None
                i += 1
            t = time.perf_counter()
            status = await _fetch(reader, writer, f"127.0.0.1:{port}", path, ck)
            latencies.append(time.perf_counter() - t)
            if status >= 500 or status == 0:
                errors[status] = errors.get(status, 0) + 1
        writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(conc)))
    elapsed = time.perf_counter() - t0
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))] * 1000 if latencies else 0.0
    return {"n": len(latencies), "errors": sum(errors.values()), "rps": len(latencies) / elapsed, "p95": p95}


def drive_soak(args) -> None:
    plan = json.loads(args.plan)
    counter = [0]
    results = []
    for name, seconds, distinct in plan["phases"]:
        r = asyncio.run(_soak_phase(plan["port"], plan["endpoints"], plan["cookie"], seconds, plan["concurrency"],
                                    distinct, counter))
        r["phase"] = name
        results.append(r)
        print(json.dumps(r), flush=True)


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def soak(port: int, server: subprocess.Popen, endpoints: list, cookie: str, args) -> None:
    """Two warm-up minutes, then ``args.soak_minutes`` of alternating fixed / distinct-URL phases."""
    minutes = args.soak_minutes
    block = max(30.0, minutes * 60 / 4)
    phases = [("warm-up pages + API", 60.0, False), ("warm-up distinct URLs", 60.0, True)]
    left, k = minutes * 60.0, 0
    while left > 1:
        dur = min(block, left)
        phases.append((f"{'distinct URLs' if k % 2 else 'pages + API'} {k + 1}", dur, bool(k % 2)))
        left -= dur
        k += 1
    plan = {"port": port, "endpoints": endpoints, "cookie": cookie, "concurrency": args.concurrency,
            "phases": phases}
    driver = subprocess.Popen([sys.executable, __file__, "--drive-soak", "--plan", json.dumps(plan)],
                              stdout=subprocess.PIPE, text=True)
    t0 = time.time()
    warm_until = t0 + 120.0
    samples: list[tuple[float, float]] = []
    try:
        while driver.poll() is None:
            samples.append((time.time() - t0, rss_mib(server.pid)))
            time.sleep(5)
            if time.time() - t0 > minutes * 60 + 300:
                raise SystemExit("soak driver overran its bound")
    finally:
        if driver.poll() is None:
            driver.kill()
    phase_results = [json.loads(line) for line in driver.stdout.read().splitlines() if line.strip()]
    if driver.returncode:
        raise SystemExit(f"soak driver failed ({driver.returncode})")
    print(f"{'phase':30} {'requests':>9} {'5xx':>5} {'req/s':>8} {'p95 ms':>8}")
    for r in phase_results:
        print(f"{r['phase']:30} {r['n']:>9} {r['errors']:>5} {r['rps']:>8.1f} {r['p95']:>8.1f}")
    measured = [(t, m) for t, m in samples if t >= warm_until - t0]
    print("server RSS (MiB) by minute: " + ", ".join(
        f"{int(t // 60)}:{m:.0f}" for t, m in samples if int(t) % 60 < 5))
    base = measured[0][1]
    peak = max(m for _, m in measured)
    end = measured[-1][1]
    total = sum(r["n"] for r in phase_results)
    errors = sum(r["errors"] for r in phase_results)
    distinct = sum(r["n"] for r in phase_results if "distinct" in r["phase"] and "warm" not in r["phase"])
    print(f"{total:,} requests ({distinct:,} to distinct URLs), {errors} server errors; concurrency "
          f"{args.concurrency}; {minutes:g} min measured after a 2-min warm-up; 127.0.0.1 only")
    print(f"RSS at start of window {base:.0f} MiB, peak {peak:.0f} MiB, end {end:.0f} MiB")
    print(f"soak memory growth: {100 * (peak - base) / base:.1f} %")


def drive(args) -> None:
    plan = json.loads(args.plan)
    results = {}
    for name, path, cookie in plan["endpoints"]:
        asyncio.run(_run_endpoint(plan["port"], path, cookie, 64, 5, plan["concurrency"]))  # warm-up
        results[name] = asyncio.run(
            _run_endpoint(plan["port"], path, cookie, plan["requests"], plan["seconds"], plan["concurrency"])
        )
    print(json.dumps(results))


# ------------------------------------------------------------------ main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--comments", type=int, default=1_000_000)
    ap.add_argument("--requests", type=int, default=3000, help="bound on requests per endpoint")
    ap.add_argument("--seconds", type=float, default=20.0, help="bound on seconds per endpoint")
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--soak", action="store_true", help="memory soak instead of the latency run (see above)")
    ap.add_argument("--soak-minutes", type=float, default=10.0, help="measured minutes of the soak")
    ap.add_argument("--drive", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--drive-soak", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--plan", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.drive:
        drive(args)
        return
    if args.drive_soak:
        drive_soak(args)
        return
    sys.path.insert(0, str(ROOT))
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / f"web-{args.comments}.db"
    if not db.exists():
        print(f"building {db.name} with {args.comments:,} comments (once) ...", file=sys.stderr)
        build_store(db, args.comments)
    from akimwatch.store import open_store
    from akimwatch.web.auth.tables import users
    from akimwatch.web.auth.users import add_user, create_session

    engine = open_store(db)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        if not conn.execute(users.select().where(users.c.username == "bench")).first():
            add_user(conn, "bench", "bench-password-123", "editor", now=now)
        uid = conn.execute(users.select().where(users.c.username == "bench")).first().id
        token, _ = create_session(conn, uid, now=now, hours=2)
    engine.dispose()
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.time()
    server = subprocess.Popen(
        [sys.executable, "-m", "akimwatch.cli", "serve", "--db", str(db), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        import urllib.request

        deadline = time.time() + 600
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise SystemExit("server did not start") from None
                time.sleep(0.3)
        print(f"server up in {time.time() - t0:.1f} s (inbox synced)", file=sys.stderr)
        cookie = f"aw_session={token}"
        t1 = time.time()
        for path in ("/", "/officials/official-07", "/inbox"):
            req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie})
            urllib.request.urlopen(req, timeout=600).read()
        print(f"warm-up (snapshots computed) {time.time() - t1:.1f} s", file=sys.stderr)
        endpoints = [
            ("static /static/style.css", "/static/style.css", None),
            ("overview /", "/", None),
            ("official /officials/{id}", "/officials/official-07", None),
            ("inbox /inbox (editor)", "/inbox", cookie),
            ("api /api/v1/comments", "/api/v1/comments?limit=50", None),
            # Signed in: never served from the anonymous cache, so this is the uncached cost of an API list.
            ("api /api/v1/comments (editor)", "/api/v1/comments?limit=50&type=request", cookie),
            ("api /api/v1/requests", "/api/v1/requests?limit=50&status=new", None),
            ("api /api/v1/rankings", "/api/v1/rankings", None),
            (
                "open311 requests.json",
                "/open311/v2/requests.json?service_code=gas&start_date=2026-01-01T00:00:00Z",
                None,
            ),
        ]
        if args.soak:
            soak(port, server, [(n, p, bool(c)) for n, p, c in endpoints], cookie, args)
            return
        plan = {
            "port": port,
            "endpoints": endpoints,
            "requests": args.requests,
            "seconds": args.seconds,
            "concurrency": args.concurrency,
        }
        out = subprocess.run(
            [sys.executable, __file__, "--drive", "--plan", json.dumps(plan)],
            capture_output=True,
            text=True,
            check=True,
        )
        results = json.loads(out.stdout)
    finally:
        server.terminate()
        server.wait(10)
    print(f"{'endpoint':34} {'n':>6} {'err':>4} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for name, r in results.items():
        print(
            f"{name:34} {r['n']:>6} {r['errors']:>4} {r['rps']:>8.1f} {r['p50']:>8.1f} {r['p95']:>8.1f} "
            f"{r['p99']:>8.1f}"
        )
    ratio = results["overview /"]["rps"] / results["static /static/style.css"]["rps"]
    print(f"comments: {args.comments:,}; concurrency {args.concurrency}; one uvicorn process on 127.0.0.1")
    print(f"web ratio: {ratio:.2f}")


if __name__ == "__main__":
    main()
