"""The `backfill` flow: a legacy archive into its own diary series, in one flow run.

Files are read a few at a time (bounded by `backfill.workers`); each runs the `ingest` flow's
steps inside this one flow run, so Prefect costs a handful of task runs per file and never a
flow run per file or page. Progress is a Rich bar; the CSV report makes a run resumable.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.task_runners import ThreadPoolTaskRunner
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from flows.ingest import ingest
from pipeline import backfill as legacy
from pipeline.context import get_context
from pipeline.store import safe_name


def default_report(home: Path, root: Path) -> Path:
    return home / "backfill" / f"{safe_name(str(root))}.csv"


@contextmanager
def _progress(show: bool, total: int) -> Iterator[tuple[Progress | None, Any]]:
    if not show:
        yield None, None
        return
    columns = (
        TextColumn("[bold]backfill"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files · {task.fields[pages]} pages · {task.fields[rate]:.2f} pages/s · left"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        yield bar, bar.add_task("backfill", total=total, pages=0, rate=0.0)


@flow(name="backfill", task_runner=ThreadPoolTaskRunner(max_workers=2), log_prints=False)
def backfill(
    root: str,
    section: str | None = None,
    since: date | None = None,
    report: str | None = None,
    dry_run: bool = False,
    progress: bool = False,
) -> dict[str, Any]:
    """Diarise every letter under `root` not yet in the registry, in the legacy diary series."""
    ctx = get_context()
    settings = ctx.settings
    logger = get_run_logger()
    folder = Path(root).expanduser().resolve()
    report_path = Path(report) if report else default_report(settings.home, folder)
    summary = legacy.Report(report_path)
    try:
        todo = legacy.plan(
            folder,
            ctx.registry,
            summary,
            received_mode=settings.backfill.received_at,
            since=since,
            ignore=settings.watch.ignore,
        )
        counts: dict[str, Any] = {
            "to_ingest": len(todo.todo),
            "in_registry": len(todo.known),
            "reported_before": todo.reported,
            "before_since": todo.before_since,
        }
        logger.info("backfill of %s: %s", folder, counts)
        if dry_run:
            return counts
        for item, record in todo.known:
            summary.add(item, record)
        options = {
            "section": section,
            "series": settings.backfill.series,
            "diary_format": settings.backfill.diary_format,
        }
        pages = 0
        started = time.monotonic()
        with (
            _progress(progress, len(todo.todo)) as (bar, task_id),
            ThreadPoolExecutor(max_workers=settings.backfill.workers, thread_name_prefix="backfill") as pool,
        ):
            queue = iter(todo.todo)
            running: dict[Future[dict[str, Any]], legacy.LegacyFile] = {}

            def submit() -> None:
                item = next(queue, None)
                if item is not None:
                    run = contextvars.copy_context().run
                    running[pool.submit(run, _one, item, options)] = item

            for _ in range(2 * settings.backfill.workers):
                submit()
            try:
                while running:
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        item = running.pop(future)
                        record = future.result()
                        summary.add(item, record)
                        pages += int(record.get("pages") or 0)
                        if bar is not None:
                            rate = pages / max(time.monotonic() - started, 1e-6)
                            bar.update(task_id, advance=1, pages=pages, rate=rate)
                        submit()
            except KeyboardInterrupt:
                # Files in hand are not reported (Ctrl-C also stops their tesseracts): the next run takes them.
                logger.warning(
                    "backfill interrupted after %d file(s); run it again to resume", len(summary.rows)
                )
                raise
        counts.update(summary.counts())
        counts["pages"] = pages
        counts["seconds"] = round(time.monotonic() - started, 2)
        logger.info("backfill of %s done: %s; report %s", folder, counts, report_path)
        return counts
    finally:
        summary.close()


def _one(item: legacy.LegacyFile, options: dict[str, Any]) -> dict[str, Any]:
    return ingest.fn(
        path=str(item.path), source=f"backfill:{item.path}", received_at=item.received_at, **options
    )
