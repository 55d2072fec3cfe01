"""`dak watch`, `dak serve`, `dak deploy` and `dak backfill`: the dak as it arrives, and the archive."""

from __future__ import annotations

import logging
import os
import signal
import sys
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import click

from flows.cli_common import ERR, OUT, handle_errors, prepare_prefect, print_jsonl, quiet_run_logs
from pipeline import drop
from pipeline.config import Settings, load_settings
from pipeline.errors import ExitCode

DROP_HELP = "A drop folder, optionally with the section its letters go to: DIR or DIR=SECTION. Repeatable."


def _log_to_stderr() -> None:
    """dak's own log lines at INFO; Prefect's logging set-up prints them on stderr."""
    logger = logging.getLogger("dak")
    logger.setLevel(logging.INFO)
    if not logging.getLogger().handlers:
        logger.addHandler(logging.StreamHandler(sys.stderr))


def _folders(settings: Settings, drops: tuple[str, ...], poll: bool = False) -> list[drop.DropFolder]:
    given = [drop.parse_drop(text) for text in drops]
    folders = drop.configured(settings, [replace(f, polling=True) for f in given] if poll else given)
    if not folders:
        raise click.UsageError(
            "No drop folders: give --drop DIR[=SECTION] or add [[watch.drop]] to the config."
        )
    return folders


@click.command()
@click.option("--drop", "drops", multiple=True, metavar="DIR[=SECTION]", help=DROP_HELP)
@click.option("--poll", is_flag=True, help="Poll the --drop folders (SMB/NFS shares send no change events).")
@click.option("--once", is_flag=True, help="Process what is in the folders now, then exit.")
@handle_errors
def watch(drops: tuple[str, ...], poll: bool, once: bool) -> None:
    """Watch drop folders and diarise every complete file that arrives (until SIGTERM or Ctrl-C).

    Each file moves to <folder>/processing/, then to <folder>/done/<date>/ (with its receipt as
    JSON beside it) or to <folder>/quarantine/ (with <name>.reason.json). Nothing is deleted.
    """
    settings = load_settings()
    folders = _folders(settings, drops, poll)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    prepare_prefect(settings)
    _log_to_stderr()
    from flows.watch import Watcher, drop_runner, file_claim, without_heartbeats

    runner = drop_runner(settings)
    watcher = Watcher(folders, settings.watch, lambda claim: file_claim(claim, runner))

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if watcher.stopping.is_set():
            raise KeyboardInterrupt  # a second signal: stop now; the file in hand is retried on start
        logging.getLogger("dak.watch").info(
            "%s: stopping after the file in hand", signal.Signals(signum).name
        )
        watcher.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with without_heartbeats():
        watcher.run(once=once)


@click.command()
@click.option("--drop", "drops", multiple=True, metavar="DIR[=SECTION]", help=DROP_HELP)
@click.option("--limit", type=int, default=None, help="Most flow runs at once (default: no limit).")
@handle_errors
def serve(drops: tuple[str, ...], limit: int | None) -> None:
    """Serve dak's deployments: a cron sweep of each drop folder, backfill, classifier retraining.

    Schedules need a Prefect server (`prefect server start`, then PREFECT_API_URL).
    """
    settings = load_settings()
    folders = _folders(settings, drops)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    prepare_prefect(settings)
    from flows.deployments import serve_all

    serve_all(settings, folders, limit=limit)


@click.command()
@click.option("--pool", required=True, help="The Prefect work pool (type process) whose workers run dak.")
@click.option("--drop", "drops", multiple=True, metavar="DIR[=SECTION]", help=DROP_HELP)
@handle_errors
def deploy(pool: str, drops: tuple[str, ...]) -> None:
    """Register dak's deployments with a work pool, for `prefect worker start --pool POOL` on each machine."""
    settings = load_settings()
    folders = _folders(settings, drops)
    prepare_prefect(settings)
    from flows.deployments import deploy_all

    for name in deploy_all(settings, folders, pool):
        OUT.print(name, highlight=False)


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise click.BadParameter("give a date as YYYY-MM-DD") from exc


@click.command()
@click.argument("root", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--section", help="Section the letters are routed to when no rule decides.")
@click.option("--since", callback=_date, help="Only letters received on or after this date (YYYY-MM-DD).")
@click.option("--dry-run", is_flag=True, help="Count what would be done; change nothing.")
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV summary (default under DAK_HOME/backfill/).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@handle_errors
def backfill(
    root: Path, section: str | None, since: date | None, dry_run: bool, report: Path | None, as_json: bool
) -> None:
    """Diarise a legacy archive (nested folders, mixed formats) in its own diary series.

    Files already in the registry are skipped; an interrupted run resumes where it stopped.
    Exits 1 if any file was quarantined.
    """
    settings = load_settings()
    prepare_prefect(settings)
    from flows.backfill import backfill as backfill_flow
    from flows.backfill import default_report

    quiet_run_logs()
    report_path = report or default_report(settings.home, root.resolve())
    try:
        counts: dict[str, Any] = backfill_flow(
            root=str(root.resolve()),
            section=section,
            since=since,
            report=str(report_path),
            dry_run=dry_run,
            progress=not as_json and sys.stderr.isatty(),
        )
    except KeyboardInterrupt:
        ERR.print(f"dak: backfill interrupted; what was done is in {report_path}. Run it again to resume.")
        sys.exit(130)
    if as_json:
        print_jsonl([{**counts, "report": str(report_path)}])
    else:
        OUT.print(" · ".join(f"{k.replace('_', ' ')}: {v}" for k, v in counts.items()), highlight=False)
        if not dry_run:
            OUT.print(f"report: {report_path}", highlight=False)
    if counts.get("quarantined"):
        ERR.print(f"Some files could not be processed; copies and reasons are in {settings.quarantine_dir}")
        sys.exit(int(ExitCode.QUARANTINED))


COMMANDS = [watch, serve, deploy, backfill]
