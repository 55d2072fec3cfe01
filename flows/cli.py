"""The `dak` command. Prefect is imported only by the commands that run flows, after its settings are set."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from pipeline.config import Settings, load_settings
from pipeline.errors import DakError, ExitCode
from pipeline.model import Receipt, Status

OUT = Console(soft_wrap=False)
ERR = Console(stderr=True)


def prepare_prefect(settings: Settings) -> None:
    """Prefect's home inside the data directory (so later runs start warm), no telemetry, quiet logs."""
    defaults = {
        "PREFECT_HOME": str(settings.prefect_home),
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
        "OMP_THREAD_LIMIT": "1",
    }
    for name, value in defaults.items():
        os.environ.setdefault(name, value)
    os.environ["OMP_THREAD_LIMIT"] = "1"
    settings.prefect_home.mkdir(parents=True, exist_ok=True)


def handle_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a DakError into its one-line message and exit code."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DakError as exc:
            ERR.print(f"[bold red]dak:[/] {exc.message}", highlight=False)
            sys.exit(int(exc.exit_code))

    return wrapper


def input_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named, and files inside folders named (recursively, sorted), skipping hidden ones."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path)
                if child.is_file() and not any(part.startswith(".") for part in relative.parts):
                    yield child
        else:
            yield path


def print_jsonl(records: Iterable[dict[str, Any]]) -> None:
    for record in records:
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def receipts_table(records: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title, show_lines=False)
    for column in ("Diary No.", "Status", "Category", "Lang", "Subject", "Signed PDF / reason"):
        table.add_column(column, overflow="fold")
    for r in records:
        detail = r.get("output") or r.get("error") or ""
        table.add_row(
            r.get("diary_no") or "-",
            r["status"],
            r.get("category") or "-",
            r.get("language") or "-",
            (r.get("subject") or "")[:80],
            detail,
        )
    return table


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
    from prefect.task_runners import ThreadPoolTaskRunner

    from flows.ingest import ingest as ingest_flow

    run = ingest_flow.with_options(task_runner=ThreadPoolTaskRunner(max_workers=settings.ocr.workers()))
    records = []
    for path in files:
        record = run(path=str(path.resolve()), section=section, source=str(path))
        records.append(record)
        if as_json:
            print_jsonl([record])
    if not as_json:
        OUT.print(receipts_table(records, f"dak: {len(records)} file(s) ingested"))
    if any(r["status"] == Status.QUARANTINED for r in records):
        quarantine = settings.quarantine_dir
        ERR.print(f"Some files could not be processed; copies and reasons are in {quarantine}")
        sys.exit(int(ExitCode.QUARANTINED))


@main.command()
@click.argument("pdfs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file (JSON Lines).")
@handle_errors
def verify(pdfs: tuple[Path, ...], as_json: bool) -> None:
    """Check the signatures of signed PDFs against the configured trust roots."""
    import logging

    from pipeline import sign

    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)  # a failed check is reported in the table
    settings = load_settings()
    roots = sign.trust_roots(settings.signing, settings.keys_dir)
    all_valid = True
    table = Table(title="dak verify")
    for column in ("File", "Signer", "Signed at", "Level", "Intact", "Trusted", "Whole", "Valid"):
        table.add_column(column, overflow="fold")
    for path in pdfs:
        report = sign.verify_pdf(path, roots)
        all_valid &= report.valid
        if as_json:
            print_jsonl([report.as_dict()])
            continue
        if not report.signatures:
            table.add_row(str(path), "-", "-", "-", "-", "-", "-", f"no: {report.reason}")
        for s in report.signatures:
            table.add_row(
                str(path),
                s.signer_subject,
                s.signing_time.isoformat(timespec="seconds") if s.signing_time else "-",
                s.pades_level or "-",
                "yes" if s.intact else "NO",
                "yes" if s.trusted else "NO",
                "yes" if s.covers_whole_document else "NO",
                "yes" if s.valid else f"NO {report.reason or ''}".strip(),
            )
    if not as_json:
        OUT.print(table)
    sys.exit(0 if all_valid else int(ExitCode.SIGNATURE))


@main.group()
def receipts() -> None:
    """Read the receipt register."""


def _registry() -> Any:
    from pipeline.context import get_context

    return get_context().registry


@receipts.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines.")
@click.option("--limit", type=int, default=None, help="At most this many receipts.")
@handle_errors
def receipts_list(as_json: bool, limit: int | None) -> None:
    """List diarised receipts in diary order."""
    records = [r.to_json() for r in _registry().list(limit=limit)]
    if as_json:
        print_jsonl(records)
    else:
        OUT.print(receipts_table(records, f"{len(records)} receipt(s)"))


@receipts.command("show")
@click.argument("diary_no")
@click.option("--json", "as_json", is_flag=True, help="JSON.")
@handle_errors
def receipts_show(diary_no: str, as_json: bool) -> None:
    """Show one receipt by its diary number."""
    receipt: Receipt = _registry().get(diary_no)
    record = receipt.to_json()
    if as_json:
        print_jsonl([record])
        return
    table = Table(title=f"Receipt {diary_no}", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in record.items():
        table.add_row(key, json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value))
    OUT.print(table)


if __name__ == "__main__":
    main()
