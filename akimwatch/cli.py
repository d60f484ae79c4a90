"""Command line: one command per job; each parses arguments and calls one library function."""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import orjson
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(help="akimwatch — how officials use social networks to talk with citizens.",
                  no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None)
registry_app = typer.Typer(help="The watch list: officials and their accounts.", no_args_is_help=True,
                           rich_markup_mode=None)
app.add_typer(registry_app, name="registry")

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[str | None, typer.Option(
    "--db", envvar="AKIMWATCH_DB", help="SQLite file path or SQLAlchemy URL (postgresql+psycopg://...).")]
DistributedOption = Annotated[bool, typer.Option(
    "--distributed", help="Send jobs to the workers (akimwatch worker) instead of running here; needs a "
                          "PostgreSQL store and the broker (docs/deploy.md).")]


def _fail(message: str, code: int = 2, *, head: str = "error") -> NoReturn:
    """The one way a command stops on a problem: one line «error <what and where>» on stderr, then exit ``code``
    (2: arguments, configuration or store; 1: the work itself failed)."""
    err.print(f"[red]{head}[/red] {escape(message)}", highlight=False)
    raise typer.Exit(code)


@functools.cache
def _open(db: str | None, create: bool):
    from akimwatch.store import open_store

    return open_store(db, create=create)


def _engine(db: str | None, *, create: bool = False):
    """One engine per store for the whole command (opened, and migrated if needed, once per invocation).

    Only the commands that fill a store (import, registry load, harvest, schedule, demo, user add) pass
    ``create=True``; the others refuse a missing store in one line rather than report on an empty one.
    """
    from akimwatch.store import StoreUnavailable

    try:
        return _open(db, create)
    except StoreUnavailable as exc:
        _fail(str(exc), head="error:")


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="More log output.")] = False) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    _open.cache_clear()  # engines are shared within one command, never across invocations in one process


