"""The `ingest` flow: one scanned file in, one receipt out (diarised, duplicate or quarantined).

Thin wiring only: each task calls one stage of `pipeline`; the per-page stages are mapped over
the pages and run in parallel threads (tesseract runs in its own processes).
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NONE
from prefect.task_runners import ThreadPoolTaskRunner

from pipeline import classify, diarise, extract, intake, output, pages, raster, store
from pipeline.context import get_context
from pipeline.errors import DakError, InputError
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
    rules = get_context().rules
    text = diarise.full_text(ocr_pages)
    letter = extract.extract_letter(text, received_on=received_at.date())
    category = classify.classify(text, letter, rules, drop_section=section)
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
    """Raster, clean and OCR every page in parallel; return the pages and page 1's output image."""
    raster_pages = raster_task(document, work_dir)
    cleaned = preprocess_task.map(raster_pages, work_dir=work_dir)
    read = ocr_task.map(cleaned, work_dir=work_dir)
    ocr_pages = [future.result() for future in read]
    return ocr_pages, cleaned[0].result().image


def _quarantine(
    source: Path, document: Document | None, receipt: Receipt | None, error: str, stage: str, move: bool
) -> dict[str, Any]:
    """Quarantine the file with its reason; a receipt already diarised keeps its number for a retry."""
    if receipt is not None:
        error = f"Diarised as {receipt.diary_no}, but its signed PDF could not be made: {error}"
    sha256 = document.sha256 if document else None
    store.quarantine(
        source, get_context().settings.quarantine_dir, error=error, stage=stage, sha256=sha256, move=move
    )
    return diarise.quarantined(source, error, sha256, document.pages if document else None).to_json()


@flow(name="ingest", task_runner=ThreadPoolTaskRunner(max_workers=2), log_prints=False)
def ingest(
    path: str,
    section: str | None = None,
    source: str = "cli",
    received_at: datetime | None = None,
    move_to_quarantine: bool = False,
) -> dict[str, Any]:
    """Diarise one file; return its receipt record (see DESIGN.md) as JSON-ready data."""
    ctx = get_context()
    settings = ctx.settings
    source_path = Path(path)
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
            )
            receipt = diarise_task(new)
            if receipt.output and Path(receipt.output).exists():
                return receipt.to_json()  # diarised by a concurrent run of the same bytes
        else:
            receipt = existing  # diarised before a crash, not yet signed: finish it under its own number
        return sign_task(document, receipt, ocr_pages, first_page).to_json()
    except DakError as exc:
        if not isinstance(exc, InputError):
            raise
        return _quarantine(source_path, document, receipt, exc.message, exc.stage, move_to_quarantine)
    except Exception as exc:  # noqa: BLE001 - an unforeseen fault with this file must not lose it
        message = f"Unexpected {type(exc).__name__} while processing the file: {exc}"
        return _quarantine(source_path, document, receipt, message, "ingest", move_to_quarantine)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
