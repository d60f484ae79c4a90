"""Budgets for reading one input file: decompressed size, compression ratio, line length and time.

A 1 MB ``.gz`` can hold a 1 GiB line, a 156 KB ``.xz`` minutes of blank lines. Every source reads files through
``open_limited``; the reader counts the bytes it hands out and checks the clock on each chunk, so a bomb or a
runaway file ends as one ``LimitExceeded`` (reported as a failed file, naming it) instead of eating memory or time.

Defaults suit real exports (a Telegram export of a big channel is a few hundred MB); change them with
``AKIMWATCH_IMPORT_MAX_MB``, ``AKIMWATCH_IMPORT_MAX_RATIO``, ``AKIMWATCH_IMPORT_MAX_LINE_MB`` and
``AKIMWATCH_IMPORT_MAX_SECONDS`` (docs/formats.md «Limits»).
"""

from __future__ import annotations

import contextlib
import io
import lzma
import os
import time
import zlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path

# ijson's C backend copies a string across read chunks again for each chunk: cost grows with (string length ×
# chunks). One 16 MB buffer keeps a 10 MB Facebook message linear (12.7 s → 0.3 s).
IJSON_BUFFER = 16 * 2**20


class LimitExceeded(Exception):
    """Reading a file went over one of its budgets; the message says which, in words for the user."""


@dataclass(frozen=True)
class ImportLimits:
    max_bytes: int = 4096 * 2**20  # decompressed bytes read from one file
    max_ratio: int = 1000  # decompressed : compressed, beyond ``ratio_floor`` bytes
    ratio_floor: int = 64 * 2**20
    max_line: int = 64 * 2**20  # one JSON line / CSV row
    max_seconds: float = 1800.0  # per file
    deadline: float | None = None  # monotonic time when the current file's budget ends

    @classmethod
    def from_env(cls) -> ImportLimits:
        """Defaults, overridden by the ``AKIMWATCH_IMPORT_MAX_*`` variables (bad values keep the default)."""
        def number(name: str, default: float) -> float:
            try:
                value = float(os.environ.get(name, ""))
            except ValueError:
                return default
            return value if value > 0 else default

        base = cls()
        return cls(max_bytes=int(number("AKIMWATCH_IMPORT_MAX_MB", base.max_bytes / 2**20) * 2**20),
                   max_ratio=int(number("AKIMWATCH_IMPORT_MAX_RATIO", base.max_ratio)),
                   max_line=int(number("AKIMWATCH_IMPORT_MAX_LINE_MB", base.max_line / 2**20) * 2**20),
                   max_seconds=number("AKIMWATCH_IMPORT_MAX_SECONDS", base.max_seconds))

    def check_time(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise LimitExceeded(f"took longer than {self.max_seconds:g} s to read (limit "
                                "AKIMWATCH_IMPORT_MAX_SECONDS)")


_DEFAULT = ImportLimits()  # frozen: safe to share
_CURRENT: ContextVar[ImportLimits | None] = ContextVar("akimwatch_import_limits", default=None)


def current_limits() -> ImportLimits:
    return _CURRENT.get() or _DEFAULT


@contextlib.contextmanager
def file_budget(limits: ImportLimits | None = None) -> Iterator[ImportLimits]:
    """Within this block, every file read through ``open_limited`` shares one time budget."""
    limits = limits or ImportLimits.from_env()
    active = replace(limits, deadline=time.monotonic() + limits.max_seconds)
    token = _CURRENT.set(active)
    try:
        yield active
    finally:
        _CURRENT.reset(token)


def check_time() -> None:
    """Raise LimitExceeded when the current file's time budget is spent (call in long loops)."""
    current_limits().check_time()


class _LimitedRaw(io.RawIOBase):
    """A raw stream over a (decompressing) file object that enforces the size, ratio and time budgets."""

    def __init__(self, inner, limits: ImportLimits, compressed_size: int | None):
        self.inner = inner
        self.limits = limits
        self.read_bytes = 0
        self.cap = limits.max_bytes
        self.ratio_cap = None
        if compressed_size is not None:
            self.ratio_cap = max(limits.ratio_floor, compressed_size * limits.max_ratio)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self.limits.check_time()
        data = self.inner.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.read_bytes += n
        if self.read_bytes > self.cap:
            raise LimitExceeded(f"is larger than {self.cap // 2**20} MB when read (limit AKIMWATCH_IMPORT_MAX_MB)")
        if self.ratio_cap is not None and self.read_bytes > self.ratio_cap:
            raise LimitExceeded(f"decompresses to more than {self.limits.max_ratio}× its size: a compression "
                                "bomb or not an export (limit AKIMWATCH_IMPORT_MAX_RATIO)")
        return n

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.inner.close()
        super().close()


# what a damaged compressed file raises while being read
READ_ERRORS = (EOFError, lzma.LZMAError, zlib.error, OSError)


def open_limited(path: Path):
    """A possibly compressed (``.gz`` / ``.xz``) file opened for binary reads within the current budgets."""
    lower = path.name.lower()
    limits = current_limits()
    if lower.endswith(".xz"):
        inner, compressed = lzma.open(path, "rb"), path.stat().st_size  # noqa: SIM115 - closed by the wrapper
    elif lower.endswith(".gz"):
        import gzip

        inner, compressed = gzip.open(path, "rb"), path.stat().st_size  # noqa: SIM115 - closed by the wrapper
    else:
        inner, compressed = open(path, "rb"), None  # noqa: SIM115 - closed by the wrapper
    return io.BufferedReader(_LimitedRaw(inner, limits, compressed), buffer_size=256 * 1024)


def describe_read_error(exc: BaseException) -> str:
    """A damaged-file exception in words (EOFError has no message of its own)."""
    if isinstance(exc, EOFError):
        return "is truncated (compressed data ends early)"
    if isinstance(exc, lzma.LZMAError):
        return f"is not a valid .xz file or is damaged ({exc})"
    if isinstance(exc, zlib.error):
        return f"is not a valid .gz file or is damaged ({exc})"
    if isinstance(exc, OSError) and "gzip" in str(exc).lower():
        return f"is not a valid .gz file ({exc})"
    return f"cannot be read ({exc.__class__.__name__}: {exc})"