def _count(n: int, one: str, many: str | None = None) -> str:
    """«1 post», «2 posts», «1,205 posts»: the English of the command line agrees with its numbers."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _require_file(path: Path) -> None:
    """A missing file is one line, the same for every command that reads one."""
    if not path.exists():
        _fail(f"{path}: no such file")
    if path.is_dir():
        _fail(f"{path}: is a folder, not a file")


@registry_app.command("check")
def registry_check(file: Annotated[Path, typer.Argument(help="Watch list, YAML or CSV.")]) -> None:
    """Validate a watch list; every problem is listed with its line and field."""
    from akimwatch.registry import RegistryError, load_registry

    _require_file(file)
    try:
        reg = load_registry(file)
    except RegistryError as exc:
        for problem in exc.problems:
            err.print(f"[red]error[/red] {escape(str(problem))}", highlight=False)
        err.print(f"{len(exc.problems)} problem(s) in {file}")
        raise typer.Exit(1) from None
    console.print(f"{file}: OK — {len(reg.officials)} officials, {len(reg.accounts)} accounts")


@registry_app.command("load")
def registry_load(file: Annotated[Path, typer.Argument(help="Watch list, YAML or CSV.")], db: DbOption = None) -> None:
    """Validate a watch list and write it into the store (accounts seen in imports are merged)."""
    from akimwatch.registry import RegistryError, load_registry
    from akimwatch.store.watchlist import save_registry

    try:
        reg = load_registry(file)
    except RegistryError as exc:
        for problem in exc.problems:
            err.print(f"error {problem}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    engine = _engine(db, create=True)
    with engine.begin() as conn:
        counts = save_registry(conn, reg)
    console.print(f"loaded {counts['officials']} officials, {counts['accounts']} accounts "
                  f"({counts['merged']} unassigned accounts merged)")


@app.command("import")
def import_(
    paths: Annotated[list[Path], typer.Argument(help="Export files or folders.")],
    db: DbOption = None,
    format: Annotated[str | None, typer.Option("--format", help="Force a format id (see docs/formats.md).")] = None,
    account: Annotated[str | None, typer.Option("--account", help="Watch-list account id owning the posts.")] = None,
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="Import good records, list the bad ones.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help=(
        "Accounts not on the watch list, and files of no known format in a folder, are errors."))] = False,
    timezone: Annotated[str, typer.Option("--timezone", help=(
        "Zone of local times in old exports that lack UTC (Telegram Desktop before 2.6).")),
    ] = "Asia/Almaty",
    registry: Annotated[Path | None, typer.Option("--registry", help="Load this watch list first.")] = None,
    distributed: DistributedOption = False,
) -> None:
    """Import platform exports into the store; re-running never duplicates."""
    from sqlalchemy.exc import DBAPIError

    from akimwatch.ingest import expand_targets, import_file
    from akimwatch.sources.base import local_times_in, local_zone
    from akimwatch.store.engine import is_store_busy
    from akimwatch.store.runs import fail_abandoned_runs

    try:
        zone = local_zone(timezone)
    except ValueError as exc:
        _fail(str(exc))
    engine = _store_to_fill(db, distributed)
    fail_abandoned_runs(engine)
    if registry:
        registry_load(registry, db)
    if distributed:
        from akimwatch.jobs.enqueue import enqueue_imports

        _report_enqueued("import", lambda url: enqueue_imports(url, paths, format_id=format, account_id=account,
                                                               skip_bad=skip_bad, strict=strict), db)
        return
    targets = expand_targets(paths)
    failed = 0
    passed_over: list[tuple[str, str]] = []
    approx = 0
    totals = {"posts": 0, "comments": 0, "official_replies": 0, "skipped": 0}
    omitted: dict[str, int] = {}
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:,} records"),
                  TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal) as progress, \
            local_times_in(zone):
        for target in targets:
            path = target.path
            task = progress.add_task(escape(path.name.encode("utf-8", "backslashreplace").decode()), total=None)
            try:
                res = import_file(engine, path, format_id=format, account_id=account, skip_bad=skip_bad,
                                  strict=strict, in_folder=target.in_folder,
                                  on_record=lambda n, t=task: progress.update(t, completed=n))
            except DBAPIError as exc:
                if not is_store_busy(exc):
                    raise
                progress.remove_task(task)
                _store_busy(engine, path)
            progress.remove_task(task)
            if res.not_imported:
                passed_over.append((res.path, res.not_imported))
                continue
            if not res.ok:
                failed += 1
                message = res.error or ""
                if len(targets) > 1 and "is not in a supported format;" in message:
                    message = message.split(";", 1)[0]
                err.print(f"[red]error[/red] {escape(message)}", highlight=False)
                continue
            c = res.counts
            for key in totals:
                totals[key] += c.get(key, 0)
            for reason, n in (c.get("omitted") or {}).items():
                omitted[reason] = omitted.get(reason, 0) + n
            approx += c.get("approx_times", 0)
            left_out = sum((c.get("omitted") or {}).values())
            console.print(f"{res.path} [{res.format}]: {_count(c['posts'], 'post')} ({c['posts_new']:,} new), "
                          f"{_count(c['comments'], 'comment')}, "
                          f"{_count(c['official_replies'], 'official reply', 'official replies')} "
                          f"({_count(c['all_comments'], 'comment')} in all, {c['all_comments_new']:,} new), "
                          f"{c['skipped']:,} skipped" + (f", {left_out:,} left out" if left_out else ""),
                          highlight=False, markup=False)
            for warning in res.warnings:
                err.print(f"[yellow]warning[/yellow] {escape(f'{res.path}: {warning}')}", highlight=False)
            for s in res.skipped[:50]:
                err.print(f"  skipped {s['location']}: field '{s['field']}' {s['reason']}", highlight=False, markup=False)
            if len(res.skipped) > 50:
                err.print(f"  … and {len(res.skipped) - 50} more skipped (see `akimwatch status --json`)")
    imported = len(targets) - failed - len(passed_over)
    console.print(f"imported {imported} of {len(targets) - len(passed_over)} files: {_count(totals['posts'], 'post')}, "
                  f"{_count(totals['comments'], 'comment')}, "
                  f"{_count(totals['official_replies'], 'official reply', 'official replies')}, "
                  f"{totals['skipped']:,} skipped", highlight=False)
    for reason, n in sorted(omitted.items()):
        console.print(f"  left out {n:,}: {reason}", highlight=False, markup=False)
    if approx:
        console.print(f"  {approx:,} times were local times without a zone, read as {zone.key} (--timezone) and "
                      "marked approximate in the store", highlight=False, markup=False)
    if passed_over:
        from akimwatch.sources import all_formats

        err.print(f"{len(passed_over)} file(s) not imported (no known format or not a regular file; "
                  "--strict makes them errors):", highlight=False)
        for shown, why in passed_over:
            err.print(f"  {shown}: {why}", highlight=False, markup=False)
        err.print(f"  supported formats: {', '.join(f.id for f in all_formats())}; pass --format to force one "
                  "(see docs/formats.md)", highlight=False, markup=False)
    if failed:
        raise typer.Exit(1)


def _store_busy(engine, path: Path) -> NoReturn:
    """One line, a failed run, exit 1: the store stayed locked by another writer (e.g. another import)."""
    from akimwatch.store.engine import sqlite_busy_ms
    from akimwatch.store.queries import fail_running_run

    message = (f"{path}: the store is locked by another writer (waited {sqlite_busy_ms() / 1000:g} s); "
               "nothing from this file was saved — run the import again when the other writer has finished")
    fail_running_run(engine, str(path), message)
    _fail(message, 1)


@app.command("status")
def status(db: DbOption = None, json: Annotated[bool, typer.Option("--json", help="Machine-readable.")] = False,
           jobs: Annotated[bool | None, typer.Option(
               "--jobs/--no-jobs", help="Show the job queues (default: when a broker is configured).")] = None,
           ) -> None:
    """What the store holds, the last import runs and, with workers, the job queues and dead letters."""
    from akimwatch.store.queries import count_rows, last_import_runs
    from akimwatch.store.runs import fail_abandoned_runs

    engine = _engine(db)
    fail_abandoned_runs(engine)
    data = {**count_rows(engine), "import_runs": last_import_runs(engine)}
    from akimwatch.harvest.runner import harvest_status

    data["harvest"] = harvest_status(engine)
    if jobs or jobs is None and _jobs_configured():
        from akimwatch.jobs.status import compute_jobs_status

        data["jobs"] = compute_jobs_status()
    if json:
        sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    table = Table(title="akimwatch store")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in data.items():
        if key not in ("import_runs", "harvest", "jobs"):
            table.add_row(key, f"{value:,}")
    console.print(table)
    runs = Table(title="last import runs")
    for col in ("id", "kind", "source", "format", "status", "finished", "errors"):
        runs.add_column(col)
    for run in data["import_runs"]:
        errors = run.get("errors") or []
        runs.add_row(str(run["id"]), run["kind"], run["source"], run["format"] or "", run["status"],
                     run["finished_utc"] or "", str(errors[0].get("error") or errors[0]) if errors else "")
    console.print(runs)
    _print_harvest_status(data["harvest"])
    if "jobs" in data:
        from akimwatch.jobs.status import render_jobs_status

        render_jobs_status(console, data["jobs"])


def _jobs_configured() -> bool:
    from akimwatch.jobs.settings import JobsConfigError, jobs_configured

    try:
        return jobs_configured()
    except JobsConfigError as exc:
        _fail(str(exc))


def _store_to_fill(db: str | None, distributed: bool):
    """The engine of a command that fills the store (created if missing); with --distributed the store must be a
    shared PostgreSQL one, refused before anything is created."""
    if distributed:
        from akimwatch.jobs.enqueue import require_shared_store

        _to_workers(require_shared_store, db)
    return _engine(db, create=True)


def _to_workers(send, db: str | None):
    """``send(store URL)`` for the workers (publish jobs, check the store); its expected errors are one line."""
    from akimwatch.jobs.enqueue import DistributedError
    from akimwatch.jobs.settings import JobsConfigError
    from akimwatch.store.engine import resolve_db_url

    try:
        return send(resolve_db_url(db))
    except (DistributedError, JobsConfigError, ValueError) as exc:
        _fail(str(exc))


def _report_enqueued(what: str, send, db: str | None) -> None:
    """Publish the jobs of a --distributed command and say how many went where, in one line."""
    refs = _to_workers(send, db)
    console.print(f"queued {len(refs):,} {what} job(s) for the workers; follow them with `akimwatch status --jobs`",
                  highlight=False)


@app.command("demo")
def demo(dir: Annotated[Path, typer.Option(
        "--dir", help="Folder for the demo store (akimwatch.db is rebuilt there).")] = Path("demo-output"),
         tier: Annotated[str, typer.Option("--tier", help="Analysis tier for the demo's labels.")] = "accurate",
         ) -> None:
    """Build a store from the built-in SYNTHETIC demo data (modelled on a July 2019 article) and show it."""
    from rich.panel import Panel

    from akimwatch.demo import DEMO_MARK, DemoError, demo_data_dir, local_date, run_demo
    from akimwatch.registry import kz_regions

    out = console if console.is_terminal else Console(width=160)  # a wide table also in logs and pipes
    out.print(Panel(f"[bold]{DEMO_MARK.upper()}[/bold]\nАкимы и цитаты — из статьи BNews.kz от 12.07.2019; "
                    "аккаунты, остальные посты и комментарии выдуманы.", style="bold yellow", expand=False))
    try:
        with err.status("импорт демо-данных…") as spinner:
            result = run_demo(dir, on_file=lambda path, res: spinner.update(
                f"импорт демо-данных… {path.name}: {_count(res.counts['posts'], 'post')}, "
                f"{_count(res.counts['comments'], 'comment')}"))
    except DemoError as exc:
        _fail(str(exc), 1)
    regions = kz_regions()
    table = Table(title=f"Акимы в соцсетях — {DEMO_MARK}", caption="IG — Instagram, FB — Facebook, X — Twitter; "
                  "даты — по времени Алматы")
    for col in ("аким", "регион", "сети", "посты", "посл. пост", "комм. граждан", "ответы акима"):
        table.add_column(col, justify="right" if col in ("посты", "комм. граждан", "ответы акима") else "left",
                         no_wrap=col not in ("регион", "комм. граждан", "ответы акима"))
    short = {"instagram": "IG", "facebook": "FB", "x": "X"}
    for row in result.overview:
        region = regions.get(row["region"] or "", {}).get("name_ru", row["region"] or "").replace(" область", " обл.")
        table.add_row(row["name"], region, ", ".join(short.get(p, p) for p in row["platforms"]) or "—",
                      f"{row['posts']:,}", local_date(row["last_post"]), f"{row['citizen_comments']:,}",
                      f"{row['official_replies']:,}")
    out.print(table)
    # The officials' figures, counted as the dashboard, the API and the report count them (their own accounts);
    # posts of other accounts that merely tag an official are in the store too, and said apart.
    c = result.counts
    own = {k: sum(r[k] for r in result.overview) for k in ("posts", "citizen_comments", "official_replies")}
    elsewhere = (c["posts"] - own["posts"], c["comments"] - own["citizen_comments"])
    out.print(f"{DEMO_MARK}: {len(result.files)} files; the officials' accounts: {own['posts']:,} posts, "
              f"{own['citizen_comments']:,} citizen comments, {own['official_replies']:,} official replies"
              + (f"; other accounts that tag them: {elsewhere[0]:,} posts, {elsewhere[1]:,} comments"
                 if any(elsewhere) else ""), highlight=False)
    out.print(f"store: {result.db_path}", highlight=False)
    _demo_rank(out, result.db_path, _check_tier(tier))
    out.print(f"report: {_demo_report(result)}", highlight=False)
    exe = sys.argv[0] if Path(sys.argv[0]).name == "akimwatch" else "akimwatch"  # the command as it was run
    out.print(f"dashboard: {exe} serve --db {result.db_path}  → http://127.0.0.1:8000/ "
              f"(inbox sign-in: {exe} user add NAME --role admin --db {result.db_path})", highlight=False)
    out.print(f"your own data: write a watch list (docs/formats.md; example: {demo_data_dir() / 'watchlist.yaml'}), "
              f"then {exe} registry check watchlist.yaml → {exe} registry load watchlist.yaml → "
              f"{exe} import exports/ → {exe} analyze → {exe} rank", highlight=False)


def _demo_report(result) -> Path:
    """The demo's HTML report (ru), written again now that the comments carry labels (topics, types)."""
    from akimwatch.reports import render_report

    return render_report(_engine(str(result.db_path)), lang="ru", fmt="html", out=result.report_path)


