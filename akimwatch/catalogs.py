"""Maintain akimwatch's gettext catalogs (a developer tool; the package itself only reads the ``.mo`` files).

    python -m akimwatch.catalogs            # extract → update ru/kk/en .po → compile .mo; sync methodology
    python -m akimwatch.catalogs --check    # exit 1 if a .mo is stale or a ru/kk message is untranslated

One catalog per language, ``akimwatch/locale/<lang>/LC_MESSAGES/akimwatch.po``, for the web app, the reports and
the metrics wording. Message ids are English texts, extracted (see ``METHOD_MAP``) from

* akimwatch/reports, akimwatch/metrics: the Writer's ``_``, ``n_``, ``raw``, ``N_``;
* akimwatch/web/*.py: ``gettext(lang, msgid)``, ``ngettext(lang, singular, plural, n)``, ``N_`` (mark only);
* the report templates (``.j2``) and the web templates (``.html``): ``_`` and ``n_``.

A template that translates a variable (``{{ _(r.status) }}``) needs its possible values marked with ``N_``
(akimwatch/web/vocabulary.py). English needs no translations; ru and kk must translate every id.
``python -m akimwatch.reports.catalogs`` is an alias of this command.
"""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent  # akimwatch/
LOCALE = PACKAGE / "locale"
DOMAIN = "akimwatch"
LANGS = ("ru", "kk", "en")
PLURAL_FORMS = {
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    # CLDR's two categories; a Kazakh noun stays singular after a numeral (1 пост, 5 пост), so both forms agree.
    "kk": "nplurals=2; plural=(n != 1);",
    "en": "nplurals=2; plural=(n != 1);",
}
# Marker functions: the reports' Writer (``_``, ``raw``, ``N_``, ``n_``), the templates (``_``, ``n_``) and the
# language-first functions of akimwatch.i18n used by the web app (``gettext(lang, msgid)``,
# ``ngettext(lang, singular, plural, n)``).
KEYWORDS = {"_": None, "raw": None, "N_": None, "n_": (1, 2), "gettext": (2,), "ngettext": (2, 3)}
# Where message ids are extracted from (paths relative to akimwatch/).
METHOD_MAP = [
    ("**/reports/**.py", "python"),
    ("**/metrics/**.py", "python"),
    ("**/web/**.py", "python"),
    ("vocabulary.py", "python"),  # names of stored codes (topics…), shared by the reports and the web pages
    ("**/reports/templates/**.j2", "jinja2.ext:babel_extract"),
    ("**/web/templates/**.html", "jinja2.ext:babel_extract"),
]
OPTIONS_MAP = {
    "**/reports/templates/**.j2": {"extensions": ""},
    "**/web/templates/**.html": {"extensions": ""},
}


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def extract():
    """All message ids used by the reports, as a babel Catalog."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    cat = Catalog(domain=DOMAIN)
    for filename, lineno, message, comments, context in extract_from_dir(
            str(PACKAGE), method_map=METHOD_MAP, keywords=KEYWORDS, options_map=OPTIONS_MAP):
        key = message[0] if isinstance(message, tuple) else message
        known = cat.get(key, context=context)
        if known is not None and isinstance(message, tuple) and not known.pluralizable:
            known.id = message  # used both as a plain and as a plural message: keep the plural entry
        cat.add(known.id if known is not None and known.pluralizable else message, None,
                [(f"akimwatch/{filename}", lineno)], auto_comments=comments, context=context)
    return cat


def read_po(lang: str):
    from babel.messages.pofile import read_po as _read

    with po_path(lang).open("rb") as fh:
        return _read(fh, locale=lang, domain=DOMAIN)


def compile_mo(lang: str) -> bytes:
    from babel.messages.mofile import write_mo

    buf = io.BytesIO()
    write_mo(buf, read_po(lang), use_fuzzy=False)
    return buf.getvalue()


def _messages(catalog) -> dict:
    """What a catalog says, independent of the tool that wrote it: (context, id) → translation(s), and the plural
    rule. Compiled files embed the compiler's version (``Generated-By: Babel x.y``), so bytes are never compared."""
    out: dict = {"__plural__": catalog.plural_forms}
    for m in catalog:
        if not m.id or m.fuzzy:
            continue
        if isinstance(m.string, tuple | list):  # the compiler fills an empty plural form with the English id
            ids = (m.id,) if isinstance(m.id, str) else tuple(m.id)
            string = tuple(f or ids[min(i, len(ids) - 1)] for i, f in enumerate(m.string))
        else:
            string = m.string
        if not string:
            continue  # an untranslated singular entry is not compiled
        out[(m.context, m.id if isinstance(m.id, str) else tuple(m.id))] = string
    return out


