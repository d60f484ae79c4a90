"""`akimwatch demo`: a fresh store built from the shipped SYNTHETIC demo data, through the real importers.

The data (akimwatch/demo_data/, written by demo/generate.py) are modelled on a BNews.kz article of
12 July 2019 about how Kazakhstan's akims use social networks: the officials and the quoted texts are
real, every other post, comment, account id and number is invented. The store is marked
``dataset=demo`` so every output can say «демо-данные (синтетические)».
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Any

from akimwatch.ingest import FileResult, import_file
from akimwatch.models import to_utc

DEMO_MARK = "демо-данные (синтетические)"
WATCHLIST = "watchlist.yaml"
REMOVALS = "removals.csv"  # a later visit's findings: comments no longer listed, and since when (synthetic)
# Each demo file's name says which importer must read it; detection has to agree.
FORMAT_BY_PREFIX = {"instagram_": "instagram_graph", "facebook_": "facebook_graph", "x_": "x_api_v2"}


class DemoError(Exception):
    """The demo could not be built (a demo file failed to import, or was read by the wrong importer)."""


@dataclass
class DemoResult:
    db_path: Path
    overview: list[dict[str, Any]]
    counts: dict[str, int]
    files: list[FileResult] = field(default_factory=list)
    report_path: Path | None = None


def demo_data_dir() -> Path:
    return Path(str(resources.files("akimwatch.demo_data")))


def demo_files(data_dir: Path | None = None) -> list[Path]:
    """The export files of the demo, in a fixed order (the watch list and README are not exports)."""
    data_dir = data_dir or demo_data_dir()
    return sorted(p for p in data_dir.iterdir() if p.suffix in (".json", ".jsonl"))


def expected_format(path: Path) -> str:
    for prefix, fmt in FORMAT_BY_PREFIX.items():
        if path.name.startswith(prefix):
            return fmt
    raise DemoError(f"{path}: demo file name does not say its platform (expected one of "
                    f"{', '.join(FORMAT_BY_PREFIX)}…); regenerate with `python -m demo.generate`")


def run_demo(dir: Path, *, on_file: Callable[[Path, FileResult], None] | None = None) -> DemoResult:
    """Delete ``dir/akimwatch.db``, build it again from the demo data, return the per-official overview."""
    from akimwatch.registry import load_registry
    from akimwatch.store import open_store
    from akimwatch.store.meta import set_meta
    from akimwatch.store.queries import count_rows, official_overview
    from akimwatch.store.watchlist import save_registry

    dir = Path(dir)
    dir.mkdir(parents=True, exist_ok=True)
    db_path = (dir / "akimwatch.db").resolve()
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    data_dir = demo_data_dir()
    engine = open_store(db_path)
    try:
        with engine.begin() as conn:
            set_meta(conn, "dataset", "demo")
            save_registry(conn, load_registry(data_dir / WATCHLIST))
        results = []
        for path in demo_files(data_dir):
            want = expected_format(path)
            res = import_file(engine, path)
            if not res.ok:
                raise DemoError(f"demo file {path.name} did not import: {res.error}")
            if res.format != want:
                raise DemoError(f"demo file {path.name} was read as '{res.format}', expected '{want}': "
                                "a format's detect() claims files it should not")
            if res.counts.get("skipped"):
                raise DemoError(f"demo file {path.name}: {res.counts['skipped']} records skipped "
                                f"(first: {res.skipped[0]})")
            results.append(res)
            if on_file:
                on_file(path, res)
        apply_removals(engine, data_dir / REMOVALS)
        from akimwatch.reports import render_report

        report_path = render_report(engine, lang="ru", fmt="html", out=dir / "report.html").resolve()
        return DemoResult(db_path=db_path, overview=official_overview(engine), counts=count_rows(engine),
                          files=results, report_path=report_path)
    finally:
        engine.dispose()


def apply_removals(engine: Any, path: Path) -> int:
    """Mark the comments a later (synthetic) visit no longer found as removed, at the time it says."""
    import csv

    from akimwatch.civic.queries import save_removal_marks

    if not path.exists():
        return 0
    marks = []
    with path.open(encoding="utf-8", newline="") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            try:
                marks.append((row["platform"], row["comment_id"],
                              to_utc(datetime.fromisoformat(row["missing_since_utc"].replace("Z", "+00:00")))))
            except (KeyError, ValueError, TypeError) as exc:
                raise DemoError(f"{path.name}: line {line}: bad removal record ({exc})") from None
    with engine.begin() as conn:
        n = save_removal_marks(conn, marks)
    if n != len(marks):
        raise DemoError(f"{path.name}: {len(marks) - n} of {len(marks)} removed comments are not in the demo store; "
                        "regenerate with `python -m demo.generate`")
    return n


def local_date(value: datetime | None, tz: str = "Asia/Almaty") -> str:
    """A UTC timestamp as the date in Almaty (display only; the store keeps UTC)."""
    if value is None:
        return "—"
    try:
        from zoneinfo import ZoneInfo

        zone: Any = ZoneInfo(tz)
    except Exception:  # noqa: BLE001 - no tz database (e.g. Windows without tzdata): UTC+6 held until 2024
        zone = timezone(timedelta(hours=6))
    return to_utc(value).astimezone(zone).date().isoformat()
