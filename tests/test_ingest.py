"""Import behaviour on the generic JSONL/CSV source: idempotence, edits, bad input, atomicity.

These files are written by the tests (the generic schema is ours); platform importers are tested
on real samples in tests/sources/.
"""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from akimwatch.cli import app
from akimwatch.ingest import import_file
from akimwatch.registry import load_registry
from akimwatch.store.queries import count_rows
from akimwatch.store.save import RecordSaver
from akimwatch.store.schema import accounts, comments, import_runs, post_mentions, posts, text_versions
from akimwatch.store.watchlist import save_registry


def rows(*items: dict) -> str:
    return "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items)


POST = {"kind": "post", "platform": "instagram", "id": "p1", "account": "b.sagintayev",
        "published_at": "2019-06-20T05:00:00Z", "text": "Посетил наш алматинский зоопарк.", "media_kind": "photo",
        "likes": 120, "tagged": ["almaty_akimat"]}
C1 = {"kind": "comment", "platform": "instagram", "id": "c1", "post_id": "p1", "author_handle": "citizen_1",
      "published_at": "2019-06-20T06:00:00Z", "text": "Прошу рассмотреть закрытие зоопарка"}
C2 = {"kind": "comment", "platform": "instagram", "id": "c2", "post_id": "p1", "parent_id": "c1",
      "author_handle": "almaty_akimat", "published_at": "2019-06-20T09:00:00Z", "text": "Спасибо, рассмотрим."}
C3 = {"kind": "comment", "platform": "instagram", "id": "c3", "post_id": "p1", "author_handle": "citizen_2",
      "published_at": "2019-06-21T06:00:00Z", "text": "Когда будет газ?"}


def write(tmp_path: Path, name: str, *items: dict) -> Path:
    path = tmp_path / name
    path.write_text(rows(*items), encoding="utf-8")
    return path


def test_import_then_reimport_changes_nothing(store, tmp_path):
    path = write(tmp_path, "a.jsonl", POST, C1, C2, C3)
    first = import_file(store, path)
    assert first.ok and first.format == "tabular_jsonl"
    assert (first.counts["posts_new"], first.counts["all_comments_new"]) == (1, 3)
    assert first.warnings == ["account 'instagram:b.sagintayev' is not on the watch list: imported as unassigned"]
    before = count_rows(store)
    again = import_file(store, path)
    assert (again.counts["posts_new"], again.counts["all_comments_new"], again.counts["all_comments_updated"]) == (0, 0, 0)
    assert count_rows(store) == before == {"officials": 0, "accounts": 1, "accounts_unassigned": 1, "posts": 1,
                                           "comments": 3, "official_replies": 0, "all_comments": 3,
                                           "follower_snapshots": 0}
    with store.connect() as conn:
        assert conn.execute(select(post_mentions.c.handle_key, post_mentions.c.kind)).all() == [("almaty_akimat", "tag")]
        assert conn.execute(select(func.count()).select_from(import_runs).where(import_runs.c.status == "ok")
                            ).scalar_one() == 2


def test_edited_text_keeps_history(store, tmp_path):
    import_file(store, write(tmp_path, "a.jsonl", POST, C1))
    edited = dict(C1, text="Прошу рассмотреть закрытие зоопарка!!!")
    res = import_file(store, write(tmp_path, "b.jsonl", POST, edited))
    assert res.counts["all_comments_updated"] == 1 and res.counts["all_comments_new"] == 0
    with store.connect() as conn:
        row = conn.execute(select(comments.c.id, comments.c.text, comments.c.version)).one()
        assert (row.text, row.version) == ("Прошу рассмотреть закрытие зоопарка!!!", 2)
        history = conn.execute(select(text_versions.c.item_kind, text_versions.c.version, text_versions.c.text)).all()
        assert history == [("comment", 1, "Прошу рассмотреть закрытие зоопарка")]


