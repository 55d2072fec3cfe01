"""`dak train`: learn categories and sections from the receipts clerks corrected or confirmed."""

from __future__ import annotations

import click
from rich.table import Table

from flows.cli_common import OUT, handle_errors, prepare_prefect, print_jsonl
from pipeline.config import load_settings


@click.command("train")
@click.option("--json", "as_json", is_flag=True, help="Print the training summary as JSON.")
@handle_errors
def train(as_json: bool) -> None:
    """Fit the category and section model on corrected and confirmed receipts (runs the `train` flow).

    The next letters ingested are classified by the rules in config/categories.toml and this model
    together. Correct receipts with `dak receipts correct` and confirm them with `dak receipts confirm`.
    """
    settings = load_settings()
    from pipeline import learn
    from pipeline.context import get_context

    learn.usable(get_context(settings).registry.training_examples())  # a clear message, before Prefect starts
    prepare_prefect(settings)
    from flows.train import train as train_flow

    summary = train_flow()
    if as_json:
        print_jsonl([summary])
        return
    table = Table(title=f"dak: model trained on {summary['examples']} receipt(s)", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value", overflow="fold")
    table.add_row("corrected", str(summary["corrected"]))
    table.add_row("categories", ", ".join(f"{k} {v}" for k, v in summary["categories"].items()))
    table.add_row("sections", ", ".join(f"{k} {v}" for k, v in summary["sections"].items()) or "-")
    table.add_row("model", summary["model"])
    OUT.print(table)


COMMANDS = [train]
