"""`dak files ...` (e-files), `dak audit verify` and `dak db upgrade`."""

from __future__ import annotations

import click
from rich.table import Table

from flows.cli_common import OUT, handle_errors, print_jsonl
from pipeline.registry import Efile, Registry


def _registry() -> Registry:
    from pipeline.context import get_context

    return get_context().registry


@click.group()
def files() -> None:
    """Open and list e-files (e-Office files that receipts are put into)."""


@files.command("create")
@click.option("--subject", required=True, help="Subject of the file.")
@click.option("--section", required=True, help="Section that owns the file, e.g. ESTT.")
@click.option("--head", help="Standard head (e.g. 11011); default from config [files].head.")
@click.option("--json", "as_json", is_flag=True, help="JSON.")
@handle_errors
def files_create(subject: str, section: str, head: str | None, as_json: bool) -> None:
    """Open a new e-file, numbered as config [files].format says."""
    from pipeline.config import load_settings

    settings = load_settings()
    efile = _registry().create_file(
        subject,
        section,
        office=settings.office.code,
        file_format=settings.files.format,
        head=head or settings.files.head,
    )
    if as_json:
        print_jsonl([efile.to_json()])
    else:
        OUT.print(f"E-file {efile.file_no} opened: {efile.subject}", highlight=False)


def _files_table(found: list[Efile], title: str) -> Table:
    table = Table(title=title)
    for column in ("File No.", "Subject", "Section", "Opened", "Status"):
        table.add_column(column, overflow="fold")
    for f in found:
        table.add_row(f.file_no, f.subject, f.section, f.opened_at.date().isoformat(), f.status)
    return table


@files.command("list")
@click.option("--section", help="Only files of this section.")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines.")
@handle_errors
def files_list(section: str | None, as_json: bool) -> None:
    """List e-files, oldest first."""
    found = _registry().files(section=section)
    if as_json:
        print_jsonl([f.to_json() for f in found])
    else:
        OUT.print(_files_table(found, f"{len(found)} e-file(s)"))


@files.command("show")
@click.argument("file_no")
@click.option("--json", "as_json", is_flag=True, help="JSON.")
@handle_errors
def files_show(file_no: str, as_json: bool) -> None:
    """Show one e-file and the receipts put in it."""
    efile = _registry().get_file(file_no)
    if as_json:
        print_jsonl([efile.to_json()])
        return
    OUT.print(_files_table([efile], f"E-file {efile.file_no}"))
    OUT.print(f"Receipts: {', '.join(efile.receipts) or 'none'}", highlight=False)


@click.group()
def audit() -> None:
    """Check the registry's audit trail."""


@audit.command("verify")
@handle_errors
def audit_verify() -> None:
    """Recompute the audit log's hash chain; exit 0 if whole, 5 if an event was changed or deleted."""
    count = _registry().verify_audit()
    OUT.print(f"Audit log intact: {count} event(s), hash chain whole.", highlight=False)


@click.group()
def db() -> None:
    """Manage the registry database."""


@db.command("upgrade")
@handle_errors
def db_upgrade() -> None:
    """Migrate the registry to the schema this dak writes (back it up first)."""
    from pipeline.config import load_settings
    from pipeline.registry import upgrade_registry

    url = load_settings().registry_url
    before, after = upgrade_registry(url)
    if before == after:
        OUT.print(f"Registry already at revision {after}; nothing to do.", highlight=False)
    else:
        OUT.print(f"Registry upgraded from revision {before or '(empty)'} to {after}.", highlight=False)


COMMANDS = [files, audit, db]