def _demo_rank(out: Console, db_path: Path, tier: str = "accurate") -> None:
    """After the demo import: label (when the analysis package is installed), compute metrics, print the ranking.

    ``run_analysis`` labels voice too (a registered analyzer); without it the metrics classify voice on the fly."""
    from akimwatch.metrics import compute_metrics
    from akimwatch.reports.tables import render_rank_table

    engine = _engine(str(db_path))
    try:
        from akimwatch.analysis.run import run_analysis
    except ImportError:
        out.print("анализ комментариев не установлен: темы и типы комментариев — «не размечено»", highlight=False)
    else:
        with err.status(f"разметка комментариев ({tier})…"):
            run_analysis(engine, progress=False, tier=tier)
    render_rank_table(out, compute_metrics(engine), demo=True)


# --- metrics and ranking (akimwatch/metrics) -------------------------------------------------------------------

ConfigOption = Annotated[Path | None, typer.Option(
    "--config", help="Configuration file (TOML; its [metrics] section holds thresholds and weights, "
                     "docs/methodology.md); default $AKIMWATCH_CONFIG.")]
PeriodOption = Annotated[str | None, typer.Option(
    "--period", help="Days A:B inclusive, UTC, e.g. 2019-04-01:2019-07-12 (either side may be empty).")]
