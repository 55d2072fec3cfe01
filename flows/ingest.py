"""The `ingest` flow: one scanned file in, one receipt out (diarised, duplicate or quarantined).

Thin wiring only: each task calls one stage of `pipeline`; the per-page stages are mapped over
the pages and run in parallel threads (tesseract runs in its own processes).
"""

from __future__ import annotations

import contextvars
import shutil
import tempfile
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NONE
from prefect.futures import PrefectFuture
from prefect.task_runners import ThreadPoolTaskRunner

from pipeline import classify, diarise, extract, intake, output, pages, raster, store
from pipeline.context import get_context
from pipeline.errors import DakError, InputError, RasterError
from pipeline.model import CleanPage, Document, OcrPage, Page, Receipt

TASK = {"cache_policy": NONE, "persist_result": False}


@task(name="intake", **TASK)
def intake_task(path: Path) -> Document:
    return intake.take_in(path, get_context().settings.limits)


@task(name="raster", **TASK)
def raster_task(document: Document, work_dir: Path) -> list[Page]:
    settings = get_context().settings
    return list(raster.rasterise(document, work_dir, settings.ocr.dpi, settings.limits))


@task(name="preprocess", **TASK)
def preprocess_task(page: Page, work_dir: Path) -> CleanPage:
    return pages.prepare_page(page, work_dir)


@task(name="ocr", **TASK)
def ocr_task(page: CleanPage, work_dir: Path) -> OcrPage:
    return pages.read_page(page, work_dir, get_context().settings.ocr)


@task(name="understand", **TASK)
def understand_task(
    ocr_pages: list[OcrPage], received_at: datetime, section: str | None
) -> tuple[Any, Any, int | None]:
    ctx = get_context()
    rules = ctx.rules
    text = diarise.full_text(ocr_pages)
    letter = extract.extract_letter(text, received_on=received_at.date())
    category = classify.classify(text, letter, rules, drop_section=section, model=ctx.model)
    return letter, category, classify.due_days(rules, category.category)


@task(name="diarise", **TASK)
def diarise_task(new: Any) -> Receipt:
    return get_context().registry.diarise(new)


@task(name="sign", **TASK)
def sign_task(document: Document, receipt: Receipt, ocr_pages: list[OcrPage], first_page: Path) -> Receipt:
    ctx = get_context()
    path, digest = output.signed_pdf(ctx.settings, ctx.signer, document, receipt, ocr_pages, first_page)
    return ctx.registry.record_output(receipt.receipt_id, str(path), digest)


def _read(document: Document, work_dir: Path) -> tuple[list[OcrPage], Path]:
    """Raster, clean and OCR the pages in parallel as they are rasterised; return them and page 1's image.

    At most two pages per worker are in flight, so a 200-page PDF never has all its page images
    on disk or in memory at once; a page's images are removed once it is read (page 1's is kept
    for the stamp).
    """
    settings = get_context().settings
    window = 2 * settings.ocr.workers()
    in_flight: deque[tuple[Page, PrefectFuture[CleanPage], PrefectFuture[OcrPage]]] = deque()
    ocr_pages: list[OcrPage] = []
    first_page: Path | None = None

    def collect() -> None:
        nonlocal first_page
        page, cleaned_future, read_future = in_flight.popleft()
        ocr_pages.append(read_future.result())
        cleaned = cleaned_future.result()
        if first_page is None:
            first_page = cleaned.image
        for image in {page.image, cleaned.image} - {first_page}:
            image.unlink(missing_ok=True)

    for page in raster.rasterise(document, work_dir, settings.ocr.dpi, settings.limits):
        cleaned_future = preprocess_task.submit(page, work_dir=work_dir)
        in_flight.append((page, cleaned_future, ocr_task.submit(cleaned_future, work_dir=work_dir)))
        if len(in_flight) >= window:
            collect()
    while in_flight:
        collect()
    if first_page is None:
        raise RasterError(f"{document.source.name} has no pages.")
    return ocr_pages, first_page


