"""The shared translation layer and the personal-data mask."""

from datetime import UTC, date, datetime

import pytest

from akimwatch import catalogs, i18n
from akimwatch.privacy import mask_personal_data


@pytest.mark.parametrize("n, ru", [(1, "1 пост"), (3, "3 поста"), (5, "5 постов"), (11, "11 постов"),
                                   (21, "21 пост"), (22, "22 поста"), (112, "112 постов"), (1000, "1\u00a0000 постов")])
def test_russian_plurals(n, ru):
    assert i18n.ngettext("ru", "{n} post", "{n} posts", n) == ru


def test_kazakh_and_english_plurals():
    assert [i18n.ngettext("kk", "{n} post", "{n} posts", n) for n in (1, 3, 25)] == ["1 жазба", "3 жазба", "25 жазба"]
    assert [i18n.ngettext("en", "{n} post", "{n} posts", n) for n in (1, 3)] == ["1 post", "3 posts"]


def test_dates_numbers_and_fallback():
    assert i18n.format_date(date(2019, 7, 12), "ru") == "12 июля 2019 года"
    assert i18n.format_date(date(2019, 7, 12), "kk") == "2019 жылғы 12 шілде"
    assert i18n.format_date(date(2019, 7, 12), "en") == "12 July 2019"
    # 19:41 UTC on 12 July is already 13 July in Almaty (UTC+5)
    assert i18n.format_date(datetime(2019, 7, 12, 19, 41, tzinfo=UTC), "ru") == "13 июля 2019 года"
    assert i18n.format_number(1234567, "ru") == "1\u00a0234\u00a0567"
    assert i18n.format_number(1234567, "en") == "1,234,567"
    assert i18n.format_percent(0.256, "ru", 1) == "25,6\u00a0%"
    assert i18n.gettext("ru", "Overview") == "Обзор" and i18n.gettext("kk", "Overview") == "Шолу"
    assert i18n.gettext("ru", "an untranslated id") == "an untranslated id"
    assert i18n.normalize_lang("KK") == "kk" and i18n.normalize_lang("de") == "ru"


def test_every_catalog_translates_the_same_ids():
    ru, kk = ({m.id if isinstance(m.id, str) else m.id[0] for m in catalogs.read_po(lang) if m.id} for lang in ("ru", "kk"))
    assert ru - kk == set() and kk - ru == set()


def test_mask_personal_data():
    text = ("Звоните +7 701 123 45 67 или 8 (727) 222-33-44, 87011234567; ИИН 900101300123; "
            "пишите aigerim.s@mail.kz. В 2019 году 25 постов, дом 12.")
    out = mask_personal_data(text)
    for secret in ("701 123", "222-33-44", "87011234567", "900101300123", "aigerim"):
        assert secret not in out
    assert out.count("[телефон]") == 3 and "[ИИН]" in out and "[e-mail]" in out
    assert "В 2019 году 25 постов, дом 12." in out
    assert mask_personal_data(None) == "" and mask_personal_data("") == ""