OfficialOption = Annotated[list[str] | None, typer.Option("--official", help="Official id (repeatable).")]


def _metrics(db: str | None, period: str | None, official: list[str] | None, config: Path | None) -> list[dict]:
    from akimwatch.analysis.voice import run_voice
    from akimwatch.config import load_config
    from akimwatch.metrics import compute_metrics, parse_period

    try:
        cfg = load_config(config)
        prd = parse_period(period)
    except ValueError as exc:
        _fail(str(exc))
    engine = _engine(db)
    run_voice(engine)
    try:
        return compute_metrics(engine, prd, official or None, cfg)
    except KeyError as exc:
        _fail(exc.args[0])


LangOption = Annotated[str, typer.Option("--lang", help="ru (default), kk or en.")]


@app.command("metrics")
def metrics(db: DbOption = None, period: PeriodOption = None, official: OfficialOption = None,
            format: Annotated[str, typer.Option("--format", help="table, json or csv (one row per account).")] = "table",
            config: ConfigOption = None, lang: LangOption = "ru") -> None:
    """Every metric per official and account (docs/methodology.md); JSON is the stable contract."""
    from akimwatch.reports.tables import render_csv, render_metrics_table
    from akimwatch.store.queries import is_demo_store

    if format not in ("table", "json", "csv"):
        _fail(f"--format must be table, json or csv (got {format!r})")
    _lang(lang)
    data = _metrics(db, period, official, config)
    demo = is_demo_store(_engine(db))
    if demo:  # outputs from the synthetic demo say so, in every format
        for o in data:
            o["demo_data"] = True
    if format == "json":
        sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")
    elif format == "csv":
        sys.stdout.write(render_csv(data))
    else:
        render_metrics_table(console if console.is_terminal else Console(width=200), data, _lang(lang), demo=demo)