class DiaryTurns:
    """Diary numbers in the order files were given, while several files are read at once.

    The CLI hands file i the turn i; its run waits for every earlier file to be diarised (or to
    have finished without a receipt) before taking its own number.
    """

    def __init__(self) -> None:
        self._done: set[int] = set()
        self._condition = threading.Condition()

    def wait(self, turn: int) -> None:
        with self._condition:
            self._condition.wait_for(lambda: all(t in self._done for t in range(turn)))

    def release(self, turn: int) -> None:
        with self._condition:
            self._done.add(turn)
            self._condition.notify_all()


DIARY_TURN: contextvars.ContextVar[tuple[DiaryTurns, int] | None] = contextvars.ContextVar(
    "dak_diary_turn", default=None
)


@contextmanager
def _diary_turn() -> Iterator[None]:
    """Take this run's turn for a diary number (a no-op outside a concurrent `dak ingest`)."""
    turn = DIARY_TURN.get()
    if turn is None:
        yield
        return
    turns, index = turn
    turns.wait(index)
    try:
        yield
    finally:
        turns.release(index)


def _quarantine(
    source: Path,
    document: Document | None,
    receipt: Receipt | None,
    error: str,
    stage: str,
    move: bool,
    quarantine_dir: Path | None = None,
) -> dict[str, Any]:
    """Quarantine the file with its reason; a receipt already diarised keeps its number for a retry."""
    if receipt is not None:
        error = f"Diarised as {receipt.diary_no}, but its signed PDF could not be made: {error}"
    sha256 = document.sha256 if document else None
    store.quarantine(
        source,
        quarantine_dir or get_context().settings.quarantine_dir,
        error=error,
        stage=stage,
        sha256=sha256,
        move=move,
    )
    return diarise.quarantined(source, error, sha256, document.pages if document else None).to_json()


@flow(name="ingest", task_runner=ThreadPoolTaskRunner(max_workers=2), log_prints=False)
def ingest(
    path: str,
    section: str | None = None,
    source: str = "cli",
    received_at: datetime | None = None,
    move_to_quarantine: bool = False,
    series: str = "",
    diary_format: str | None = None,
    quarantine_dir: str | None = None,
) -> dict[str, Any]:
    """Diarise one file; return its receipt record (see DESIGN.md) as JSON-ready data.

    `series` and `diary_format` give a separate numbering (backfills of legacy letters);
    `quarantine_dir` replaces $DAK_HOME/quarantine (a drop folder's own quarantine/).
    """
    ctx = get_context()
    settings = ctx.settings
    source_path = Path(path)
    quarantine = Path(quarantine_dir) if quarantine_dir else None
    received = received_at or datetime.now().astimezone()
    document: Document | None = None
    receipt: Receipt | None = None
    settings.work_dir.mkdir(parents=True, exist_ok=True)
    work_dir = Path(tempfile.mkdtemp(prefix="ingest-", dir=settings.work_dir))
    try:
        document = intake_task(source_path)
        existing = ctx.registry.find_by_sha256(document.sha256)
        if existing is not None and existing.output and Path(existing.output).exists():
            return diarise.duplicate(existing).to_json()
        ocr_pages, first_page = _read(document, work_dir)
        if existing is None:
            letter, category, due_days = understand_task(ocr_pages, received, section)
            new = diarise.new_receipt(
                settings,
                document,
                ocr_pages,
                letter,
                category,
                received_at=received,
                source=source,
                due_days=due_days,
                series=series,
            )
            if diary_format:
                new = replace(new, diary_format=diary_format)
            with _diary_turn():
                receipt = diarise_task(new)
            if receipt.output and Path(receipt.output).exists():
                return receipt.to_json()  # diarised by a concurrent run of the same bytes
        else:
            receipt = existing  # diarised before a crash, not yet signed: finish it under its own number
        return sign_task(document, receipt, ocr_pages, first_page).to_json()
    except DakError as exc:
        if not isinstance(exc, InputError):
            raise
        return _quarantine(
            source_path, document, receipt, exc.message, exc.stage, move_to_quarantine, quarantine
        )
    except Exception as exc:  # noqa: BLE001 - an unforeseen fault with this file must not lose it
        message = f"Unexpected {type(exc).__name__} while processing the file: {exc}"
        return _quarantine(source_path, document, receipt, message, "ingest", move_to_quarantine, quarantine)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
