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
    ap.add_argument("--drive", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--plan", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.drive:
        drive(args)
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