def mo_in_sync(lang: str) -> bool:
    """True when the compiled ``.mo`` holds exactly the translations and plural rule of the ``.po``."""
    from babel.messages.mofile import read_mo

    path = mo_path(lang)
    if not path.exists():
        return False
    with path.open("rb") as fh:
        compiled = read_mo(fh)
    return _messages(compiled) == _messages(read_po(lang))


def _key(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def missing(lang: str, template=None) -> list[str]:
    """Ids used in the code or templates that the ``.po`` of ``lang`` lacks, or has as plain where the code needs
    plural forms (and vice versa)."""
    template = extract() if template is None else template
    known = {_key(m): m.pluralizable for m in read_po(lang) if m.id}
    return [_key(m) for m in template if m.id and known.get(_key(m)) is not m.pluralizable]


def wrong_plural_count(lang: str) -> list[str]:
    """Plural entries whose number of forms differs from the ``nplurals`` of the catalog header."""
    cat = read_po(lang)
    return [_key(m) for m in cat if m.id and m.pluralizable and len(m.string) != cat.num_plurals]


def untranslated(lang: str) -> list[str]:
    out = []
    for m in read_po(lang):
        if not m.id:
            continue
        if m.fuzzy:  # a fuzzy translation is not compiled into the .mo
            out.append(str(m.id))
            continue
        s = m.string
        if isinstance(s, tuple | list):
            if not all(s):
                out.append(str(m.id))
        elif not s:
            out.append(str(m.id))
    return out


def update() -> None:
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    template = extract()
    for lang in LANGS:
        path = po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        cat = read_po(lang) if path.exists() else Catalog(locale=lang, domain=DOMAIN)
        cat.update(template, no_fuzzy_matching=True)
        cat.obsolete.clear()
        cat.project, cat.version, cat.fuzzy = "akimwatch", "0.1", False
        cat._num_plurals, cat._plural_expr = None, None  # noqa: SLF001
        with path.open("wb") as fh:
            write_po(fh, cat, width=110, omit_header=False, sort_output=False, include_previous=False)
        _set_plural_header(path, lang)
        mo_path(lang).write_bytes(compile_mo(lang))
    sync_methodology()


def _set_plural_header(path: Path, lang: str) -> None:
    import re

    text = path.read_text("utf-8")
    text = re.sub(r'"Plural-Forms: [^"]*\\n"', f'"Plural-Forms: {PLURAL_FORMS[lang]}\\\\n"', text)
    path.write_text(text, "utf-8")


def sync_methodology() -> None:
    src = PACKAGE.parent / "docs" / "methodology.md"
    if src.exists():
        shutil.copyfile(src, PACKAGE / "reports" / "methodology.md")


def check() -> int:
    bad = 0
    template = extract()
    for lang in LANGS:
        for msgid in missing(lang, template):
            print(f"{po_path(lang)}: lacks {msgid!r} (or its plural forms): run python -m akimwatch.catalogs",
                  file=sys.stderr)
            bad = 1
        for msgid in wrong_plural_count(lang):
            print(f"{po_path(lang)}: {msgid!r} has the wrong number of plural forms", file=sys.stderr)
            bad = 1
        if not mo_in_sync(lang):
            print(f"{mo_path(lang)} is stale: run python -m akimwatch.catalogs", file=sys.stderr)
            bad = 1
        if lang != "en":
            for msgid in untranslated(lang):
                print(f"{po_path(lang)}: untranslated {msgid!r}", file=sys.stderr)
                bad = 1
    return bad


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--check" in argv:
        return check()
    update()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
