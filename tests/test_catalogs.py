"""The one set of gettext catalogs (web app, reports, metrics): complete, translated, compiled.

Fails when (a) a message id used in the code or the templates is missing from a catalog, (b) a ru or kk
translation is empty or fuzzy, (c) a compiled .mo differs from what its .po compiles to. The fix for all three
is ``python -m akimwatch.catalogs`` (then translate the new ru/kk entries and run it again).
"""

from __future__ import annotations

import shutil

import pytest

from akimwatch import catalogs, i18n
from akimwatch.web import vocabulary

HINT = "run python -m akimwatch.catalogs, translate the new ru/kk entries, run it again"


@pytest.fixture(scope="module")
def template():
    return catalogs.extract()


def test_extraction_covers_the_web_app_and_the_reports(template):
    files = {loc[0].split(":")[0] for m in template for loc in m.locations}
    for expected in ("akimwatch/web/templates/base.html", "akimwatch/web/templates/_inbox_table.html",
                     "akimwatch/web/open311.py", "akimwatch/web/vocabulary.py", "akimwatch/reports/prose.py",
                     "akimwatch/reports/explain.py"):
        assert expected in files
    ids = {catalogs._key(m) for m in template if m.id}
    assert {"Overview", "Sign in", "Gas supply", "in_progress", "{n} similar", "Key findings"} <= ids


@pytest.mark.parametrize("lang", catalogs.LANGS)
def test_every_message_in_the_code_is_in_the_catalogs(lang, template):
    assert catalogs.missing(lang, template) == [], f"{lang}: {HINT}"


@pytest.mark.parametrize("lang", ("ru", "kk"))
def test_every_message_is_translated(lang):
    assert catalogs.untranslated(lang) == [], f"{lang}: translate these in {catalogs.po_path(lang)}"
    assert catalogs.wrong_plural_count(lang) == []


@pytest.mark.parametrize("lang", catalogs.LANGS)
def test_compiled_catalogs_are_in_sync_with_po(lang):
    assert catalogs.mo_in_sync(lang), HINT


def test_plural_forms_follow_the_po_headers():
    assert "nplurals=3" in catalogs.po_path("ru").read_text("utf-8")
    assert "nplurals=2" in catalogs.po_path("kk").read_text("utf-8")
    assert [i18n.ngettext("ru", "{n} comment", "{n} comments", n) for n in (1, 3, 25, 21)] == \
        ["1 комментарий", "3 комментария", "25 комментариев", "21 комментарий"]
    assert [i18n.ngettext("kk", "{n} comment", "{n} comments", n) for n in (1, 5)] == ["1 пікір", "5 пікір"]
    assert [i18n.ngettext("en", "{n} similar", "{n} similar", n) for n in (1, 5)] == ["1 similar", "5 similar"]


def test_no_json_catalogs_left():
    assert not (catalogs.PACKAGE / "web" / "locale").exists()
    assert i18n.gettext("ru", "Sign in") == "Войти" and i18n.gettext("kk", "Gas supply") == "Газбен жабдықтау"


@pytest.mark.parametrize("marked, constant", [
    ("REQUEST_STATUSES", "akimwatch.inbox.workflow:STATUSES"),
    ("COMMENT_TYPES", "akimwatch.models:COMMENT_TYPES"),
    ("TOPICS", "akimwatch.models:TOPICS"),
    ("USER_ROLES", "akimwatch.web.auth.users:ROLES"),
    ("POSITIONS", "akimwatch.registry:POSITIONS"),
    ("ACCOUNT_ROLES", "akimwatch.models:ACCOUNT_ROLES"),
    ("MEDIA_KINDS", "akimwatch.models:MEDIA_KINDS"),
    ("ACTIVITY_STATUSES", "akimwatch.metrics.activity:STATUS_ORDER"),
])
def test_codes_shown_by_the_templates_are_marked(marked, constant):
    """Templates translate data codes through variables; vocabulary.py marks them for the extractor."""
    import importlib

    module, name = constant.split(":")
    assert set(getattr(vocabulary, marked)) == set(getattr(importlib.import_module(module), name))


def test_request_kinds_are_marked():
    from akimwatch.inbox import workflow as web_inbox

    assert set(web_inbox.REQUEST_KINDS) <= set(vocabulary.COMMENT_TYPES)


def test_the_checks_catch_each_problem(tmp_path, monkeypatch, template):
    """A copy of the catalogs, broken three ways: a dropped id, an emptied translation, a stale .mo."""
    shutil.copytree(catalogs.LOCALE, tmp_path / "locale")
    monkeypatch.setattr(catalogs, "LOCALE", tmp_path / "locale")
    assert catalogs.check() == 0

    ru = catalogs.po_path("ru")
    text = ru.read_text("utf-8")
    text = text.replace('msgid "Sign out"\nmsgstr "Выйти"\n', "")  # (a) an id the templates use
    text = text.replace('msgid "Overview"\nmsgstr "Обзор"', 'msgid "Overview"\nmsgstr ""')  # (b) empty ru
    ru.write_text(text, "utf-8")
    assert "Sign out" in catalogs.missing("ru", template)
    assert "Overview" in catalogs.untranslated("ru")
    assert not catalogs.mo_in_sync("ru")  # (c) .mo now stale
    assert catalogs.check() == 1


@pytest.mark.parametrize("lang", catalogs.LANGS)
def test_codes_read_as_words_in_every_language(lang):
    """English translates the codes whose id is not a word (in_progress → in progress); ru/kk translate all."""
    codes = {c for name in dir(vocabulary) if isinstance(getattr(vocabulary, name), tuple) for c in getattr(vocabulary, name)}
    raw = sorted(c for c in codes if "_" in i18n.gettext(lang, c) or (lang != "en" and i18n.gettext(lang, c) == c))
    assert raw == []