@app.command("rank")
def rank(db: DbOption = None, period: PeriodOption = None, official: OfficialOption = None,
         config: ConfigOption = None, lang: LangOption = "ru") -> None:
    """The ranking with the reason for each place; «not enough data» instead of a misleading rank."""
    from akimwatch.config import load_config
    from akimwatch.reports.tables import render_rank_table
    from akimwatch.store.queries import is_demo_store

    _lang(lang)
    data = _metrics(db, period, official, config)
    render_rank_table(console if console.is_terminal else Console(width=160), data, is_demo_store(_engine(db)),
                      lang=_lang(lang), config=load_config(config))


def _lang(lang: str) -> str:
    from akimwatch.i18n import language_error

    problem = language_error(lang)
    if problem:
        _fail(f"--lang: {problem}")
    return lang


# --- reports (akimwatch/reports) ---------------------------------------------------------------------------------

@app.command("report")
def report(db: DbOption = None, period: PeriodOption = None, official: OfficialOption = None,
           lang: Annotated[str, typer.Option("--lang", help="ru (default), kk or en.")] = "ru",
           format: Annotated[str, typer.Option("--format", help="html, pdf, md or json.")] = "html",
           out: Annotated[Path | None, typer.Option("--out", help="Output file or folder (default report.<format>).")] = None,
           config: ConfigOption = None) -> None:
    """The article from data: title page, ranking, a section per official, charts, map, methodology."""
    from akimwatch.config import load_config
    from akimwatch.metrics import parse_period
    from akimwatch.reports import ReportError, render_report

    _lang(lang)
    try:
        cfg = load_config(config)
        prd = parse_period(period)
        with err.status("writing the report…"):
            path = render_report(_engine(db), prd, official or None, lang, format, out, config=cfg)
    except (ValueError, ReportError) as exc:
        _fail(str(exc))
    except KeyError as exc:  # an unknown --official: the message names the close ids
        _fail(exc.args[0])
    console.print(f"report: {path}", highlight=False)


# -- live collection (akimwatch.harvest) ------------------------------------------------------------
def _print_harvest_status(rows: list[dict]) -> None:
    if not rows:
        return
    table = Table(title="harvest: last run per account")
    for col in ("account", "collector", "status", "finished", "new posts", "new (all) comments", "error"):
        table.add_column(col)
    for row in rows:
        c = row["counts"]
        table.add_row(row["account_id"], row["collector"] or "", row["status"], row["finished_utc"] or "",
                      str(c.get("posts_new", "")), str(c.get("all_comments_new", c.get("comments_new", ""))), row["error"] or "",
                      style="red" if row["status"] == "failed" else None)
    console.print(table)


def _since(value: str | None):
    if not value:
        return None
    from akimwatch.sources.base import parse_iso_utc

    try:
        return parse_iso_utc(value if "T" in value else f"{value}T00:00:00+00:00", "--since")
    except Exception:  # noqa: BLE001 - any parse failure is the same user error
        _fail(f"--since {value!r} is not a date like 2024-05-01 or 2024-05-01T12:00:00+05:00")


def _harvest_table(results) -> Table:
    table = Table(title="harvest")
    for col in ("account", "status", "pages", "posts new/upd", "all comments new/upd", "followers", "deleted"):
        table.add_column(col)
    for r in results:
        c = r.counts
        table.add_row(r.account_id, "ok" if r.ok else "failed", str(r.pages),
                      f"{c.get('posts_new', 0)}/{c.get('posts_updated', 0)}",
                      f"{c.get('all_comments_new', 0)}/{c.get('all_comments_updated', 0)}", str(c.get("followers", 0)),
                      str(c.get("deleted", 0)), style="red" if not r.ok else None)
    return table


