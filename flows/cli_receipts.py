"""`dak receipts ...`: read, search, correct, mark, file, close and export receipts."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, time
from typing import Any

import click
from rich.table import Table

from flows.cli_common import OUT, handle_errors, print_jsonl, receipts_table
from pipeline.model import Receipt, Status
from pipeline.registry import Registry

WORKFLOW_STATUSES = [str(s) for s in (Status.DIARISED, Status.MARKED, Status.PUT_IN_FILE, Status.CLOSED)]


@click.group()
def receipts() -> None:
    """Read, search, correct, mark, file, close and export receipts."""


def _registry() -> Registry:
    from pipeline.context import get_context

    return get_context().registry


def _since(value: str | None) -> datetime | None:
    """A date (from local midnight) or a date and time, ISO 8601; naive means this machine's zone."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value) if "T" in value or " " in value else None
        if parsed is None:
            parsed = datetime.combine(date.fromisoformat(value), time())
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD) or date and time.") from exc
    return parsed if parsed.tzinfo is not None else parsed.astimezone()


def _show_list(records: list[dict[str, Any]], as_json: bool, title: str) -> None:
    if as_json:
        print_jsonl(records)
    else:
        OUT.print(receipts_table(records, title))


@receipts.command("list")
@click.option("--category", help="Only this category, e.g. rti.")
@click.option("--section", help="Only receipts now with this section.")
@click.option("--status", type=click.Choice(WORKFLOW_STATUSES), help="Only receipts in this state.")
@click.option("--since", help="Only receipts received on or after this date (YYYY-MM-DD) or time.")
@click.option("--limit", type=int, default=None, help="At most this many receipts.")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines.")
@handle_errors
def receipts_list(
    category: str | None,
    section: str | None,
    status: str | None,
    since: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """List receipts in diary order."""
    found = _registry().list(
        limit=limit, category=category, section=section, status=status, since=_since(since)
    )
    _show_list([r.to_json() for r in found], as_json, f"{len(found)} receipt(s)")


@receipts.command("search")
@click.argument("text")
@click.option("--limit", type=int, default=50, show_default=True, help="At most this many receipts.")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines.")
@handle_errors
def receipts_search(text: str, limit: int, as_json: bool) -> None:
    """Find receipts whose subject or text has every word of TEXT (Hindi or English), best first."""
    found = _registry().search(text, limit=limit)
    _show_list([r.to_json() for r in found], as_json, f"{len(found)} receipt(s) for {text!r}")


@receipts.command("show")
@click.argument("diary_no")
@click.option("--json", "as_json", is_flag=True, help="JSON.")
@handle_errors
def receipts_show(diary_no: str, as_json: bool) -> None:
    """Show one receipt by its diary number, with its movements and corrections."""
    registry = _registry()
    receipt: Receipt = registry.get(diary_no)
    record = receipt.to_json()
    movements = [m.to_json() for m in registry.movements(diary_no)]
    corrections = [c.to_json() for c in registry.corrections(diary_no)]
    if as_json:
        print_jsonl([{**record, "movements": movements, "corrections": corrections}])
        return
    table = Table(title=f"Receipt {diary_no}", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in record.items():
        shown = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
        table.add_row(key, shown)
    for m in movements:
        table.add_row("marked", f"{m['at']} {m['from_section']} -> {m['to_section']} by {m['actor']}")
    for c in corrections:
        table.add_row("corrected", f"{c['at']} {c['field']}: {c['old_value']} -> {c['new_value']}")
    OUT.print(table)


def _done(receipt: Receipt, as_json: bool, what: str) -> None:
    if as_json:
        print_jsonl([receipt.to_json()])
    else:
        OUT.print(f"{receipt.diary_no}: {what}", highlight=False)


@receipts.command("mark")
@click.argument("diary_no")
@click.option("--to", "to_section", required=True, help="Section or officer the receipt goes to.")
@click.option("--remarks", help="Remarks recorded with the movement.")
@click.option("--json", "as_json", is_flag=True, help="JSON.")
@handle_errors
def receipts_mark(diary_no: str, to_section: str, remarks: str | None, as_json: bool) -> None:
    """Mark a receipt to a section or officer."""
    receipt = _registry().mark(diary_no, to_section, remarks=remarks)
    _done(receipt, as_json, f"marked to {receipt.section}")


@receipts.command("put-in-file")
@click.argument("diary_no")
@click.argument("file_no")
@click.option("--json", "as_json", is_flag=True, help="JSON.")
@handle_errors
def receipts_put_in_file(diary_no: str, file_no: str, as_json: bool) -> None:
    """Put a receipt into an e-file (made with `dak files create`)."""
    receipt = _registry().put_in_file(diary_no, file_no)
    _done(receipt, as_json, f"put in e-file {receipt.file_no}")


@receipts.command("close")
@click.argument("diary_no")
@click.option("--json", "as_json", is_flag=True, help="JSON.")
@handle_errors
def receipts_close(diary_no: str, as_json: bool) -> None:
    """Close a receipt: no further action."""
    _done(_registry().close_receipt(diary_no), as_json, "closed")


@receipts.command("correct")
@click.argument("diary_no")
@click.option("--category", help="The right category, e.g. rti.")
@click.option("--section", help="The right section.")
@click.option("--field", "fields", multiple=True, metavar="NAME=VALUE", help="Any other field; repeatable.")
@click.option("--json", "as_json", is_flag=True, help="JSON.")
@handle_errors
def receipts_correct(
    diary_no: str, category: str | None, section: str | None, fields: tuple[str, ...], as_json: bool
) -> None:
    """Correct fields dak read wrongly; every change is recorded with the old value."""
    changes: dict[str, str] = {}
    for item in fields:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{item!r} is not NAME=VALUE.", param_hint="--field")
        changes[name.strip()] = value
    if category is not None:
        changes["category"] = category
    if section is not None:
        changes["section"] = section
    if not changes:
        raise click.UsageError("Nothing to correct: give --category, --section or --field NAME=VALUE.")
    registry = _registry()
    before = registry.get(diary_no)
    receipt = registry.correct(diary_no, changes)
    changed = [k for k in sorted(changes) if getattr(before, k, None) != getattr(receipt, k, None)]
    _done(receipt, as_json, f"corrected {', '.join(changed) if changed else 'nothing (same values)'}")


@receipts.command("confirm")
@click.argument("diary_no")
@click.option("--json", "as_json", is_flag=True, help="JSON.")
@handle_errors
def receipts_confirm(diary_no: str, as_json: bool) -> None:
    """Confirm that the receipt's fields are right as read."""
    _done(_registry().confirm(diary_no), as_json, "confirmed")


@receipts.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--since", help="Only receipts received on or after this date (YYYY-MM-DD) or time.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="File (default stdout).")
@handle_errors
def receipts_export(fmt: str, since: str | None, output: str | None) -> None:
    """Export receipts with e-Office's receipt fields, to bulk-load into e-Office (CSV or JSON Lines)."""
    from pipeline.registry.export import write_csv, write_jsonl

    found = _registry().list(since=_since(since))
    write = write_csv if fmt == "csv" else write_jsonl
    if output is None:
        write(found, sys.stdout)
        sys.stdout.flush()
        return
    with open(output, "w", encoding="utf-8", newline="") as stream:
        count = write(found, stream)
    OUT.print(f"{count} receipt(s) written to {output}", highlight=False)


COMMANDS = [receipts]
