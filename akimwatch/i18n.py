"""Translation layer shared by the web app and reports: Russian (default), Kazakh, English.

Message ids are English source strings (gettext style); catalogs below map them to Russian and Kazakh.
A missing translation falls back to the English id, so the UI never shows a blank.

    gettext("ru", "Overview")                       -> "Обзор"
    ngettext("ru", "{n} post", "{n} posts", 3)      -> "3 поста"
    format_date(date(2019, 7, 12), "ru")            -> "12 июля 2019 года"
    format_number(1234567, "ru")                    -> "1 234 567" (no-break spaces)

Plural rules: Russian has one / few / many (1 пост, 3 поста, 25 постов); Kazakh takes no plural
agreement after numerals (5 пост); English one / other.

One set of gettext catalogs serves everything (web app, reports, metrics wording):
``akimwatch/locale/<lang>/LC_MESSAGES/akimwatch.po``, with the compiled ``.mo`` beside each ``.po`` shipped and read
with the standard library; plural forms come from the catalog's ``Plural-Forms`` header. Extract, update and
compile them with ``python -m akimwatch.catalogs`` (see docs/reports.md, «Languages and grammar»).
"""

from __future__ import annotations

import gettext as _gettext
from datetime import date, datetime
from zoneinfo import ZoneInfo

LANGUAGES = ("ru", "kk", "en")
DEFAULT_LANG = "ru"
LANGUAGE_NAMES = {"ru": "Русский", "kk": "Қазақша", "en": "English"}
LOCAL_TZ = ZoneInfo("Asia/Almaty")

# Extra translations registered at run time (``register_catalog``), consulted after the gettext catalogs.
# The shipped strings all live in the .po files; this is for tests and extensions only.
_CATALOGS: dict[str, dict[str, str]] = {"ru": {}, "kk": {}, "en": {}}
PLURALS: dict[str, dict[str, list[str]]] = {"ru": {}, "kk": {}, "en": {}}


def register_catalog(lang: str, messages: dict[str, str], plurals: dict[str, list[str]] | None = None) -> None:
    """Add run-time translations (later registrations win for the same msgid; the gettext catalogs win over all)."""
    _CATALOGS.setdefault(lang, {}).update(messages)
    PLURALS.setdefault(lang, {}).update(plurals or {})


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention for «mark for extraction, translate later»
    """Mark a message id for ``python -m akimwatch.catalogs`` without translating it (translate at use time)."""
    return msgid


_MONTHS_GEN = {
    "ru": ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
           "ноября", "декабря"],
    "kk": ["қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан",
           "қараша", "желтоқсан"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
}


# Codes people type for the languages we have: «kz» is the country, «kk» the language (ISO 639-1).
LANG_ALIASES = {"kz": "kk", "kaz": "kk", "qq": "kk", "rus": "ru", "eng": "en", "en-us": "en", "en-gb": "en",
                "ru-ru": "ru", "kk-kz": "kk"}


def language_error(lang: str) -> str | None:
    """The one wording of an unknown language everywhere (CLI options, reports): None when ``lang`` is known."""
    if lang in LANGUAGES:
        return None
    guess = LANG_ALIASES.get(lang.strip().lower())
    hint = f"did you mean {guess}? " if guess else ""
    return f"unknown language {lang!r}: {hint}choose {', '.join(LANGUAGES)}"


def normalize_lang(lang: str | None) -> str:
    lang = (lang or "").strip().lower()[:5]
    return lang if lang in LANGUAGES else DEFAULT_LANG


GETTEXT_DOMAIN = "akimwatch"
_GNU: dict[str, _gettext.GNUTranslations] = {}


