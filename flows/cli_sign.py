"""`dak verify` (and later `dak keys`): signatures of dak's PDFs."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table

from flows.cli_common import OUT, handle_errors, print_jsonl
from pipeline.config import load_settings
from pipeline.errors import ExitCode


@click.command()
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


COMMANDS = [verify]
