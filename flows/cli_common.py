"""What every `dak` command shares: consoles, error handling, JSON Lines, the receipts table, Prefect set-up."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import wraps
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.config import Settings
from pipeline.errors import DakError

# Piped or redirected output gets a wide table rather than Rich's 80-column default.
OUT = Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160)
ERR = Console(stderr=True, soft_wrap=True)


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


def quiet_run_logs() -> None:
    """A file that cannot be read is reported as quarantined, with its reason, by the command itself;
    Prefect's own traceback for the failed task would only alarm the clerk (it stays in Prefect's UI)."""
    import logging

    for name in ("prefect.task_runs", "prefect.flow_runs"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    logging.getLogger("pypdf").setLevel(
        logging.ERROR
    )  # "EOF marker not found" and the like: reported as the reason


def handle_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a DakError into its one-line message and exit code."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except DakError as exc:
            ERR.print(f"[bold red]dak:[/] {escape(exc.message)}", highlight=False)
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


def _relative(path: str | None) -> str | None:
    """A path under the working directory is shown relative to it, so the table stays readable."""
    if not path:
        return None
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


SUBJECT_WIDTH = 80  # characters of the subject the table shows; `receipts show` has it whole


def shorten(text: str, width: int) -> str:
    """`text` cut at a word before `width` characters, with an ellipsis saying so."""
    if len(text) <= width:
        return text
    return text[:width].rsplit(" ", 1)[0].rstrip(" ,;:-") + " …"


def receipts_table(records: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title, show_lines=False)
    for column in ("Diary No.", "Status", "Category", "Lang", "Subject", "Signed PDF / reason"):
        table.add_column(column, overflow="fold")
    for r in records:
        detail = _relative(r.get("output")) or r.get("error") or ""
        table.add_row(
            r.get("diary_no") or "-",
            r["status"],
            r.get("category") or "-",
            r.get("language") or "-",
            shorten(r.get("subject") or "", SUBJECT_WIDTH),
            detail,
        )
    return table