def _load_gettext_catalogs() -> None:
    """Read the compiled gettext catalogs shipped in ``akimwatch/locale`` (no build step at install time)."""
    from importlib import resources

    folder = resources.files("akimwatch").joinpath("locale")
    for lang in LANGUAGES:
        entry = folder.joinpath(lang, "LC_MESSAGES", f"{GETTEXT_DOMAIN}.mo")
        if entry.is_file():
            with entry.open("rb") as fh:
                _GNU[lang] = _gettext.GNUTranslations(fh)


def has_translation(lang: str, msgid: str) -> bool:
    """True when a catalog of ``lang`` translates ``msgid`` (English needs none: the ids are English)."""
    gnu = _GNU.get(lang)
    if gnu is not None and (msgid in gnu._catalog or (msgid, 0) in gnu._catalog):  # noqa: SLF001
        return True
    return msgid in _CATALOGS.get(lang, {}) or msgid in PLURALS.get(lang, {})


def gettext(lang: str, msgid: str, **params) -> str:
    """Translate ``msgid``; ``params`` are substituted with ``str.format``."""
    gnu = _GNU.get(lang)
    if gnu is not None and msgid in gnu._catalog:  # noqa: SLF001
        text = gnu.gettext(msgid)
    else:
        text = _CATALOGS.get(lang, {}).get(msgid, msgid)
    return text.format(**params) if params else text


def ngettext_raw(lang: str, singular: str, plural: str, n: int) -> str:
    """The plural form for ``n`` before substitution (gettext catalogs first, with their Plural-Forms)."""
    gnu = _GNU.get(lang)
    if gnu is not None and (singular, 0) in gnu._catalog:  # noqa: SLF001
        return gnu.ngettext(singular, plural, abs(int(n)))
    forms = PLURALS.get(lang, {}).get(singular)
    return forms[min(plural_index(lang, n), len(forms) - 1)] if forms else singular if n == 1 else plural


def plural_index(lang: str, n: int) -> int:
    """Index into the plural forms of ``lang``: ru 0=one 1=few 2=many; kk always 0; en 0=one 1=other."""
    n = abs(int(n))
    if lang == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return 0
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return 1
        return 2
    if lang == "kk":
        return 0
    return 0 if n == 1 else 1


def ngettext(lang: str, singular: str, plural: str, n: int, **params) -> str:
    """Plural-aware translation; ``{n}`` in the message is the formatted number."""
    return ngettext_raw(lang, singular, plural, n).format(n=format_number(n, lang), **params)


def format_number(value: float | int | None, lang: str, decimals: int = 0) -> str:
    """Group thousands: ru/kk with a no-break space, en with a comma; decimal comma for ru/kk."""
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    if lang in ("ru", "kk"):
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def format_percent(value: float | None, lang: str, decimals: int = 0) -> str:
    if value is None:
        return "—"
    return format_number(value * 100, lang, decimals) + ("\u00a0%" if lang in ("ru", "kk") else "%")


def format_date(d: date | datetime | None, lang: str) -> str:
    """«12 июля 2019 года» / «2019 жылғы 12 шілде» / «12 July 2019» (datetimes shown in Almaty time)."""
    if d is None:
        return "—"
    if isinstance(d, datetime):
        d = to_local(d).date()
    month = _MONTHS_GEN.get(lang, _MONTHS_GEN["en"])[d.month - 1]
    if lang == "ru":
        return f"{d.day} {month} {d.year} года"
    if lang == "kk":
        return f"{d.year} жылғы {d.day} {month}"
    return f"{d.day} {month} {d.year}"


def format_datetime(d: datetime | None, lang: str) -> str:
    if d is None:
        return "—"
    local = to_local(d)
    return f"{format_date(local.date(), lang)}, {local:%H:%M}"


def to_local(d: datetime) -> datetime:
    from datetime import UTC

    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    return d.astimezone(LOCAL_TZ)


def translator(lang: str):
    """A ``_`` function bound to one language (for templates)."""
    lang = normalize_lang(lang)

    def _(msgid: str, **params) -> str:
        return gettext(lang, msgid, **params)

    return _


_load_gettext_catalogs()
