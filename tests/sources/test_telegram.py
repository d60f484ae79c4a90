"""Telegram sources: Desktop JSON export (channel + discussion group) and the t.me/s web preview.

Real samples: /work/shared/data/formats/telegram-desktop-export-json/result.json (a channel export) and
/work/shared/data/formats/telegram-tme-preview-html/ (a full t.me/s page and single-message fragments).
The discussion-group export under tests/fixtures/telegram/linked/ is BUILT (see its README), since no
real group export is available.
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select

from akimwatch.ingest import import_file
from akimwatch.models import CommentRecord, FollowerRecord, PostRecord, SkippedRecord
from akimwatch.sources import detect_format
from akimwatch.sources.base import SourceError
from akimwatch.sources.peek import peek_file
from akimwatch.sources.telegram import (
    detect_desktop,
    detect_preview,
    export_text,
    map_preview_html,
    map_preview_page,
    parse_count,
    parse_desktop,
    parse_preview,
    preview_media_kind,
    preview_min_message_id,
)
from akimwatch.store.schema import accounts, comments, follower_snapshots, posts
from tests.conftest import FORMATS, require_sample

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "telegram"
CHANNEL_FIXTURE = FIXTURES / "linked" / "channel" / "result.json"
GROUP_FIXTURE = FIXTURES / "linked" / "group" / "result.json"
PREVIEW = "telegram-tme-preview-html"


def desktop_sample() -> Path:
    return require_sample("telegram-desktop-export-json", "result.json")


def preview_sample(name: str) -> Path:
    return require_sample(PREVIEW, name)


def rows(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def by_kind(records):
    return Counter(type(r).__name__ for r in records)


# --- detection ----------------------------------------------------------------------------------
def test_detect_own_files():
    for path in (desktop_sample(), CHANNEL_FIXTURE, GROUP_FIXTURE):
        assert detect_desktop(path, peek_file(path))
        assert not detect_preview(path, peek_file(path))
        assert detect_format(path).id == "telegram_desktop"
    full = preview_sample("full.html")
    assert detect_preview(full, peek_file(full))
    assert not detect_desktop(full, peek_file(full))
    assert detect_format(full).id == "telegram_preview"
    for frag in ("message_poll.html", "message_voice.html", "message_sticker.html"):
        assert detect_format(preview_sample(frag)).id == "telegram_preview"


def test_no_false_positives_on_other_samples():
    others = [p for folder in FORMATS.iterdir() if folder.is_dir() and not folder.name.startswith("telegram-")
              for p in folder.rglob("*") if p.is_file()]
    assert others, "expected samples of other platforms next to the Telegram ones"
    for path in others:
        head = peek_file(path)
        assert not detect_desktop(path, head), path
        assert not detect_preview(path, head), path
    # and each format never claims the other's samples
    for path in (FORMATS / PREVIEW).glob("*"):
        assert not detect_desktop(path, peek_file(path)), path
    assert not detect_preview(desktop_sample(), peek_file(desktop_sample()))


# --- Desktop export: the real channel sample -----------------------------------------------------
def test_real_channel_export_counts_and_fields():
    records = list(parse_desktop(desktop_sample()))
    # 3,719 messages = 2 service (skipped silently) + 3,717 posts; a channel export has no comments
    assert by_kind(records) == {"PostRecord": 3717}
    assert Counter(r.media_kind for r in records) == {"long_video": 2783, "photo": 699, "video": 147, "text": 88}
    assert sum(r.is_repost for r in records) == 291
    assert sum(1 for r in records if r.repost_source_name) == 291
    assert sum(1 for r in records if r.likes is not None) == 848  # messages with a `reactions` block
    assert sum(r.likes or 0 for r in records) == 9200
    assert len({r.platform_id for r in records}) == 3717
    assert {r.account.platform_id for r in records} == {"2447843635"}

    first = records[0]
    assert first.platform_id == "2447843635/4"
    assert first.published_utc == datetime(2024, 9, 29, 10, 14, 24, tzinfo=UTC)  # date_unixtime, not local date
    assert first.text.startswith("БОГ ВОЙНЫ ПОД ВАШИ ТРЕКИ #1 (part 1)\n29.01.2021\n")
    assert "#DemonsSouls" in first.text  # hashtag entity text joined in
    assert first.media_kind == "long_video"  # video_file, 4760 s
    assert first.url == "https://t.me/c/2447843635/4"
    assert first.account.name == "ГУЗЕЛЬСКИЕ ПЕРЕЗАЛИВЫ"
    assert first.raw["file_name"] == "БОГ ВОИНЫ ПОД ВАШИ ТРЕКИ_0001.mp4"

    by_id = {r.platform_id: r for r in records}
    fwd = by_id["2447843635/2361"]
    assert fwd.is_repost and fwd.repost_source_name == "ГУЗЕЛЬКА СТРИМЕРША"
    assert fwd.likes == 2 and fwd.media_kind == "text"
    assert by_id["2447843635/2362"].media_kind == "long_video"  # 77 s
    reply = by_id["2447843635/900"]  # a channel post replying to an earlier post stays a post
    assert reply.text == "Наруто (S.1, Ep.97-117)\nбез филлеров\n\n#АнимеСтрим  #Наруто"
    assert reply.likes == 2
    with_link = [r for r in records if r.repost_source_url]
    assert len(with_link) == 15
    assert Counter(r.repost_source_domain for r in with_link)["boosty.to"] == 4


def test_real_channel_export_into_store_and_reimport(store):
    path = desktop_sample()
    first = import_file(store, path)
    assert first.ok, first.error
    assert first.format == "telegram_desktop"
    assert first.counts["posts_new"] == 3717 and first.counts["comments"] == 0 and first.counts["skipped"] == 0
    assert rows(store, posts) == 3717
    with store.connect() as conn:
        acc = conn.execute(select(accounts.c.platform_id, accounts.c.name)).all()
        likes = conn.execute(select(posts.c.likes, posts.c.published_utc)
                             .where(posts.c.platform_id == "2447843635/2361")).one()
    assert acc == [("2447843635", "ГУЗЕЛЬСКИЕ ПЕРЕЗАЛИВЫ")]
    assert likes.likes == 2
    again = import_file(store, path)
    assert again.ok, again.error
    assert again.counts["posts_new"] == 0 and again.counts["posts_updated"] == 0
    assert again.counts["posts"] == 3717
    assert rows(store, posts) == 3717 and rows(store, accounts) == 1


def test_truncated_export_fails_and_commits_nothing(store, tmp_path):
    data = desktop_sample().read_bytes()
    cut = tmp_path / "result.json"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError) as err:
        list(parse_desktop(cut))
    assert "truncated" in str(err.value) and "record " in str(err.value)
    result = import_file(store, cut)
    assert not result.ok
    assert str(cut) in result.error and "truncated or not valid JSON" in result.error
    assert rows(store, posts) == 0


def _broken_channel(tmp_path: Path) -> Path:
    data = orjson.loads(CHANNEL_FIXTURE.read_bytes())
    del data["messages"][2]["date_unixtime"]  # record 3 = message id 3
    del data["messages"][2]["date"]  # (a local date alone would be read as an approximate time)
    path = tmp_path / "result.json"
    path.write_bytes(orjson.dumps(data))
    return path


def test_record_without_required_field(store, tmp_path):
    path = _broken_channel(tmp_path)
    records = list(parse_desktop(path))
    assert [r for r in records if isinstance(r, SkippedRecord)][0].location == "record 3"
    result = import_file(store, path)
    assert not result.ok
    assert str(path) in result.error and "record 3" in result.error and "date_unixtime" in result.error
    assert rows(store, posts) == 0
    result = import_file(store, path, skip_bad=True)
    assert result.ok
    assert result.counts["posts_new"] == 5
    assert result.skipped == [{"location": "record 3", "field": "date_unixtime",
                               "reason": result.skipped[0]["reason"]}]


def test_not_a_channel_or_group(tmp_path):
    path = tmp_path / "result.json"
    path.write_text('{"name": "Someone", "type": "personal_chat", "id": 45, "messages": []}')
    with pytest.raises(SourceError, match="personal_chat"):
        list(parse_desktop(path))


def test_header_after_messages(tmp_path):
    data = orjson.loads(CHANNEL_FIXTURE.read_bytes())
    reordered = {"messages": data["messages"], "id": data["id"], "type": data["type"], "name": data["name"]}
    path = tmp_path / "result.json"
    path.write_bytes(orjson.dumps(reordered))
    records = list(parse_desktop(path))
    assert by_kind(records) == {"PostRecord": 6}
    assert records[0].account.name == "Аким Тестовской области"


def test_export_text_joins_entities():
    assert export_text("plain") == "plain"
    assert export_text(["a ", {"type": "text_link", "text": "link", "href": "https://x.kz"}, " ",
                        {"type": "hashtag", "text": "#tag"}]) == "a link #tag"


# --- Desktop export: the built channel + discussion group -----------------------------------------
def test_built_channel_fixture():
    records = {r.platform_id: r for r in parse_desktop(CHANNEL_FIXTURE)}
    assert list(records) == [f"1500000001/{i}" for i in range(2, 8)]
    post = records["1500000001/2"]
    assert post.text == "Провели приём граждан по вопросам благоустройства.\nСледующий приём — 17 января.\n#Тестовск"
    assert post.likes == 7  # 5 emoji + 2 custom emoji
    assert [records[f"1500000001/{i}"].media_kind for i in (3, 4, 5)] == ["photo", "photo", "video"]
    repost = records["1500000001/6"]
    assert repost.is_repost and repost.repost_source_name == "Tengrinews.kz"
    assert repost.repost_source_url == "https://tengrinews.kz/kazakhstan_news/novyiy-marshrut-123/"
    assert repost.repost_source_domain == "tengrinews.kz"
    assert [m.handle for m in records["1500000001/7"].mentions] == ["testovsk_akimat"]


def test_group_export_matched_to_channel_export():
    records = list(parse_desktop(GROUP_FIXTURE))
    assert by_kind(records) == {"CommentRecord": 6, "PostRecord": 1}
    post = next(r for r in records if isinstance(r, PostRecord))
    # published after the channel export was made: no channel post to match, kept under the group's key
    assert post.platform_id == "1600000002/22" and post.account.platform_id == "1500000001"
    assert not post.is_repost
    got = {r.platform_id: (r.post_platform_id, r.parent_platform_id, r.is_official_reply, r.author.platform_id)
           for r in records if isinstance(r, CommentRecord)}
    assert got == {
        "1600000002/11": ("1500000001/2", None, None, "111"),
        "1600000002/12": ("1500000001/2", "1600000002/11", True, "1500000001"),  # the channel answers
        "1600000002/13": ("1500000001/2", "1600000002/12", None, "111"),
        "1600000002/16": ("1500000001/4", None, None, "222"),  # second photo of the album
        "1600000002/21": ("1500000001/6", None, None, "1600000002"),  # anonymous group admin
        "1600000002/23": ("1600000002/22", None, None, "444"),
    }
    c11 = next(r for r in records if r.platform_id == "1600000002/11")
    assert c11.likes == 3 and c11.author.name == "Айгуль"
    assert c11.published_utc == datetime(2025, 1, 10, 8, 1, tzinfo=UTC)
    assert next(r for r in records if r.platform_id == "1600000002/16").text is None


def test_group_export_alone(tmp_path):
    alone = tmp_path / "ChatExport_2025-01-11" / "result.json"
    alone.parent.mkdir()
    shutil.copy(GROUP_FIXTURE, alone)
    records = list(parse_desktop(alone))
    assert by_kind(records) == {"CommentRecord": 6, "PostRecord": 6}
    found = {r.platform_id: r for r in records if isinstance(r, PostRecord)}
    assert sorted(found) == [f"1600000002/{i}" for i in (10, 14, 15, 19, 20, 22)]
    assert {r.account.platform_id for r in found.values()} == {"1500000001"}
    copy_of_repost = found["1600000002/20"]
    assert copy_of_repost.is_repost and copy_of_repost.repost_source_domain == "tengrinews.kz"
    assert not found["1600000002/10"].is_repost
    posts_of = {r.platform_id: r.post_platform_id for r in records if isinstance(r, CommentRecord)}
    assert posts_of["1600000002/13"] == "1600000002/10"
    assert posts_of["1600000002/16"] == "1600000002/15"


@pytest.mark.parametrize("order", ["channel_first", "group_first"])
def test_channel_and_group_into_store(store, order):
    files = [CHANNEL_FIXTURE, GROUP_FIXTURE] if order == "channel_first" else [GROUP_FIXTURE, CHANNEL_FIXTURE]
    results = [import_file(store, p) for p in files]
    assert all(r.ok for r in results), [r.error for r in results]
    assert rows(store, posts) == 7  # 6 channel posts + 1 post newer than the channel export
    assert rows(store, comments) == 6
    assert rows(store, accounts) == 1  # commenters are not accounts; the channel is one account
    with store.connect() as conn:
        unlinked = conn.execute(select(func.count()).select_from(comments)
                                .where(comments.c.post_id.is_(None))).scalar_one()
        official = conn.execute(select(comments.c.platform_id).where(comments.c.is_official_reply)).scalars().all()
        per_post = dict(conn.execute(select(posts.c.platform_id, func.count(comments.c.id))
                                     .join(comments, comments.c.post_id == posts.c.id)
                                     .group_by(posts.c.platform_id)).all())
    assert unlinked == 0
    assert official == ["1600000002/12"]
    assert per_post == {"1500000001/2": 3, "1500000001/4": 1, "1500000001/6": 1, "1600000002/22": 1}
    again = [import_file(store, p) for p in files]
    assert all(r.ok for r in again)
    assert sum(r.counts["posts_new"] + r.counts["all_comments_new"] + r.counts["posts_updated"]
               + r.counts["all_comments_updated"] for r in again) == 0
    assert rows(store, posts) == 7 and rows(store, comments) == 6


# --- Web preview -----------------------------------------------------------------------------------
def test_parse_count():
    assert parse_count("1.2K") == 1200
    assert parse_count("214.4K") == 214400
    assert parse_count("3M") == 3_000_000
    assert parse_count("746") == 746
    assert parse_count("1 234") == 1234
    assert parse_count("views") is None and parse_count(None) is None


def test_full_preview_page():
    page = map_preview_page(preview_sample("full.html").read_text())
    records = page.records
    assert by_kind(records) == {"PostRecord": 12, "FollowerRecord": 1}
    posts_ = [r for r in records if isinstance(r, PostRecord)]
    assert [r.platform_id for r in posts_][:3] == ["1084368520/70989", "1084368520/70990", "1084368520/70992"]
    assert page.min_message_id == 70989 and page.channel_handle == "topwar_official"
    assert page.channel_id == "1084368520"
    assert page.rendered_utc == datetime(2023, 2, 28, 14, 17, 15, tzinfo=UTC)
    assert Counter(r.media_kind for r in posts_) == {"text": 5, "photo": 2, "album": 2, "long_video": 2, "video": 1}
    assert sum(r.is_repost for r in posts_) == 5
    assert sum(r.views for r in posts_) == 337600
    first = posts_[0]
    assert first.views == 37200 and first.published_utc == datetime(2023, 2, 28, 7, 47, 53, tzinfo=UTC)
    assert first.text.startswith("В Санкт-Петербурге в небо над городом подняли истребители")
    assert first.account.handle == "topwar_official" and first.account.platform_id == "1084368520"
    assert first.account.name == "Военное обозрение"
    assert first.url == "https://t.me/topwar_official/70989"
    fwd = next(r for r in posts_ if r.platform_id == "1084368520/71007")
    assert fwd.repost_source_name == "Пул N3" and fwd.repost_source_url == "https://t.me/dimsmirnov175/44655"
    assert fwd.media_kind == "long_video"  # 2:57
    follower = next(r for r in records if isinstance(r, FollowerRecord))
    assert follower.followers == 109000 and follower.account.handle == "topwar_official"
    assert follower.account.platform_id == "1084368520"
    assert follower.taken_utc == page.rendered_utc


def test_full_preview_into_store_and_reimport(store):
    path = preview_sample("full.html")
    first = import_file(store, path)
    assert first.ok, first.error
    assert first.format == "telegram_preview"
    assert first.counts["posts_new"] == 12 and first.counts["followers"] == 1
    with store.connect() as conn:
        snap = conn.execute(select(follower_snapshots.c.followers)).scalars().all()
    assert snap == [109000]
    again = import_file(store, path)
    assert again.ok and again.counts["posts_new"] == 0 and again.counts["posts_updated"] == 0
    assert rows(store, posts) == 12 and rows(store, follower_snapshots) == 1 and rows(store, accounts) == 1


def one_post(name: str) -> PostRecord:
    records = list(parse_preview(preview_sample(name)))
    assert len(records) == 1 and isinstance(records[0], PostRecord), records
    return records[0]


def test_preview_fragments():
    fwd = one_post("message_media_forwarded_from.html")
    assert fwd.platform_id == "oper_goblin/22358"  # no data-view token in the fragment: keyed by handle
    assert fwd.is_repost and fwd.repost_source_name == "Пул N3"
    assert fwd.repost_source_url == "https://t.me/dimsmirnov175/44604" and fwd.media_kind == "photo"
    assert fwd.views == 214400
    album = one_post("message_media_photo_and_video.html")
    assert album.media_kind == "album" and album.views == 59500
    assert album.text.startswith("Ночью над Белгородом сбили 3 беспилотника\n\nОни упали на улицы города.")
    poll = one_post("message_poll.html")
    assert poll.media_kind == "text"
    assert poll.text == ("Как лучше?\n- Несколько постов в день\n- Один пост в несколько дней\n"
                         "- Свой вариант в комментарии")
    voice = one_post("message_voice.html")
    assert voice.media_kind == "text" and voice.is_repost and voice.repost_source_name == "Спортивный Екб"
    assert voice.published_utc == datetime(2018, 4, 24, 15, 28, 46, tzinfo=UTC)
    sticker = one_post("message_sticker.html")
    assert sticker.media_kind == "photo" and sticker.text is None
    signed = one_post("message_with_from_author.html")
    assert signed.raw["author"] == "🅰️rkadiy Ivanov" and signed.text == "test" and signed.views == 1
    assert one_post("message_media_round_video.html").media_kind == "video"
    link = one_post("message_link_preview.html")
    assert link.media_kind == "text" and not link.is_repost and link.repost_source_domain is None
    assert one_post("message_link_preview_video.html").media_kind == "text"  # the video is the link's
    assert one_post("message_media_file.html").media_kind == "text"
    text = one_post("message_text.html")
    assert text.platform_id == "1084368520/70991"  # this fragment kept its data-view token


@pytest.mark.parametrize(("name", "kind"), [
    ("media_photo.html", "photo"), ("media_video.html", "video"), ("media_video_gif.html", "video"),
    ("media_video_too_big.html", "long_video"), ("media_cicrle_video.html", "video"),
    ("link_preview.html", "text"), ("link_preview_video.html", "text"), ("poll.html", "text"),
])
def test_preview_media_fragments(name, kind):
    from selectolax.lexbor import LexborHTMLParser

    body = LexborHTMLParser(preview_sample(name).read_text()).body
    assert preview_media_kind(body) == kind


def test_preview_and_desktop_share_keys():
    """A preview page exposing the numeric id keys posts exactly like the Desktop export."""
    token = "eyJjIjotMTUwMDAwMDAwMSwicCI6MiwidCI6MTczNjUwMDAwMH0"  # {"c":-1500000001,"p":2,"t":1736500000}
    html = (f'<div class="tgme_widget_message js-widget_message" data-post="testovsk/2" data-view="{token}">'
            '<div class="tgme_widget_message_text">Провели приём<br/>граждан</div>'
            '<span class="tgme_widget_message_views">1.5K</span>'
            '<a class="tgme_widget_message_date"><time datetime="2025-01-10T08:00:00+00:00"></time></a></div>')
    [post] = map_preview_html(html)
    desktop = {r.platform_id: r for r in parse_desktop(CHANNEL_FIXTURE)}
    assert post.platform_id == "1500000001/2" and post.platform_id in desktop
    assert post.published_utc == desktop["1500000001/2"].published_utc
    assert post.account.platform_id == desktop["1500000001/2"].account.platform_id == "1500000001"
    assert post.text == "Провели приём\nграждан" and post.views == 1500
    assert preview_min_message_id(html) == 2


def test_preview_message_without_time_is_skipped():
    html = '<div class="tgme_widget_message" data-post="chan/7"><div class="tgme_widget_message_text">x</div></div>'
    [rec] = map_preview_html(html)
    assert isinstance(rec, SkippedRecord) and rec.location == "message 1" and rec.field == "time"


def test_preview_reactions_and_handle_key():
    """Newer t.me/s pages show reactions under a post; they sum into likes (built markup)."""
    html = ('<div class="tgme_widget_message" data-post="Akimat_Test/15">'
            '<div class="tgme_widget_message_text">Текст</div>'
            '<div class="tgme_widget_message_reactions tgme_reactions">'
            '<span class="tgme_reaction"><i class="emoji"><b>👍</b></i>1.2K</span>'
            '<span class="tgme_reaction"><i class="emoji"><b>❤</b></i>35</span></div>'
            '<a class="tgme_widget_message_date"><time datetime="2025-03-01T10:00:00+00:00"></time></a></div>')
    [post] = map_preview_html(html)
    assert post.likes == 1235 and post.views is None
    assert post.platform_id == "akimat_test/15"  # no numeric id on the page: the handle, lower-cased
    assert post.account.handle == "Akimat_Test" and post.account.platform_id is None


OLD_EXPORT = Path(__file__).resolve().parents[1] / "fixtures" / "telegram" / "old_export_2_5"


def test_exports_before_2_6_read_local_time_in_the_given_zone_and_say_so(tmp_path):
    from typer.testing import CliRunner

    from akimwatch.cli import app
    from akimwatch.store.engine import open_store
    from akimwatch.store.schema import posts

    db = tmp_path / "s.db"
    res = CliRunner().invoke(app, ["import", str(OLD_EXPORT), "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert "2 times were local times without a zone, read as Asia/Almaty (--timezone) and marked approximate" \
        in res.output
    with open_store(db).connect() as conn:
        rows = conn.execute(select(posts.c.platform_id, posts.c.published_utc, posts.c.published_approx)
                            .order_by(posts.c.platform_id)).all()
    # Almaty was UTC+6 in 2019
    assert [(r.platform_id, r.published_utc.replace(tzinfo=None).isoformat(), r.published_approx) for r in rows] == [
        ("1122334455/2", "2019-06-20T04:00:00", True), ("1122334455/3", "2019-06-21T12:30:00", True)]
    aqtobe = CliRunner().invoke(app, ["import", str(OLD_EXPORT / "result.json"), "--timezone", "Asia/Aqtobe",
                                      "--db", str(tmp_path / "a.db")])
    assert aqtobe.exit_code == 0 and "read as Asia/Aqtobe" in aqtobe.output
    with open_store(tmp_path / "a.db").connect() as conn:
        first = conn.execute(select(posts.c.published_utc).order_by(posts.c.platform_id)).scalars().first()
    assert first.replace(tzinfo=None).isoformat() == "2019-06-20T05:00:00"
    bad = CliRunner().invoke(app, ["import", str(OLD_EXPORT), "--timezone", "Mars/Olympus", "--db", str(db)])
    assert bad.exit_code == 2 and "--timezone 'Mars/Olympus' is not a known time zone" in bad.output


def test_exact_exports_are_not_marked_approximate(sqlite_store):
    from akimwatch.store.schema import posts

    res = import_file(sqlite_store, desktop_sample())
    assert res.ok and res.counts["approx_times"] == 0
    with sqlite_store.connect() as conn:
        assert not conn.execute(select(posts.c.id).where(posts.c.published_approx.is_(True)).limit(1)).first()


EMBED = Path(__file__).resolve().parents[1] / "fixtures" / "telegram" / "embed"


def test_embed_pages_post_service_message_and_post_not_found(store):
    from akimwatch.models import OmittedRecord

    results = [import_file(store, EMBED / name) for name in
               ("akimat_primer_120.html", "akimat_primer_1.html", "akimat_primer_999.html")]
    assert all(r.ok and r.format == "telegram_preview" for r in results), [r.error for r in results]
    assert [r.counts["posts"] for r in results] == [1, 0, 0]
    assert results[1].counts["omitted"] == {
        "service message (channel created, title or photo changed, pinned…): not a post": 1}
    assert results[2].counts["omitted"] == {"embed page without a post («Post not found»)": 1}
    with store.connect() as conn:
        row = conn.execute(select(posts.c.platform_id, posts.c.text, posts.c.views)).one()
    assert row.platform_id == "1975000001/120" and row.views == 1200
    assert row.text == "Приём граждан переносится на понедельник.\nПодробности — на сайте."
    assert not any(isinstance(r, PostRecord) for r in parse_preview(EMBED / "akimat_primer_1.html"))
    assert all(isinstance(r, OmittedRecord) for r in parse_preview(EMBED / "akimat_primer_999.html"))
