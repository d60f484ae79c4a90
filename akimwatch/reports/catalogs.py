"""Alias kept for old commands and imports: the catalog tool now lives in :mod:`akimwatch.catalogs`.

    python -m akimwatch.reports.catalogs   ==   python -m akimwatch.catalogs
"""

from __future__ import annotations

import sys

from akimwatch.catalogs import *  # noqa: F403
from akimwatch.catalogs import check, main

__all__ = ["check", "main"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
