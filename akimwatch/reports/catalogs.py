"""Maintain the gettext catalogs of the reports (a developer tool; the package itself only reads the ``.mo`` files).

    python -m akimwatch.reports.catalogs            # extract → update ru/kk/en .po → compile .mo; sync methodology
    python -m akimwatch.reports.catalogs --check    # exit 1 if a .mo is stale or a ru/kk message is untranslated

Message ids are the English texts in akimwatch/reports/*.py (``_``, ``n_``, ``raw``, ``N_``) and the templates
(``_``). English needs no translations; ru and kk must translate every id.
"""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # akimwatch/
LOCALE = PACKAGE / "locale"
DOMAIN = "akimwatch"
LANGS = ("ru", "kk", "en")
PLURAL_FORMS = {
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    # CLDR's two categories; a Kazakh noun stays singular after a numeral (1 пост, 5 пост), so both forms agree.
    "kk": "nplurals=2; plural=(n != 1);",
    "en": "nplurals=2; plural=(n != 1);",
}
KEYWORDS = {"_": None, "raw": None, "N_": None, "n_": (1, 2)}


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def extract():
    """All message ids used by the reports, as a babel Catalog."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    cat = Catalog(domain=DOMAIN)
    method_map = [("**/reports/**.py", "python"), ("**/metrics/**.py", "python"),
                  ("**/reports/templates/**.j2", "jinja2.ext:babel_extract")]
    for filename, lineno, message, comments, context in extract_from_dir(
            str(PACKAGE), method_map=method_map, keywords=KEYWORDS,
            options_map={"**/reports/templates/**.j2": {"extensions": ""}}):
        cat.add(message, None, [(f"akimwatch/{filename}", lineno)], auto_comments=comments, context=context)
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
    for lang in LANGS:
        if compile_mo(lang) != mo_path(lang).read_bytes():
            print(f"{mo_path(lang)} is stale: run python -m akimwatch.reports.catalogs", file=sys.stderr)
            bad = 1
        if lang != "en":
            for msgid in untranslated(lang):
                print(f"{po_path(lang)}: untranslated {msgid!r}", file=sys.stderr)
                bad = 1
    return bad


if __name__ == "__main__":  # pragma: no cover
    sys.exit(check() if "--check" in sys.argv else update())