def test_bad_record_fails_the_whole_file_and_names_line_and_field(store, tmp_path):
    bad = dict(C3, published_at="yesterday")
    path = write(tmp_path, "bad.jsonl", POST, C1, bad)
    res = import_file(store, path)
    assert not res.ok
    assert res.error == (f"{path}, line 3: field 'published_at' is not a timestamp ('yesterday'); "
                         "fix the record or run with --skip-bad")
    assert count_rows(store)["posts"] == 0 and count_rows(store)["comments"] == 0
    with store.connect() as conn:
        run = conn.execute(select(import_runs.c.status, import_runs.c.errors)).one()
    assert run.status == "failed" and "line 3" in run.errors[0]["error"]
    skipped = import_file(store, path, skip_bad=True)
    assert skipped.ok and skipped.counts["comments"] == 1 and skipped.counts["skipped"] == 1
    assert skipped.skipped == [{"location": "line 3", "field": "published_at",
                                "reason": "is not a timestamp ('yesterday')"}]


def test_malformed_json_line_and_missing_field(store, tmp_path):
    path = tmp_path / "m.jsonl"
    path.write_text(rows(POST) + '{"kind": "comment", "platform": "instagram", "id": "c9"\n' +
                    rows({k: v for k, v in C1.items() if k != "post_id"}), encoding="utf-8")
    res = import_file(store, path, skip_bad=True)
    assert [(s["location"], s["field"]) for s in res.skipped] == [("line 2", "-"), ("line 3", "post_id")]
    assert res.skipped[1]["reason"] == "is missing"


def test_interrupted_file_leaves_the_store_as_it_was(store, tmp_path, monkeypatch):
    import_file(store, write(tmp_path, "a.jsonl", POST))
    before = count_rows(store)
    many = [dict(C1, id=f"x{i}") for i in range(5000)]
    path = write(tmp_path, "big.jsonl", *many)
    calls = {"n": 0}
    original = RecordSaver.add

    def add(self, record):
        calls["n"] += 1
        if calls["n"] == 4500:  # after two flushed batches
            raise KeyboardInterrupt
        original(self, record)

    monkeypatch.setattr(RecordSaver, "add", add)
    with pytest.raises(KeyboardInterrupt):
        import_file(store, path)
    assert count_rows(store) == before
    with store.connect() as conn:
        statuses = conn.execute(select(import_runs.c.status).order_by(import_runs.c.id)).scalars().all()
    assert statuses == ["ok", "failed"]


def test_comments_before_posts_and_watch_list_afterwards(store, tmp_path):
    """File order does not matter; assigning accounts later turns press-service answers into official replies."""
    import_file(store, write(tmp_path, "comments.jsonl", C1, C2, C3))
    with store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(comments).where(comments.c.post_id.is_(None))
                            ).scalar_one() == 3
    import_file(store, write(tmp_path, "posts.jsonl", POST))
    with store.connect() as conn:
        assert conn.execute(select(func.count()).select_from(comments).where(comments.c.post_id.is_(None))
                            ).scalar_one() == 0
    assert count_rows(store)["official_replies"] == 0
    reg = load_registry(Path(__file__).parent / "fixtures" / "registry" / "good.yaml")
    with store.begin() as conn:
        counts = save_registry(conn, reg)
    assert counts["merged"] == 1
    with store.connect() as conn:
        assert conn.execute(select(posts.c.account_id)).scalar_one() == "sagintayev-ig"
        assert conn.execute(select(accounts.c.id).order_by(accounts.c.id)).scalars().all() == [
            "almaty-akimat-ig", "sagintayev-ig"]
    # almaty_akimat is linked to the akim's account as its press service: its answer is official.
    assert count_rows(store)["official_replies"] == 1
    assert count_rows(store)["comments"] == 2


def test_strict_rejects_accounts_not_on_the_watch_list(store, tmp_path):
    path = write(tmp_path, "a.jsonl", POST, C1)
    res = import_file(store, path, strict=True)
    assert not res.ok
    assert res.error == (f"{path}, line 1: instagram account 'b.sagintayev' is not on the watch list (--strict); "
                         "add it to the registry or pass --account")
    assert count_rows(store)["accounts"] == 0


def test_account_option_assigns_posts(store, tmp_path):
    reg = load_registry(Path(__file__).parent / "fixtures" / "registry" / "good.yaml")
    with store.begin() as conn:
        save_registry(conn, reg)
    other = dict(POST, account="someone_else")
    res = import_file(store, write(tmp_path, "a.jsonl", other), account_id="sagintayev-ig")
    assert res.ok and res.warnings == []
    with store.connect() as conn:
        assert conn.execute(select(posts.c.account_id)).scalar_one() == "sagintayev-ig"
    missing = import_file(store, write(tmp_path, "b.jsonl", other), account_id="nope")
    assert not missing.ok and "--account 'nope' is not in the store" in missing.error


