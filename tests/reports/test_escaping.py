"""Comments are untrusted: a comment with markup shows as text in every format; personal data are masked."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select

from akimwatch.demo import run_demo
from akimwatch.reports.data import build_report_data
from akimwatch.reports.render import render_report
from akimwatch.store import open_store
from akimwatch.store.schema import comments, posts

EVIL = "<script>alert('x')</script> Дорога разбита, [ссылка](javascript:alert(1)) звоните +7 701 123 45 67 **срочно**"


def test_markup_in_a_comment_is_shown_as_text(tmp_path):
    result = run_demo(tmp_path / "demo")
    engine = open_store(result.db_path)
    try:
        with engine.begin() as conn:
            post_id, platform = conn.execute(select(posts.c.id, posts.c.platform)
                                             .where(posts.c.account_id == "instagram:altai.kulginov")
                                             .order_by(posts.c.id).limit(1)).one()
            conn.execute(insert(comments).values(
                platform=platform, platform_id="evil-1", post_platform_id="x", post_id=post_id,
                author_handle="evil", is_official_reply=False, text=EVIL,
                published_utc=datetime(2019, 7, 1, tzinfo=UTC), likes=10**6))
        data = build_report_data(engine)
        html = render_report(engine, lang="ru", fmt="html", out=tmp_path / "r.html", data=data).read_text("utf-8")
        md = render_report(engine, lang="ru", fmt="md", out=tmp_path / "r.md", data=data).read_text("utf-8")
        js = render_report(engine, lang="en", fmt="json", out=tmp_path / "r.json", data=data).read_text("utf-8")
    finally:
        engine.dispose()
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert 'href="javascript' not in html
    assert "+7 701" not in html and "[телефон]" in html
    assert "<script>" not in md and "\\<script\\>" in md
    assert "](javascript" not in md.replace("\\](javascript", "")
    assert "\\*\\*срочно\\*\\*" in md
    assert "+7 701" not in js and "[телефон]" in js
