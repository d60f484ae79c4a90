"""A small hand-built store whose every metric can be worked out on paper (see the comments for the arithmetic).

Period used by the tests: 2019-06-01:2019-06-30 → as_of 2019-07-01 00:00 UTC.

- akim_a (Almaty, KZ-75), instagram @akim_a: 10 posts every 3 days from 06-01 10:00 UTC; 2 personal, 8 press.
  7 citizen comments, 3 answered after 2 h, 10 h and 30 h; 5 zoo comments (3 of them on 06-20..22) then a zoo
  post on 06-25 → acted-on link, days_after = 5. Reply r1 «Рассмотрим…» promises action.
- akim_e (Shymkent, KZ-79), instagram @akim_e: 20 personal posts, 25 unanswered unlabelled citizen comments.
- akim_b (Mangystau, KZ-47): facebook @trumov_b with no posts, tagged twice by the unassigned account «news».
- akim_c (Pavlodar, KZ-55): one post ever → inactive.
- akim_d (Akmola, KZ-11): 4 posts in May and one on 06-01 00:00 → 30 days silent on 07-01 → dormant.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from akimwatch.store.schema import accounts, comments, labels, officials, post_mentions, posts

PERIOD = (datetime(2019, 6, 1, tzinfo=UTC), datetime(2019, 7, 1, tzinfo=UTC))


def t(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2019, month, day, hour, tzinfo=UTC)


def _same_keys(rows: list[dict]) -> list[dict]:
    """executemany needs the same keys in every row; missing values are NULL (is_repost: false)."""
    keys = {k for r in rows for k in r}
    return [{**dict.fromkeys(keys), **({"is_repost": False} if "is_repost" in keys else {}), **r} for r in rows]


def build(engine) -> dict[str, int]:
    ids: dict[str, int] = {}
    with engine.begin() as conn:
        conn.execute(insert(officials), [
            {"id": "akim_a", "name_ru": "Аким А", "position": "akim_city", "region": "KZ-75"},
            {"id": "akim_e", "name_ru": "Аким Е", "position": "akim_city", "region": "KZ-79"},
            {"id": "akim_b", "name_ru": "Аким Б", "position": "akim_region", "region": "KZ-47"},
            {"id": "akim_c", "name_ru": "Аким В", "position": "akim_city", "region": "KZ-55"},
            {"id": "akim_d", "name_ru": "Аким Г", "position": "akim_region", "region": "KZ-11"},
        ])
        conn.execute(insert(accounts), _same_keys([
            {"id": "ig_a", "platform": "instagram", "handle": "akim_a", "handle_key": "akim_a", "official_id": "akim_a",
             "on_watch_list": True},
            {"id": "ig_e", "platform": "instagram", "handle": "akim_e", "handle_key": "akim_e", "official_id": "akim_e",
             "on_watch_list": True},
            {"id": "fb_b", "platform": "facebook", "handle": "Trumov_B", "handle_key": "trumov_b",
             "official_id": "akim_b", "on_watch_list": True},
            {"id": "ig_c", "platform": "instagram", "handle": "akim_c", "handle_key": "akim_c", "official_id": "akim_c",
             "on_watch_list": True},
            {"id": "ig_d", "platform": "instagram", "handle": "akim_d", "handle_key": "akim_d", "official_id": "akim_d",
             "on_watch_list": True},
            {"id": "fb_news", "platform": "facebook", "handle": "news", "handle_key": "news", "official_id": None,
             "on_watch_list": False},
        ]))
        prow = []
        for i in range(10):
            when = t(6, 1, 10) + timedelta(days=3 * i)
            text = "Посетил школу." if i == 0 else "Посетил зоопарк." if i == 8 else "Аким города провёл совещание."
            prow.append({"platform": "instagram", "platform_id": f"a{i}", "account_id": "ig_a", "published_utc": when,
                         "text": text, "media_kind": "video" if i % 5 == 0 else "photo", "likes": 100,
                         "comments_count": 10})
        for i in range(20):
            prow.append({"platform": "instagram", "platform_id": f"e{i}", "account_id": "ig_e",
                         "published_utc": t(6, 1, 9) + timedelta(hours=36 * i), "text": "Встретился с жителями.",
                         "media_kind": "photo"})
        prow.append({"platform": "instagram", "platform_id": "c0", "account_id": "ig_c",
                     "published_utc": t(6, 15, 8), "text": "Первый пост", "media_kind": "photo"})
        for i, when in enumerate([t(5, 25), t(5, 27), t(5, 29), t(5, 31), t(6, 1)]):
            prow.append({"platform": "instagram", "platform_id": f"d{i}", "account_id": "ig_d", "published_utc": when,
                         "text": "Провёл приём граждан.", "media_kind": "photo"})
        for i in range(2):
            prow.append({"platform": "facebook", "platform_id": f"n{i}", "account_id": "fb_news",
                         "published_utc": t(6, 10 + i), "text": "Аким области посетил завод",
                         "media_kind": "photo", "is_repost": False, "likes": None, "comments_count": None})
        conn.execute(insert(posts), _same_keys(prow))
        pid = {r.platform_id: r.id for r in conn.execute(posts.select())}
        ids.update({f"post_{k}": v for k, v in pid.items()})
        conn.execute(insert(post_mentions), [
            {"post_id": pid["n0"], "kind": "tag", "handle_key": "trumov_b", "platform": "facebook", "handle": "Trumov_B"},
            {"post_id": pid["n1"], "kind": "mention", "handle_key": "trumov_b", "platform": "facebook",
             "handle": "trumov_b"},
        ])

        def c(cid: str, post: str, when: datetime, text: str, official: bool = False, parent: str | None = None,
              likes: int = 0) -> dict:
            return {"platform": "instagram", "platform_id": cid, "post_platform_id": post, "post_id": pid[post],
                    "parent_platform_id": parent, "is_official_reply": official, "text": text, "published_utc": when,
                    "likes": likes}

        crow = [
            c("c1", "a0", t(6, 1, 12), "Прошу закрыть зоопарк, животным там плохо", likes=5),
            c("c2", "a0", t(6, 2, 0), "Когда закроют зоопарк?"),
            c("c3", "a6", t(6, 20, 10), "Прошу закрыть зоопарк, животным там плохо!", likes=1),
            c("c4", "a6", t(6, 21, 10), "Прошу закрыть зоопарк животным там очень плохо"),
            c("c5", "a7", t(6, 22, 10), "Вольеры в зоопарке тесные, просим улучшить"),
            c("c6", "a1", t(6, 5, 10), "Спасибо за работу"),
            c("c7", "a3", t(6, 10, 10), "Отремонтируйте дорогу на Абая"),
            c("r1", "a0", t(6, 1, 14), "Рассмотрим ваш вопрос", official=True, parent="c1"),
            c("r2", "a0", t(6, 2, 10), "Ответ дан в директ", official=True, parent="c2"),
            c("r3", "a6", t(6, 21, 16), "Спасибо за сигнал", official=True, parent="c3"),
            c("r3b", "a6", t(6, 22, 16), "Повторно: спасибо", official=True, parent="c3"),
        ]
        crow += [c(f"ce{i}", f"e{i % 20}", t(6, 2, 12) + timedelta(hours=20 * i), "Хороший пост") for i in range(25)]
        conn.execute(insert(comments), crow)
        cid = {r.platform_id: r.id for r in conn.execute(comments.select())}
        ids.update({f"comment_{k}": v for k, v in cid.items()})
        lab = []

        def add(kind: str, item: int, analyzer: str, value: str, version: str = "t1") -> None:
            lab.append({"item_kind": kind, "item_id": item, "analyzer": analyzer, "version": version, "value": value,
                        "confidence": 0.9})

        types = {"c1": ("request", "animals_zoo"), "c2": ("question", "animals_zoo"), "c3": ("request", "animals_zoo"),
                 "c4": ("request", "animals_zoo"), "c5": ("request", "animals_zoo"), "c6": ("gratitude", "none"),
                 "c7": ("request", "roads_traffic")}
        for k, (ctype, topic) in types.items():
            add("comment", cid[k], "comment_type", ctype)
            add("comment", cid[k], "topic", topic)
        # An older label version that must be ignored (latest version wins).
        add("comment", cid["c6"], "topic", "roads_traffic", version="t0")
        add("comment", cid["c6"], "comment_type", "request", version="t0")
        for i in range(10):
            add("post", pid[f"a{i}"], "topic", "animals_zoo" if i == 8 else "governance")
        conn.execute(insert(labels), lab)
    return ids
