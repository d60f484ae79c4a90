"""A generated SQLite store for the metrics and report benchmarks (one builder, so both measure the same data).

The schema comes from ``open_store`` (Alembic migrations); rows are written with sqlite3 ``executemany`` with
the secondary indexes dropped and rebuilt after the load, because a 1,000,000-comment store must build in
seconds, not minutes.
"""

from __future__ import annotations

import random
import sqlite3
import sys
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from akimwatch.models import COMMENT_TYPES  # noqa: E402
from akimwatch.models import TOPICS as LABEL_TOPICS  # noqa: E402
from akimwatch.store import open_store  # noqa: E402

FMT = "%Y-%m-%d %H:%M:%S.%f"
REGIONS = ["KZ-10", "KZ-11", "KZ-15", "KZ-19", "KZ-23", "KZ-27", "KZ-31", "KZ-33", "KZ-35", "KZ-39", "KZ-43",
           "KZ-47", "KZ-55", "KZ-59", "KZ-61", "KZ-62", "KZ-63", "KZ-71", "KZ-75", "KZ-79"]
TOPICS = [t for t in LABEL_TOPICS if t != "none"]
TYPES = list(COMMENT_TYPES)
PHRASES = ["Прошу отремонтировать дорогу во дворе", "Когда проведут газ в наш микрорайон?", "Спасибо за работу, аким",
           "Уберите мусор во дворе, уже неделю не вывозят", "Прошу рассмотреть закрытие зоопарка",
           "Почему подорожал проезд в автобусе?", "Нет горячей воды третий день", "Посадите деревья вдоль улицы",
           "Когда достроят наш дом, мы ждём пятый год?", "Помогите многодетной семье с жильём"]
POST_TEXTS = ["Посетил школу в микрорайоне.", "Аким области провёл совещание по вопросам ЖКХ.",
              "Сегодня встретился с жителями.", "В акимате состоялось заседание. Пресс-служба акима", "#город"]
PORTALS = ["tengrinews.kz", "informburo.kz", "zakon.kz", "inform.kz"]