def test_csv_generic_and_encoding_errors(store, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("kind,platform,id,account,published_at,text,post_id,author_handle\n"
                    "post,vk,-1_5,akimat,2019-07-01T10:00:00+06:00,Привет,,\n"
                    "comment,vk,-1_7,,2019-07-01T11:00:00+06:00,Где газ?,-1_5,ivan\n", encoding="utf-8")
    res = import_file(store, path)
    assert res.ok and res.format == "tabular_csv" and (res.counts["posts"], res.counts["comments"]) == (1, 1)
    with store.connect() as conn:
        published = conn.execute(select(posts.c.published_utc)).scalar_one()
    assert (published.hour, published.minute) == (4, 0)  # +06:00 stored as UTC
    cp = tmp_path / "cp1251.csv"
    cp.write_bytes("kind,platform,id,account,published_at,text\npost,vk,1_1,a,2019-07-01T10:00:00Z,Привет\n"
                   .encode("cp1251"))
    res = import_file(store, cp)
    assert not res.ok and "is not UTF-8 text" in res.error and str(cp) in res.error


def test_unsupported_and_missing_files(sqlite_store, tmp_path):
    junk = tmp_path / "notes.bin"
    junk.write_bytes(b"\x00\x01binary")
    res = import_file(sqlite_store, junk)
    assert not res.ok and res.error.startswith(f"{junk}: is not in a supported format; supported: ")
    res = import_file(sqlite_store, tmp_path / "nope.json")
    assert not res.ok and res.error == f"{tmp_path / 'nope.json'}: does not exist"


def test_cli_import_and_status_json(tmp_path):
    db = tmp_path / "cli.db"
    path = write(tmp_path, "a.jsonl", POST, C1, C2)
    runner = CliRunner()
    res = runner.invoke(app, ["import", str(path), "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert "imported 1 of 1 files: 1 post, 2 comments, 0 official replies, 0 skipped" in res.output
    res = runner.invoke(app, ["status", "--json", "--db", str(db)])
    data = orjson.loads(res.stdout)
    assert {k: data[k] for k in ("officials", "accounts", "posts", "comments", "official_replies")} == {
        "officials": 0, "accounts": 1, "posts": 1, "comments": 2, "official_replies": 0}
    assert data["import_runs"][0]["status"] == "ok" and data["import_runs"][0]["started_utc"].endswith("+00:00")
    bad = write(tmp_path, "bad.jsonl", dict(C1, published_at="x"))
    res = runner.invoke(app, ["import", str(bad), "--db", str(db)])
    assert res.exit_code == 1 and f"{bad}, line 1: field 'published_at'" in res.output


def test_cli_prints_data_with_brackets_verbatim(tmp_path):
    """File names, formats and record values are data, not terminal markup ([x_api_v2], '[bold]')."""
    db = tmp_path / "b.db"
    path = write(tmp_path, "[bold]odd.jsonl", dict(C1, published_at="[red]x"))
    res = CliRunner().invoke(app, ["import", str(path), "--db", str(db)])
    assert res.exit_code == 1
    assert f"{path}, line 1: field 'published_at' is not a timestamp ('[red]x')" in res.output
    ok = write(tmp_path, "ok.jsonl", POST)
    res = CliRunner().invoke(app, ["import", str(ok), "--db", str(db)])
    assert f"{ok} [tabular_jsonl]: 1 post (1 new)" in res.output and "1 posts" not in res.output


def test_folders_skip_code_and_docs(sqlite_store, tmp_path):
    """The demo data folder holds a README, a watch list and __init__.py beside the exports."""
    from akimwatch.ingest import expand_paths

    (tmp_path / "sub").mkdir()
    for name in ("README.md", "watchlist.yaml", "__init__.py", "LICENSE", ".hidden.json"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    export = write(tmp_path / "sub", "a.jsonl", POST)
    assert expand_paths([tmp_path]) == [export]
