"""Civic signals no monitoring tool shows (issue 17): deleted criticism, coordinated praise.

A feature package: ``queries.py`` holds its SQL (set-based reads over the core tables, no tables of its own),
the detectors are pure functions over the rows it returns (``deletion.py``). The metrics that publish them are
registered in ``akimwatch/metrics/civic.py``; their words are in ``akimwatch/reports/civic.py``.
"""
