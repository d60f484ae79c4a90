"""Stand-in topic and comment-type labels for the demo store (keyword rules, test-only), so the report's
labelled paths — topics, examples per topic, acted-on posts, the topics chart — are exercised before (or
without) the analysis stage. Written as the analysis stage writes them: rows of ``labels``."""

from __future__ import annotations

import re

from sqlalchemy import Engine, insert, select

from akimwatch.store.schema import comments, labels, posts

RULES = [
    (r"газ", "gas"), (r"зоопарк|животн", "animals_zoo"), (r"дорог|ям[аы]|пробк|жол", "roads_traffic"),
    (r"вод[аыу]|свет|отоплен|жарық", "utilities"), (r"тариф|цен", "prices_tariffs"),
    (r"дерев|сквер|парк|озелен", "greening_parks"), (r"мусор|насеком|мошк", "waste_sanitation"),
    (r"школ|садик", "education"), (r"помощь|многодет|инвалид|пособ", "social_support"),
    (r"долгостро|квартир|дом[аы]? ", "housing_construction"), (r"автобус|транспорт", "public_transport"),
]


def topic_of(text: str | None) -> str:
    t = (text or "").lower()
    for pattern, topic in RULES:
        if re.search(pattern, t):
            return topic
    return "none"


def type_of(text: str | None) -> str:
    t = (text or "").lower()
    if re.search(r"прошу|просим|просьба|необходимо|нужно|керек|-ңызшы|іңізші", t):
        return "request"
    if "?" in t:
        return "question"
    if re.search(r"спасибо|рахмет|лучш|молодец|крут", t):
        return "gratitude"
    return "other"


def label_demo(engine: Engine, version: str = "test-1") -> None:
    with engine.begin() as conn:
        rows = []
        for cid, text in conn.execute(select(comments.c.id, comments.c.text)):
            rows.append({"item_kind": "comment", "item_id": cid, "analyzer": "topic", "version": version,
                         "value": topic_of(text), "confidence": 0.9})
            rows.append({"item_kind": "comment", "item_id": cid, "analyzer": "comment_type", "version": version,
                         "value": type_of(text), "confidence": 0.9})
        for pid, text in conn.execute(select(posts.c.id, posts.c.text)):
            rows.append({"item_kind": "post", "item_id": pid, "analyzer": "topic", "version": version,
                         "value": topic_of(text), "confidence": 0.9})
        conn.execute(insert(labels), rows)