def _print_harvest_errors(results) -> None:
    for r in results:
        if not r.ok:
            err.print(f"[red]error[/red] {escape(f'{r.account_id}: {r.error}')}", highlight=False)


@app.command("harvest")
def harvest_(
    db: DbOption = None,
    account: Annotated[str | None, typer.Option("--account", help="Only this watch-list account id.")] = None,
    platform: Annotated[str | None, typer.Option("--platform", help="Only accounts of this platform.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Walk back to this date (UTC unless given).")] = None,
    full: Annotated[bool, typer.Option("--full", help="Ignore saved cursors: re-walk the whole history.")] = False,
    distributed: DistributedOption = False,
) -> None:
    """Collect new posts, comments, edits, deletions and follower counts from the platforms' APIs.

    Incremental and resumable; credentials come from the environment or the config file (docs/collectors.md).
    """
    from akimwatch.harvest.schedule import harvest

    engine = _store_to_fill(db, distributed)
    if distributed:
        from akimwatch.jobs.enqueue import enqueue_harvest

        _report_enqueued("harvest", lambda url: enqueue_harvest(engine, url, account_id=account, platform=platform,
                                                                since=_since(since), full=full), db)
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed} pages"),
                  TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal) as progress:
        tasks: dict[str, int] = {}

        def on_page(account_id: str, pages: int) -> None:
            if account_id not in tasks:
                tasks[account_id] = progress.add_task(account_id, total=None)
            progress.update(tasks[account_id], completed=pages)

        try:
            results = harvest(engine, account_id=account, platform=platform, since=_since(since), full=full,
                              on_page=on_page)
        except ValueError as exc:
            _fail(str(exc), 1)
    console.print(_harvest_table(results))
    _print_harvest_errors(results)
    failed = sum(1 for r in results if not r.ok)
    total = {k: sum(r.counts.get(k, 0) for r in results) for k in ("posts_new", "all_comments_new", "deleted")}
    console.print(f"harvested {len(results) - failed} of {len(results)} accounts: {total['posts_new']} new posts, "
                  f"{total['all_comments_new']} new comments and official replies, {total['deleted']} marked deleted", highlight=False)
    if failed:
        raise typer.Exit(1)


@app.command("schedule")
def schedule_(
    db: DbOption = None,
    every: Annotated[str, typer.Option("--every", help="Interval between harvests: 30m, 1h, 1d.")] = "1h",
    once: Annotated[bool, typer.Option("--once", help="One harvest + analysis + alerts, then exit (cron).")] = False,
    account: Annotated[str | None, typer.Option("--account", help="Only this watch-list account id.")] = None,
    platform: Annotated[str | None, typer.Option("--platform", help="Only accounts of this platform.")] = None,
    distributed: DistributedOption = False,
) -> None:
    """Harvest periodically in the foreground; after each run analyse new items and send alerts."""
    from akimwatch.harvest.schedule import parse_every, schedule

    try:
        interval = parse_every(every)
    except ValueError as exc:
        _fail(f"--every: {exc}")
    engine = _store_to_fill(db, distributed)
    if distributed:
        _schedule_distributed(engine, db, interval, once, account, platform)
        return

    def report(summary) -> None:
        console.print(_harvest_table(summary.results))
        _print_harvest_errors(summary.results)
        console.print(f"{summary.started_utc:%Y-%m-%d %H:%M} UTC: {len(summary.results) - summary.failed} ok, "
                      f"{summary.failed} failed, {len(summary.alerts)} alert(s)"
                      + ("" if once else f"; next run in {every}"), highlight=False)

    try:
        runs = schedule(engine, every=interval, once=once, account_id=account, platform=platform, on_run=report)
    except KeyboardInterrupt:
        err.print("stopped; committed pages are kept, the next run resumes from the saved cursors")
        raise typer.Exit(130) from None
    if once and runs[-1].failed:
        raise typer.Exit(1)


def _schedule_distributed(engine, db: str | None, interval, once: bool, account: str | None,
                          platform: str | None) -> None:
    """Each tick: harvest jobs for the watch list, analysis jobs for what is unlabelled, alerts checked here."""
    from akimwatch.jobs.enqueue import schedule_tick

    def tick() -> None:
        summary = _to_workers(lambda url: schedule_tick(engine, url, account_id=account, platform=platform), db)
        console.print(f"{summary['started_utc']:%Y-%m-%d %H:%M} UTC: queued {summary['harvest']} harvest and "
                      f"{summary['analysis']} analysis job(s), {summary['alerts']} alert(s)"
                      + ("" if once else f"; next in {interval}"), highlight=False)

    import time

    try:
        while True:
            began = time.monotonic()
            tick()
            if once:
                return
            time.sleep(max(0.0, interval.total_seconds() - (time.monotonic() - began)))
    except KeyboardInterrupt:
        err.print("stopped; queued jobs stay with the workers")
        raise typer.Exit(130) from None


