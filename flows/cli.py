"""The `dak` command. Prefect is imported only by the commands that run flows, after its settings are set.

Each area's commands live in a module of its own (`flows/cli_<area>.py`) that exports `COMMANDS`.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

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
    from flows.ingest import RECORD_SINK, ingest_files

    quiet_run_logs()
    token = RECORD_SINK.set((lambda record: print_jsonl([record])) if as_json else None)
    try:
        records = ingest_files(
            paths=[str(p.resolve()) for p in files], sources=[str(p) for p in files], section=section
        )
    finally:
        RECORD_SINK.reset(token)
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
