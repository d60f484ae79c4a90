"""Telegram public preview collector against a fake t.me replaying the RECORDED page
``telegram-tme-preview-html/full.html`` (12 posts of @topwar_official, 70989…71008). The fake splits that
one recorded page into two pages by message id (the 6 newest without ``before``, the 6 older for
``?before=70998``, none before 70989) so pagination is exercised on real markup. No credentials.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy import select

from akimwatch.harvest.runner import harvest_account, watched_accounts
from akimwatch.harvest.telegram_preview import TelegramPreviewCollector
from akimwatch.models import Account
from akimwatch.store.schema import follower_snapshots
from tests.conftest import require_sample
from tests.harvest.fakeapi import FakeAPI, cursors, fresh_sqlite, no_sleep_controller, rows, watch

NOW = datetime(2023, 2, 28, 16, 0, tzinfo=UTC)
ACCOUNT = Account("tg-topwar", "telegram", handle="topwar_official", official_id="o1")
IDS = [70989, 70990, 70992, 70995, 70996, 70997, 70998, 70999, 71000, 71006, 71007, 71008]


def page_html(keep, *, edit: dict[int, str] | None = None) -> str:
    tree = HTMLParser(require_sample("telegram-tme-preview-html", "full.html").read_text(encoding="utf-8"))
    for wrap in tree.css(".tgme_widget_message_wrap"):
        message = wrap.css_first(".tgme_widget_message")
        mid = int(message.attributes["data-post"].rsplit("/", 1)[1])
        if not keep(mid):
            wrap.decompose()
        elif edit and mid in edit:
            text = message.css_first(".tgme_widget_message_text")
            text.replace_with(HTMLParser(f'<div class="tgme_widget_message_text">{edit[mid]}</div>').body.child)
    return tree.html


def fake_tme(*, drop: int | None = None, edit: dict[int, str] | None = None) -> FakeAPI:
    def serve(params):
        before = int(params["before"]) if "before" in params else 10**9
        newest = [m for m in IDS if m < before and m != drop][-6:]
        return page_html(lambda m: m in newest, edit=edit)

    api = FakeAPI()
    api.route("s/topwar_official", serve)
    return api


def collector(api, now=NOW, controller=None):
    return TelegramPreviewCollector(controller=controller or no_sleep_controller(), transport=api.transport(),
                                    now=lambda: now, window=timedelta(days=14))


@pytest.fixture
def tg(store):
    watch(store, ACCOUNT)
    return store


def test_walks_back_with_before_and_snapshots_subscribers(tg):
    api = fake_tme()
    result = harvest_account(tg, collector(api), watched_accounts(tg)[0])
    assert result.ok, result.error
    assert result.counts["posts_new"] == 12 and result.counts["followers"] == 1
    assert [p.get("before") for _, p in api.log] == [None, "70998", "70989"]
    post_rows, _ = rows(tg)
    assert [r[0] for r in post_rows][:2] == ["1084368520/70989", "1084368520/70990"]
    assert all(r[5] is not None for r in post_rows)  # views
    with tg.connect() as conn:
        snap = conn.execute(select(follower_snapshots.c.followers, follower_snapshots.c.taken_utc)).one()
    assert snap[0] == 109_000 and snap[1].replace(tzinfo=UTC) == NOW
    done = cursors(tg, "tg-topwar")["posts"]
    assert done == {"done_utc": max_time(tg)}


def max_time(engine):
    from akimwatch.store.schema import posts

    with engine.connect() as conn:
        value = conn.execute(select(posts.c.published_utc).order_by(posts.c.published_utc.desc())).first()[0]
    return value.replace(tzinfo=UTC).isoformat() if value.tzinfo is None else value.astimezone(UTC).isoformat()


def test_second_pass_marks_a_deleted_post_and_records_an_edit(tg):
    account = watched_accounts(tg)[0]
    harvest_account(tg, collector(fake_tme()), account)
    api = fake_tme(drop=71000, edit={71006: "Текст исправлен редакцией"})
    result = harvest_account(tg, collector(api, now=NOW + timedelta(hours=1)), account)
    assert result.ok, result.error
    assert result.deleted == 1 and result.counts["posts_updated"] >= 1
    post_rows, _ = rows(tg)
    assert [r[0] for r in post_rows if r[2]] == ["1084368520/71000"]
    edited = next(r for r in post_rows if r[0] == "1084368520/71006")
    assert edited[1] == "Текст исправлен редакцией" and edited[3] == 2


def test_429_500_timeout_then_kill_and_resume(tg, tmp_path):
    api = fake_tme()
    api.fault("/s/topwar_official", "429", retry_after=5)
    api.fault("/s/topwar_official", "500")
    api.fault("/s/topwar_official", "timeout")
    api.kill_after = 4  # 3 failures + page 1 land; killed asking for page 2
    controller = no_sleep_controller()
    account = watched_accounts(tg)[0]
    with pytest.raises(KeyboardInterrupt):
        harvest_account(tg, collector(api, controller=controller), account)
    assert 5.0 in controller.slept_calls and len(controller.slept_calls) == 3
    assert len(rows(tg)[0]) == 6
    assert cursors(tg, "tg-topwar")["posts"]["walk"]["next"] == 70998
    harvest_account(tg, collector(fake_tme()), account)
    clean = fresh_sqlite(tmp_path / "clean.db")
    watch(clean, ACCOUNT)
    harvest_account(clean, collector(fake_tme()), watched_accounts(clean)[0])
    assert rows(clean) == rows(tg)
    assert cursors(clean, "tg-topwar")["posts"] == cursors(tg, "tg-topwar")["posts"]


def test_needs_no_credentials_and_reads_base_url_from_environment(tg, monkeypatch):
    api = fake_tme()
    with api.serve() as base:
        monkeypatch.setenv("AKIMWATCH_TELEGRAM_PREVIEW_BASE_URL", base)
        result = harvest_account(tg, TelegramPreviewCollector(controller=no_sleep_controller(), now=lambda: NOW),
                                 watched_accounts(tg)[0])
    assert result.ok and result.counts["posts_new"] == 12