@app.command("worker")
def worker(
    queues: Annotated[str, typer.Option("--queues", help="Comma-separated: harvest, analysis, import.")] =
        "harvest,analysis,import",
    concurrency: Annotated[int | None, typer.Option(
        "--concurrency", help="Jobs at once (processes; default: CPU cores).")] = None,
    pool: Annotated[str, typer.Option("--pool", help="prefork (default), solo (one job, no child) or threads.")] =
        "prefork",
    loglevel: Annotated[str, typer.Option("--loglevel", help="DEBUG, INFO, WARNING.")] = "INFO",
) -> None:
    """Run jobs from the queues (Celery worker): harvest, analysis and import for a PostgreSQL store."""
    import os
    import socket

    from akimwatch.jobs.settings import QUEUES, JobsConfigError

    names = [q.strip() for q in queues.split(",") if q.strip()]
    unknown = [q for q in names if q not in QUEUES]
    if unknown or not names:
        _fail(f"--queues: unknown {', '.join(unknown) or '(none)'}; choose from {', '.join(QUEUES)}")
    if pool not in ("prefork", "solo", "threads"):
        _fail(f"--pool must be prefork, solo or threads (got {pool!r})")
    try:
        from akimwatch.jobs.app import ensure_queues, get_app

        celery = get_app()
        ensure_queues(celery)
    except JobsConfigError as exc:
        _fail(str(exc))
    except Exception as exc:  # noqa: BLE001 - broker unreachable: one line
        _fail(f"cannot reach the job broker ({type(exc).__name__}: {exc}); check AKIMWATCH_BROKER_URL")
    settings = celery.akimwatch_settings
    celery.worker_main(["worker", "-Q", ",".join(settings.queue(q) for q in names),
                        "-c", str(concurrency or os.cpu_count() or 1), "-P", pool, "--loglevel", loglevel,
                        "-n", f"akimwatch-{os.getpid()}@{socket.gethostname()}",
                        "--without-gossip", "--without-mingle"])


# ---- web (feat/web) -------------------------------------------------------------------------------
user_app = typer.Typer(help="Users of the web app (press services, editors, admins).", no_args_is_help=True,
                       rich_markup_mode=None)
app.add_typer(user_app, name="user")


@app.command("serve")
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    private: Annotated[bool, typer.Option("--private", help="Everything needs a sign-in or an API key.")] = False,
    workers: Annotated[int, typer.Option("--workers", help="Worker processes (uvicorn).")] = 1,
) -> None:
    """Serve the dashboard, the JSON API (/api/v1) and the Open311 feed (/open311/v2)."""
    import os

    import uvicorn

    from akimwatch.web.serve import serve_app

    if private:
        os.environ["AKIMWATCH_PRIVATE"] = "1"
    try:  # a wrong configuration stops here, in one line, not as empty pages later
        from akimwatch.config import load_config
        from akimwatch.web.config import WebConfig

        load_config()
        WebConfig.from_env()
    except ValueError as exc:
        _fail(str(exc))
    engine = _engine(db)
    engine.dispose()
    console.print(f"akimwatch dashboard: http://{host}:{port}/  (API: http://{host}:{port}/api/docs)")
    if workers > 1:
        from akimwatch.store.engine import resolve_db_url

        os.environ["AKIMWATCH_DB"] = resolve_db_url(db)
        from akimwatch.web.config import WebConfig
        from akimwatch.web.serve import uvicorn_options

        uvicorn.run("akimwatch.web.serve:app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_level="warning", **uvicorn_options(WebConfig.from_env()))
        return
    serve_app(db, host=host, port=port)


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Option("--role", help="viewer, editor or admin.")] = "viewer",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    db: DbOption = None,
) -> None:
    """Create a web user; the first one is an admin (it manages the others), whatever --role says."""
    from datetime import UTC, datetime

    from akimwatch.web.auth.users import add_user, list_users

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    engine = _engine(db, create=True)
    try:
        with engine.begin() as conn:
            if not list_users(conn):
                role = "admin"
            add_user(conn, name, password, role, now=datetime.now(UTC))
    except ValueError as exc:
        _fail(str(exc), 1)
    console.print(f"user {name} added with role {role}")


TierOption = Annotated[str, typer.Option(
    "--tier", help="fast: linear heads, thousands of texts/s; accurate: multilingual encoder, reads Kazakh "
                   "(default).")]


def _check_tier(tier: str) -> str:
    from akimwatch.analysis.base import TIERS

    if tier not in TIERS:
        _fail(f"--tier {tier!r}: choose one of {', '.join(TIERS)}")
    return tier


