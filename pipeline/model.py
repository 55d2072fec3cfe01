"""The typed values that pass between dak's stages.

Every value here is a frozen dataclass of plain data (paths, strings, numbers, a small numpy
array), so it pickles and can cross process boundaries (Prefect tasks, page workers) unchanged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np


class FileKind(StrEnum):
    PDF = "pdf"
    TIFF = "tiff"
    JPEG = "jpeg"
    PNG = "png"


class Category(StrEnum):
    RTI = "rti"
    COURT = "court"
    GRIEVANCE = "grievance"
    PARLIAMENT = "parliament"
    VIP = "vip"
    CIRCULAR = "circular"
    OFFICE_MEMORANDUM = "office_memorandum"
    DO_LETTER = "do_letter"
    INVOICE = "invoice"
    LETTER = "letter"


class Priority(StrEnum):
    NORMAL = "normal"
    PRIORITY = "priority"
    IMMEDIATE = "immediate"
    MOST_IMMEDIATE = "most_immediate"


class Security(StrEnum):
    NORMAL = "normal"
    CONFIDENTIAL = "confidential"
    SECRET = "secret"


class Status(StrEnum):
    """Where a receipt stands. The workflow runs diarised -> marked -> put_in_file -> closed;
    duplicate and quarantined are outcomes of an ingest, never stored in the registry."""

    DIARISED = "diarised"
    MARKED = "marked"
    PUT_IN_FILE = "put_in_file"
    CLOSED = "closed"
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"


@dataclass(frozen=True)
class Document:
    """An input file as taken in: what it is, by content, and its fingerprint."""

    source: Path
    kind: FileKind
    sha256: str
    size: int
    pages: int


@dataclass(frozen=True)
class Page:
    """One page as rasterised: a grayscale image on disk, or the text a PDF page already carries."""

    number: int  # 1-based
    image: Path  # grayscale raster of the page at `dpi`
    dpi: int
    text_layer: str | None = None  # born-digital text; such a page is not OCR'd again


@dataclass(frozen=True)
class CleanPage:
    """A page after preprocessing: upright, deskewed, background evened out."""

    number: int
    image: Path  # the cleaned image handed to OCR (8-bit gray or bitonal)
    dpi: int
    rotation: int = 0  # degrees turned clockwise to make it upright: 0, 90, 180 or 270
    skew: float = 0.0  # degrees of skew corrected
    script: str | None = None  # script reported by orientation detection, e.g. "Devanagari", "Latin"
    text_layer: str | None = None
    blank: bool = False  # next to no ink once cleaned: a duplex scan's empty back, a separator sheet
    ink: np.ndarray | None = field(
        default=None, repr=False, compare=False
    )  # page 1's small map for the stamp


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float  # 0..1
    left: int
    top: int
    width: int
    height: int
    line: int  # running line number on the page, in reading order


@dataclass(frozen=True)
class OcrPage:
    """What OCR read on one page, and the one-page searchable PDF it made."""

    number: int
    text: str
    confidence: float  # mean word confidence 0..1 (1.0 for a born-digital text layer)
    languages: str  # tesseract languages used, e.g. "hin+eng"; "" for a text layer
    pdf: Path | None  # one-page PDF: page image plus invisible text; None for a text-layer page
    words: tuple[Word, ...] = ()
    blank: bool = False  # nothing to read: its confidence does not count towards review


@dataclass(frozen=True)
class Letter:
    """The fields a clerk types into the register, as read from the letter."""

    letter_no: str | None = None
    letter_date: date | None = None
    subject: str | None = None
    sender: str | None = None
    references: tuple[str, ...] = ()
    file_numbers: tuple[str, ...] = ()  # e-file numbers named in the letter
    language: str = "en"  # "hi", "en" or "mixed"


@dataclass(frozen=True)
class Classification:
    category: Category = Category.LETTER
    priority: Priority = Priority.NORMAL
    security: Security = Security.NORMAL
    section: str | None = None
    confidence: float = 0.0  # 0..1 for the category
    learned: bool = False  # a model learned from corrected receipts took part in the decision


@dataclass(frozen=True)
class Receipt:
    """A diarised inward letter: the record `dak ingest --json` prints (see DESIGN.md)."""

    receipt_id: int | None
    diary_no: str | None
    status: Status
    source: str
    sha256: str | None
    pages: int | None = None
    error: str | None = None
    language: str | None = None
    category: str | None = None
    priority: str | None = None
    security: str | None = None
    section: str | None = None
    letter_no: str | None = None
    letter_date: date | None = None
    subject: str | None = None
    sender: str | None = None
    file_no: str | None = None
    received_at: datetime | None = None
    confidence: dict[str, float] = field(default_factory=dict)
    output: str | None = None
    output_sha256: str | None = None
    references: tuple[str, ...] = ()
    due_date: date | None = None
    needs_review: bool = False
    page_confidences: tuple[float | None, ...] = ()  # mean word confidence of each page, 0..1; None: blank
    diarised_at: datetime | None = None
    confirmed: bool = False  # a clerk confirmed the fields as read (`dak receipts confirm`)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = str(self.status)
        data["references"] = list(self.references)
        data["page_confidences"] = list(self.page_confidences)
        for key in ("letter_date", "received_at", "due_date", "diarised_at"):
            value = data[key]
            data[key] = value.isoformat() if value is not None else None
        return data
