"""Built-in platform sources. A new platform is one module listed here.

Each module exposes ``FORMATS: list[Format]``; detection tries them in this order, so
more specific formats come first.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from akimwatch.sources.base import Format, SourceError, read_head

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


def detect_format(path: Path) -> Format:
    """The format of a file, or a SourceError that lists what is supported."""
    head = read_head(path)
    for fmt in all_formats():
        if fmt.detect(path, head):
            return fmt
    known = ", ".join(f.id for f in all_formats())
    raise SourceError(
        path, "", None, "is not in a supported format",
        f"supported: {known}; pass --format to force one (see docs/formats.md)",
    )
