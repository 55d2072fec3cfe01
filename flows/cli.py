"""The `dak` command. Prefect is imported only by the commands that run flows, after its settings are set.

Each area's commands live in a module of its own (`flows/cli_<area>.py`) that exports `COMMANDS`.
"""

from __future__ import annotations

import contextvars
import importlib
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import click

from flows.cli_common import (
    ERR,
    OUT,
    handle_errors,
    input_files,
    prepare_prefect,
    print_jsonl,
    quiet_run_logs,
    receipts_table,
)
from pipeline.config import load_settings
from pipeline.errors import ExitCode
from pipeline.model import Status

COMMAND_MODULES = (
    "flows.cli_receipts",
    "flows.cli_sign",
    "flows.cli_learn",
    "flows.cli_registry",
    "flows.cli_watch",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dak")
def main() -> None:
    """dak: diarise inward letters (Hindi and English) from scans into signed, searchable receipts."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per input (JSON Lines).")
@click.option("--section", help="Section the letters are routed to when no rule decides.")
@handle_errors
def ingest(paths: tuple[Path, ...], as_json: bool, section: str | None) -> None:
    """Diarise scanned letters (PDF, TIFF, JPEG, PNG; files or folders). Inputs are never changed."""
    settings = load_settings()
    files = list(input_files(paths))
    if not files:
        raise click.UsageError("No files to ingest in the paths given.")
    prepare_prefect(settings)
    from prefect.context import SyncClientContext
    from prefect.task_runners import ThreadPoolTaskRunner

    from flows.ingest import DIARY_TURN, DiaryTurns
    from flows.ingest import ingest as ingest_flow

    quiet_run_logs()

    workers = settings.ocr.workers()
    run = ingest_flow.with_options(task_runner=ThreadPoolTaskRunner(max_workers=workers))
    turns = DiaryTurns()

    def ingest_one(index: int, path: Path) -> dict[str, Any]:
        token = DIARY_TURN.set((turns, index))
        try:
            return run(path=str(path.resolve()), section=section, source=str(path))
        finally:
            turns.release(index)
            DIARY_TURN.reset(token)

    # one API client for every run (each run making its own costs a TLS set-up per file), started
    # before the runs share it (Prefect's embedded server starts here on a first run)
    with SyncClientContext.get_or_create() as prefect_context:
        prefect_context.client.api_healthcheck()
        # files are read side by side, a couple more than there are cores: a file that has been
        # read waits for its turn for a diary number while the next ones keep the cores busy
        # (page work itself is held to `workers` at once); diary numbers and output still
        # follow the order the files were given in
        records = []
        threads = min(workers + 2, len(files))
        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ingest") as pool:
            futures = [
                pool.submit(contextvars.copy_context().run, ingest_one, i, p) for i, p in enumerate(files)
            ]
            for future in futures:
                record = future.result()
                records.append(record)
                if as_json:
                    print_jsonl([record])
    if not as_json:
        OUT.print(receipts_table(records, f"dak: {len(records)} file(s) ingested"))
    if any(r["status"] == Status.QUARANTINED for r in records):
        quarantine = settings.quarantine_dir
        ERR.print(f"Some files could not be processed; copies and reasons are in {quarantine}")
        sys.exit(int(ExitCode.QUARANTINED))


def _add_commands() -> None:
    for name in COMMAND_MODULES:
        for command in importlib.import_module(name).COMMANDS:
            main.add_command(command)


_add_commands()

if __name__ == "__main__":
    main()