def build_store(path: Path, n_comments: int, n_officials: int, *, facebook_every: int | None = None,
                posts_per_account: int = 100, seed: int = 7) -> None:
    """Officials with one Instagram account each (and a Facebook page every ``facebook_every``-th), posts over 2019,
    comments with 3 % threaded official replies, topic + comment_type labels as the analysis stage leaves them."""
    open_store(path).dispose()  # the schema (migrations); then raw sqlite3 for speed
    rnd = random.Random(seed)
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    start = datetime(2019, 1, 1)
    db.executemany("INSERT INTO officials (id, name_ru, name_kk, name_en, position, region) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   [(f"o{i:03d}", f"Аким {i}", f"Әкім {i}", f"Akim {i}",
                     "akim_region" if i % 4 else "akim_city", REGIONS[i % len(REGIONS)]) for i in range(n_officials)])
    accounts = [(f"instagram:akim{i}", "instagram", f"akim{i}", f"o{i:03d}") for i in range(n_officials)]
    if facebook_every:
        accounts += [(f"facebook:akim{i}", "facebook", f"akim{i}", f"o{i:03d}")
                     for i in range(0, n_officials, facebook_every)]
    db.executemany("INSERT INTO accounts (id, platform, handle, handle_key, url, role, official_id, on_watch_list) "
                   "VALUES (?, ?, ?, ?, 'https://example.org/' || ?, 'personal', ?, 1)",
                   [(a, p, h, h, h, o) for a, p, h, o in accounts])
    db.execute("INSERT INTO import_runs (id, kind, source, status, started_utc, finished_utc) "
               "VALUES (1, 'import', 'bench', 'ok', '2019-12-31 00:00:00.000000', '2019-12-31 00:01:00.000000')")
    posts, post_times = [], []
    pid = 0
    for acc, platform, _h, _o in accounts:
        for _ in range(posts_per_account):
            pid += 1
            when = start + timedelta(seconds=rnd.randrange(365 * 86400))
            post_times.append(when)
            repost = platform == "facebook" and rnd.random() < 0.3
            portal = rnd.choice(PORTALS) if repost else None
            posts.append((pid, platform, f"p{pid}", acc, when.strftime(FMT), rnd.choice(POST_TEXTS),
                          rnd.choice(["photo", "photo", "video", "long_video", "album"]), f"https://example.org/p{pid}",
                          int(repost), f"https://{portal}/news/{pid}" if portal else None, portal,
                          rnd.randrange(50, 5000), rnd.randrange(0, 100)))
    db.executemany("INSERT INTO posts (id, platform, platform_id, account_id, published_utc, text, media_kind, url, "
                   "is_repost, repost_source_url, repost_source_domain, likes, comments_count, version, import_run_id) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 1)", posts)
    db.executemany("INSERT INTO labels (item_kind, item_id, analyzer, version, value, confidence) "
                   "VALUES ('post', ?, 'topic', 'bench-1', ?, 0.8)",
                   [(p[0], rnd.choice(TOPICS + ["none"])) for p in posts])
    n_posts = len(posts)
    idx = db.execute("SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
                     "AND tbl_name IN ('comments', 'labels')").fetchall()
    for name, _ in idx:  # bulk load without secondary indexes, rebuilt after (a sort beats N inserts)
        db.execute(f"DROP INDEX {name}")
    post_epoch = [(t - datetime(1970, 1, 1)).total_seconds() for t in post_times]
    which = rnd.choices(range(1, n_posts + 1), k=n_comments)
    topics = rnd.choices(TOPICS + ["none"], weights=[0.6 * 0.7 ** i for i in range(len(TOPICS))] + [0.4],
                         k=n_comments)
    types = rnd.choices(TYPES, k=n_comments)
    texts = [f"{p} {e} {n}" for p in PHRASES for e in ("", "пожалуйста", "срочно", "!!!") for n in range(30)]
    epoch = datetime(1970, 1, 1)
    batch_c, batch_l = [], []
    last_citizen: dict[int, tuple[str, float]] = {}
    rand = rnd.random
    for cid in range(1, n_comments + 1):
        post = which[cid - 1]
        if cid % 33 == 0 and post in last_citizen:
            parent, ptime = last_citizen[post]
            when = ptime + 60 + rand() * 5 * 86400
            batch_c.append((cid, posts[post - 1][1], f"c{cid}", f"p{post}", post, parent, 1, "Спасибо, рассмотрим",
                            (epoch + timedelta(seconds=when)).strftime(FMT), 0))
        else:
            when = post_epoch[post - 1] + rand() * 3 * 86400
            batch_c.append((cid, posts[post - 1][1], f"c{cid}", f"p{post}", post, None, 0, texts[cid % len(texts)],
                            (epoch + timedelta(seconds=when)).strftime(FMT), cid % 20))
            last_citizen[post] = (f"c{cid}", when)
            batch_l.append(("comment", cid, "topic", "bench-1", topics[cid - 1], 0.8))
            batch_l.append(("comment", cid, "comment_type", "bench-1", types[cid - 1], 0.8))
        if len(batch_c) >= 100_000:
            _flush(db, batch_c, batch_l)
    _flush(db, batch_c, batch_l)
    for _, sql in idx:
        db.execute(sql)
    db.commit()
    db.execute("ANALYZE")
    db.close()


def _flush(db: sqlite3.Connection, batch_c: list, batch_l: list) -> None:
    db.executemany("INSERT INTO comments (id, platform, platform_id, post_platform_id, post_id, parent_platform_id, "
                   "is_official_reply, text, published_utc, likes, version, import_run_id) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 1)", batch_c)
    db.executemany("INSERT INTO labels (item_kind, item_id, analyzer, version, value, confidence) "
                   "VALUES (?, ?, ?, ?, ?, ?)", batch_l)
    batch_c.clear()
    batch_l.clear()
