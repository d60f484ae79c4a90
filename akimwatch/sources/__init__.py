"""Built-in platform sources. A new platform is one module listed here.

Each module exposes ``FORMATS: list[Format]``; detection tries them in this order, so
more specific formats come first.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from akimwatch.sources.base import Format, SourceError, UnknownFormatError
from akimwatch.sources.peek import Peek, peek_file

BUILTIN_SOURCES = ("telegram", "instagram", "facebook", "x", "vk", "youtube", "tabular")


def all_formats() -> list[Format]:
    formats: list[Format] = []
    for name in BUILTIN_SOURCES:
        try:
            module = importlib.import_module(f"akimwatch.sources.{name}")
        except ModuleNotFoundError as exc:  # a platform not written yet
            if exc.name == f"akimwatch.sources.{name}":
                continue
            raise
        formats.extend(module.FORMATS)
    return formats


def get_format(format_id: str) -> Format:
    for fmt in all_formats():
        if fmt.id == format_id:
            return fmt
    known = ", ".join(f.id for f in all_formats())
    raise SourceError("", "", None, f"unknown format '{format_id}'", f"known formats: {known}")


def score_formats(path: Path, peek: Peek | None = None) -> list[tuple[int, Format]]:
    """Every format's claim on a file (score > 0), best first."""
    peek = peek if peek is not None else peek_file(path)
    scores = [(int(fmt.detect(path, peek)), fmt) for fmt in all_formats()]
    return sorted(((s, f) for s, f in scores if s > 0), key=lambda sf: -sf[0])


def detect_format(path: Path) -> Format:
    """The one format that claims a file best, judged by its structure (all of it, streamed, when needed).

    Two formats with the same best claim: a SourceError asking for --format. No claim: an
    ``UnknownFormatError`` (a folder import lists such files as skipped).
    """
    peek = peek_file(path)
    claims = score_formats(path, peek)
    if not claims:
        if peek.damaged:  # damaged compression or over a budget: that is the problem, whatever the format
            raise SourceError(path, "", None, peek.damaged)
        if peek.error and peek.is_json:
            raise UnknownFormatError(path, "", None, f"{peek.error}; its format cannot be told",
                                     "pass --format to force one (see docs/formats.md)")
        known = ", ".join(f.id for f in all_formats())
        raise UnknownFormatError(
            path, "", None, "is not in a supported format",
            f"supported: {known}; pass --format to force one (see docs/formats.md)",
        )
    best = claims[0][0]
    tied = [f.id for s, f in claims if s == best]
    if len(tied) > 1:
        raise SourceError(path, "", None, f"could be {' or '.join(tied)} (equally likely)",
                          "pass --format " + " or --format ".join(tied))
    return claims[0][1]
