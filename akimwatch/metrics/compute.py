"""``compute_metrics``: every number per account and per official for a period, as the documented JSON contract."""

from __future__ import annotations

from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from akimwatch.config import load_config
from akimwatch.metrics.activity import tz_for_region
from akimwatch.metrics.agenda import merge_incidents
from akimwatch.metrics.ranking import apply_ranking
from akimwatch.metrics.registry import Scope, metrics_for, needed_inputs
from akimwatch.store import metrics_queries as q
from akimwatch.store.labels import current_versions
from akimwatch.store.save import handle_key

LABEL_ANALYZERS = ("comment_type", "topic", "voice")
Period = tuple[datetime | None, datetime | None]


def parse_period(text: str | None) -> Period | None:
    """``2019-04-01:2019-07-12`` → [2019-04-01 00:00 UTC, 2019-07-13 00:00 UTC); either side may be empty."""
    if not text:
        return None
    if ":" not in text:
        raise ValueError(f"period {text!r} must look like 2019-04-01:2019-07-12 (either side may be empty)")
    a, b = text.split(":", 1)

    def day(s: str) -> date | None:
        s = s.strip()
        if not s:
            return None
        try:
            return date.fromisoformat(s)
        except ValueError:
            raise ValueError(f"period {text!r}: {s!r} is not a date YYYY-MM-DD") from None

    start, end = day(a), day(b)
    return (datetime(start.year, start.month, start.day, tzinfo=UTC) if start else None,
            datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=1) if end else None)


def unknown_officials(missing: list[str], known: list[str]) -> str:
    """«unknown official id 'nobody'; did you mean …? (known ids: …)» — the closest ids, or some of the list."""
    from difflib import get_close_matches

    close = sorted({c for m in missing for c in get_close_matches(m, known, n=3, cutoff=0.5)})
    head = f"unknown official id(s): {', '.join(missing)}"
    if close:
        return f"{head}; did you mean {', '.join(close)}?"
    if not known:
        return f"{head}; the store has no officials (load the watch list: akimwatch registry load)"
    shown = ", ".join(known[:12]) + (f", … ({len(known)} in all)" if len(known) > 12 else "")
    return f"{head}; known ids: {shown}"


def _iso(d: datetime | None) -> str | None:
    return d.isoformat() if d else None


