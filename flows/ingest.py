"""The `ingest` flow: one scanned file in, one receipt out (diarised, duplicate or quarantined);
`ingest_files`: many files in one flow run, as `dak ingest` gives them.

Thin wiring only: each task calls one stage of `pipeline`; the `read` task runs the per-page
stages (preprocess, OCR) over the pages in a pool of page workers shared by every run in the
process.
"""

from __future__ import annotations

import contextvars
import shutil
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NONE
from prefect.task_runners import ThreadPoolTaskRunner

from pipeline import classify, diarise, extract, intake, output, pages, raster, store
from pipeline.config import OcrSettings
from pipeline.context import get_context
from pipeline.errors import DakError, InputError, RasterError
from pipeline.model import CleanPage, Document, OcrPage, Page, Receipt

TASK = {"cache_policy": NONE, "persist_result": False}


@task(name="intake", **TASK)
def intake_task(path: Path) -> Document:
    return intake.take_in(path, get_context().settings.limits)


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
def sign_task(document: Document, receipt: Receipt, ocr_pages: list[OcrPage], first_page_ink: Any) -> Receipt:
    ctx = get_context()
    path, digest = output.signed_pdf(ctx.settings, ctx.signer, document, receipt, ocr_pages, first_page_ink)
    return ctx.registry.record_output(receipt.receipt_id, str(path), digest)


_PAGE_POOL: list[ThreadPoolExecutor] = []
_PAGE_POOL_LOCK = threading.Lock()


def _page_pool() -> ThreadPoolExecutor:
    """The page workers (`ocr.page_workers`, default one a core) that every run in this process shares.

    Several files are read at once (`dak ingest`, watchers, backfills); sharing one pool keeps the
    cores busy without piling more page work on them than they have. Pages are plain work items,
    not Prefect tasks: a task run costs more orchestration than a page is worth (see DESIGN.md).
    """
    with _PAGE_POOL_LOCK:
        if not _PAGE_POOL:
            workers = get_context().settings.ocr.workers()
            _PAGE_POOL.append(ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dak-page"))
        return _PAGE_POOL[0]


def _read_page(page: Page, work_dir: Path, settings: OcrSettings) -> tuple[CleanPage, OcrPage]:
    """One page's way: preprocess, then OCR; its page images are removed once read."""
    try:
        cleaned = pages.prepare_page(page, work_dir)
        try:
            return cleaned, pages.read_page(cleaned, work_dir, settings)
        finally:
            cleaned.image.unlink(missing_ok=True)
    finally:
        page.image.unlink(missing_ok=True)


@task(name="read", **TASK)
def read_task(document: Document, work_dir: Path) -> tuple[list[OcrPage], Any]:
    """Raster, clean and OCR the pages in parallel as they are rasterised; return them and page 1's ink map.

    At most two pages per worker are in flight, so a 200-page PDF never has all its page images
    on disk or in memory at once. On an error no page work is left running in `work_dir`.
    """
    settings = get_context().settings
    pool = _page_pool()
    window = 2 * settings.ocr.workers()
    in_flight: deque[Future[tuple[CleanPage, OcrPage]]] = deque()
    ocr_pages: list[OcrPage] = []
    first_page_ink = None

    def collect() -> None:
        nonlocal first_page_ink
        cleaned, read = in_flight.popleft().result()
        ocr_pages.append(read)
        if first_page_ink is None:
            first_page_ink = cleaned.ink

    try:
        for page in raster.rasterise(document, work_dir, settings.ocr.dpi, settings.limits):
            in_flight.append(pool.submit(_read_page, page, work_dir, settings.ocr))
            if len(in_flight) >= window:
                collect()
        while in_flight:
            collect()
    except BaseException:
        for future in in_flight:
            future.cancel()
        wait(in_flight)
        raise
    if first_page_ink is None:
        raise RasterError(f"{document.source.name} has no pages.")
    return ocr_pages, first_page_ink


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
        ocr_pages, first_page_ink = read_task(document, work_dir)
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
        return sign_task(document, receipt, ocr_pages, first_page_ink).to_json()
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


RECORD_SINK: contextvars.ContextVar[Callable[[dict[str, Any]], None] | None] = contextvars.ContextVar(
    "dak_record_sink", default=None
)


@flow(name="ingest-files", task_runner=ThreadPoolTaskRunner(max_workers=2), log_prints=False)
def ingest_files(
    paths: list[str], sources: list[str] | None = None, section: str | None = None
) -> list[dict[str, Any]]:
    """Diarise several files in one flow run; diary numbers follow the order of `paths`.

    Files are read side by side, a couple more than there are page workers: a file that has
    been read waits for its turn for a diary number while the next ones keep the cores busy.
    Each file is the `ingest` flow's steps inside this run (as in a backfill), so Prefect costs
    a few task runs per file, not a flow run per file (on a SQLite Prefect server each new
    flow run can also meet a locked database and wait seconds for its retry). Each record is
    handed to `RECORD_SINK` (the CLI prints it) as soon as it and every file before it are done.
    """
    workers = get_context().settings.ocr.workers()
    turns = DiaryTurns()
    sink = RECORD_SINK.get()
    names = sources or paths

    def one(index: int) -> dict[str, Any]:
        token = DIARY_TURN.set((turns, index))
        try:
            return ingest.fn(path=paths[index], section=section, source=names[index])
        finally:
            turns.release(index)
            DIARY_TURN.reset(token)

    records = []
    with ThreadPoolExecutor(
        max_workers=max(1, min(workers + 2, len(paths))), thread_name_prefix="ingest"
    ) as pool:
        futures = [pool.submit(contextvars.copy_context().run, one, i) for i in range(len(paths))]
        try:
            for future in futures:
                records.append(future.result())
                if sink is not None:
                    sink(records[-1])
        except BaseException:
            # a fault that is not the file's own (registry, signing key) or Ctrl-C: files not yet
            # started are left for the next run (files start in order, so none waits on their turn)
            for future in futures:
                future.cancel()
            raise
    return records
