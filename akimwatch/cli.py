"""Command line: one command per job; each parses arguments and calls one library function."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

app = typer.Typer(help="akimwatch — how officials use social networks to talk with citizens.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
registry_app = typer.Typer(help="The watch list: officials and their accounts.", no_args_is_help=True)
app.add_typer(registry_app, name="registry")

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[str | None, typer.Option(
    "--db", envvar="AKIMWATCH_DB", help="SQLite file path or SQLAlchemy URL (postgresql+psycopg://...).")]


def _engine(db: str | None):
    from akimwatch.store import open_store

    return open_store(db)


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="More log output.")] = False) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


@registry_app.command("check")
def registry_check(file: Annotated[Path, typer.Argument(help="Watch list, YAML or CSV.")]) -> None:
    """Validate a watch list; every problem is listed with its line and field."""
    from akimwatch.registry import RegistryError, load_registry

    try:
        reg = load_registry(file)
    except RegistryError as exc:
        for problem in exc.problems:
            err.print(f"[red]error[/red] {problem}", markup=True, highlight=False)
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
    engine = _engine(db)
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
    strict: Annotated[bool, typer.Option("--strict", help="Accounts not on the watch list are an error.")] = False,
    registry: Annotated[Path | None, typer.Option("--registry", help="Load this watch list first.")] = None,
) -> None:
    """Import platform exports into the store; re-running never duplicates."""
    from akimwatch.ingest import expand_paths, import_file

    engine = _engine(db)
    if registry:
        registry_load(registry, db)
    files = expand_paths(paths)
    failed = 0
    totals = {"posts": 0, "comments": 0, "official_replies": 0, "skipped": 0}
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:,} records"),
                  TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal) as progress:
        for path in files:
            task = progress.add_task(f"{path.name}", total=None)
            res = import_file(engine, path, format_id=format, account_id=account, skip_bad=skip_bad, strict=strict,
                              on_record=lambda n, t=task: progress.update(t, completed=n))
            progress.remove_task(task)
            if not res.ok:
                failed += 1
                err.print(f"[red]error[/red] {res.error}", highlight=False)
                continue
            c = res.counts
            for key in totals:
                totals[key] += c.get(key, 0)
            console.print(f"{path} [{res.format}]: {c['posts']} posts ({c['posts_new']} new), "
                          f"{c['comments']} comments ({c['comments_new']} new), "
                          f"{c['official_replies']} official replies, {c['skipped']} skipped", highlight=False)
            for warning in res.warnings:
                err.print(f"[yellow]warning[/yellow] {path}: {warning}", highlight=False)
            for s in res.skipped[:50]:
                err.print(f"  skipped {s['location']}: field '{s['field']}' {s['reason']}", highlight=False)
            if len(res.skipped) > 50:
                err.print(f"  … and {len(res.skipped) - 50} more skipped (see `akimwatch status --json`)")
    console.print(f"imported {len(files) - failed} of {len(files)} files: {totals['posts']} posts, "
                  f"{totals['comments']} comments, {totals['official_replies']} official replies, "
                  f"{totals['skipped']} skipped", highlight=False)
    if failed:
        raise typer.Exit(1)


@app.command("status")
def status(db: DbOption = None, json: Annotated[bool, typer.Option("--json", help="Machine-readable.")] = False) -> None:
    """What the store holds and the last import runs."""
    from akimwatch.store.queries import count_rows, last_import_runs

    engine = _engine(db)
    data = {**count_rows(engine), "import_runs": last_import_runs(engine)}
    if json:
        sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    table = Table(title="akimwatch store")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in data.items():
        if key != "import_runs":
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


# ---- web (feat/web) -------------------------------------------------------------------------------
user_app = typer.Typer(help="Users of the web app (press services, editors, admins).", no_args_is_help=True)
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
    engine = _engine(db)
    engine.dispose()
    console.print(f"akimwatch dashboard: http://{host}:{port}/  (API docs: http://{host}:{port}/api/docs)")
    if workers > 1:
        from akimwatch.store.engine import resolve_db_url

        os.environ["AKIMWATCH_DB"] = resolve_db_url(db)
        uvicorn.run("akimwatch.web.serve:app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_level="warning")
        return
    serve_app(db, host=host, port=port)


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Option("--role", help="viewer, editor or admin.")] = "viewer",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")] = False,
    db: DbOption = None,
) -> None:
    """Create a web user (the first one should be an admin)."""
    from datetime import UTC, datetime

    from akimwatch.store.web_auth import add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    engine = _engine(db)
    try:
        with engine.begin() as conn:
            add_user(conn, name, password, role, now=datetime.now(UTC))
    except ValueError as exc:
        err.print(f"error: {exc}", highlight=False)
        raise typer.Exit(1) from None
    console.print(f"user {name} added with role {role}")


if __name__ == "__main__":  # pragma: no cover
    app()
