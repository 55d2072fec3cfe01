"""PDF assembly: one searchable PDF from the OCR'd pages, with document metadata, ready to sign."""

from __future__ import annotations

import io
from datetime import datetime

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from pipeline.errors import PdfError
from pipeline.model import Document, FileKind, OcrPage

PRODUCER = "dak"


def assemble(document: Document, pages: list[OcrPage]) -> PdfWriter:
    """Pages in order: OCR'd pages from their one-page PDFs; text-layer pages copied from the original."""
    writer = PdfWriter()
    original: PdfReader | None = None
    for page in sorted(pages, key=lambda p: p.number):
        if page.pdf is not None:
            try:
                writer.add_page(PdfReader(page.pdf).pages[0])
            except (PdfReadError, OSError, IndexError) as exc:
                raise PdfError(f"The searchable page {page.number} could not be assembled: {exc}") from exc
            continue
        if document.kind is not FileKind.PDF:
            raise PdfError(
                f"Page {page.number} of {document.source.name} has neither an image nor a text layer."
            )
        if original is None:
            original = PdfReader(document.source)
            if original.is_encrypted:
                original.decrypt("")
        writer.add_page(original.pages[page.number - 1])
    return writer


def set_metadata(
    writer: PdfWriter,
    *,
    title: str,
    subject: str | None,
    author: str | None,
    keywords: list[str],
    created: datetime,
) -> None:
    """Document Info the registry and a PDF reader can show; written before signing, never after."""
    stamp = created.strftime("D:%Y%m%d%H%M%S")
    offset = created.strftime("%z")
    if offset:
        stamp += f"{offset[:3]}'{offset[3:]}'"
    info = {
        "/Title": title,
        "/Producer": PRODUCER,
        "/Creator": PRODUCER,
        "/CreationDate": stamp,
        "/ModDate": stamp,
        "/Keywords": ", ".join(k for k in keywords if k),
    }
    if subject:
        info["/Subject"] = subject
    if author:
        info["/Author"] = author
    writer.add_metadata(info)


def to_bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    writer.write(buffer)
    return buffer.getvalue()


def page_size(writer: PdfWriter, index: int = 0) -> tuple[float, float]:
    box = writer.pages[index].mediabox
    return float(box.width), float(box.height)
