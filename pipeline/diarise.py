"""Diarise: turn what was read and understood into a receipt for the registry."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from pipeline.config import Settings
from pipeline.model import Classification, Document, Letter, OcrPage, Receipt, Status
from pipeline.registry import NewReceipt

PAGE_BREAK = "\f"


def full_text(pages: list[OcrPage]) -> str:
    """All pages' text in page order, pages separated by a form feed."""
    return PAGE_BREAK.join(p.text for p in sorted(pages, key=lambda p: p.number))


def ocr_confidence(pages: list[OcrPage]) -> float:
    """The weakest page's mean word confidence: one unreadable page is enough to need review.

    Blank pages (the empty backs of a duplex scan) have nothing to doubt and do not count, unless
    every page is blank: a letter with nothing on it needs a clerk's eye.
    """
    return min((p.confidence for p in pages if not p.blank), default=0.0)


def due_date(received_at: datetime, days: int | None) -> date | None:
    return received_at.date() + timedelta(days=days) if days is not None else None


def new_receipt(
    settings: Settings,
    document: Document,
    pages: list[OcrPage],
    letter: Letter,
    classification: Classification,
    *,
    received_at: datetime,
    source: str,
    due_days: int | None,
    series: str = "",
) -> NewReceipt:
    confidence = ocr_confidence(pages)
    return NewReceipt(
        office=settings.office.code,
        series=series,
        diary_format=settings.diary.format,
        received_at=received_at,
        source=source,
        sha256=document.sha256,
        pages=document.pages,
        language=letter.language,
        letter=letter,
        classification=classification,
        ocr_confidence=confidence,
        page_confidences=tuple(None if p.blank else p.confidence for p in pages),
        needs_review=confidence < settings.ocr.review_below,
        ocr_text=full_text(pages),
        due_date=due_date(received_at, due_days),
    )


def duplicate(existing: Receipt) -> Receipt:
    """The same bytes seen before: the first receipt's fields, marked as a duplicate."""
    return replace(existing, status=Status.DUPLICATE)


def quarantined(source: Path, error: str, sha256: str | None, pages: int | None = None) -> Receipt:
    return Receipt(
        receipt_id=None,
        diary_no=None,
        status=Status.QUARANTINED,
        source=str(source),
        sha256=sha256,
        pages=pages,
        error=error,
    )