@app.command("analyze")
def analyze(db: DbOption = None,
            since: Annotated[str | None, typer.Option("--since", help="Only items published from this date.")] = None,
            relabel: Annotated[bool, typer.Option("--relabel", help="Rewrite the current version's labels.")] = False,
            tier: TierOption = "accurate",
            distributed: DistributedOption = False,
            ) -> None:
    """Label comments (language, type, topic, sentiment) and posts (language, topic, voice) not yet labelled."""
    from akimwatch.analysis.run import run_analysis

    _check_tier(tier)
    engine = _engine(db)
    if distributed:
        if since or relabel or tier != "accurate":
            _fail("--distributed labels what the current accurate versions have not labelled; --since, "
                  "--relabel and --tier run in-process only")
        from akimwatch.jobs.enqueue import enqueue_analysis

        _report_enqueued("analysis", lambda url: enqueue_analysis(engine, url), db)
        return
    result = run_analysis(engine, since=_since(since), relabel=relabel, progress=err.is_terminal, tier=tier)
    console.print(f"labelled {result['labelled']:,} items, tier {tier} "
                  f"({', '.join(f'{k} {v}' for k, v in result['versions'].items())})", highlight=False)


@app.command("classify")
def classify(
    input: Annotated[Path, typer.Option("--input", help="CSV file to label.")],
    output: Annotated[Path, typer.Option("--output", help="Where to write the labelled CSV.")],
    text_column: Annotated[str, typer.Option("--text-column", help="Column holding the text.")] = "text",
    tier: TierOption = "accurate",
) -> None:
    """Label any CSV: adds lang, type, topic, sentiment, a confidence for each and the labels held uncertain."""
    from akimwatch.analysis.classify import ClassifyInputError, classify_csv

    _check_tier(tier)
    _require_file(input)
    try:
        result = classify_csv(input, text_column, output, tier=tier)
    except ClassifyInputError as exc:
        _fail(str(exc), 1)
    console.print(f"{result['rows']:,} rows labelled → {result['output']}"
                  + (f" ({result['encoding_fallback_lines']} lines not UTF-8, decoded as cp1251)"
                     if result["encoding_fallback_lines"] else ""), highlight=False)


@app.command("train")
def train(data: Annotated[Path | None, typer.Option("--data", envvar="AKIMWATCH_SHARED_DATA",
                                                      help="The shared data folder (default ../shared/data).")] = None,
          tier: Annotated[str, typer.Option("--tier", help="Which tier to retrain: fast or accurate.")] = "fast",
          ) -> None:
    """Retrain the shipped models reproducibly from the shared data and the annotated set; updates the cards."""
    _check_tier(tier)
    log = lambda msg: err.print(msg, highlight=False)  # noqa: E731
    if tier == "accurate":
        from akimwatch.analysis.train_accurate import train_accurate

        train_accurate(data_dir=data, log=log)
    else:
        from akimwatch.analysis.train import train_all

        train_all(data_dir=data, log=log)


@app.command("eval")
def eval_(data: Annotated[Path | None, typer.Option("--data", envvar="AKIMWATCH_SHARED_DATA",
                                                      help="The shared data folder (default ../shared/data).")] = None,
          tier: Annotated[list[str] | None, typer.Option("--tier", help="Tier(s) to measure (default: both).")] = None,
          ) -> None:
    """Every target figure per tier on the held-out splits, with bootstrap 95 % intervals; updates the cards."""
    from akimwatch.analysis.cards import write_tier_card
    from akimwatch.analysis.tiers_eval import TARGETS, evaluate_tier

    tiers = [_check_tier(t) for t in (tier or ["fast", "accurate"])]
    results = {t: evaluate_tier(t, data_dir=data, log=lambda msg: err.print(msg, highlight=False)) for t in tiers}
    table = Table(title="held-out evaluation (bootstrap 95 % intervals)")
    for col in ("figure", "n", "target", *tiers):
        table.add_column(col, overflow="fold")
    names = list(dict.fromkeys(k for r in results.values() for k in r["figures"]))
    for name in names:
        cells = []
        for t in tiers:
            f = results[t]["figures"].get(name)
            cells.append(f"{f['value']:.3f} [{f['lo']:.3f}–{f['hi']:.3f}]" if f else "—")
        n = next(r["figures"][name]["n"] for r in results.values() if name in r["figures"])
        target = TARGETS.get(name)
        table.add_row(name, str(n), f"≥ {target:.2f}" if target else "", *cells)
    console.print(table)
    write_tier_card(results)
    from akimwatch.analysis.artifacts import MODELS_DIR

    (MODELS_DIR / "tiers_metrics.json").write_bytes(orjson.dumps(results, option=orjson.OPT_INDENT_2) + b"\n")


if __name__ == "__main__":  # pragma: no cover
    app()
