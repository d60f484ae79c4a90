"""Language- and format-aware sentence writer: every string through the translation layer, every value escaped.

``Writer(lang, "html")`` returns ``markupsafe.Markup`` (catalog text is trusted, every parameter is escaped —
comments are untrusted input); ``Writer(lang, "md")`` returns Markdown with parameters escaped for Markdown;
``Writer(lang, "text")`` returns plain text (JSON output).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from markupsafe import Markup, escape

from akimwatch import i18n
from akimwatch.privacy import mask_personal_data

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|<>])")


@dataclass(frozen=True)
class Quote:
    """An untrusted citizen text, quoted as written (personal data masked)."""
    text: str


@dataclass(frozen=True)
class Link:
    text: Any
    url: str | None


@dataclass(frozen=True)
class Strong:
    text: Any


class Rendered(str):
    """Markdown or plain text already produced by a Writer (not escaped again)."""

    __slots__ = ()


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention for «mark for extraction, translate later»
    return msgid


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def safe_url(url: str | None) -> str | None:
    """Only http(s) links are written out (a javascript: or data: URL in imported data is dropped)."""
    if url and re.match(r"^https?://", url.strip(), re.I):
        return url.strip()
    return None


class Writer:
    def __init__(self, lang: str, mode: str = "html"):
        self.lang = i18n.normalize_lang(lang)
        self.mode = mode

    # --- values -------------------------------------------------------------------------------------------
    def value(self, v: Any) -> Any:
        if isinstance(v, Quote):
            text = mask_personal_data(v.text).strip()
            if text.endswith(".") and not text.endswith(".."):
                text = text[:-1]  # «… текст». — the sentence's own full stop closes the quote
            open_q, close_q = self.raw("«"), self.raw("»")
            if self.mode == "html":
                return Markup('<span class="citizen">{}{}{}</span>').format(open_q, text, close_q)
            if self.mode == "md":
                return Rendered(f"{open_q}{md_escape(text)}{close_q}")
            return Rendered(f"{open_q}{text}{close_q}")
        if isinstance(v, Link):
            inner = self.value(v.text)
            url = safe_url(v.url)
            if not url:
                return inner
            if self.mode == "html":
                return Markup('<a href="{}">{}</a>').format(url, inner)
            if self.mode == "md":
                return Rendered(f"[{inner}]({url.replace(')', '%29').replace(' ', '%20')})")
            return Rendered(f"{inner} ({url})")
        if isinstance(v, Strong):
            inner = self.value(v.text)
            if self.mode == "html":
                return Markup("<strong>{}</strong>").format(inner)
            return Rendered(f"**{inner}**" if self.mode == "md" else str(inner))
        if isinstance(v, Markup):
            return v if self.mode == "html" else v.striptags()
        if isinstance(v, _Safe):
            return v.text
        if isinstance(v, Rendered):
            return v
        text = str(v)
        if self.mode == "html":
            return escape(text)
        return md_escape(text) if self.mode == "md" else text

    def _fill(self, template: str, params: dict[str, Any]) -> Any:
        vals = {k: self.value(v) for k, v in params.items()}
        if self.mode == "html":
            return Markup(escape(template)).format(**vals)
        return Rendered(template.format(**vals))

    # --- translation --------------------------------------------------------------------------------------
    def raw(self, msgid: str) -> str:
        """The translated catalog text, unformatted (for chart labels and attributes)."""
        return i18n.gettext(self.lang, msgid)

    def _(self, msgid: str, **params: Any) -> Any:
        return self._fill(i18n.gettext(self.lang, msgid), params)

    def n_(self, singular: str, plural: str, n: int, **params: Any) -> Any:
        template = i18n.ngettext_raw(self.lang, singular, plural, n)
        return self._fill(template, {"n": _Safe(self.num(n)), **params})

    def join(self, parts: list[Any], sep: str = " ") -> Any:
        parts = [p for p in parts if p]
        if self.mode == "html":
            return Markup(sep).join(parts)
        return Rendered(sep.join(str(p) for p in parts))

    def listing(self, items: list[Any]) -> Any:
        """«a, b и c» / «a, b және c» / «a, b and c»."""
        items = [self.value(i) for i in items if i]
        if len(items) <= 1:
            return items[0] if items else ""
        head = self.join(items[:-1], ", ")
        return self._fill(self.raw("{head} and {last}"), {"head": _Safe(head), "last": _Safe(items[-1])})

    # --- numbers and dates --------------------------------------------------------------------------------
    def num(self, v: float | int | None, decimals: int = 0) -> str:
        if isinstance(v, float) and decimals == 0 and v != int(v) and abs(v) < 10:
            decimals = 1
        return i18n.format_number(v, self.lang, decimals)

    def pct(self, v: float | None, decimals: int = 0) -> str:
        return i18n.format_percent(v, self.lang, decimals)

    def date(self, v: date | datetime | str | None) -> str:
        if isinstance(v, str):
            v = datetime.fromisoformat(v)
        return i18n.format_date(v, self.lang)

    def duration_hours(self, hours: float | None) -> Any:
        if hours is None:
            return "—"
        if hours < 1:
            return self.n_("{n} minute", "{n} minutes", max(1, round(hours * 60)))
        if hours < 48:
            return self.n_("{n} hour", "{n} hours", round(hours))
        return self.n_("{n} day", "{n} days", round(hours / 24))


@dataclass(frozen=True)
class _Safe:
    """An already rendered fragment (not escaped again)."""
    text: Any

    def __str__(self) -> str:
        return str(self.text)


def safe(fragment: Any) -> _Safe:
    return _Safe(fragment)
