"""`dak verify` and `dak keys`: signatures of dak's PDFs and the key that makes them."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click
from rich.markup import escape
from rich.table import Table

from flows.cli_common import ERR, OUT, handle_errors, print_jsonl
from pipeline.config import load_settings
from pipeline.errors import ExitCode


def _quiet_pyhanko() -> None:
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)  # a failed check is reported in the table
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)


def _yes(flag: bool | None) -> str:
    return "-" if flag is None else ("yes" if flag else "NO")


def _when(value: Any) -> str:
    return value.strftime("%d-%m-%Y %H:%M:%S %Z").strip() if value is not None else "-"


def _verification_table() -> Table:
    table = Table(title="dak verify")
    for column in (
        "File",
        "Signer",
        "Signed at",
        "Timestamp",
        "Level",
        "Intact",
        "Trusted",
        "Whole",
        "Valid",
    ):
        table.add_column(column, overflow="fold")
    return table


def _add_report_rows(table: Table, report: Any, label: str) -> None:
    if not report.signatures:
        table.add_row(escape(label), "-", "-", "-", "-", "-", "-", "-", "NO")
    for s in report.signatures:
        table.add_row(
            escape(label),
            escape(s.signer_name or s.signer_subject),
            _when(s.signing_time),
            _when(s.timestamp) + ("" if s.timestamp_trusted in (None, True) else " (untrusted)"),
            s.pades_level or "-",
            _yes(s.intact),
            _yes(s.trusted),
            _yes(s.covers_whole_document),
            "yes" if s.valid else "NO",
        )
    for t in report.document_timestamps:
        table.add_row(
            escape(label), "(document timestamp)", "-", _when(t.timestamp), "-", _yes(t.intact), _yes(t.trusted), "-",
            "yes" if t.valid else "NO",
        )  # fmt: skip


def _verify_registry(settings: Any, roots: list[Any], as_json: bool) -> bool:
    from pipeline import sign
    from pipeline.registry import Registry

    with Registry(settings.registry_url) as registry:
        receipts = [r for r in registry.list() if r.output]
    table = Table(title=f"dak verify --registry: {len(receipts)} signed PDF(s)")
    for column in ("Diary No.", "Signed PDF", "State", "Detail"):
        table.add_column(column, overflow="fold")
    bad = 0
    for receipt in receipts:
        check = sign.check_output(
            receipt.diary_no or "-", receipt.output or "", getattr(receipt, "output_sha256", None), roots
        )
        bad += not check.ok
        if as_json:
            print_jsonl([check.as_dict()])
        else:
            state = check.state if check.ok else f"[bold red]{check.state.upper()}[/]"
            table.add_row(check.diary_no, escape(check.output), state, escape(check.detail))
    if not as_json:
        OUT.print(table)
        if bad:
            ERR.print(f"{bad} signed PDF(s) are missing, changed or not valid.")
    return bad == 0


@click.command()
@click.argument("pdfs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file (JSON Lines).")
@click.option(
    "--registry",
    "from_registry",
    is_flag=True,
    help="Re-check every signed PDF the registry knows, and report any missing or changed on disk.",
)
@handle_errors
def verify(pdfs: tuple[Path, ...], as_json: bool, from_registry: bool) -> None:
    """Check the signatures of signed PDFs against the configured trust roots.

    For each signature: intact, trusted, whole document covered, signing time, timestamp and
    PAdES level. Exits 6 if any file is not valid (or, with --registry, missing or changed).
    """
    from pipeline import sign

    if not pdfs and not from_registry:
        raise click.UsageError("Name the PDFs to check, or use --registry to check every receipt's PDF.")
    _quiet_pyhanko()
    settings = load_settings()
    roots = sign.trust_roots(settings.signing, settings.keys_dir)
    all_valid = True
    if pdfs:
        table = _verification_table()
        failures: list[str] = []
        for path in pdfs:
            report = sign.verify_pdf(path, roots)
            all_valid &= report.valid
            if as_json:
                print_jsonl([report.as_dict()])
            else:
                _add_report_rows(table, report, str(path))
                if not report.valid:
                    failures.append(f"{path}: {report.reason}")
        if not as_json:
            OUT.print(table)
            for failure in failures:
                ERR.print(f"[bold red]not valid:[/] {escape(failure)}", highlight=False)
    if from_registry:
        all_valid &= _verify_registry(settings, roots, as_json)
    sys.exit(0 if all_valid else int(ExitCode.SIGNATURE))


@click.group()
def keys() -> None:
    """The signing key: make a development key, or show the configured one."""


def _prompt(message: str) -> str:
    return click.prompt(message, hide_input=True, err=True)


def _show(info: Any, as_json: bool) -> None:
    if as_json:
        print_jsonl([info.as_dict()])
    else:
        table = Table(title="dak signing key", show_header=False)
        table.add_column("", style="bold")
        table.add_column("", overflow="fold")
        rows = [
            ("Key", info.source),
            ("Subject", info.subject),
            ("Issuer", info.issuer),
            ("Serial", info.serial),
            ("Valid from", _when(info.not_before)),
            ("Valid until", _when(info.not_after)),
            ("Key usage", ", ".join(info.key_usage) or "-"),
            ("Extended key usage", ", ".join(info.extended_key_usage) or "-"),
            ("PAdES level", info.pades_level + (f" (TSA {info.tsa_url})" if info.tsa_url else "")),
        ]
        for name, value in rows:
            table.add_row(name, value)
        OUT.print(table)
    for warning in info.warnings:
        ERR.print(f"[bold yellow]warning:[/] {escape(warning)}", highlight=False)


@keys.command("init")
@click.option("--replace", is_flag=True, help="Move an existing development key aside and make a new one.")
@click.option("--json", "as_json", is_flag=True, help="Print the key as one JSON object.")
@handle_errors
def keys_init(replace: bool, as_json: bool) -> None:
    """Make the development CA and signer under $DAK_HOME/keys (labelled "development"; not for real use)."""
    from pipeline import sign

    settings = load_settings()
    made = sign.init_development_keys(settings.keys_dir, settings.office.name, replace=replace)
    signer = sign.load_signer(settings.signing.model_copy(update={"pkcs12": "", "pkcs11_module": ""}),
                              settings.keys_dir, settings.office.name)  # fmt: skip
    try:
        ERR.print(
            escape(
                ("Made" if made.created else "Kept the existing")
                + f" development key {made.pkcs12}; its CA is {made.ca_cert} (add it to pdfsig's NSS database)."
            ),
            highlight=False,
        )
        _show(sign.describe_key(signer), as_json)
    finally:
        signer.close()


@keys.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print the key as one JSON object.")
@handle_errors
def keys_show(as_json: bool) -> None:
    """Show the configured signing key: subject, issuer, validity, key usage; warn on expiry or a development key."""
    from pipeline import sign

    settings = load_settings()
    prompt = _prompt if sys.stdin.isatty() else None
    signer = sign.load_signer(
        settings.signing, settings.keys_dir, settings.office.name, prompt=prompt, create_development_key=False
    )
    try:
        _show(sign.describe_key(signer, settings.signing.tsa_url), as_json)
    finally:
        signer.close()


COMMANDS = [verify, keys]
