"""The gettext catalogs: compiled files in sync, ru/kk complete, real plural forms, dates and numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from akimwatch import catalogs, i18n
from akimwatch.reports.writer import Writer

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("lang", ("ru", "kk"))
def test_every_message_is_translated(lang):
    assert catalogs.untranslated(lang) == []


def test_every_message_in_the_code_is_in_the_catalogs():
    used = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogs.extract() if m.id}
    for lang in catalogs.LANGS:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogs.read_po(lang) if m.id}
        assert used - known == set(), f"{lang}: run python -m akimwatch.catalogs"


def test_plural_forms_come_from_the_po_headers():
    assert "nplurals=3" in catalogs.po_path("ru").read_text("utf-8")
    ru = [i18n.ngettext("ru", "{n} post", "{n} posts", n) for n in (1, 3, 25, 21, 11, 104)]
    assert ru == ["1 пост", "3 поста", "25 постов", "21 пост", "11 постов", "104 поста"]
    assert [i18n.ngettext("kk", "{n} post", "{n} posts", n) for n in (1, 5)] == ["1 жазба", "5 жазба"]
    assert [i18n.ngettext("en", "{n} post", "{n} posts", n) for n in (1, 5)] == ["1 post", "5 posts"]
    assert i18n.ngettext("ru", "Without an answer: {n} comment.", "Without an answer: {n} comments.", 2) == \
        "Без ответа: 2 комментария."


def test_dates_and_numbers():
    assert i18n.format_date(date(2019, 7, 12), "ru") == "12 июля 2019 года"
    assert i18n.format_date(date(2019, 7, 12), "kk") == "2019 жылғы 12 шілде"
    assert i18n.format_date(datetime(2019, 7, 12, 10, tzinfo=UTC), "en") == "12 July 2019"
    assert i18n.format_number(3227, "ru") == "3\u00a0227"
    assert Writer("ru", "text").duration_hours(15.3) == "15 часов"
    assert Writer("ru", "text").duration_hours(21) == "21 час"


def test_the_web_layer_api_is_unchanged():
    assert i18n.gettext("ru", "no such message, kept as is") == "no such message, kept as is"
    assert i18n.gettext("ru", "Key findings") == "Главное"
    assert i18n.translator("kk")("Key findings") == "Басты қорытындылар"
    assert i18n.has_translation("ru", "{n} post") and not i18n.has_translation("ru", "nothing like this")


def test_methodology_copy_in_sync_with_docs():
    docs = REPO / "docs" / "methodology.md"
    copy = REPO / "akimwatch" / "reports" / "methodology.md"
    if not docs.exists():
        pytest.skip("docs/methodology.md is not in this branch yet")
    assert copy.exists() and copy.read_text("utf-8") == docs.read_text("utf-8"), \
        "run python -m akimwatch.catalogs (copies docs/methodology.md into the package)"
