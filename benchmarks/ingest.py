"""Ingest speed: `akimwatch import` against a bare orjson + sqlite3.executemany reference, and on
PostgreSQL against a bare orjson + COPY reference.

Generates N comments (with posts every 50 comments and reply threads) in the generic JSONL
export format, imports it with the real CLI into a fresh SQLite store, and — in the same run, on
the same file — times the reference: parse each line with orjson and insert the same rows with
sqlite3.executemany in one transaction into an identically migrated fresh store.
With PostgreSQL reachable (``--pg URL``, default the test database; ``--no-pg`` to skip), the same file
is imported into a fresh, migrated schema (the first large import into an empty store: tables without
statistics) and the reference COPYs the same rows into another fresh schema.
Prints rows/s for both, peak memory of the import at each size, `ingest ratio pg: X` and last
`ingest ratio: X` (SQLite).

    python benchmarks/ingest.py [--comments 200000] [--sizes 50000,200000] [--pg URL | --no-pg]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

WORDS = ("газ", "дорога", "парк", "зоопарк", "пробки", "свет", "вода", "школа", "рахмет", "спасибо", "когда",
         "аким", "двор", "мусор", "жол", "қашан", "жөндейсіздер", "просим", "помогите", "автобус")


def generate(path: Path, n_comments: int, seed: int = 7) -> tuple[int, int]:
    """Write posts and comments; every 5th comment replies to an earlier one in its thread."""
    rnd = random.Random(seed)
    base = datetime(2019, 3, 1, tzinfo=UTC)
    n_posts = 0
    with open(path, "wb") as fh:
        post_id = None
        thread: list[str] = []
        for i in range(n_comments):
            if i % 50 == 0:
                n_posts += 1
                post_id = f"p{n_posts}"
                thread = []
                fh.write(orjson.dumps({
                    "kind": "post", "platform": "instagram", "id": post_id, "account": f"akim_{n_posts % 200}",
                    "published_at": (base + timedelta(hours=n_posts)).isoformat(),
                    "text": " ".join(rnd.choices(WORDS, k=30)), "media_kind": "photo", "likes": rnd.randint(0, 999),
                }) + b"\n")
            cid = f"c{i}"
            parent = thread[rnd.randrange(len(thread))] if thread and i % 5 == 0 else None
            fh.write(orjson.dumps({
                "kind": "comment", "platform": "instagram", "id": cid, "post_id": post_id, "parent_id": parent,
                "author_handle": f"user{rnd.randrange(50000)}",
                "published_at": (base + timedelta(hours=n_posts, minutes=i % 50 + 1)).isoformat(),
                "text": " ".join(rnd.choices(WORDS, k=rnd.randint(3, 25))), "likes": rnd.randint(0, 50),
            }) + b"\n")
            thread.append(cid)
    return n_posts, n_comments


def fresh_store(path: Path) -> None:
    from akimwatch.store import open_store

    open_store(str(path)).dispose()


def time_import(data: Path, db: Path) -> tuple[float, int]:
    """Wall time of the real CLI and its peak RSS (KiB, VmHWM: ru_maxrss survives exec on Linux)."""
    fresh_store(db)
    start = time.perf_counter()
    code = (f"import sys; from akimwatch.cli import app; sys.argv=['akimwatch','import',{str(data)!r},"
            f"'--db',{str(db)!r}]\ntry:\n    app()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            "print('MAXRSS', [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    rss = int(next(line.split()[1] for line in out.stdout.splitlines() if line.startswith("MAXRSS")))
    return elapsed, rss


def time_reference(data: Path, db: Path) -> float:
    """orjson parse + sqlite3 executemany of the same rows (the same columns akimwatch stores), one transaction.

    What a minimal hand-written importer does: parse each line, insert the accounts and posts, look up the
    posts' row ids, insert the comments with their post id. No validation, no idempotency, no edit history.
    """
    fresh_store(db)
    start = time.perf_counter()
    post_rows, comment_rows = [], []
    now = datetime.now(UTC).isoformat()
    with open(data, "rb") as fh:
        for line in fh:
            r = orjson.loads(line)
            if r["kind"] == "post":
                post_rows.append((r["platform"], r["id"], f"{r['platform']}:{r['account']}", r["published_at"],
                                  r["text"], r["media_kind"], None, 0, None, None, None, r["likes"], None, None,
                                  None, None, 1, now, now, 1, line))
            else:
                comment_rows.append([r["platform"], r["id"], r["post_id"], None, r["parent_id"], None,
                                     r["author_handle"], None, 0, r["text"], r["published_at"], r["likes"], 1, now,
                                     now, 1, line])
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    with conn:
        accounts = {(p[0], p[2]) for p in post_rows}
        conn.executemany("INSERT INTO accounts (id, platform, handle, handle_key, role, on_watch_list) "
                         "VALUES (?, ?, ?, ?, 'personal', 0)",
                         [(acc, platform, acc.split(":", 1)[1], acc.split(":", 1)[1]) for platform, acc in accounts])
        conn.executemany("INSERT INTO posts (platform, platform_id, account_id, published_utc, text, media_kind, url, "
                         "is_repost, repost_source_name, repost_source_url, repost_source_domain, likes, "
                         "comments_count, views, shares, comments_closed, version, first_seen_utc, updated_utc, "
                         "import_run_id, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         post_rows)
        post_ids = dict(conn.execute("SELECT platform_id, id FROM posts"))
        for row in comment_rows:
            row[3] = post_ids.get(row[2])
        conn.executemany("INSERT INTO comments (platform, platform_id, post_platform_id, post_id, parent_platform_id, "
                         "author_platform_id, author_handle, author_name, is_official_reply, text, published_utc, "
                         "likes, version, first_seen_utc, updated_utc, import_run_id, raw) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", comment_rows)
    conn.close()
    return time.perf_counter() - start


PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def pg_schema(url: str, name: str) -> str:
    """A fresh, migrated schema on the PostgreSQL at ``url``; returns the store URL that selects it."""
    from sqlalchemy import create_engine, text

    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    admin.dispose()
    store_url = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{name}"
    from akimwatch.store import open_store

    open_store(store_url).dispose()
    return store_url


def drop_pg_schema(url: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    admin.dispose()


def time_import_pg(data: Path, store_url: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "akimwatch.cli", "import", str(data), "--db", store_url], check=True,
                   capture_output=True, text=True)
    return time.perf_counter() - start


def time_reference_pg(data: Path, store_url: str) -> float:
    """orjson parse + COPY of the same rows (the same columns akimwatch stores) into the same schema, one
    transaction: the fastest way rows get into PostgreSQL. No validation, no idempotency, no history."""
    import psycopg

    dsn = store_url.replace("postgresql+psycopg://", "postgresql://")
    start = time.perf_counter()
    post_rows, comment_rows = [], []
    now = datetime.now(UTC)
    with open(data, "rb") as fh:
        for line in fh:
            r = orjson.loads(line)
            if r["kind"] == "post":
                post_rows.append((r["platform"], r["id"], f"{r['platform']}:{r['account']}",
                                  datetime.fromisoformat(r["published_at"]), r["text"], r["media_kind"], False,
                                  r["likes"], 1, now, now, line.decode()))
            else:
                comment_rows.append([r["platform"], r["id"], r["post_id"], None, r["parent_id"], r["author_handle"],
                                     False, r["text"], datetime.fromisoformat(r["published_at"]), r["likes"], 1, now,
                                     now, line.decode()])
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        accounts = {(p[0], p[2]) for p in post_rows}
        with cur.copy("COPY accounts (id, platform, handle, handle_key, role, on_watch_list) FROM STDIN") as cp:
            for platform, acc in accounts:
                cp.write_row((acc, platform, acc.split(":", 1)[1], acc.split(":", 1)[1], "personal", False))
        with cur.copy("COPY posts (platform, platform_id, account_id, published_utc, text, media_kind, is_repost, "
                      "likes, version, first_seen_utc, updated_utc, raw) FROM STDIN") as cp:
            for row in post_rows:
                cp.write_row(row)
        post_ids = dict(cur.execute("SELECT platform_id, id FROM posts").fetchall())
        with cur.copy("COPY comments (platform, platform_id, post_platform_id, post_id, parent_platform_id, "
                      "author_handle, is_official_reply, text, published_utc, likes, version, first_seen_utc, "
                      "updated_utc, raw) FROM STDIN") as cp:
            for row in comment_rows:
                row[3] = post_ids.get(row[2])
                cp.write_row(row)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=200_000)
    parser.add_argument("--sizes", default="", help="extra smaller sizes to show memory is flat, e.g. 50000")
    parser.add_argument("--pg", default=os.environ.get("AKIMWATCH_TEST_PG", PG_DEFAULT),
                        help="PostgreSQL URL (a database where schemas may be created)")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    parser.add_argument("--pg-only", action="store_true", help="PostgreSQL only")
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.sizes.split(",") if s} | {args.comments})
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        result = pg_result = None
        for n in sizes:
            data = tmpdir / f"bench_{n}.jsonl"
            n_posts, n_comments = generate(data, n)
            rows = n_posts + n_comments
            size_mb = os.path.getsize(data) / 1e6
            print(f"N={n:,}: {rows:,} rows ({n_posts:,} posts, {n_comments:,} comments), file {size_mb:.1f} MB")
            if not args.pg_only:
                ours, rss = time_import(data, tmpdir / f"ours_{n}.db")
                ref = time_reference(data, tmpdir / f"ref_{n}.db")
                print(f"  akimwatch import: {ours:.2f} s, {rows / ours:,.0f} rows/s, peak memory {rss / 1024:.0f} MiB")
                print(f"  reference (orjson + sqlite3.executemany): {ref:.2f} s, {rows / ref:,.0f} rows/s")
                result = (rows / ours) / (rows / ref)
            if not args.no_pg:
                tag = f"bench_ingest_{os.getpid()}"
                try:
                    ours_pg = time_import_pg(data, pg_schema(args.pg, tag + "_ours"))
                    ref_pg = time_reference_pg(data, pg_schema(args.pg, tag + "_ref"))
                finally:
                    drop_pg_schema(args.pg, tag + "_ours")
                    drop_pg_schema(args.pg, tag + "_ref")
                print(f"  akimwatch import, PostgreSQL (fresh store): {ours_pg:.2f} s, {rows / ours_pg:,.0f} rows/s")
                print(f"  reference (orjson + COPY), PostgreSQL: {ref_pg:.2f} s, {rows / ref_pg:,.0f} rows/s")
                pg_result = (rows / ours_pg) / (rows / ref_pg)
    if pg_result is not None:
        print(f"ingest ratio pg: {pg_result:.2f}")
    if result is not None:
        print(f"ingest ratio: {result:.2f}")


if __name__ == "__main__":
    main()