def compute_metrics(engine: Engine, period: Period | None = None, official_ids: list[str] | None = None,
                    config: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """One dict per official (ranked first, then «not enough data»), see docs/methodology.md «JSON contract».

    Loads what the registered metrics need (set-based reads), then loops over the registry (metrics/registry.py)
    for every account and every official; the ranking and its reason codes come last."""
    cfg = config or load_config()
    needs = needed_inputs()
    with engine.connect() as conn:
        versions = current_versions(conn, LABEL_ANALYZERS)
        offs = q.load_officials(conn, official_ids)
        if official_ids:
            missing = sorted(set(official_ids) - {o["id"] for o in offs})
            if missing:
                raise KeyError(unknown_officials(missing, q.official_ids(conn)))
        accs = q.load_accounts(conn, [o["id"] for o in offs])
        start, end = period or (None, None)
        as_of = end or q.data_end(conn)
        begin = start or q.data_start(conn)
        mid = begin + (as_of - begin) / 2 if begin and as_of else None
        inbox_cutoff = as_of - timedelta(days=cfg["responsiveness"]["inbox_days"]) if as_of else None
        inputs = _load_inputs(engine, conn, needs, [a["id"] for a in accs], (start, end), versions, mid,
                              inbox_cutoff)
        tagged = _tag_counts(accs, offs, inputs.pop("mentions", []), cfg)

        def scope(tz: str, acc_ids: list[str], **extra: Any) -> Scope:
            s = Scope(cfg=cfg, label_versions=versions, start=start, end=end, as_of=as_of,
                      inbox_cutoff=inbox_cutoff, tz=tz, voice_source=inputs["voice_source"], **extra)
            for name in ("posts", "comment_aggregates", "official_replies", "topic_days", "followers", "coverage",
                         "removal_counts", "removed_rows", "praise_rows"):
                setattr(s, name, [r for acc in acc_ids for r in inputs.get(name, {}).get(acc, [])])
            s.posts_ever = sum(inputs.get("posts_ever", {}).get(acc, 0) for acc in acc_ids)
            s.single_minded = inputs.get("single_minded", {})
            s.rechecked = any(acc in inputs.get("rechecked", ()) for acc in acc_ids)
            s.posts_before = sum(inputs.get("posts_before", {}).get(acc, 0) for acc in acc_ids)
            return s

        result = []
        for off in offs:
            tz = tz_for_region(off["region"])
            acc_rows = []
            for a in (a for a in accs if a["official_id"] == off["id"]):
                s = scope(tz, [a["id"]], tagged=tagged["accounts"].get(a["id"], 0))
                s.row = {"account_id": a["id"], "platform": a["platform"], "handle": a["handle"], "title": a["name"],
                         "url": a["url"],
                         "role": a["role"], "linked": a["linked"]}
                for m in metrics_for("account"):
                    s.row.update(m.compute(s))
                acc_rows.append(s.row)
            s = scope(tz, [a["account_id"] for a in acc_rows], tagged=tagged["officials"].get(off["id"], 0),
                      accounts=acc_rows)
            s.row = {"official_id": off["id"], "name": off["name_ru"], "name_kk": off["name_kk"],
                     "name_en": off["name_en"], "position": off["position"], "region": off["region"],
                     "timezone": tz, "status": None, "score": None, "rank": None, "rank_state": None, "why": None}
            for m in metrics_for("official"):
                s.row.update(m.compute(s))
            s.row.update(accounts=acc_rows, period={"start": _iso(start), "end": _iso(end), "as_of": _iso(as_of)},
                         label_versions=versions)
            result.append(s.row)
        _fill_examples(conn, result, cfg)
    for o in result:
        for row in (o, *o["accounts"]):
            for key in [k for k in row if k.startswith("_")]:
                del row[key]
    apply_ranking(result, cfg)
    return result


def _load_inputs(engine: Engine, conn: Connection, needs: set[str], acc_ids: list[str], prd: Period,
                 versions: dict[str, str], mid: datetime | None, inbox_cutoff: datetime | None) -> dict[str, Any]:
    """The store inputs the registered metrics declared, grouped by account (one set-based read each)."""
    out: dict[str, Any] = {"voice_source": "labels"}

    def by_account(rows: list, key: Any = "account_id") -> dict[str, list]:
        grouped: dict[str, list] = defaultdict(list)
        for r in rows:
            grouped[r[key]].append(r)
        return grouped

    if "posts" in needs:
        prows = q.post_rows(conn, acc_ids, prd, versions)
        # Voice: stored labels first; posts without one are classified on the fly (rules are cheap) and marked.
        unvoiced = [r["id"] for r in prows if r["voice"] is None]
        out["voice_source"] = ("labels" if not unvoiced else
                               "rules (not stored)" if len(unvoiced) == len(prows) else "mixed")
        if unvoiced:
            from akimwatch.analysis.voice import classify_voice

            texts = q.post_texts(conn, unvoiced)
            for r in prows:
                if r["voice"] is None:
                    text, repost = texts.get(r["id"], (None, False))
                    r["voice"] = classify_voice(text, repost).value
        out["posts"] = by_account(prows)
    if "posts_ever" in needs:
        out["posts_ever"] = q.posts_ever(conn, acc_ids, prd[1])
        out["posts_before"] = q.posts_ever(conn, acc_ids, prd[0]) if prd[0] else {}
    # The comment scans are independent: on a file or server database they run side by side on their own
    # connections (the database works outside Python's GIL); on an in-memory SQLite they run in turn.
    parallel = len(acc_ids) > q.MANY_ACCOUNTS and engine.url.database not in (None, "", ":memory:")
    with ThreadPoolExecutor(max_workers=2 if parallel else 1) as pool:
        def on_own_connection(fn, *args):
            with engine.connect() as c2:
                return fn(c2, *args)

        f_days = (pool.submit(on_own_connection, q.topic_days, acc_ids, prd, versions)
                  if parallel and "topic_days" in needs else None)
        if "comment_aggregates" in needs:
            out["comment_aggregates"] = by_account(q.comment_aggregates(conn, acc_ids, prd, versions, mid,
                                                                        inbox_cutoff))
        if "official_replies" in needs:
            out["official_replies"] = by_account(q.official_replies(conn, acc_ids, prd, versions))
        if "topic_days" in needs:
            out["topic_days"] = by_account(f_days.result() if f_days else q.topic_days(conn, acc_ids, prd, versions),
                                           key=0)
    if "mentions" in needs:
        out["mentions"] = q.mention_counts(conn, prd)
    if "coverage" in needs:
        out["coverage"] = by_account(q.coverage_rows(conn, acc_ids))
    if "followers" in needs:
        out["followers"] = by_account(q.follower_rows(conn, acc_ids, prd))
    if "removals" in needs:
        from akimwatch.civic.metrics_inputs import load_removals

        out.update(load_removals(conn, acc_ids, prd, by_account))
    if "coordination" in needs:
        from akimwatch.civic.metrics_inputs import load_coordination

        out.update(load_coordination(conn, acc_ids, prd, by_account))
    return out


def _fill_examples(conn: Connection, result: list[dict[str, Any]], cfg: dict[str, Any]) -> None:
    """Representative comments of each official's top topics: the texts of every official read at once."""
    agenda = cfg["agenda"]
    wanted = [i for o in result for ids in (o.get("_example_ids") or {}).values() for i in ids]
    if not wanted:
        return
    texts = {r["id"]: r for r in q.comment_texts(conn, wanted)}
    for o in result:
        for topic, ids in (o.get("_example_ids") or {}).items():
            pool = [texts[i] for i in ids if i in texts and texts[i]["text"]]
            if pool:
                o["examples"][topic] = merge_incidents(pool, agenda["near_duplicate_jaccard"],
                                                       agenda["examples_per_topic"])


def _tag_counts(accs: list[dict[str, Any]], offs: list[dict[str, Any]], mentions: list[dict[str, Any]],
                cfg: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Tags/mentions of each official in posts of *other* accounts, matched by his accounts' handle or platform id
    (or by ``tag_handles`` in the config for an official without an account)."""
    keys: dict[tuple[str, str, str], str] = {}
    acc_of: dict[tuple[str, str, str], str] = {}
    for a in accs:
        if a["handle_key"]:
            keys[(a["platform"], "h", a["handle_key"])] = a["official_id"]
            acc_of[(a["platform"], "h", a["handle_key"])] = a["id"]
        if a["platform_id"]:
            keys[(a["platform"], "p", a["platform_id"])] = a["official_id"]
            acc_of[(a["platform"], "p", a["platform_id"])] = a["id"]
    wanted = {o["id"] for o in offs}
    for oid, handles in (cfg.get("tag_handles") or {}).items():
        if oid not in wanted:
            continue
        for h in handles:
            platform, _, handle = str(h).partition(":")
            keys.setdefault((platform, "h", handle_key(handle) or ""), oid)
    own = {a["id"]: a["official_id"] for a in accs}
    per_off: Counter = Counter()
    per_acc: Counter = Counter()
    for m in mentions:
        k = (m["platform"], "h", m["handle_key"] or "")
        kp = (m["platform"], "p", m["platform_id"] or "")
        oid = keys.get(k) or keys.get(kp)
        if not oid or own.get(m["account_id"]) == oid:
            continue
        per_off[oid] += m["n"]
        acc = acc_of.get(k) or acc_of.get(kp)
        if acc:
            per_acc[acc] += m["n"]
    return {"officials": dict(per_off), "accounts": dict(per_acc)}
