"""`dak receipts ...`: read the receipt register."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.table import Table

from flows.cli_common import OUT, handle_errors, print_jsonl, receipts_table
from pipeline.model import Receipt


@click.group()
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


COMMANDS = [receipts]
